import path from 'node:path'
import {describe, expect, it, vi} from 'vitest'
import Bootstrap from '../../src/commands/bootstrap.js'
import {UsageError} from '../../src/core/common/errors.js'
import {createDeps} from '../../src/deps.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {bootstrapOptions, type BootstrapFlags} from '../../src/services/bootstrap/options.js'
import {bootstrap} from '../../src/services/bootstrap/run.js'
import type {BootstrapOptions} from '../../src/services/bootstrap/types.js'
import {configureGateway} from '../../src/services/gateway/configure.js'
import {desiredPluginConfig} from '../../src/services/openclaw/plugin.js'
import {runCommand} from '../helpers/run-command.js'
import {scriptedRunner, type ExpectedCall} from '../helpers/fakes/runner.js'
import {tailscaleStatusJson} from '../helpers/tailscale-status-json.js'
import {liveGateways, tempDir} from '../helpers/fakes/index.js'

const TS = '/opt/fake/tailscale'
const status: ExpectedCall = {
  command: TS,
  args: ['status', '--json'],
  result: {
    stdout: tailscaleStatusJson({
      self: {hostname: 'openclaw-nova', ipv4: '100.101.102.103'},
      peers: [],
      backendState: 'Running',
    }),
  },
}
const validates: ExpectedCall = {
  command: process.execPath,
  args: ['config', 'validate', '--json'],
  result: {stdout: '{"valid":true,"issues":[]}'},
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

/** A provisioned host (joined, configured, started), whose mesh plugin is current: only --caps can change anything. */
async function provisionedHost() {
  const dir = tempDir('bootstrap-caps').path
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
  await configureGateway(
    createDeps({
      env,
      io: createTestIOStreams().io,
      runner: scriptedRunner([validates]),
      http: liveGateways().client,
      store,
      secrets,
      platform: 'linux',
    }),
    {},
    {advertisedUrl: 'http://100.101.102.103:18789'},
  )
  store.update((s) => void (s.gateway!.pending = []))
  const deps = () =>
    createDeps({
      env,
      io: createTestIOStreams().io,
      runner: scriptedRunner([status]),
      http: liveGateways().client,
      store,
      secrets,
      platform: 'linux',
      lookPath: () => undefined,
    })
  const hooks = {
    skill: {installed: async () => true, install: vi.fn(async () => 'written')},
    meshPlugin: {status: async () => ({current: true}), install: vi.fn(async () => 'configured')},
  }
  return {store, deps, hooks}
}

describe('bootstrap --caps/--description', () => {
  it('records them; the same flags again, or none, change and write nothing; --caps "" clears only the caps', async () => {
    const host = await provisionedHost()
    const first = await bootstrap(
      host.deps(),
      options({self: {caps: ['gpu', 'macos'], description: 'Mac Studio with the GPU'}}),
      host.hooks,
    )
    expect(first.changed).toBe(true)
    expect(host.store.read().capabilities).toEqual({caps: ['gpu', 'macos'], description: 'Mac Studio with the GPU'})

    const update = vi.spyOn(host.store, 'update')
    const same = await bootstrap(
      host.deps(),
      options({self: {caps: ['gpu', 'macos'], description: 'Mac Studio with the GPU'}}),
      host.hooks,
    )
    expect(same.changed).toBe(false)
    const none = await bootstrap(host.deps(), options(), host.hooks)
    expect(none.changed).toBe(false)
    expect(update).not.toHaveBeenCalled()
    expect(host.store.read().capabilities).toEqual({caps: ['gpu', 'macos'], description: 'Mac Studio with the GPU'})

    await bootstrap(host.deps(), options({self: {caps: []}}), host.hooks)
    expect(host.store.read().capabilities).toEqual({caps: [], description: 'Mac Studio with the GPU'})
    await bootstrap(host.deps(), options({self: {description: ''}}), host.hooks)
    expect(host.store.read().capabilities).toEqual({caps: []})
  })

  it('a dry run records nothing', async () => {
    const host = await provisionedHost()
    const update = vi.spyOn(host.store, 'update')
    await bootstrap(host.deps(), options({self: {caps: ['gpu']}, dryRun: true}), host.hooks)
    expect(update).not.toHaveBeenCalled()
    expect(host.store.read().capabilities).toBeUndefined()
  })

  it.each<[Partial<BootstrapFlags>, RegExp]>([
    [{caps: 'GPU'}, /--caps "GPU" is not a capability name/],
    [{caps: Array.from({length: 17}, (_, i) => `c${i}`).join(',')}, /--caps names 17 capabilities/],
    [{description: 'x'.repeat(201)}, /--description is 201 characters long/],
  ])('%j is a usage error naming the flag (before anything is observed)', (flags, message) => {
    const base: BootstrapFlags = {
      'force-reauth': false,
      ephemeral: true,
      'accept-risk': [],
      peer: [],
      'allow-insecure-url': false,
      yes: false,
      'peer-timeout': '5s',
      timeout: '120s',
      'dry-run': false,
    }
    expect(() => bootstrapOptions({...base, ...flags}, {identity: 'nova', peers: []}, 'linux')).toThrow(UsageError)
    expect(() => bootstrapOptions({...base, ...flags}, {identity: 'nova', peers: []}, 'linux')).toThrow(message)
  })

  it('the command: a bad --caps exits 2 naming the flag, and nothing is written', async () => {
    const dir = tempDir('bootstrap-caps-cmd').path
    const store = createMemoryStateStore({})
    const update = vi.spyOn(store, 'update')
    const run = await runCommand(Bootstrap, ['--identity', 'nova', '--caps', 'gpu,Mac OS', '--dry-run'], {
      env: {HOME: dir, CLAW_MESH_HOME: path.join(dir, 'cm'), PATH: '/nonexistent'},
      store,
      platform: 'linux',
    })
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(/--caps "Mac OS" is not a capability name/)
    expect(update).not.toHaveBeenCalled()
  }, 30_000)
})

describe("the plugin's config entry carries this host's card", () => {
  const deps = (state: Parameters<typeof createMemoryStateStore>[0]) => ({
    stateDir: '/cm',
    store: createMemoryStateStore(state),
  })
  it.each<
    [
      string,
      Parameters<typeof createMemoryStateStore>[0],
      Parameters<typeof desiredPluginConfig>[2],
      Record<string, unknown>,
    ]
  >([
    [
      'what state recorded',
      {identity: 'nova', capabilities: {caps: ['gpu'], description: 'Studio'}},
      {},
      {hopLimit: 2, auditDir: '/cm', meshName: 'nova', caps: ['gpu'], description: 'Studio'},
    ],
    [
      "this run's flags over state",
      {identity: 'nova', capabilities: {caps: ['gpu'], description: 'Studio'}},
      {identity: 'nova', self: {caps: ['macos']}},
      {hopLimit: 2, auditDir: '/cm', meshName: 'nova', caps: ['macos'], description: 'Studio'},
    ],
    ['nothing recorded: no caps key', {identity: 'nova'}, {}, {hopLimit: 2, auditDir: '/cm', meshName: 'nova'}],
    [
      'cleared',
      {identity: 'nova', capabilities: {caps: ['gpu']}},
      {self: {caps: []}},
      {hopLimit: 2, auditDir: '/cm', meshName: 'nova'},
    ],
  ])('%s', (_name, state, want, config) => {
    expect(desiredPluginConfig(deps(state), {hopLimit: 2}, want)).toEqual(config)
  })
})
