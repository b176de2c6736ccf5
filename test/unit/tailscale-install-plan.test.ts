import {describe, expect, it} from 'vitest'
import {ActionNeededError} from '../../src/core/common/errors.js'
import {platformAdapter} from '../../src/platform/index.js'
import type {HostProbe} from '../../src/platform/types.js'
import {describeStep, sudoWrap, syntheticProbe} from '../../src/services/tailscale/install.js'
import {tailscaleSocket} from '../../src/services/tailscale/cli.js'

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

  it('Linux in a container without systemd or TUN: a userspace daemon with a state dir and its proxy on loopback', () => {
    const probe = linux({
      hasSystemd: false,
      inContainer: true,
      isRoot: true,
      tun: false,
      commands: {tailscale: '/usr/bin/tailscale', tailscaled: '/usr/sbin/tailscaled'},
    })
    const plan = platformAdapter('linux').planTailscaleInstall(probe, {
      stateDir: '/root/.local/state/claw-mesh',
      proxyPort: 1055,
    })
    expect(plan.socket).toBe('/root/.local/state/claw-mesh/tailscaled.sock')
    expect(plan).toMatchObject({networking: 'userspace', proxy: 'http://127.0.0.2:1055', method: 'userspace daemon'})
    expect(plan.steps).toHaveLength(1)
    expect(plan.steps[0]).toMatchObject({
      command: '/usr/sbin/tailscaled',
      args: [
        '--tun=userspace-networking',
        '--statedir=/root/.local/state/claw-mesh/tailscaled',
        '--socket=/root/.local/state/claw-mesh/tailscaled.sock',
        '--socks5-server=127.0.0.2:1055',
        '--outbound-http-proxy-listen=127.0.0.2:1055',
      ],
      waitForSocket: '/root/.local/state/claw-mesh/tailscaled.sock',
    })
    expect(plan.steps[0].args).not.toContain('--state=mem:') // Taildrop and restarts need a state dir
    expect(plan.notes.join(' ')).toMatch(/does not survive a reboot/)
    expect(plan.notes.join(' ')).toMatch(/through tailscaled's proxy at http:\/\/127\.0\.0\.2:1055/)
  })

  it('Linux without systemd but with a TUN device: a kernel-mode daemon (no proxy needed), unless userspace is asked for', () => {
    const probe = linux({
      hasSystemd: false,
      inContainer: true,
      isRoot: true,
      tun: true,
      commands: {tailscale: '/usr/bin/tailscale', tailscaled: '/usr/sbin/tailscaled'},
    })
    const kernel = platformAdapter('linux').planTailscaleInstall(probe, {stateDir: '/s', proxyPort: 1055})
    expect(kernel).toMatchObject({networking: 'kernel', method: 'kernel daemon'})
    expect(kernel.proxy).toBeUndefined()
    expect(kernel.steps[0].args).toEqual(['--statedir=/s/tailscaled', '--socket=/s/tailscaled.sock'])
    const user = platformAdapter('linux').planTailscaleInstall(probe, {
      stateDir: '/s',
      proxyPort: 41055,
      networking: 'userspace',
    })
    expect(user).toMatchObject({networking: 'userspace', proxy: 'http://127.0.0.2:41055'})
    // Not root and no sudo: no TUN device can be made, so auto means userspace.
    const noRoot = platformAdapter('linux').planTailscaleInstall(
      {...probe, isRoot: false, commands: {...probe.commands, sudo: undefined}},
      {stateDir: '/s'},
    )
    expect(noRoot).toMatchObject({networking: 'userspace', proxy: 'http://127.0.0.2:1055'})
    // A second user on a shared machine, with neither root nor sudo, can still run a node of their own.
    expect(
      noRoot.steps.map((st) =>
        describeStep(st, {...probe, isRoot: false, commands: {...probe.commands, sudo: undefined}}),
      ),
    ).toEqual([
      '/usr/sbin/tailscaled --tun=userspace-networking --statedir=/s/tailscaled --socket=/s/tailscaled.sock --socks5-server=127.0.0.2:1055 --outbound-http-proxy-listen=127.0.0.2:1055',
    ])
    // A kernel TUN device still needs root: through sudo -n when not root.
    const kernelNoRoot = platformAdapter('linux').planTailscaleInstall(
      {...probe, isRoot: false, commands: {...probe.commands, sudo: '/usr/bin/sudo'}},
      {stateDir: '/s', networking: 'kernel'},
    )
    expect(kernelNoRoot.steps[0].sudo).toBe(true)
  })

  it('Linux with systemd: --networking userspace runs the daemon itself instead of the service, as this user (no sudo)', () => {
    const probe = linux({
      tun: true,
      commands: {tailscale: '/usr/bin/tailscale', tailscaled: '/usr/sbin/tailscaled', sudo: '/usr/bin/sudo'},
    })
    const plan = platformAdapter('linux').planTailscaleInstall(probe, {
      stateDir: '/s',
      networking: 'userspace',
      proxyPort: 1055,
    })
    expect(plan.steps.map((st) => describeStep(st, probe))).toEqual([
      '/usr/sbin/tailscaled --tun=userspace-networking --statedir=/s/tailscaled --socket=/s/tailscaled.sock --socks5-server=127.0.0.2:1055 --outbound-http-proxy-listen=127.0.0.2:1055',
    ])
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
    const plan = platformAdapter('linux').planTailscaleInstall(
      linux({osRelease: {id: 'tuxedo', idLike: ['ubuntu', 'debian']}}),
      {stateDir: '/s'},
    )
    expect(plan.method).toBe('install script')
  })

  it('macOS: Homebrew formula and brew services', () => {
    const probe = syntheticProbe('darwin')
    const plan = platformAdapter('darwin').planTailscaleInstall(probe, {stateDir: '/s'})
    expect(plan.steps.map((s) => s.args.join(' '))).toEqual(['install tailscale', 'services start tailscale'])
  })

  it('macOS without Homebrew says what to install', () => {
    expect(() =>
      platformAdapter('darwin').planTailscaleInstall({...syntheticProbe('darwin'), commands: {}}, {stateDir: '/s'}),
    ).toThrowError(/Homebrew is not installed/)
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

describe('which tailscaled claw-mesh talks to (one rule for every command)', () => {
  const deps = (env: Record<string, string>, recorded?: string, platform = 'linux') => ({
    env,
    stateDir: '/home/bob/.local/state/claw-mesh',
    platform: platformAdapter(platform),
    store: {read: () => ({tailscale: recorded ? {socket: recorded} : undefined})} as never,
  })
  it.each([
    ['the flag first', {CLAW_MESH_TAILSCALE_SOCKET: '/env.sock'}, '/rec.sock', {flag: '/flag.sock'}, '/flag.sock'],
    ['then the environment', {CLAW_MESH_TAILSCALE_SOCKET: '/env.sock'}, '/rec.sock', {}, '/env.sock'],
    ['then the recorded one', {}, '/rec.sock', {}, '/rec.sock'],
    ['then the OS default', {}, undefined, {}, undefined],
    [
      "a networking mode asked for means claw-mesh's own daemon, not the machine's",
      {CLAW_MESH_TAILSCALE_NETWORKING: 'userspace'},
      undefined,
      {},
      '/home/bob/.local/state/claw-mesh/tailscaled.sock',
    ],
    [
      'the same from the flag',
      {},
      undefined,
      {networking: 'kernel'},
      '/home/bob/.local/state/claw-mesh/tailscaled.sock',
    ],
    ['auto is not a request for an own daemon', {CLAW_MESH_TAILSCALE_NETWORKING: 'auto'}, undefined, {}, undefined],
  ])('%s', (_name, env, recorded, opts, want) => {
    expect(tailscaleSocket(deps(env, recorded) as never, opts)).toBe(want)
  })
})
