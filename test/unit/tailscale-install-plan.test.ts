import {describe, expect, it} from 'vitest'
import {ActionNeededError} from '../../src/core/errors.js'
import {platformAdapter} from '../../src/platform/index.js'
import type {HostProbe} from '../../src/platform/types.js'
import {describeStep, sudoWrap, syntheticProbe} from '../../src/services/tailscale/install.js'

const linux = (over: Partial<HostProbe> = {}): HostProbe => ({...syntheticProbe('linux'), ...over})

describe('Tailscale install plans', () => {
  it('Linux with systemd: the vendor script, then systemctl enable --now, through sudo -n', () => {
    const probe = linux()
    const plan = platformAdapter('linux').planTailscaleInstall(probe, {stateDir: '/home/u/.local/state/claw-mesh'})
    expect(plan.steps.map((s) => describeStep(s, probe))).toEqual([
      '/usr/bin/sudo -n sh -c "curl -fsSL https://tailscale.com/install.sh | sh"',
      '/usr/bin/sudo -n systemctl enable --now tailscaled',
    ])
  })

  it('Linux in a container without systemd: a userspace daemon with its own socket', () => {
    const probe = linux({hasSystemd: false, inContainer: true, isRoot: true, commands: {tailscale: '/usr/bin/tailscale', tailscaled: '/usr/sbin/tailscaled'}})
    const plan = platformAdapter('linux').planTailscaleInstall(probe, {stateDir: '/root/.local/state/claw-mesh'})
    expect(plan.socket).toBe('/root/.local/state/claw-mesh/tailscaled.sock')
    expect(plan.steps).toHaveLength(1)
    expect(plan.steps[0]).toMatchObject({command: '/usr/sbin/tailscaled', args: ['--tun=userspace-networking', '--state=mem:', '--socket=/root/.local/state/claw-mesh/tailscaled.sock'], waitForSocket: '/root/.local/state/claw-mesh/tailscaled.sock'})
    expect(plan.notes.join(' ')).toMatch(/does not survive a reboot/)
  })

  it.each([
    ['nixos', /NixOS/, /services\.tailscale\.enable/],
    ['plan9', /Unknown Linux distribution "plan9"/, /static/],
  ])('refuses %s with what to do', (id, message, hint) => {
    const probe = linux({osRelease: {id, idLike: []}})
    try {
      platformAdapter('linux').planTailscaleInstall(probe, {stateDir: '/s'})
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(ActionNeededError)
      expect((error as Error).message).toMatch(message)
      expect((error as ActionNeededError).hint).toMatch(hint)
    }
  })

  it('accepts a derivative distribution through ID_LIKE', () => {
    const plan = platformAdapter('linux').planTailscaleInstall(linux({osRelease: {id: 'tuxedo', idLike: ['ubuntu', 'debian']}}), {stateDir: '/s'})
    expect(plan.method).toBe('install script')
  })

  it('macOS: Homebrew formula and brew services', () => {
    const probe = syntheticProbe('darwin')
    const plan = platformAdapter('darwin').planTailscaleInstall(probe, {stateDir: '/s'})
    expect(plan.steps.map((s) => s.args.join(' '))).toEqual(['install tailscale', 'services start tailscale'])
  })

  it('macOS without Homebrew says what to install', () => {
    expect(() => platformAdapter('darwin').planTailscaleInstall({...syntheticProbe('darwin'), commands: {}}, {stateDir: '/s'})).toThrowError(/Homebrew is not installed/)
  })

  it('Windows: winget, and up gets --unattended', () => {
    const plan = platformAdapter('win32').planTailscaleInstall(syntheticProbe('win32'), {stateDir: 'C:\\s'})
    expect(plan.steps[0].args).toContain('Tailscale.Tailscale')
    expect(platformAdapter('win32').upExtraFlags()).toEqual(['--unattended'])
  })

  it('runs as is when already root, and refuses when sudo is missing', () => {
    const step = {title: 't', command: 'systemctl', args: ['x'], sudo: true}
    expect(sudoWrap(step, linux({isRoot: true}))).toEqual({command: 'systemctl', args: ['x']})
    expect(() => sudoWrap(step, linux({commands: {}}))).toThrowError(/sudo is not installed/)
  })
})
