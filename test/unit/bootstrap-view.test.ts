import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it, onTestFinished, vi} from 'vitest'
import {createDeps, type Deps} from '../../src/deps.js'
import type {HttpClient} from '../../src/infra/http.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {run} from '../../src/services/bootstrap/run.js'
import type {BootstrapOptions} from '../../src/services/bootstrap/types.js'
import {configureGateway} from '../../src/services/gateway/configure.js'
import type {MachineView} from '../../src/services/machine/view.js'
import {createMachineView} from '../../src/services/machine/view.js'
import {scriptedRunner, type ExpectedCall} from '../helpers/fakes/runner.js'
import {tailscaleStatusJson} from '../helpers/tailscale-status-json.js'

/** What the gateway-start step saw of the machine when bootstrap handed it its view. */
const seen: {port?: number; statePort?: number; reads?: number}[] = []
vi.mock('../../src/services/gateway/start.js', () => ({
  startGateway: async (_deps: unknown, _opts: unknown, view: MachineView) => {
    const file = await view.config()
    seen.push({
      port: (file.config.gateway as {port?: number}).port,
      statePort: view.readState().gateway?.port,
      reads: view.reads.config,
    })
    return {action: 'service-restart', runner: 'service', healthz: {ok: true}, notes: []}
  },
}))

/** A pairing as addPeer makes it: the peer in state, its tokens in the store, its inbound token in channels.a2a.peers. */
vi.mock('../../src/services/peers/add.js', async (actual) => ({
  ...(await actual<typeof import('../../src/services/peers/add.js')>()),
  addPeer: async (deps: Deps, input: {name: string; url: string}) => {
    deps.store.update(
      (s) =>
        void (s.peers[input.name] = {
          name: input.name,
          url: input.url,
          addedAt: '2026-12-01T00:00:00Z',
          source: 'invite',
          messaging: false,
          a2a: {url: `${input.url}/a2a`, pairedBy: 'invite', pairedAt: '2026-12-01T00:00:00Z'},
        }),
    )
    const store = await deps.secrets()
    await store.set(`a2a/${input.name}/in`, INBOUND)
    await store.set(`a2a/${input.name}/out`, 'outbound-token-0123456789abcdef')
    const file = deps.env.OPENCLAW_CONFIG_PATH!
    const config = JSON.parse(readFileSync(file, 'utf8'))
    config.channels.a2a.peers = {[input.name]: {token: INBOUND, url: `${input.url}/a2a`}}
    writeFileSync(file, JSON.stringify(config))
    return {name: input.name, action: 'added'}
  },
}))
const INBOUND = 'inbound-token-0123456789abcdefgh'

const TS = '/opt/fake/tailscale'
const status: ExpectedCall = {
  command: TS,
  args: ['status', '--json'],
  result: {stdout: tailscaleStatusJson({self: {hostname: 'openclaw-nova', ipv4: '100.101.102.103'}})},
}
const validates: ExpectedCall = {
  command: process.execPath,
  args: ['config', 'validate', '--json'],
  result: {stdout: '{"valid":true,"issues":[]}'},
}
const healthy: HttpClient = {
  async request() {
    return {
      status: 200,
      headers: {},
      body: '{"ok":true,"status":"live"}',
      latencyMs: 1,
      json: <T>() => ({ok: true, status: 'live'}) as T,
    }
  },
}
const options = (over: Partial<BootstrapOptions> = {}): BootstrapOptions => ({
  identity: 'nova',
  hostname: 'openclaw-nova',
  hostnameGiven: false,
  tags: [],
  forceReauth: false,
  ephemeral: true,
  acceptRisk: [],
  peers: [],
  install: 'allowed',
  dryRun: false,
  timeoutMs: 5000,
  peerTimeoutMs: 1000,
  ...over,
})

describe("bootstrap's appliers and the machine view", () => {
  async function provisioned() {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-bootstrap-view-'))
    onTestFinished(() => rmSync(dir, {recursive: true, force: true}))
    const env: Record<string, string> = {
      HOME: dir,
      CLAW_MESH_HOME: path.join(dir, 'cm'),
      OPENCLAW_CONFIG_PATH: path.join(dir, 'openclaw.json'),
      CLAW_MESH_TAILSCALE: TS,
      CLAW_MESH_OPENCLAW: process.execPath,
      PATH: '/nonexistent',
    }
    const store = createMemoryStateStore({identity: 'nova', tailscale: {hostname: 'openclaw-nova'}})
    const secrets = createMemorySecretStore()
    const io = createTestIOStreams().io
    await configureGateway(
      createDeps({env, io, runner: scriptedRunner([validates]), http: healthy, store, secrets, platform: 'linux'}),
      {},
      {advertisedUrl: 'http://100.101.102.103:18789'},
    )
    store.update((s) => void (s.gateway!.pending = []))
    return (script: ExpectedCall[]) =>
      createDeps({env, io, runner: scriptedRunner(script), http: healthy, store, secrets, platform: 'linux'})
  }

  it('the gateway-start step reads the openclaw.json and state the configure step just wrote, not what was observed before', async () => {
    const deps = (await provisioned())([status, validates])
    const view = createMachineView(deps)
    const r = await run(
      deps,
      options({port: 18795}),
      {skill: {installed: async () => true, install: async () => ''}},
      view,
    )
    expect(r.steps.filter((s) => s.action === 'run').map((s) => s.id)).toEqual(['gateway-configure', 'gateway-start'])
    // Observed at 18789 before the change; the start step sees 18795, read once more after configure wrote it.
    expect(seen).toEqual([{port: 18795, statePort: 18795, reads: 2}])
  })

  it('the peers step verifies the pairing against the openclaw.json it just wrote (channels.a2a.peers), not the one observed before', async () => {
    const deps = (await provisioned())([status])
    const r = await run(
      deps,
      options({peers: [{name: 'beta', url: 'http://100.101.102.104:18789', allowInsecureUrl: false}]}),
      {skill: {installed: async () => true, install: async () => ''}},
      createMachineView(deps),
    )
    expect(r.steps.filter((s) => s.action === 'run').map((s) => s.id)).toEqual(['peers'])
    expect(r.peers).toEqual([expect.objectContaining({name: 'beta'})])
    expect(JSON.stringify(r.peers)).not.toMatch(/a2aHere/)
  })
})
