import {mkdtempSync, promises as fs} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import GatewayConfigure from '../../src/commands/gateway/configure.js'
import GatewayStatus from '../../src/commands/gateway/status.js'
import {HttpFailure, type HttpClient} from '../../src/infra/http.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {createDeps} from '../../src/deps.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {gatewayStatus, type GatewayStatus as Status} from '../../src/services/gateway/status.js'
import {runCommand} from '../helpers/run-command.js'

const refused: HttpClient = {
  async request(req) {
    throw new HttpFailure('refused', req.url, 'refused')
  },
}

describe('claw-mesh gateway status', () => {
  it('reports config, token location (never the value), hooks and a stopped gateway', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-gwstatus-'))
    const env = {HOME: path.join(dir, 'home'), CLAW_MESH_HOME: path.join(dir, 'cm'), OPENCLAW_CONFIG_PATH: path.join(dir, 'oc', 'openclaw.json')}
    const store = createMemoryStateStore()
    const secrets = createMemorySecretStore()
    await runCommand(GatewayConfigure, ['--port', '18799'], {env, store, secrets, platform: 'linux'})
    const run = await runCommand(GatewayStatus, ['--json'], {env, store, secrets, http: refused, platform: 'linux'})
    expect(run.exitCode).toBe(0)
    const s = run.json<Status & {ok: boolean}>()
    expect(s).toMatchObject({
      ok: true,
      configured: true,
      configExists: true,
      expose: 'tailnet',
      bind: 'tailnet',
      port: 18799,
      authMode: 'token',
      token: `exec SecretRef clawmesh:gateway-token (${path.join(dir, 'cm', 'bin', 'secret-resolver')})`,
      hooks: {enabled: true, path: '/hooks', tokenSet: true},
      runner: {kind: 'stopped', serviceManagerUsable: false},
      local: {url: 'http://127.0.0.1:18799', healthz: {ok: false, detail: 'connection refused (nothing listening on that address and port)'}},
    })
    expect(s.pending.length).toBeGreaterThan(0)
    for (const value of secrets.values.values()) expect(run.stdout).not.toContain(value)
    // The human form says the same.
    const human = await runCommand(GatewayStatus, [], {env, store, secrets, http: refused, platform: 'linux'})
    expect(human.stdout).toContain('Runner:     stopped — no gateway answers on 127.0.0.1')
    expect(human.stdout).toContain('Pending:    ')
    await fs.rm(dir, {recursive: true, force: true})
  })
})

describe('gatewayStatus on a tailnet host', () => {
  it('probes the tailnet address the gateway binds, and builds the peer URL from it', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-gwstatus-'))
    const env = {HOME: path.join(dir, 'home'), CLAW_MESH_HOME: path.join(dir, 'cm'), OPENCLAW_CONFIG_PATH: path.join(dir, 'oc', 'openclaw.json')}
    const store = createMemoryStateStore()
    const secrets = createMemorySecretStore()
    await runCommand(GatewayConfigure, ['--port', '18799'], {env, store, secrets, platform: 'linux'})
    const asked: string[] = []
    const http: HttpClient = {
      async request(req) {
        asked.push(req.url)
        const host = new URL(req.url).hostname
        if (host !== '127.0.0.1' && host !== '100.101.102.103') throw new HttpFailure('refused', req.url, 'refused')
        return {status: 200, headers: {}, body: '{"ok":true}', latencyMs: 2, json: <T>() => ({ok: true}) as T}
      },
    }
    const networkInterfaces = () => ({eth0: [{address: '192.0.2.2', family: 'IPv4'}], tailscale0: [{address: '100.101.102.103', family: 'IPv4'}]})
    const deps = createDeps({env, store, secrets, http, platform: 'linux', io: createTestIOStreams().io, networkInterfaces})
    const s = await gatewayStatus(deps)
    expect(s.tailnet).toMatchObject({ipv4: '100.101.102.103', source: 'interfaces', healthz: {ok: true}})
    expect(s.peerUrl).toBe('http://100.101.102.103:18799')
    expect(s.runner.kind).toBe('external')
    expect(asked).toContain('http://100.101.102.103:18799/healthz')
    await fs.rm(dir, {recursive: true, force: true})
  })
})
