import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {exitCodeOf} from '../../src/core/common/errors.js'
import {launchctlGuiSessionMissing, LAUNCHCTL_PENDING_TEARDOWN} from '../../src/core/os/launchctl-errors.js'
import {createDeps} from '../../src/deps.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {installWatchdog} from '../../src/services/watchdog/install.js'
import {scriptedRunner, type ExpectedCall} from '../helpers/fakes/runner.js'
import {fakeClock, tempDir} from '../helpers/fakes/index.js'

/**
 * Re-installing the watchdog LaunchAgent (issue 17, M7): `bootout` returns before launchd has torn the old job down,
 * and a `bootstrap` at once fails with "Bootstrap failed: 5: Input/output error". claw-mesh waits until `print` no
 * longer finds the job and retries bootstrap on that error, as OpenClaw's launchd runtime does; a missing GUI session
 * (SSH, sudo) is named as such. launchctl's texts are recorded fixtures; the clock is fake (no real sleep).
 */
const FIXTURES = path.resolve(__dirname, '../fixtures/launchctl')
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8')
const UID = process.getuid?.() ?? 0
const TARGET = `gui/${UID}/ai.claw-mesh.watchdog`

function macDeps(script: (plist: string) => ExpectedCall[]) {
  const dir = tempDir('launchctl').path
  const home = path.join(dir, 'home')
  const plist = path.join(home, 'Library', 'LaunchAgents', 'ai.claw-mesh.watchdog.plist')
  const clock = fakeClock({start: '2026-12-01T10:00:00Z', autoAdvance: true})
  const deps = createDeps({
    env: {HOME: home, CLAW_MESH_HOME: path.join(dir, 'cm'), PATH: '/usr/bin:/bin'},
    platform: 'darwin',
    io: createTestIOStreams().io,
    runner: scriptedRunner(script(plist)),
    clock,
    store: createMemoryStateStore({}),
    secrets: createMemorySecretStore(),
  })
  return {deps, clock}
}

const call = (args: string[], exitCode = 0, stderr = ''): ExpectedCall => ({
  command: 'launchctl',
  args,
  result: {exitCode, stderr},
})
// The service manager answers, and the old job is loaded (a re-install).
const before = [call(['print', `gui/${UID}`]), call(['print', TARGET])]

describe('watchdog install through launchctl', () => {
  it('waits until launchd forgot the old job, then retries bootstrap while it meets the teardown', async () => {
    const {deps, clock} = macDeps((plist) => [
      ...before,
      call(['bootout', TARGET]),
      call(['print', TARGET]), // still tearing down
      call(['print', TARGET], 113, fixture('print-no-service.txt')),
      call(['bootstrap', `gui/${UID}`, plist], 5, fixture('bootstrap-eio.txt')),
      call(['bootstrap', `gui/${UID}`, plist], 5, fixture('bootstrap-eio.txt')),
      call(['bootstrap', `gui/${UID}`, plist]),
    ])
    const r = await installWatchdog(deps, {})
    expect(r).toMatchObject({installed: true, changed: true})
    expect(clock.slept).toEqual([500, 500, 500])
  })

  it("gives up after OpenClaw's 30 s and says what failed", async () => {
    const {deps, clock} = macDeps((plist) => [
      ...before,
      call(['bootout', TARGET]),
      call(['print', TARGET], 113, fixture('print-no-service.txt')),
      ...Array.from({length: 61}, () => call(['bootstrap', `gui/${UID}`, plist], 5, fixture('bootstrap-eio.txt'))),
    ])
    const error = await installWatchdog(deps, {}).catch((e: Error) => e)
    expect(error).toMatchObject({
      message: expect.stringContaining('launchctl bootstrap'),
      stderr: expect.stringContaining('Input/output error'),
    })
    expect(clock.slept.reduce((a, b) => a + b, 0)).toBe(30_000)
  })

  it('a bootstrap refused for want of a GUI session (SSH, sudo) says so, exit 3, and is not retried', async () => {
    const {deps, clock} = macDeps((plist) => [
      ...before,
      call(['bootout', TARGET]),
      call(['print', TARGET], 113, fixture('print-no-service.txt')),
      call(['bootstrap', `gui/${UID}`, plist], 125, fixture('bootstrap-125.txt')),
    ])
    const error = await installWatchdog(deps, {}).catch((e: Error) => e)
    expect(error).toMatchObject({
      code: 'launchd-no-gui-session',
      message: expect.stringContaining('needs a logged-in macOS GUI session'),
      hint: expect.stringContaining('not sudo'),
    })
    expect(exitCodeOf(error as never)).toBe(3)
    expect(clock.slept).toEqual([])
  })

  it.each([
    ['bootstrap-125.txt', true],
    ['print-no-domain.txt', true],
    ['bootstrap-eio.txt', false],
    ['print-no-service.txt', false],
  ])('%s: a missing GUI session is %s', (name, missing) => {
    expect(launchctlGuiSessionMissing(fixture(name), 'watchdog') !== undefined).toBe(missing)
    if (name === 'print-no-domain.txt')
      expect(launchctlGuiSessionMissing(fixture(name), 'watchdog')?.message).toContain('(gui/501)')
    expect(LAUNCHCTL_PENDING_TEARDOWN.test(fixture(name))).toBe(name === 'bootstrap-eio.txt')
  })
})
