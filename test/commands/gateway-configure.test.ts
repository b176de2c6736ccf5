import {promises as fs} from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import GatewayConfigure from '../../src/commands/gateway/configure.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {runCommand} from '../helpers/run-command.js'
import {tempDir} from '../helpers/fakes/index.js'

let dir: string
let configPath: string
let env: Record<string, string>

beforeEach(() => {
  dir = tempDir('gwconf').path
  configPath = path.join(dir, 'oc', 'openclaw.json')
  // No PATH: OpenClaw is not found, so these tests never spawn it (the e2e suite validates with the real one).
  env = {HOME: path.join(dir, 'home'), CLAW_MESH_HOME: path.join(dir, 'cm'), OPENCLAW_CONFIG_PATH: configPath}
})

afterEach(async () => {
  await fs.chmod(configPath, 0o600).catch(() => {})
})

async function writeConfig(text: string, mode = 0o600) {
  await fs.mkdir(path.dirname(configPath), {recursive: true})
  await fs.writeFile(configPath, text, {mode})
  await fs.chmod(configPath, mode)
}

async function configure(
  argv: string[],
  opts: {
    store?: ReturnType<typeof createMemoryStateStore>
    secrets?: ReturnType<typeof createMemorySecretStore>
    env?: Record<string, string>
  } = {},
) {
  const store = opts.store ?? createMemoryStateStore()
  const secrets = opts.secrets ?? createMemorySecretStore()
  const run = await runCommand(GatewayConfigure, argv, {env: {...env, ...opts.env}, store, secrets, platform: 'linux'})
  return {run, store, secrets}
}

async function unchanged(text: string) {
  expect(await fs.readFile(configPath, 'utf8')).toBe(text)
  await expect(fs.stat(path.join(dir, 'cm', 'backups'))).rejects.toThrow()
}

describe('claw-mesh gateway configure: bad input changes nothing (exit 2)', () => {
  it('names file, line and column of a JSON5 syntax error', async () => {
    const text = '{\n  gateway: {port: 18789,\n  agents: [1 2],\n}\n'
    await writeConfig(text)
    const {run, store, secrets} = await configure([])
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain(`Error: ${configPath}:3:14: openclaw.json is not valid JSON5`)
    expect(run.stderr).toContain('Fix the syntax at line 3, column 14')
    await unchanged(text)
    expect(store.raw().gateway).toBeUndefined()
    expect(secrets.values.size).toBe(0)
  })

  it('refuses a config file without write permission', async () => {
    const text = '{"gateway": {"mode": "local"}}\n'
    await writeConfig(text, 0o444)
    const {run} = await configure([])
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain(`${configPath} is not writable (mode 0444)`)
    expect(run.stderr).toContain(`chmod 600`)
    await unchanged(text)
  })

  it('refuses a symlinked config (OpenClaw does not support writes through one)', async () => {
    const real = path.join(dir, 'real.json')
    await fs.writeFile(real, '{}', {mode: 0o600})
    await fs.mkdir(path.dirname(configPath), {recursive: true})
    await fs.symlink(real, configPath)
    const {run} = await configure([])
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('is a symlink')
    expect((await fs.lstat(configPath)).isSymbolicLink()).toBe(true)
  })

  it('refuses when OpenClaw config is externally managed', async () => {
    await writeConfig('{}')
    const {run} = await configure([], {env: {OPENCLAW_CONFIG_READONLY: '1'}})
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toContain('OPENCLAW_CONFIG_READONLY=1')
    await unchanged('{}')
  })

  it.each([
    [['--expose', 'public'], '--expose "public" is not one of tailnet, serve, lan'],
    [['--expose', 'lan'], '--expose lan opens the gateway on every network interface'],
    [['--port', '0'], '--port 0 is out of range'],
    [['--port', '70000'], '--port 70000 is out of range'],
    [['--port', 'abc'], '--port "abc" is not a port number'],
    [['--port', '18789.5'], '--port "18789.5" is not a port number'],
    [['--secret-store', 'vault'], 'Expected --secret-store=vault to be one of'],
  ])('%j → exit 2 naming the flag', async (argv, message) => {
    await writeConfig('{}')
    const {run} = await configure([...argv, '--json'])
    expect(run.exitCode).toBe(2)
    const doc = run.json<{ok: boolean; error: {exitCode: number; message: string; hint?: string}}>()
    expect(doc.ok).toBe(false)
    expect(doc.error.exitCode).toBe(2)
    expect(doc.error.message).toContain(message)
    await unchanged('{}')
  })
})

describe('claw-mesh gateway configure', () => {
  it('prints the plan with --dry-run and writes nothing, not even tokens', async () => {
    await writeConfig('{gateway: {bind: "0.0.0.0", port: 8080}}')
    const {run, secrets} = await configure(['--dry-run'])
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('Would change (dry run, nothing written):')
    expect(run.stdout).toContain('gateway.bind: "0.0.0.0" → "tailnet"')
    // Without --port the file's own port stays.
    expect(run.stdout).toContain('Expose:   tailnet on port 8080')
    expect(run.stdout).not.toContain('gateway.port:')
    expect(secrets.values.size).toBe(0)
    await unchanged('{gateway: {bind: "0.0.0.0", port: 8080}}')
  })

  it('writes a keychain-style config, then does nothing on a second run', async () => {
    const original =
      '// mine\n{\n  agents: {entries: {main: {name: "Nova"}}},\n  gateway: {auth: {token: "adopt-me-Xq3vR8kZt2Lw9pYc4NfH7jB5sD1gM6aE0uK"}},\n}\n'
    await writeConfig(original)
    const store = createMemoryStateStore()
    const secrets = createMemorySecretStore()
    const first = await configure(['--port', '18790', '--json'], {store, secrets})
    expect(first.run.exitCode).toBe(0)
    const doc = first.run.json<
      Record<string, unknown> & {changes: {path: string; to: unknown}[]; backupPath: string; originalBackupPath: string}
    >()
    expect(doc).toMatchObject({
      ok: true,
      changed: true,
      port: 18790,
      expose: 'tailnet',
      tokens: {gateway: 'adopted', hooks: 'new'},
      secretStore: {backend: 'keychain'},
    })

    // The plain-text token moved into the store; the file points at it through the exec provider.
    expect(secrets.values.get('gateway-token')).toBe('adopt-me-Xq3vR8kZt2Lw9pYc4NfH7jB5sD1gM6aE0uK')
    const hooksToken = secrets.values.get('hooks-token')!
    expect(hooksToken).toMatch(/^[A-Za-z0-9_-]{43}$/)
    const written = JSON.parse(await fs.readFile(configPath, 'utf8'))
    // Heartbeats stay internal unless the user named an owner: the A2A peers would be the "owner" route otherwise.
    expect(written.agents).toEqual({entries: {main: {name: 'Nova'}}, defaults: {heartbeat: {target: 'none'}}})
    // A non-loopback bind gets the failed-auth rate limit OpenClaw's security audit asks for.
    expect(written.gateway).toEqual({
      auth: {
        token: {source: 'exec', provider: 'clawmesh', id: 'gateway-token'},
        mode: 'token',
        rateLimit: {maxAttempts: 10, windowMs: 60_000, lockoutMs: 300_000},
      },
      mode: 'local',
      port: 18790,
      bind: 'tailnet',
      tailscale: {mode: 'off'},
    })
    // Hooks locked down to the one agent, no caller-chosen session keys; the A2A channel on, for that agent only.
    expect(written.hooks).toEqual({
      enabled: true,
      token: hooksToken,
      allowedAgentIds: ['main'],
      allowRequestSessionKey: false,
    })
    expect(written.channels).toEqual({a2a: {enabled: true, exposeAgents: ['main']}})
    const launcher = path.join(dir, 'cm', 'bin', 'secret-resolver')
    expect(written.secrets.providers.clawmesh).toMatchObject({
      source: 'exec',
      command: launcher,
      jsonOnly: true,
      passEnv: expect.arrayContaining(['DBUS_SESSION_BUS_ADDRESS']),
    })
    expect((await fs.stat(launcher)).mode & 0o777).toBe(0o700)
    expect((await fs.stat(configPath)).mode & 0o777).toBe(0o600)

    // No secret value in the output.
    expect(first.run.stdout).not.toContain('adopt-me-Xq3vR8kZt2Lw9pYc4NfH7jB5sD1gM6aE0uK')
    expect(first.run.stdout).not.toContain(hooksToken)

    // Backups: the exact original bytes, twice (timestamped and the kept-forever original), recorded in state.
    expect(await fs.readFile(doc.backupPath, 'utf8')).toBe(original)
    expect(await fs.readFile(doc.originalBackupPath, 'utf8')).toBe(original)
    expect((await fs.stat(doc.backupPath)).mode & 0o777).toBe(0o600)
    expect(store.raw().gateway).toMatchObject({
      configPath,
      port: 18790,
      expose: 'tailnet',
      originalBackupPath: doc.originalBackupPath,
      originalExisted: true,
      rollback: {existed: true, backupPath: doc.backupPath},
    })
    expect(store.raw().gateway?.pending).toEqual(
      expect.arrayContaining(['gateway.port', 'gateway.auth.token', 'hooks.token']),
    )

    // Second run: nothing to change, nothing written.
    const before = await fs.stat(configPath)
    const bytes = await fs.readFile(configPath)
    const second = await configure(['--json'], {store, secrets})
    expect(second.run.json()).toMatchObject({
      changed: false,
      changes: [],
      port: 18790,
      tokens: {gateway: 'store', hooks: 'store'},
    })
    expect((await fs.readFile(configPath)).equals(bytes)).toBe(true)
    expect((await fs.stat(configPath)).mtimeMs).toBe(before.mtimeMs)
    expect(await fs.readdir(path.join(dir, 'cm', 'backups'))).toHaveLength(2)
  })

  it('records that there was no file before, and creates one', async () => {
    const {run, store} = await configure(['--json'])
    expect(run.json()).toMatchObject({created: true, changed: true})
    expect(store.raw().gateway).toMatchObject({originalExisted: false, rollback: {existed: false}})
    expect((await fs.stat(configPath)).mode & 0o777).toBe(0o600)
  })

  it('switches to serve: loopback bind and tailscale serve, with a note about what Serve needs', async () => {
    await writeConfig('{}')
    const store = createMemoryStateStore()
    const secrets = createMemorySecretStore()
    await configure([], {store, secrets})
    const {run} = await configure(['--expose', 'serve'], {store, secrets})
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('gateway.bind: "tailnet" → "loopback"')
    expect(run.stdout).toContain('gateway.tailscale.mode: "off" → "serve"')
    expect(run.stdout).toContain('note: Serve needs the tailscale CLI logged in')
    expect(store.raw().gateway?.expose).toBe('serve')
    // The rollback target stays the config from before the first, still unstarted, change.
    expect(store.raw().gateway?.rollback?.backupPath).toMatch(/openclaw\.json\..*\.bak$/)
  })

  it('allows lan only with the risk accepted by name', async () => {
    await writeConfig('{}')
    const {run} = await configure(['--expose', 'lan', '--accept-risk', 'lan-exposure'])
    expect(run.exitCode).toBe(0)
    expect(JSON.parse(await fs.readFile(configPath, 'utf8')).gateway.bind).toBe('lan')
  })
})

describe('gateway configure and a port something else holds', () => {
  async function listener(handler: http.RequestListener): Promise<{port: number; close(): Promise<void>}> {
    const server = http.createServer(handler)
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return {
      port: (server.address() as AddressInfo).port,
      close: () => new Promise((resolve) => server.close(() => resolve())),
    }
  }

  it('refuses before writing anything (no config, no token), naming the port and the fix, exit 2', async () => {
    const other = await listener((_req, res) => res.writeHead(404).end('not found'))
    try {
      const {run, secrets} = await configure(['--port', String(other.port)])
      expect(run.exitCode).toBe(2)
      expect(run.stderr).toMatch(
        new RegExp(
          `Port ${other.port} on 127\\.0\\.0\\.1 is taken: something that is not an OpenClaw gateway answers there \\(HTTP 404\\)\\. Nothing was changed\\.`,
        ),
      )
      expect(run.stderr).toMatch(/--port/)
      await expect(fs.stat(configPath)).rejects.toThrow()
      expect(secrets.values.size).toBe(0)
    } finally {
      await other.close()
    }
  })

  it('accepts a port where an OpenClaw gateway answers (it may be the one being configured)', async () => {
    const gateway = await listener((_req, res) =>
      res.writeHead(200, {'content-type': 'application/json'}).end('{"ok":true,"status":"live"}'),
    )
    try {
      const {run} = await configure(['--port', String(gateway.port)])
      expect(run.exitCode, run.stderr).toBe(0)
    } finally {
      await gateway.close()
    }
  })
})

describe('claw-mesh gateway configure: the mesh plugin', () => {
  it('without OpenClaw here, notes that the mesh tools are skipped and still succeeds', async () => {
    const {run} = await configure(['--json'])
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.json()).toMatchObject({
      ok: true,
      meshPlugin: {action: 'unsupported', detail: expect.stringContaining('OpenClaw is not installed')},
    })
  })

  it('--no-plugin leaves the plugin alone (nothing asked of OpenClaw about it)', async () => {
    const {run} = await configure(['--json', '--no-plugin'])
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.json()).not.toHaveProperty('meshPlugin')
  })
})
