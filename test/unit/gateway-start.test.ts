import {promises as fs, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest'
import {ClawMeshError, ExternalError} from '../../src/core/common/errors.js'
import {createDeps, type Deps} from '../../src/deps.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {configureGateway} from '../../src/services/gateway/configure.js'
import {startGateway} from '../../src/services/gateway/start.js'
import type {WebSocketFactory} from '../../src/services/gateway/token-check.js'
import {scriptedRunner, type ExpectedCall} from '../helpers/fakes/runner.js'
import {ownGatewayListeners} from '../helpers/listeners.js'
import {fakeClock, httpStubs, tempDir} from '../helpers/fakes/index.js'
import {tailscaleStatusJson} from '../helpers/tailscale-status-json.js'

let dir: string
let OC: string
let env: Record<string, string>
/** Ports where the fake gateway answers. */
let up: Set<number>

beforeEach(() => {
  dir = tempDir('gwstart').path
  const bin = path.join(dir, 'bin')
  OC = path.join(bin, 'openclaw')
  // findOnPath only checks the files exist; every call goes to the scripted runner.
  void fs.mkdir(bin)
  env = {
    HOME: path.join(dir, 'home'),
    USER: 'nova',
    PATH: bin,
    CLAW_MESH_HOME: path.join(dir, 'cm'),
    OPENCLAW_CONFIG_PATH: path.join(dir, 'oc', 'openclaw.json'),
    CLAW_MESH_OPENCLAW: OC,
  }
  up = new Set()
})

async function fakeBins() {
  await fs.mkdir(path.join(dir, 'bin'), {recursive: true})
  writeFileSync(path.join(dir, 'bin', 'node'), '')
  writeFileSync(OC, '')
}

const clock = () => fakeClock({start: 1_800_000_000_000, autoAdvance: true})

/** The loopback gateways in `up` answer; /hooks/wake says whether the hooks token was the one stored. */
function fakeHttp(tokens: () => {hooks?: string}) {
  return httpStubs().on(
    '*',
    /^http:\/\/127\.0\.0\.1:\d+\//,
    (req) => {
      const url = new URL(req.url)
      if (!up.has(Number(url.port))) return 'refused'
      if (url.pathname.endsWith('/wake'))
        return {status: req.headers?.authorization === `Bearer ${tokens().hooks}` ? 400 : 401}
      return {body: {ok: true}}
    },
    {times: 'any'},
  ).client
}

function fakeWs(token: () => string | undefined): WebSocketFactory {
  return (url) => {
    const l: Record<string, ((ev: never) => void)[]> = {message: [], close: [], error: []}
    const emit = (t: string, ev: unknown) => l[t].forEach((fn) => fn(ev as never))
    const port = Number(new URL(url.replace(/^ws/, 'http')).port)
    queueMicrotask(() =>
      up.has(port)
        ? emit('message', {data: JSON.stringify({type: 'event', event: 'connect.challenge', payload: {}})})
        : emit('error', {}),
    )
    return {
      send(data: string) {
        const m = JSON.parse(data)
        const ok = m.params.auth.token === token()
        queueMicrotask(() =>
          emit('message', {
            data: JSON.stringify(
              ok
                ? {type: 'res', id: m.id, ok: true, payload: {type: 'hello-ok', protocol: 4}}
                : {
                    type: 'res',
                    id: m.id,
                    ok: false,
                    error: {code: 'INVALID_REQUEST', message: 'unauthorized', details: {code: 'AUTH_TOKEN_MISMATCH'}},
                  },
            ),
          }),
        )
      },
      close() {},
      addEventListener: (t: string, fn: (ev: never) => void) => void l[t].push(fn),
    }
  }
}

const validate: ExpectedCall = {
  command: /openclaw$/,
  args: ['config', 'validate', '--json'],
  result: {stdout: '{"valid":true,"issues":[]}\n'},
}
const runtime: ExpectedCall[] = [
  {command: /bin\/node$/, args: ['--version'], result: {stdout: 'v24.21.0\n'}},
  {command: /openclaw$/, args: ['--version'], result: {stdout: 'OpenClaw 2026.9.6 (eb377ac)\n'}},
]
const systemd = (installed: boolean): ExpectedCall[] => [
  {command: 'systemctl', args: ['--user', 'show-environment'], result: {stdout: 'HOME=/home/nova\n'}},
  {command: 'systemctl', args: ['--user', 'cat', 'openclaw-gateway.service'], result: {exitCode: installed ? 0 : 1}},
]
/** `gateway install` replaces whatever the service ran before. */
const install = (port: number, healthy = true): ExpectedCall => ({
  command: /openclaw$/,
  args: ['gateway', 'install', '--port', String(port), '--force'],
  onCall: () => {
    up.clear()
    if (healthy) up.add(port)
  },
})
const linger: ExpectedCall = {
  command: 'loginctl',
  args: ['show-user', 'nova', '--property=Linger'],
  result: {stdout: 'Linger=no\n'},
}

function deps(
  script: ExpectedCall[],
  secrets = createMemorySecretStore(),
  store = createMemoryStateStore(),
): {d: Deps; runner: ReturnType<typeof scriptedRunner>; secrets: typeof secrets; store: typeof store} {
  const runner = scriptedRunner(script)
  const d = createDeps({
    env,
    platform: 'linux',
    runner,
    http: fakeHttp(() => ({hooks: secrets.values.get('hooks-token')})),
    clock: clock(),
    store,
    secrets,
    io: createTestIOStreams().io,
    loopbackListeners: ownGatewayListeners(() => up),
  })
  return {d, runner, secrets, store}
}

describe('startGateway with a service manager (systemd --user)', () => {
  it('installs the service with the port, waits for health and proves both tokens', async () => {
    await fakeBins()
    const {d, runner, secrets, store} = deps([validate, ...runtime, ...systemd(false), install(18795), linger])
    const conf = await configureGateway(d, {port: 18795})
    expect(conf.validated).toBe(true)
    const r = await startGateway(d, {timeoutMs: 10_000, webSocket: fakeWs(() => secrets.values.get('gateway-token'))})
    runner.assertDone()
    expect(r).toMatchObject({
      runner: 'service',
      action: 'service-install',
      port: 18795,
      url: 'http://127.0.0.1:18795',
      gatewayToken: {verdict: 'accepted'},
      hooksToken: {verdict: 'accepted'},
      openclawVersion: '2026.9.6',
    })
    expect(r.notes).toContain(
      'Linger is off for nova: the gateway stops when you log out. Run: loginctl enable-linger nova',
    )
    expect(store.raw().gateway).toMatchObject({runner: 'service', appliedPort: 18795, pending: []})
    expect(store.raw().gateway?.rollback).toBeUndefined()
  })

  it('restores the previous config byte for byte and reinstalls the old port when the new one never gets healthy', async () => {
    await fakeBins()
    const secrets = createMemorySecretStore()
    const store = createMemoryStateStore()
    const first = deps([validate, ...runtime, ...systemd(false), install(18795), linger], secrets, store)
    await configureGateway(first.d, {port: 18795})
    await startGateway(first.d, {timeoutMs: 10_000, webSocket: fakeWs(() => secrets.values.get('gateway-token'))})
    const goodBytes = await fs.readFile(env.OPENCLAW_CONFIG_PATH)

    const second = deps([validate, ...runtime, ...systemd(true), install(18796, false), install(18795)], secrets, store)
    await configureGateway(second.d, {port: 18796})
    let error: unknown
    try {
      await startGateway(second.d, {timeoutMs: 5000, webSocket: fakeWs(() => secrets.values.get('gateway-token'))})
    } catch (e) {
      error = e
    }
    second.runner.assertDone()
    expect(error).toBeInstanceOf(ExternalError)
    expect((error as ClawMeshError).message).toMatch(
      /did not start with the new configuration: no 200 from \/healthz within 5 s .*restored the previous openclaw.json from .*\.bak, and the previous gateway is running again on port 18795/,
    )
    expect((await fs.readFile(env.OPENCLAW_CONFIG_PATH)).equals(goodBytes)).toBe(true)
    expect(store.raw().gateway).toMatchObject({port: 18795, appliedPort: 18795, pending: []})
  })
})

describe('startGateway with a running gateway', () => {
  it("leaves a hot change to the gateway's own reload: no restart, tokens verified", async () => {
    await fakeBins()
    const secrets = createMemorySecretStore()
    const store = createMemoryStateStore()
    const first = deps([validate, ...runtime, ...systemd(false), install(18795), linger], secrets, store)
    await configureGateway(first.d, {port: 18795})
    await startGateway(first.d, {timeoutMs: 10_000, webSocket: fakeWs(() => secrets.values.get('gateway-token'))})
    // A hooks-token rotation: hot-reloadable per OpenClaw's table.
    store.update((st) => void (st.gateway!.pending = ['hooks.token']))
    const second = deps([...runtime, ...systemd(true), linger], secrets, store)
    const r = await startGateway(second.d, {
      timeoutMs: 10_000,
      webSocket: fakeWs(() => secrets.values.get('gateway-token')),
    })
    second.runner.assertDone()
    expect(r).toMatchObject({runner: 'service', action: 'await-reload', hooksToken: {verdict: 'accepted'}})
    expect(store.raw().gateway?.pending).toEqual([])
  })

  it('restarts the service when the running gateway does not take the tokens', async () => {
    await fakeBins()
    const secrets = createMemorySecretStore()
    const store = createMemoryStateStore()
    const first = deps([validate, ...runtime, ...systemd(false), install(18795), linger], secrets, store)
    await configureGateway(first.d, {port: 18795})
    await startGateway(first.d, {timeoutMs: 10_000, webSocket: fakeWs(() => secrets.values.get('gateway-token'))})
    let accepted = 'stale-token-from-before'
    const restart: ExpectedCall = {
      command: /openclaw$/,
      args: ['gateway', 'restart'],
      onCall: () => void (accepted = secrets.values.get('gateway-token')!),
    }
    const second = deps([...runtime, ...systemd(true), restart, linger], secrets, store)
    const r = await startGateway(second.d, {timeoutMs: 10_000, webSocket: fakeWs(() => accepted)})
    second.runner.assertDone()
    expect(r).toMatchObject({
      action: 'service-restart',
      reason: 'the running gateway did not accept the configured tokens',
      gatewayToken: {verdict: 'accepted'},
    })
  })
})

describe('startGateway preconditions', () => {
  it('asks for configure first', async () => {
    const {d} = deps([])
    await expect(startGateway(d)).rejects.toThrowError(/not configured for the mesh yet/)
  })

  it('names the Node on PATH that is too old for OpenClaw', async () => {
    await fakeBins()
    const {d} = deps([validate, {command: /bin\/node$/, args: ['--version'], result: {stdout: 'v22.12.0\n'}}])
    await configureGateway(d, {})
    await expect(startGateway(d)).rejects.toThrowError(
      /OpenClaw needs Node >=24.16.0 <25 \|\| >=26.1.0, but the node on PATH \(.*bin\/node\) is v22.12.0/,
    )
  })

  it('refuses when this environment would make OpenClaw read another file', async () => {
    await fakeBins()
    const {d, store} = deps([validate])
    await configureGateway(d, {})
    const other = createDeps({
      env: {...env, OPENCLAW_CONFIG_PATH: path.join(dir, 'elsewhere.json')},
      platform: 'linux',
      runner: scriptedRunner([]),
      store,
      secrets: createMemorySecretStore(),
      io: createTestIOStreams().io,
    })
    await expect(startGateway(other)).rejects.toThrowError(
      /claw-mesh configured .*openclaw.json, but OpenClaw here would read .*elsewhere.json/,
    )
  })
})

describe('startGateway: a gateway that locked claw-mesh out', () => {
  /** A gateway whose failed-auth limiter has locked this address out: every connect, right token or not. */
  const lockedOutWs: WebSocketFactory = (url) => {
    const l: Record<string, ((ev: never) => void)[]> = {message: [], close: [], error: []}
    const emit = (t: string, ev: unknown) => l[t].forEach((fn) => fn(ev as never))
    const port = Number(new URL(url.replace(/^ws/, 'http')).port)
    queueMicrotask(() =>
      up.has(port)
        ? emit('message', {data: JSON.stringify({type: 'event', event: 'connect.challenge', payload: {}})})
        : emit('error', {}),
    )
    return {
      send(data: string) {
        const m = JSON.parse(data)
        const error = {
          code: 'INVALID_REQUEST',
          message: 'unauthorized: too many failed authentication attempts (retry later)',
          retryable: true,
          retryAfterMs: 120_000,
          details: {code: 'AUTH_RATE_LIMITED'},
        }
        queueMicrotask(() => emit('message', {data: JSON.stringify({type: 'res', id: m.id, ok: false, error})}))
      },
      close() {},
      addEventListener: (t: string, fn: (ev: never) => void) => void l[t].push(fn),
    }
  }

  it('neither restarts it nor rolls back pending changes: it stops with a lockout, not a token problem', async () => {
    await fakeBins()
    const secrets = createMemorySecretStore()
    const store = createMemoryStateStore()
    const first = deps([validate, ...runtime, ...systemd(false), install(18795), linger], secrets, store)
    await configureGateway(first.d, {port: 18795})
    await startGateway(first.d, {timeoutMs: 10_000, webSocket: fakeWs(() => secrets.values.get('gateway-token'))})
    store.update((st) => void (st.gateway!.pending = ['hooks.token']))
    const bytes = await fs.readFile(env.OPENCLAW_CONFIG_PATH)
    // No `gateway restart`, no install: the script fails the test on any such call.
    const second = deps([...runtime, ...systemd(true)], secrets, store)
    let error: unknown
    try {
      await startGateway(second.d, {timeoutMs: 10_000, webSocket: lockedOutWs})
    } catch (e) {
      error = e
    }
    second.runner.assertDone()
    expect(error).toBeInstanceOf(ClawMeshError)
    expect(error).toMatchObject({code: 'gateway-locked-out', exitCode: 3})
    expect((error as Error).message).toMatch(
      /locked out .*retry in 120 s.*not a wrong token; nothing was restarted or rolled back/,
    )
    expect(await fs.readFile(env.OPENCLAW_CONFIG_PATH)).toEqual(bytes)
    expect(store.raw().gateway?.pending).toEqual(['hooks.token'])
  })
})

describe('startGateway looks at the machine once', () => {
  /** Reads of openclaw.json (readOpenClawConfig reads through fs.promises.readFile). */
  const configReads = () => {
    const spy = vi.spyOn(fs, 'readFile')
    return () => spy.mock.calls.filter(([p]) => p === env.OPENCLAW_CONFIG_PATH).length
  }
  afterEach(() => vi.restoreAllMocks())

  it('one read of openclaw.json and one `tailscale status --json` (serve mode) for the whole start', async () => {
    await fakeBins()
    env.CLAW_MESH_TAILSCALE = path.join(dir, 'bin', 'tailscale')
    const status: ExpectedCall = {
      command: /tailscale$/,
      args: ['status', '--json'],
      result: {stdout: tailscaleStatusJson({self: {hostname: 'openclaw-nova', ipv4: '100.101.102.103'}})},
    }
    const {d, runner, secrets} = deps([validate, ...runtime, ...systemd(false), status, install(18795), linger])
    await configureGateway(d, {port: 18795})
    const config = JSON.parse(await fs.readFile(env.OPENCLAW_CONFIG_PATH, 'utf8'))
    await fs.writeFile(
      env.OPENCLAW_CONFIG_PATH,
      JSON.stringify({...config, gateway: {...config.gateway, bind: 'loopback', tailscale: {mode: 'serve'}}}),
    )
    const reads = configReads()
    const r = await startGateway(d, {timeoutMs: 10_000, webSocket: fakeWs(() => secrets.values.get('gateway-token'))})
    // The script fails on a second `tailscale status --json`.
    runner.assertDone()
    expect(r).toMatchObject({action: 'service-install', gatewayToken: {verdict: 'accepted'}})
    expect(reads()).toBe(1)
  })

  it('a roll-back reads openclaw.json again only after restoring it, and brings back the port it restored', async () => {
    await fakeBins()
    const secrets = createMemorySecretStore()
    const store = createMemoryStateStore()
    const first = deps([validate, ...runtime, ...systemd(false), install(18795), linger], secrets, store)
    await configureGateway(first.d, {port: 18795})
    await startGateway(first.d, {timeoutMs: 10_000, webSocket: fakeWs(() => secrets.values.get('gateway-token'))})
    const second = deps([validate, ...runtime, ...systemd(true), install(18796, false), install(18795)], secrets, store)
    await configureGateway(second.d, {port: 18796})
    const reads = configReads()
    await expect(
      startGateway(second.d, {timeoutMs: 5000, webSocket: fakeWs(() => secrets.values.get('gateway-token'))}),
    ).rejects.toThrowError(/previous gateway is running again on port 18795/)
    second.runner.assertDone()
    expect(reads()).toBe(2)
  })
})
