import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import WatchdogInstall from '../../src/commands/watchdog/install.js'
import WatchdogRun from '../../src/commands/watchdog/run.js'
import WatchdogUninstall from '../../src/commands/watchdog/uninstall.js'
import {createFetchHttpClient} from '../../src/infra/http.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {runCommand} from '../helpers/run-command.js'
import {tempDir} from '../helpers/fakes/index.js'
import {scriptedRunner} from '../helpers/fakes/runner.js'
import {ownGatewayListeners} from '../helpers/listeners.js'

let tmp = ''
let env: Record<string, string> = {}
beforeEach(() => {
  tmp = tempDir('wd-cmd').path
  env = {
    HOME: tmp,
    CLAW_MESH_HOME: path.join(tmp, 'state'),
    XDG_CONFIG_HOME: path.join(tmp, 'config'),
    PATH: process.env.PATH ?? '',
  }
})

const unitDir = () => path.join(tmp, 'config', 'systemd', 'user')
const HOOK = 'webhook:https://hooks.slack.com/services/T000/B000/SECRETSECRET'

describe('claw-mesh watchdog install', () => {
  it('where no systemd user session answers, says so, suggests what to do, exits 3 and writes nothing', async () => {
    // The real systemctl: this machine (a container) has no user manager.
    const run = await runCommand(WatchdogInstall, ['--alert', HOOK], {
      env: {...env, OPENCLAW_CONFIG_PATH: path.join(tmp, 'oc', 'openclaw.json')},
      platform: 'linux',
      store: createMemoryStateStore(),
    })
    expect(run.exitCode).toBe(3)
    // cron gives a job a minimal PATH and none of our settings: the suggested line carries them.
    expect(run.stderr).toMatch(/cron: \*\/2 \* \* \* \* .*PATH='[^']*' .*watchdog run/)
    expect(run.stderr).toContain(`OPENCLAW_CONFIG_PATH='${path.join(tmp, 'oc', 'openclaw.json')}'`)
    expect(run.stderr).toMatch(
      /Cannot install the watchdog as a systemd user timer: (no systemd user session|systemctl is not installed).*Nothing was installed\./,
    )
    expect(run.stderr).toMatch(/cron: \*\/2 \* \* \* \* CLAW_MESH_HOME=.* watchdog run/)
    expect(run.stderr).toMatch(/claw-mesh watchdog install --print/)
    expect(existsSync(unitDir())).toBe(false)
    expect(run.stderr).not.toContain('SECRETSECRET')
  })

  it('--print writes the unit files to stdout and changes nothing', async () => {
    const store = createMemoryStateStore()
    const run = await runCommand(WatchdogInstall, ['--print', '--interval', '60s', '--failures', '2'], {
      env,
      platform: 'linux',
      store,
    })
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toMatch(/# .*claw-mesh-watchdog\.service\n/)
    expect(run.stdout).toMatch(/ExecStart=".*node[^"]*" ".*bin\/run\.js" "watchdog" "run" "--failures" "2"/)
    expect(run.stdout).toMatch(/OnUnitActiveSec=60\n/)
    expect(existsSync(unitDir())).toBe(false)
    expect(store.raw().alert).toBeUndefined()
  })

  it('takes the webhook URL from file:PATH or $CLAW_MESH_ALERT, and a bad one is named by scheme and host only', async () => {
    const file = path.join(tmp, 'alert')
    writeFileSync(file, `${HOOK}\n`, {mode: 0o600})
    for (const [argv, extra] of [
      [['--alert', `file:${file}`, '--print'], {}],
      [['--print'], {CLAW_MESH_ALERT: HOOK}],
    ] as const) {
      const run = await runCommand(WatchdogInstall, [...argv, '--json'], {
        env: {...env, ...extra},
        platform: 'linux',
        store: createMemoryStateStore(),
        secrets: createMemorySecretStore(),
      })
      expect(run.exitCode, run.stderr).toBe(0)
      expect(run.json()).toMatchObject({alert: 'webhook:https://hooks.slack.com/…'})
      expect(run.stdout + run.stderr).not.toContain('SECRETSECRET')
    }
    for (const bad of [
      'webhook:http://hooks.example.com/services/T0/B0/SECRETSECRET',
      'webhook:https://user:SECRETSECRET@hooks.example.com/x',
    ]) {
      const run = await runCommand(WatchdogInstall, ['--alert', bad, '--print', '--json'], {
        env,
        platform: 'linux',
        store: createMemoryStateStore(),
        secrets: createMemorySecretStore(),
      })
      expect(run.exitCode).toBe(2)
      expect(run.stdout + run.stderr).toMatch(/--alert webhook:https?:\/\/hooks\.example\.com\/…/)
      expect(run.stdout + run.stderr).not.toContain('SECRETSECRET')
    }
  })

  it('refuses bad settings with exit 2', async () => {
    for (const [argv, message] of [
      [['--interval', '5s'], /--interval 5s is too short/],
      [['--failures', '0'], /--failures 0 is out of range/],
      [['--alert', 'imessage:+15551234567'], /iMessage alerts need macOS/],
      [['--alert', 'webhook:http://example.com/x'], /must use https/],
    ] as const) {
      const run = await runCommand(WatchdogInstall, [...argv, '--print'], {
        env,
        platform: 'linux',
        store: createMemoryStateStore(),
      })
      expect(run.exitCode, argv.join(' ')).toBe(2)
      expect(run.stderr).toMatch(message)
    }
  })

  it('with a systemd user session: writes the units, enables the timer, records the alert; again: nothing changes; uninstall removes all', async () => {
    const store = createMemoryStateStore()
    const secrets = createMemorySecretStore()
    const ok = {exitCode: 0}
    const first = scriptedRunner([
      {command: 'systemctl', args: ['--user', 'show-environment'], result: ok},
      {command: 'systemctl', args: ['--user', 'is-enabled', 'claw-mesh-watchdog.timer'], result: {exitCode: 1}},
      {command: 'systemctl', args: ['--user', 'daemon-reload'], result: ok},
      {command: 'systemctl', args: ['--user', 'enable', '--now', 'claw-mesh-watchdog.timer'], result: ok},
    ])
    const run = await runCommand(WatchdogInstall, ['--alert', HOOK], {
      env,
      platform: 'linux',
      store,
      secrets,
      runner: first,
    })
    first.assertDone()
    expect(run.exitCode).toBe(0)
    expect(run.stderr).toMatch(
      /Watchdog installed as a systemd user timer \(claw-mesh-watchdog\.timer\): every 120 s, restart and alert after 3 failed checks; alerts to webhook:https:\/\/hooks\.slack\.com\/…/,
    )
    expect(run.stderr).not.toContain('SECRETSECRET')
    const service = readFileSync(path.join(unitDir(), 'claw-mesh-watchdog.service'), 'utf8')
    expect(service).toContain(`Environment="CLAW_MESH_HOME=${path.join(tmp, 'state')}"`)
    // The webhook URL is a credential: it stays in claw-mesh's state, not in a world-readable unit file.
    expect(service).not.toContain('SECRETSECRET')
    // Nor in state.json: the secret store keeps it, state only a reference.
    expect(store.raw().alert).toBe('webhook:stored')
    expect(secrets.values.get('alert-webhook')).toBe(HOOK.slice('webhook:'.length))

    const again = scriptedRunner([
      {command: 'systemctl', args: ['--user', 'show-environment'], result: ok},
      {command: 'systemctl', args: ['--user', 'is-enabled', 'claw-mesh-watchdog.timer'], result: ok},
    ])
    const second = await runCommand(WatchdogInstall, ['--alert', HOOK], {
      env,
      platform: 'linux',
      store,
      secrets,
      runner: again,
    })
    again.assertDone()
    expect(second.stderr).toMatch(/already installed with these settings: nothing changed/)

    const removal = scriptedRunner([
      {command: 'systemctl', args: ['--user', 'is-enabled', 'claw-mesh-watchdog.timer'], result: ok},
      {command: 'systemctl', args: ['--user', 'disable', '--now', 'claw-mesh-watchdog.timer'], result: ok},
      {command: 'systemctl', args: ['--user', 'daemon-reload'], result: ok},
    ])
    const gone = await runCommand(WatchdogUninstall, [], {env, platform: 'linux', store, secrets, runner: removal})
    removal.assertDone()
    expect(gone.exitCode).toBe(0)
    expect(existsSync(path.join(unitDir(), 'claw-mesh-watchdog.service'))).toBe(false)
    expect(existsSync(path.join(unitDir(), 'claw-mesh-watchdog.timer'))).toBe(false)
    expect(store.raw().alert).toBeUndefined()
  })
})

describe('claw-mesh watchdog run', () => {
  let gateway: http.Server
  let up = true
  beforeEach(async () => {
    gateway = http.createServer((_req, res) => res.writeHead(up ? 200 : 503).end())
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r))
  })
  afterEach(async () => {
    await new Promise((r) => gateway.close(r))
  })
  const store = () => createMemoryStateStore({gateway: {port: (gateway.address() as AddressInfo).port}})

  it('exits 0 when the gateway is healthy', async () => {
    up = true
    const run = await runCommand(WatchdogRun, [], {
      env,
      platform: 'linux',
      store: store(),
      http: createFetchHttpClient(),
      secrets: createMemorySecretStore(),
      loopbackListeners: ownGatewayListeners(),
    })
    expect(run.exitCode).toBe(0)
    expect(run.stderr).toMatch(/\/healthz: healthy; 0\/3 consecutive failures/)
  })

  it('exits 5 while it is unhealthy, counting failures across runs', async () => {
    up = false
    const s = store()
    const r1 = await runCommand(WatchdogRun, ['--json'], {
      env,
      platform: 'linux',
      store: s,
      http: createFetchHttpClient(),
      secrets: createMemorySecretStore(),
      loopbackListeners: ownGatewayListeners(),
    })
    const r2 = await runCommand(WatchdogRun, ['--json'], {
      env,
      platform: 'linux',
      store: s,
      http: createFetchHttpClient(),
      secrets: createMemorySecretStore(),
      loopbackListeners: ownGatewayListeners(),
    })
    expect([r1.exitCode, r2.exitCode]).toEqual([5, 5])
    expect(r2.json<{failures: number; healthy: boolean}>()).toMatchObject({failures: 2, healthy: false})
  })
})
