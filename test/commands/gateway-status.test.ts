import path from 'node:path'
import {describe, expect, it} from 'vitest'
import GatewayConfigure from '../../src/commands/gateway/configure.js'
import GatewayStatus from '../../src/commands/gateway/status.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {createDeps} from '../../src/deps.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {gatewayStatus, type GatewayStatus as Status} from '../../src/services/gateway/status.js'
import {runCommand} from '../helpers/run-command.js'
import {tailscaleStatusJson} from '../helpers/tailscale-status-json.js'
import {httpStubs, tableRunner, tempDir} from '../helpers/fakes/index.js'

/** Nothing listens on the gateway's loopback port (its /healthz and /readyz asked once a run). */
const refused = () =>
  httpStubs()
    .on('GET', 'http://127.0.0.1:18799/healthz', 'refused')
    .on('GET', 'http://127.0.0.1:18799/readyz', 'refused').client

describe('claw-mesh gateway status', () => {
  it('reports config, token location (never the value), hooks and a stopped gateway', async () => {
    const dir = tempDir('gwstatus').path
    const env = {
      HOME: path.join(dir, 'home'),
      CLAW_MESH_HOME: path.join(dir, 'cm'),
      OPENCLAW_CONFIG_PATH: path.join(dir, 'oc', 'openclaw.json'),
    }
    const store = createMemoryStateStore()
    const secrets = createMemorySecretStore()
    await runCommand(GatewayConfigure, ['--port', '18799'], {env, store, secrets, platform: 'linux'})
    const run = await runCommand(GatewayStatus, ['--json'], {env, store, secrets, http: refused(), platform: 'linux'})
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
      local: {
        url: 'http://127.0.0.1:18799',
        healthz: {ok: false, detail: 'connection refused (nothing listening on that address and port)'},
      },
    })
    expect(s.pending.length).toBeGreaterThan(0)
    for (const value of secrets.values.values()) expect(run.stdout).not.toContain(value)
    // The human form says the same.
    const human = await runCommand(GatewayStatus, [], {env, store, secrets, http: refused(), platform: 'linux'})
    expect(human.stdout).toContain('Runner:     stopped — no gateway answers on 127.0.0.1')
    expect(human.stdout).toContain('Pending:    ')
  })
})

describe('gatewayStatus on a tailnet host', () => {
  it('probes the tailnet address the gateway binds, and builds the peer URL from it', async () => {
    const dir = tempDir('gwstatus').path
    const env = {
      HOME: path.join(dir, 'home'),
      CLAW_MESH_HOME: path.join(dir, 'cm'),
      OPENCLAW_CONFIG_PATH: path.join(dir, 'oc', 'openclaw.json'),
    }
    const store = createMemoryStateStore()
    const secrets = createMemorySecretStore()
    await runCommand(GatewayConfigure, ['--port', '18799'], {env, store, secrets, platform: 'linux'})
    // The loopback and the tailnet address answer; a probe of any other address fails the test.
    const stubs = httpStubs()
    for (const host of ['127.0.0.1', '100.101.102.103'])
      for (const probe of ['healthz', 'readyz']) stubs.on('GET', `http://${host}:18799/${probe}`, {body: {ok: true}})
    const http = stubs.client
    const networkInterfaces = () => ({
      eth0: [{address: '192.0.2.2', family: 'IPv4'}],
      tailscale0: [{address: '100.101.102.103', family: 'IPv4'}],
    })
    const deps = createDeps({
      env,
      store,
      secrets,
      http,
      platform: 'linux',
      io: createTestIOStreams().io,
      networkInterfaces,
    })
    const s = await gatewayStatus(deps)
    expect(s.tailnet).toMatchObject({ipv4: '100.101.102.103', source: 'interfaces', healthz: {ok: true}})
    expect(s.peerUrl).toBe('http://100.101.102.103:18799')
    expect(s.runner.kind).toBe('external')
    expect(stubs.urls()).toContain('http://100.101.102.103:18799/healthz')
  })
})

describe('gateway status advice follows the cause (as doctor does)', () => {
  async function tailnetStatus(opts: {
    interfaces: Record<string, {address: string; family: string}[]>
    answer: (url: string) => {status: number; body: string} | undefined
  }) {
    const dir = tempDir('gwstatus').path
    const env = {
      HOME: path.join(dir, 'home'),
      CLAW_MESH_HOME: path.join(dir, 'cm'),
      OPENCLAW_CONFIG_PATH: path.join(dir, 'oc', 'openclaw.json'),
      CLAW_MESH_TAILSCALE: '/opt/fake/tailscale',
      NO_COLOR: '1',
    }
    const store = createMemoryStateStore()
    const secrets = createMemorySecretStore()
    await runCommand(GatewayConfigure, ['--port', '18799'], {env, store, secrets, platform: 'linux'})
    const runner = tableRunner({
      'tailscale status --json': {stdout: tailscaleStatusJson()},
      'tailscale version': {stdout: '1.84.3\n'},
      'systemctl --user show-environment': {exitCode: 1, stderr: 'Failed to connect to bus: No medium found'},
    })
    // Whatever `answer` does not answer is refused, as by a port nothing listens on.
    const stubs = httpStubs().on('GET', /\/(healthz|readyz)$/, (req) => opts.answer(req.url) ?? 'refused', {
      times: 'any',
    })
    const run = await runCommand(GatewayStatus, [], {
      env,
      store,
      secrets,
      http: stubs.client,
      runner,
      platform: 'linux',
      networkInterfaces: () => opts.interfaces,
    })
    const asked = stubs.urls()
    if (run.exitCode !== 0) throw new Error(run.stderr)
    return {run, asked}
  }
  const local = (url: string) =>
    new URL(url).hostname === '127.0.0.1' ? {status: 200, body: '{"ok":true,"status":"live"}'} : undefined

  it('a tailnet address on no interface (userspace networking): no probe, and no "restart" advice', async () => {
    const {run, asked} = await tailnetStatus({
      interfaces: {lo: [{address: '127.0.0.1', family: 'IPv4'}]},
      answer: local,
    })
    expect(asked.some((u) => u.includes('100.101.102.103'))).toBe(false)
    expect(run.stdout).toMatch(/Tailnet: +100\.101\.102\.103 is on no network interface here/)
    expect(run.stdout).not.toMatch(/Tailnet:.*restart the gateway/)
  })

  it('a 404 on the tailnet address: something else answers there, not "restart the gateway"', async () => {
    const {run} = await tailnetStatus({
      interfaces: {tailscale0: [{address: '100.101.102.103', family: 'IPv4'}]},
      answer: (url) => local(url) ?? {status: 404, body: 'not found'},
    })
    expect(run.stdout).toMatch(/Tailnet: +100\.101\.102\.103 answered HTTP 404, not like this gateway/)
    expect(run.stdout).not.toMatch(/Tailnet:.*restart the gateway/)
  })

  it('nothing listening on the tailnet address: restart the gateway once Tailscale is up', async () => {
    const {run} = await tailnetStatus({
      interfaces: {tailscale0: [{address: '100.101.102.103', family: 'IPv4'}]},
      answer: local,
    })
    expect(run.stdout).toMatch(
      /Tailnet: +not answering on 100\.101\.102\.103 .*restart the gateway after Tailscale is up/,
    )
  })
})
