import {existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {beforeEach, describe, expect, it} from 'vitest'
import Leave from '../../src/commands/leave.js'
import {createDeps} from '../../src/deps.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {configureGateway} from '../../src/services/gateway/configure.js'
import {installSkill} from '../../src/services/skill/install.js'
import {runCommand} from '../helpers/run-command.js'
import {tempDir} from '../helpers/fakes/index.js'
import {scriptedRunner} from '../helpers/fakes/runner.js'

let tmp = ''
let env: Record<string, string> = {}
let configPath = ''
beforeEach(() => {
  tmp = tempDir('leave').path
  env = {
    HOME: tmp,
    CLAW_MESH_HOME: path.join(tmp, 'state'),
    OPENCLAW_STATE_DIR: path.join(tmp, 'openclaw'),
    XDG_CONFIG_HOME: path.join(tmp, 'config'),
    PATH: '/nonexistent',
  }
  configPath = path.join(tmp, 'openclaw', 'openclaw.json')
  mkdirSync(path.dirname(configPath), {recursive: true})
})

// The user's own file: JSON5 with a comment, which a rewrite would lose.
const ORIGINAL = '// my gateway\n{\n  agents: {defaults: {model: "anthropic/claude"}},\n  gateway: {port: 19001},\n}\n'

async function joined() {
  writeFileSync(configPath, ORIGINAL, {mode: 0o600})
  const store = createMemoryStateStore({
    identity: 'nova',
    peers: {
      clawd: {
        name: 'clawd',
        url: 'http://100.64.0.9:18789',
        addedAt: '2026-09-01T00:00:00Z',
        source: 'invite',
        messaging: true,
      },
    },
  })
  const secrets = createMemorySecretStore({'peer/clawd': 'clawd-hooks-token-0123456789'})
  const deps = createDeps({env, platform: 'linux', store, secrets, io: createTestIOStreams().io})
  await configureGateway(deps)
  await installSkill(deps)
  expect(readFileSync(configPath, 'utf8')).not.toBe(ORIGINAL)
  return {store, secrets, deps}
}

describe('claw-mesh leave', () => {
  it('needs a terminal or --yes, and changes nothing without', async () => {
    const {store, secrets} = await joined()
    const before = readFileSync(configPath, 'utf8')
    const run = await runCommand(Leave, [], {env, platform: 'linux', store, secrets})
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(/claw-mesh leave will:\n {2}- Restore .*openclaw\.json \(original bytes\)/)
    expect(run.stderr).toMatch(
      /no terminal to ask on\. Nothing was changed\.\n {2}→ Read the list above, then re-run with --yes/,
    )
    expect(readFileSync(configPath, 'utf8')).toBe(before)
  })

  it('reports only what was there: a leftover watchdog.json is not a timer; names .last-good and the tailscaled it started', async () => {
    const {store, secrets} = await joined()
    // The watchdog's memory outlives its job (or a run without install wrote it): no systemd timer exists.
    mkdirSync(env.CLAW_MESH_HOME, {recursive: true})
    writeFileSync(path.join(env.CLAW_MESH_HOME, 'watchdog.json'), '{"failures":0}\n')
    // A userspace tailscaled claw-mesh started and recorded; this test process stands in for a live pid.
    store.update(
      (st) =>
        void (st.tailscale = {
          daemonPid: process.pid,
          networking: 'userspace',
          socket: path.join(env.CLAW_MESH_HOME, 'tailscaled.sock'),
        }),
    )
    const plan = await runCommand(Leave, [], {env, platform: 'linux', store, secrets})
    expect(plan.stderr).not.toMatch(/Remove the watchdog/)
    const run = await runCommand(Leave, ['--yes'], {env, platform: 'linux', store, secrets})
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stderr).not.toMatch(/systemd user timer/)
    expect(run.stderr).toMatch(/skipped: no watchdog was installed \(its leftover state removed: watchdog\.json\)/)
    expect(existsSync(path.join(env.CLAW_MESH_HOME, 'watchdog.json'))).toBe(false)
    expect(run.stderr).toMatch(/openclaw\.json\.last-good.*still hold claw-mesh's tokens \(--purge removes them\)/)
    expect(run.stderr).toMatch(
      new RegExp(
        `the tailscaled claw-mesh started \\(pid ${process.pid}, userspace networking\\) keeps running: stop it with kill ${process.pid}`,
      ),
    )
  })

  it('lists the skill in its plan only when one is installed', async () => {
    const {store, secrets} = await joined()
    expect((await runCommand(Leave, [], {env, platform: 'linux', store, secrets})).stderr).toMatch(
      /- Remove the claw-mesh skill/,
    )
    rmSync(path.join(tmp, 'openclaw', 'skills'), {recursive: true, force: true})
    expect((await runCommand(Leave, [], {env, platform: 'linux', store, secrets})).stderr).not.toMatch(
      /Remove the claw-mesh skill/,
    )
  })

  it('restores openclaw.json byte for byte, removes the skill, and says what it left', async () => {
    const {store, secrets} = await joined()
    const skill = path.join(tmp, 'openclaw', 'skills', 'claw-mesh', 'SKILL.md')
    expect(existsSync(skill)).toBe(true)
    const run = await runCommand(Leave, ['--yes'], {env, platform: 'linux', store, secrets})
    expect(run.exitCode).toBe(0)
    expect(readFileSync(configPath, 'utf8')).toBe(ORIGINAL)
    expect(existsSync(skill)).toBe(false)
    expect(run.stderr).toMatch(/done: .*openclaw\.json restored byte for byte from .*openclaw\.json\.original/)
    expect(run.stderr).toMatch(
      /Left in place:\n {2}- 1 peer record and claw-mesh's tokens in its secret store \(remove them with --purge\)/,
    )
    expect(store.raw().gateway).toBeUndefined()
    expect(store.raw().peers.clawd).toBeDefined()
    expect(secrets.values.get('peer/clawd')).toBeDefined()
  })

  it('keeps changes others made since, undoing only the keys claw-mesh set, and names them', async () => {
    const {store, secrets} = await joined()
    const current = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>
    current.channels = {telegram: {enabled: true}}
    writeFileSync(configPath, JSON.stringify(current, null, 2))
    const run = await runCommand(Leave, ['--yes', '--json'], {env, platform: 'linux', store, secrets})
    expect(run.exitCode).toBe(0)
    const doc = run.json<{restoreMode: string; configChanges: Array<{path: string; action: string}>}>()
    expect(doc.restoreMode).toBe('keys')
    expect(doc.configChanges.map((c) => c.path)).toContain('hooks.token')
    expect(JSON.parse(readFileSync(configPath, 'utf8'))).toEqual({
      agents: {defaults: {model: 'anthropic/claude'}},
      gateway: {port: 19001},
      channels: {telegram: {enabled: true}},
    })
    expect(run.stdout).not.toMatch(/"token"/)
  })

  it('--purge also removes peers and every claw-mesh secret', async () => {
    const {store, secrets} = await joined()
    expect(secrets.values.size).toBeGreaterThan(1)
    const run = await runCommand(Leave, ['--yes', '--purge'], {env, platform: 'linux', store, secrets})
    expect(run.exitCode).toBe(0)
    expect(store.raw().peers).toEqual({})
    expect(secrets.values.size).toBe(0)
    expect(run.stderr).toMatch(/done: 1 peer record removed/)
  })

  it('reports a failed --logout as exit 4 after doing the rest', async () => {
    const {store, secrets} = await joined()
    const run = await runCommand(Leave, ['--yes', '--logout'], {env, platform: 'linux', store, secrets})
    expect(run.exitCode).toBe(4)
    expect(run.stderr).toMatch(/FAILED: The tailscale CLI was not found/)
    expect(readFileSync(configPath, 'utf8')).toBe(ORIGINAL)
  })

  it("--purge removes every copy of the hooks token: claw-mesh's backups and OpenClaw's .last-good/.bak*/.clobbered copies that hold it", async () => {
    const {store, secrets} = await joined()
    const hooks = secrets.values.get('hooks-token')!
    const withToken = readFileSync(configPath, 'utf8')
    expect(withToken).toContain(hooks)
    const dir = path.dirname(configPath)
    // What OpenClaw's own writers and its recovery leave next to the file.
    for (const name of [
      'openclaw.json.last-good',
      'openclaw.json.bak',
      'openclaw.json.bak.1',
      'openclaw.json.clobbered.2026-11-21T18-23-15Z',
    ])
      writeFileSync(path.join(dir, name), withToken, {mode: 0o600})
    writeFileSync(path.join(dir, 'openclaw.json.bak.2'), ORIGINAL, {mode: 0o600})
    // A later configure made a backup of the file with the token in it.
    await configureGateway(createDeps({env, platform: 'linux', store, secrets, io: createTestIOStreams().io}), {
      port: 19002,
    })
    const backups = path.join(env.CLAW_MESH_HOME, 'backups')
    expect(readdirSync(backups).some((f) => readFileSync(path.join(backups, f), 'utf8').includes(hooks))).toBe(true)
    const run = await runCommand(Leave, ['--yes', '--purge'], {env, platform: 'linux', store, secrets})
    expect(run.exitCode, run.stderr).toBe(0)
    expect(existsSync(backups)).toBe(false)
    // Nothing left anywhere under the test root holds the token; the user's own old copy stays.
    const holders = walk(tmp).filter((f) => readFileSync(f, 'utf8').includes(hooks))
    expect(holders).toEqual([])
    expect(readFileSync(path.join(dir, 'openclaw.json.bak.2'), 'utf8')).toBe(ORIGINAL)
    expect(run.stderr).toMatch(
      /OpenClaw's copies holding the tokens removed: openclaw\.json\.bak, openclaw\.json\.bak\.1, openclaw\.json\.clobbered\.[^,]+, openclaw\.json\.last-good/,
    )
  })

  it('--purge removes OpenClaw copies holding tokens claw-mesh no longer stores: a rotated hooks token, A2A pair tokens', async () => {
    const {store, secrets} = await joined()
    const dir = path.dirname(configPath)
    // What `openclaw config set` leaves after claw-mesh paired two peers: openclaw.json.bak with their tokens.
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as {
      hooks: {token: string}
      channels?: Record<string, unknown>
    }
    const oldHooks = config.hooks.token
    const pairTokens = [
      'nova-in-from-clawd-0123456789abcdef',
      'nova-out-to-clawd-0123456789abcdef',
      'nova-in-from-zed-0123456789abcdef',
    ]
    config.channels = {
      a2a: {
        enabled: true,
        peers: {clawd: {token: pairTokens[0], outboundToken: pairTokens[1]}, zed: {token: pairTokens[2]}},
      },
    }
    writeFileSync(path.join(dir, 'openclaw.json.bak'), JSON.stringify(config, null, 2), {mode: 0o600})
    writeFileSync(path.join(dir, 'openclaw.json.bak.1'), ORIGINAL, {mode: 0o600})
    // token rotate --hooks: the store holds a new hooks token; zed was removed and its tokens deleted long ago.
    secrets.values.set('hooks-token', 'rotated-hooks-token-0123456789abcdef')
    const run = await runCommand(Leave, ['--yes', '--purge'], {env, platform: 'linux', store, secrets})
    expect(run.exitCode, run.stderr).toBe(0)
    const holders = walk(tmp).filter((f) => [oldHooks, ...pairTokens].some((t) => readFileSync(f, 'utf8').includes(t)))
    expect(holders).toEqual([])
    expect(readFileSync(path.join(dir, 'openclaw.json.bak.1'), 'utf8')).toBe(ORIGINAL)
    expect(run.stderr).toMatch(/OpenClaw's copies holding the tokens removed: openclaw\.json\.bak\n/)
  })

  it('does not write or delete a configPath from state.json that OpenClaw here would not read', async () => {
    const {store, secrets} = await joined()
    const victim = path.join(tmp, 'victim.json')
    writeFileSync(victim, '{"important": true}\n')
    store.update((s) => void (s.gateway!.configPath = victim))
    const run = await runCommand(Leave, ['--yes', '--json'], {env, platform: 'linux', store, secrets})
    expect(run.exitCode, run.stderr).toBe(0)
    expect(readFileSync(victim, 'utf8')).toBe('{"important": true}\n')
    expect(run.stdout).toMatch(/OpenClaw here reads/)
  })

  it("refuses a backup path from state.json outside claw-mesh's backups dir (it would be copied over openclaw.json)", async () => {
    const {store, secrets} = await joined()
    const planted = path.join(tmp, 'planted.json')
    writeFileSync(planted, '{"gateway": {"mode": "local", "auth": {"mode": "none"}, "bind": "lan"}}\n', {mode: 0o600})
    const before = readFileSync(configPath, 'utf8')
    store.update((s) => void (s.gateway!.originalBackupPath = planted))
    const run = await runCommand(Leave, ['--yes', '--json'], {env, platform: 'linux', store, secrets})
    expect(run.exitCode).toBe(2)
    expect(run.json()).toMatchObject({ok: false, error: {code: 'state-path-invalid'}})
    expect(readFileSync(configPath, 'utf8')).toBe(before)
  })
})

function walk(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : e.isFile() ? [path.join(dir, e.name)] : [],
  )
}

describe('claw-mesh leave and the mesh plugin', () => {
  it("uninstalls claw-mesh's OpenClaw plugin with OpenClaw's own command before giving openclaw.json back", async () => {
    const {store, secrets} = await joined()
    const withPlugin = JSON.parse(readFileSync(configPath, 'utf8')) as Record<string, unknown>
    withPlugin.plugins = {entries: {'claw-mesh': {enabled: true, config: {auditDir: '/x'}}}}
    writeFileSync(configPath, JSON.stringify(withPlugin), {mode: 0o600})
    const oc = path.join(tmp, 'openclaw-bin')
    writeFileSync(oc, '#!/bin/sh\n', {mode: 0o755})
    const runner = scriptedRunner([
      {
        command: 'systemctl',
        args: ['--user', 'is-enabled', 'claw-mesh-watchdog.timer'],
        result: {exitCode: 1, stdout: 'not-found'},
      },
      {
        command: oc,
        args: ['plugins', 'inspect', 'claw-mesh', '--runtime', '--json'],
        result: {exitCode: 0, stdout: JSON.stringify({plugin: {version: '0.1.0', enabled: true, status: 'loaded'}})},
      },
      {command: oc, args: ['plugins', 'uninstall', 'claw-mesh', '--force'], result: {exitCode: 0}},
    ])
    const run = await runCommand(Leave, ['--yes'], {
      env: {...env, CLAW_MESH_OPENCLAW: oc},
      platform: 'linux',
      store,
      secrets,
      runner,
    })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stderr).toMatch(/- Uninstall claw-mesh's OpenClaw plugin/)
    // OpenClaw's uninstall edits openclaw.json itself: it runs before the file is given back.
    expect(run.stderr).toMatch(/done: uninstalled with openclaw plugins uninstall[\s\S]*done: .*openclaw\.json/)
  })
})
