import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {evalService} from '../../src/core/checks/gateway-runtime.js'
import {MAC_REBOOT_WARNING} from '../../src/core/os/macos-session.js'
import {createDeps} from '../../src/deps.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {darwinGateway} from '../../src/platform/gateway-darwin.js'
import type {ProbeRun} from '../../src/platform/types.js'
import {installWatchdog} from '../../src/services/watchdog/install.js'
import {tempDir} from '../helpers/fakes/index.js'

/**
 * A headless Mac (issue 17, M5): every LaunchAgent and the App Store Tailscale live in the logged-in desktop
 * session, so after a reboot the mesh is back only with automatic login, which FileVault rules out. The darwin
 * service notes (printed by gateway start and bootstrap, read by doctor) say which case this Mac is in, from the
 * recorded outputs of `defaults read … autoLoginUser` and `fdesetup status`.
 */
const FIXTURES = path.resolve(__dirname, '../fixtures/macos-session')
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8')

function macRun(
  autoLogin: 'nova' | 'other' | 'unset',
  fileVault: 'on' | 'off' | 'denied',
): ProbeRun & {calls: string[]} {
  const calls: string[] = []
  const run = (async (cmd: string, args: string[]) => {
    calls.push([cmd, ...args].join(' '))
    if (cmd === 'defaults') {
      if (autoLogin === 'unset')
        return {exitCode: 1, stdout: '', stderr: fixture('autologin-unset.txt'), notFound: false}
      return {
        exitCode: 0,
        stdout: autoLogin === 'nova' ? fixture('autologin-nova.txt') : 'guest\n',
        stderr: '',
        notFound: false,
      }
    }
    if (cmd === 'fdesetup')
      return fileVault === 'denied'
        ? {exitCode: 1, stdout: '', stderr: 'Error', notFound: false}
        : {exitCode: 0, stdout: fixture(`filevault-${fileVault}.txt`), stderr: '', notFound: false}
    throw new Error(`unexpected ${cmd}`)
  }) as ProbeRun & {calls: string[]}
  run.calls = calls
  return run
}

describe('darwin service notes: does the mesh come back after a reboot?', () => {
  it.each([
    ['nova', 'off', false, /Automatic login is on for nova/],
    ['nova', 'on', false, /Automatic login is on for nova/],
    ['unset', 'on', true, /FileVault is on, which rules out automatic login/],
    ['unset', 'off', true, /Automatic login is off\. Turn it on for nova/],
    ['other', 'off', true, /Automatic login is set for guest, not nova/],
    ['unset', 'denied', true, /which FileVault would rule out/],
  ] as const)('auto-login %s, FileVault %s: reboot warning %s', async (autoLogin, fileVault, warns, text) => {
    const run = macRun(autoLogin, fileVault)
    const notes = await darwinGateway.serviceNotes(run, {USER: 'nova'})
    expect(run.calls).toEqual([
      'defaults read /Library/Preferences/com.apple.loginwindow autoLoginUser',
      'fdesetup status',
    ])
    expect(notes.join(' ')).toMatch(text)
    expect(notes.join(' ')).toMatch(/LaunchAgents of nova's desktop session/)
    expect(notes.join(' ')).toMatch(
      /open-source tailscaled .* starts at boot without a login; the App Store app does not/,
    )
    expect(notes.some((n) => n.startsWith(MAC_REBOOT_WARNING))).toBe(warns)
  })

  it('doctor warns on a running service that a reboot would end, and says what to do', async () => {
    const notes = await darwinGateway.serviceNotes(macRun('unset', 'on'), {USER: 'nova'})
    const outcome = evalService(
      {
        runner: 'service',
        installed: true,
        running: true,
        detail: 'launchd',
        rebootWarning: notes.find((n) => n.startsWith(MAC_REBOOT_WARNING)),
      },
      'claw-mesh gateway start',
    )
    expect(outcome.status).toBe('warn')
    expect(outcome.detail).toMatch(/FileVault is on/)
    expect(outcome.remedy).toMatch(/automatic login/)
  })
})

describe('iMessage alerts from the watchdog LaunchAgent', () => {
  it.each([
    ['imessage:+15551234567', true],
    ['webhook:https://hooks.example.com/services/T0/B0/x', false],
  ] as const)(
    "%s: the install notes that the job's node needs its own Automation grant for Messages: %s",
    async (alert, noted) => {
      const dir = tempDir('imsg').path
      const deps = createDeps({
        env: {HOME: dir, CLAW_MESH_HOME: path.join(dir, 'cm'), PATH: '/usr/bin:/bin'},
        platform: 'darwin',
        io: createTestIOStreams().io,
        store: createMemoryStateStore({}),
        secrets: createMemorySecretStore(),
      })
      const r = await installWatchdog(deps, {print: true, alert})
      expect(
        (r.notes ?? []).some(
          (n) => /Automation grant for Messages/.test(n) && /Privacy & Security → Automation/.test(n),
        ),
      ).toBe(noted)
    },
  )
})
