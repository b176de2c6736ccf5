import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it, onTestFinished, vi} from 'vitest'
import {createDeps} from '../../src/deps.js'
import type {HttpClient} from '../../src/infra/http.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {run} from '../../src/services/bootstrap/run.js'
import type {BootstrapOptions} from '../../src/services/bootstrap/types.js'
import {configureGateway} from '../../src/services/gateway/configure.js'
import type {MachineView} from '../../src/services/machine/view.js'
import {createMachineView} from '../../src/services/machine/view.js'
import {scriptedRunner, type ExpectedCall} from '../helpers/scripted-runner.js'
import {tailscaleStatusJson} from '../helpers/tailscale-status-json.js'

/** What the gateway-start step saw of the machine when bootstrap handed it its view. */
const seen: {port?: number; statePort?: number; reads?: number}[] = []
vi.mock('../../src/services/gateway/start.js', () => ({
  startGateway: async (_deps: unknown, _opts: unknown, view: MachineView) => {
    const file = await view.config()
    seen.push({port: (file.config.gateway as {port?: number}).port, statePort: view.readState().gateway?.port, reads: view.reads.config})
    return {action: 'service-restart', runner: 'service', healthz: {ok: true}, notes: []}
  },
}))

const TS = '/opt/fake/tailscale'
const status: ExpectedCall = {command: TS, args: ['status', '--json'], result: {stdout: tailscaleStatusJson({self: {hostname: 'openclaw-nova', ipv4: '100.101.102.103'}})}}
const validates: ExpectedCall = {command: process.execPath, args: ['config', 'validate', '--json'], result: {stdout: '{"valid":true,"issues":[]}'}}
const healthy: HttpClient = {async request() {
  return {status: 200, headers: {}, body: '{"ok":true,"status":"live"}', latencyMs: 1, json: <T>() => ({ok: true, status: 'live'}) as T}
}}
const options = (over: Partial<BootstrapOptions> = {}): BootstrapOptions => ({
  identity: 'nova', hostname: 'openclaw-nova', hostnameGiven: false, tags: [], forceReauth: false, ephemeral: true, acceptRisk: [], peers: [], install: 'allowed', dryRun: false, timeoutMs: 5000, peerTimeoutMs: 1000, ...over,
})

describe("bootstrap's appliers and the machine view", () => {
  it('the gateway-start step reads the openclaw.json and state the configure step just wrote, not what was observed before', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-bootstrap-view-'))
    onTestFinished(() => rmSync(dir, {recursive: true, force: true}))
    const env: Record<string, string> = {HOME: dir, CLAW_MESH_HOME: path.join(dir, 'cm'), OPENCLAW_CONFIG_PATH: path.join(dir, 'openclaw.json'), CLAW_MESH_TAILSCALE: TS, CLAW_MESH_OPENCLAW: process.execPath, PATH: '/nonexistent'}
    const store = createMemoryStateStore({identity: 'nova', tailscale: {hostname: 'openclaw-nova'}})
    const secrets = createMemorySecretStore()
    const io = createTestIOStreams().io
    await configureGateway(createDeps({env, io, runner: scriptedRunner([validates]), http: healthy, store, secrets, platform: 'linux'}), {}, {advertisedUrl: 'http://100.101.102.103:18789'})
    store.update((s) => void (s.gateway!.pending = []))
    const deps = createDeps({env, io, runner: scriptedRunner([status, validates]), http: healthy, store, secrets, platform: 'linux'})
    const view = createMachineView(deps)
    const r = await run(deps, options({port: 18795}), {skill: {installed: async () => true, install: async () => ''}}, view)
    expect(r.steps.filter((s) => s.action === 'run').map((s) => s.id)).toEqual(['gateway-configure', 'gateway-start'])
    // Observed at 18789 before the change; the start step sees 18795, read once more after configure wrote it.
    expect(seen).toEqual([{port: 18795, statePort: 18795, reads: 2}])
  })
})
