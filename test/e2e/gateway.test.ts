import {promises as fs} from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import JSON5 from 'json5'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {resolveOpenClawPaths} from '../../src/core/openclaw/openclaw-config-paths.js'
import {
  buildCli,
  freePort,
  killBackgroundGateway,
  openclawForTests,
  probeGateway,
  requireOrSkip,
  runCli,
  runTool,
  sandbox,
  type Sandbox,
} from '../helpers/openclaw.js'

/**
 * The real thing: the built CLI (`node bin/run.js`) against the real OpenClaw gateway, in a temporary HOME.
 * One gateway is shared by the assertions; the rollback case starts two more (a rejected one, then the old one).
 * Here there is no systemd user session, so `start` runs the gateway as a background process, and no interface
 * carries a 100.64.x.y address, so `bind: "tailnet"` falls back to 127.0.0.1 (the test says which it got).
 * gateway-tailnet.test.ts covers a real tailnet address and the keychain-backed exec SecretRef.
 */
const oc = openclawForTests()

// A hand-written config in the style of the seeds: JSON5 with comments, an agent, a channel, and the seed mistakes
// (bind "0.0.0.0", tailscale mode "on", port 8080, a plain-text token).
const SEED = `// My OpenClaw config (hand-written, JSON5)
{
  agents: {
    defaults: { heartbeat: { every: "2h" } }, // slower heartbeat
    entries: { main: { name: "Nova" } },
  },
  channels: {
    telegram: { enabled: false, botToken: "123456:ABCDEF-not-a-real-token" },
  },
  session: { dmScope: "per-peer" },
  logging: { level: "info" },
  models: { catalogRefresh: { enabled: false } }, // a test gateway has nowhere to phone home to (npm run test:e2e isolates it)
  gateway: {
    mode: "local",
    port: 8080,
    bind: "0.0.0.0", /* the seed's way to open it */
    auth: { mode: "token", token: "seed-token-Xq3vR8kZt2Lw9pYc4NfH7jB5sD1gM6aE" },
    tailscale: { mode: "on" },
    controlUi: { enabled: true },
  },
}
`
const OWNED = [
  'gateway.mode',
  'gateway.port',
  'gateway.bind',
  'gateway.auth.mode',
  'gateway.auth.token',
  'gateway.tailscale.mode',
  'secrets.providers.clawmesh',
  'hooks.enabled',
  'hooks.token',
  // The A2A channel and the hooks lockdown (the seed's heartbeat has no target: claw-mesh keeps it internal).
  'channels.a2a',
  'hooks.allowedAgentIds',
  'hooks.allowRequestSessionKey',
  'agents.defaults.heartbeat.target',
  // What OpenClaw's security audit asks of a non-loopback bind.
  'gateway.auth.rateLimit',
  'gateway.controlUi.allowedOrigins',
]

function withoutOwned(config: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(config)
  for (const p of OWNED) {
    const keys = p.split('.')
    let node = copy
    for (const k of keys.slice(0, -1)) node = (node?.[k] ?? {}) as Record<string, unknown>
    delete node[keys.at(-1)!]
  }
  // Containers left empty by the removal are claw-mesh's doing too.
  const prune = (o: Record<string, unknown>) => {
    for (const [k, v] of Object.entries(o)) {
      if (v && typeof v === 'object' && !Array.isArray(v)) {
        prune(v as Record<string, unknown>)
        if (Object.keys(v).length === 0) delete o[k]
      }
    }
  }
  prune(copy)
  return copy
}

if (requireOrSkip('OpenClaw (real gateway)', oc) && oc.ok) {
  describe('claw-mesh gateway with the real OpenClaw gateway', () => {
    let s: Sandbox
    let port: number
    let busy: net.Server | undefined
    const suiteStart = Date.now()
    const timings: Record<string, number> = {}
    const cli = (args: string[], env: Record<string, string> = s.env) => runCli(oc, args, {env})
    const tokens = async () => {
      const stored = JSON.parse(await fs.readFile(path.join(s.cm, 'secrets.json'), 'utf8')) as Record<string, string>
      return {gatewayToken: stored['gateway-token'], hooksToken: stored['hooks-token']}
    }
    const validate = async (env: Record<string, string>) =>
      JSON.parse((await runTool(oc.bin, ['config', 'validate', '--json'], {env})).stdout) as {
        valid: boolean
        issues?: unknown[]
      }

    beforeAll(async () => {
      await buildCli()
      s = await sandbox(oc, 'gateway')
      port = await freePort()
      await fs.writeFile(s.configPath, SEED, {mode: 0o600})
    })

    afterAll(async () => {
      await killBackgroundGateway(s.cm)
      await new Promise<void>((r) => (busy ? busy.close(() => r()) : r()))
      timings.suiteMs = Date.now() - suiteStart
      console.log(`gateway e2e timings: ${JSON.stringify(timings)}`)
      if (!process.env.CLAW_MESH_KEEP_E2E)
        await fs.rm(s.dir, {recursive: true, force: true, maxRetries: 5, retryDelay: 200})
    })

    it('configure fixes the seed mistakes, keeps every unrelated key, and the real validator accepts the file', async () => {
      const run = await cli([
        'gateway',
        'configure',
        '--no-plugin',
        '--port',
        String(port),
        '--secret-store',
        'file',
        '--json',
      ])
      expect(run.exitCode, run.stderr).toBe(0)
      const doc = run.json<{
        changed: boolean
        validated: boolean
        changes: {path: string; from: unknown; to: unknown}[]
        backupPath: string
        originalBackupPath: string
        tokens: {gateway: string}
      }>()
      expect(doc.changed).toBe(true)
      expect(doc.validated).toBe(true)
      expect(doc.changes).toEqual(
        expect.arrayContaining([
          {path: 'gateway.bind', from: '0.0.0.0', to: 'tailnet', secret: false},
          {path: 'gateway.tailscale.mode', from: 'on', to: 'off', secret: false},
          {path: 'gateway.port', from: 8080, to: port, secret: false},
        ]),
      )
      // The seed's plain-text token is adopted into the store (clients keep working) and leaves the file.
      expect(doc.tokens.gateway).toBe('adopted')
      const t = await tokens()
      expect(t.gatewayToken).toBe('seed-token-Xq3vR8kZt2Lw9pYc4NfH7jB5sD1gM6aE')
      const text = await fs.readFile(s.configPath, 'utf8')
      expect(text).not.toContain('seed-token-Xq3vR8kZt2Lw9pYc4NfH7jB5sD1gM6aE')
      expect(run.stdout).not.toContain(t.hooksToken)

      const next = JSON.parse(text)
      expect(withoutOwned(next)).toEqual(withoutOwned(JSON5.parse(SEED)))
      expect(next.gateway.auth.token).toEqual({source: 'file', provider: 'clawmesh', id: '/gateway-token'})
      expect(next.channels.a2a).toEqual({enabled: true, exposeAgents: ['main']})
      expect(next.agents.defaults.heartbeat).toEqual({every: '2h', target: 'none'})
      // OpenClaw reads a file with the gateway token alone, never secrets.json (hooks token, peer tokens, mesh secret).
      expect(next.secrets.providers.clawmesh).toEqual({
        source: 'file',
        path: path.join(s.cm, 'openclaw-gateway-token.json'),
        mode: 'json',
      })
      expect(JSON.parse(await fs.readFile(path.join(s.cm, 'openclaw-gateway-token.json'), 'utf8'))).toEqual({
        'gateway-token': t.gatewayToken,
      })
      expect((await fs.stat(s.configPath)).mode & 0o777).toBe(0o600)
      expect(await fs.readFile(doc.originalBackupPath, 'utf8')).toBe(SEED)

      expect(await validate(s.env)).toMatchObject({valid: true})
    })

    it('writes serve and lan configurations the real validator accepts too (serve cannot run here: no logged-in tailscale)', async () => {
      const other = await sandbox(oc, 'gateway-modes')
      try {
        await fs.writeFile(other.configPath, SEED, {mode: 0o600})
        const serve = await cli(
          ['gateway', 'configure', '--no-plugin', '--expose', 'serve', '--secret-store', 'file', '--json'],
          other.env,
        )
        expect(serve.exitCode, serve.stderr).toBe(0)
        expect(JSON.parse(await fs.readFile(other.configPath, 'utf8')).gateway).toMatchObject({
          bind: 'loopback',
          tailscale: {mode: 'serve'},
        })
        expect(await validate(other.env)).toMatchObject({valid: true})
        const lan = await cli(
          ['gateway', 'configure', '--no-plugin', '--expose', 'lan', '--accept-risk', 'lan-exposure', '--json'],
          other.env,
        )
        expect(lan.exitCode, lan.stderr).toBe(0)
        expect(JSON.parse(await fs.readFile(other.configPath, 'utf8')).gateway).toMatchObject({
          bind: 'lan',
          tailscale: {mode: 'off'},
        })
        expect(await validate(other.env)).toMatchObject({valid: true})
      } finally {
        await fs.rm(other.dir, {recursive: true, force: true})
      }
    })

    it("refuses, with the real validator's findings, a file that was already invalid; nothing is written", async () => {
      const other = await sandbox(oc, 'gateway-invalid')
      try {
        // Seed 000 kept its peer list inside openclaw.json: OpenClaw's strict schema refuses the key.
        const text = '{\n  gateway: {mode: "local"},\n  peers: {nova: {url: "http://100.64.0.7:8080"}},\n}\n'
        await fs.writeFile(other.configPath, text, {mode: 0o600})
        const run = await cli(['gateway', 'configure', '--no-plugin', '--secret-store', 'file'], other.env)
        expect(run.exitCode).toBe(2)
        expect(run.stderr).toContain(`OpenClaw rejects the config claw-mesh would write to ${other.configPath}:`)
        expect(run.stderr).toMatch(/peers/)
        expect(run.stderr).toMatch(/were invalid before claw-mesh touched the file/)
        expect(await fs.readFile(other.configPath, 'utf8')).toBe(text)
        expect(await fs.readdir(path.join(other.cm, 'backups')).catch(() => [])).toEqual([])
        expect((await fs.readdir(other.oc)).filter((f) => f.includes('claw-mesh'))).toEqual([])
      } finally {
        await fs.rm(other.dir, {recursive: true, force: true})
      }
    })

    it('start runs the gateway (background here), waits for health and proves both tokens', async () => {
      const run = await cli(['gateway', 'start', '--json'])
      expect(run.exitCode, run.stderr).toBe(0)
      const r = run.json<{
        runner: string
        action: string
        startMs: number
        pid: number
        gatewayToken: {verdict: string}
        hooksToken: {verdict: string}
        healthz: {status: number}
        notes: string[]
      }>()
      timings.firstStartMs = r.startMs
      timings.firstStartCliMs = run.ms
      expect(r).toMatchObject({
        runner: 'background',
        action: 'background-start',
        gatewayToken: {verdict: 'accepted'},
        hooksToken: {verdict: 'accepted'},
        healthz: {status: 200},
      })
      expect(r.notes.join('\n')).toMatch(/does not survive a reboot/)
      // The pid file's first line is the pid (the second its start time, checked before claw-mesh signals it).
      expect(Number((await fs.readFile(path.join(s.cm, 'gateway.pid'), 'utf8')).split('\n')[0].trim())).toBe(r.pid)

      // Checked again with an independent probe: raw handshake and hooks request.
      const p = await probeGateway(oc, `http://127.0.0.1:${port}`, await tokens())
      expect(p.healthz).toBe(200)
      expect(p.ws).toMatchObject({verdict: 'hello-ok', protocol: 4})
      expect(p.wsWrong.code === 'AUTH_TOKEN_MISMATCH' || p.wsWrong.closeCode === 1008).toBe(true)
      expect(p.hooks).toBe(400)
      expect(p.hooksWrong).toBe(401)
    })

    it('status reports the running gateway and which address the tailnet bind got', async () => {
      const run = await cli(['gateway', 'status', '--json'])
      expect(run.exitCode, run.stderr).toBe(0)
      const st = run.json<{
        runner: {kind: string}
        local: {healthz: {ok: boolean}; readyz: {ok: boolean}}
        token: string
        hooks: {enabled: boolean}
        tailnet?: {ipv4?: string; healthz?: {ok: boolean}}
        peerUrl?: string
        peerUrlProblem?: string
        pending: string[]
      }>()
      expect(st).toMatchObject({
        runner: {kind: 'background'},
        local: {healthz: {ok: true}},
        hooks: {enabled: true},
        pending: [],
      })
      expect(st.token).toBe(
        `file SecretRef clawmesh:/gateway-token (${path.join(s.cm, 'openclaw-gateway-token.json')})`,
      )
      if (st.tailnet?.ipv4) {
        console.log(`tailnet bind got ${st.tailnet.ipv4}`)
        expect(st.tailnet.healthz?.ok).toBe(true)
        expect(st.peerUrl).toBe(`http://${st.tailnet.ipv4}:${port}`)
      } else {
        console.log('tailnet bind fell back to 127.0.0.1: no 100.64.0.0/10 address on this machine')
        expect(st.peerUrlProblem).toMatch(/no Tailscale IPv4 address/)
      }
    })

    it('configure again writes nothing (same bytes, same mtime, no new backup), and start only verifies', async () => {
      const before = await fs.stat(s.configPath)
      const bytes = await fs.readFile(s.configPath)
      const backups = await fs.readdir(path.join(s.cm, 'backups'))
      const run = await cli(['gateway', 'configure', '--no-plugin', '--json'])
      expect(run.exitCode, run.stderr).toBe(0)
      expect(run.json()).toMatchObject({changed: false, changes: []})
      expect((await fs.readFile(s.configPath)).equals(bytes)).toBe(true)
      expect((await fs.stat(s.configPath)).mtimeMs).toBe(before.mtimeMs)
      expect(await fs.readdir(path.join(s.cm, 'backups'))).toEqual(backups)

      const pid = (await fs.readFile(path.join(s.cm, 'gateway.pid'), 'utf8')).split('\n')[0].trim()
      const start = await cli(['gateway', 'start', '--json'])
      expect(start.exitCode, start.stderr).toBe(0)
      expect(start.json()).toMatchObject({action: 'verify', runner: 'background', pid: Number(pid)})
    })

    it('rolls back a configuration the gateway rejects and brings the previous gateway back', async () => {
      // Something else holds the new port: configure refuses it at once, before writing anything.
      const taken = await freePort()
      busy = net.createServer((c) => c.destroy())
      await new Promise<void>((r) => busy!.listen(taken, '127.0.0.1', () => r()))
      const good = await fs.readFile(s.configPath)
      const refused = await cli(['gateway', 'configure', '--no-plugin', '--port', String(taken), '--json'])
      expect(refused.exitCode, refused.stderr).toBe(2)
      expect(refused.json<{error: {message: string}}>().error.message).toMatch(
        new RegExp(`Port ${taken} on 127\\.0\\.0\\.1 is taken`),
      )
      expect((await fs.readFile(s.configPath)).equals(good)).toBe(true)
      // Taken only after configure (a race the check cannot see): the gateway cannot bind it and refuses to start.
      await new Promise<void>((r) => busy!.close(() => r()))
      const conf = await cli(['gateway', 'configure', '--no-plugin', '--port', String(taken), '--json'])
      expect(conf.exitCode, conf.stderr).toBe(0)
      busy = net.createServer((c) => c.destroy())
      await new Promise<void>((r) => busy!.listen(taken, '127.0.0.1', () => r()))

      const run = await cli(['gateway', 'start', '--json'])
      timings.rollbackCliMs = run.ms
      expect(run.exitCode).toBe(1)
      const err = run.json<{ok: boolean; error: {message: string; hint: string}}>()
      expect(err.ok).toBe(false)
      expect(err.error.message).toMatch(/did not start with the new configuration: .*EADDRINUSE/)
      expect(err.error.message).toMatch(
        new RegExp(
          `restored the previous openclaw.json from .*\\.bak, and the previous gateway is running again on port ${port}`,
        ),
      )
      expect((await fs.readFile(s.configPath)).equals(good)).toBe(true)

      const p = await probeGateway(oc, `http://127.0.0.1:${port}`, await tokens())
      expect(p).toMatchObject({healthz: 200, ws: {verdict: 'hello-ok'}, hooks: 400})
      const st = (await cli(['gateway', 'status', '--json'])).json<{
        port: number
        pending: string[]
        runner: {kind: string}
      }>()
      expect(st).toMatchObject({port, pending: [], runner: {kind: 'background'}})
    })

    it('resolves the config path exactly as the real `openclaw config file` does', async () => {
      const cases: [Record<string, string>, string | undefined][] = [
        [{}, undefined],
        [{OPENCLAW_STATE_DIR: path.join(s.dir, 'sd')}, undefined],
        [{OPENCLAW_HOME: path.join(s.dir, 'oh')}, 'work'],
        [{OPENCLAW_CONFIG_PATH: path.join(s.dir, 'x.json'), OPENCLAW_STATE_DIR: path.join(s.dir, 'sd')}, 'work'],
        [{OPENCLAW_STATE_DIR: path.join(s.home, '.openclaw')}, 'work'],
      ]
      for (const [extra, profile] of cases) {
        const env = {PATH: s.env.PATH, HOME: s.home, ...extra}
        const real = await runTool(oc.bin, [...(profile ? ['--profile', profile] : []), 'config', 'file'], {env})
        expect(resolveOpenClawPaths({env, osHome: s.home, profile}).configPath, JSON.stringify(extra)).toBe(
          real.stdout.trim(),
        )
      }
    })
  })
}
