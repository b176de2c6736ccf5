import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {createDeps} from '../../src/deps.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {bootstrap} from '../../src/services/bootstrap/run.js'
import type {BootstrapOptions} from '../../src/services/bootstrap/types.js'
import {configureGateway} from '../../src/services/gateway/configure.js'
import {addPeer} from '../../src/services/peers/add.js'
import {scriptedRunner, type ExpectedCall} from '../helpers/fakes/runner.js'
import {tailscaleStatusJson} from '../helpers/tailscale-status-json.js'
import {liveGateways, tempDir} from '../helpers/fakes/index.js'

/**
 * A Headscale tailnet: MagicDNS names end in the server's base domain (mesh.test), not *.ts.net. Bootstrap's plan
 * and its apply step must judge a --peer URL under that domain as `peer add` does: with the tailnet's suffix.
 */
const TS = '/opt/fake/tailscale'
const SUFFIX = 'mesh.test'
const PEER_URL = `http://openclaw-clawd.${SUFFIX}:18789`
const headscaleStatus = (): ExpectedCall => ({
  command: TS,
  args: ['status', '--json'],
  result: {
    stdout: tailscaleStatusJson({
      self: {hostname: 'openclaw-nova', ipv4: '100.101.102.103'},
      peers: [{hostname: 'openclaw-clawd', ipv4: '100.101.102.104'}],
    }).replaceAll('tail4f3a2.ts.net', SUFFIX),
  },
})
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

/** A provisioned host on a Headscale tailnet; `recorded: false` as if joined before claw-mesh recorded the suffix. */
async function headscaleHost(recorded = true) {
  const dir = tempDir('bootstrap-magicdns').path
  const env: Record<string, string> = {
    HOME: dir,
    CLAW_MESH_HOME: path.join(dir, 'cm'),
    OPENCLAW_CONFIG_PATH: path.join(dir, 'openclaw.json'),
    CLAW_MESH_TAILSCALE: TS,
    CLAW_MESH_OPENCLAW: process.execPath,
    PATH: '/nonexistent',
  }
  const store = createMemoryStateStore({
    identity: 'nova',
    tailscale: {
      hostname: 'openclaw-nova',
      loginServer: 'https://headscale.example',
      ...(recorded ? {magicDNSSuffix: SUFFIX} : {}),
    },
  })
  const secrets = createMemorySecretStore()
  const resolveHost = async (host: string) => (host === `openclaw-clawd.${SUFFIX}` ? ['100.101.102.104'] : [])
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
  const deps = (script: ExpectedCall[]) =>
    createDeps({
      env,
      io: createTestIOStreams().io,
      runner: scriptedRunner(script),
      http: liveGateways().client,
      store,
      secrets,
      platform: 'linux',
      resolveHost,
    })
  return {store, deps}
}

const skill = {installed: async () => true, install: async () => 'written'}

describe('bootstrap --peer at a Headscale MagicDNS name', () => {
  it('peer add accepts the URL (the suffix recorded at join makes it a tailnet name)', async () => {
    const host = await headscaleHost()
    const r = await addPeer(host.deps([]), {name: 'clawd', url: PEER_URL})
    expect(r).toMatchObject({name: 'clawd', url: PEER_URL, action: 'added'})
  })

  it('the plan accepts what the apply step accepts: planned as "add clawd", not refused as plain http outside the tailnet', async () => {
    const host = await headscaleHost()
    const r = await bootstrap(
      host.deps([headscaleStatus()]),
      options({dryRun: true, peers: [{name: 'clawd', url: PEER_URL}]}),
      {skill},
    )
    expect(r.steps.find((s) => s.id === 'peers')).toMatchObject({
      action: 'run',
      detail: expect.stringContaining('add clawd'),
    })
  })

  it('a URL peer without a name is named after its MagicDNS label under the tailnet suffix', async () => {
    const host = await headscaleHost()
    const r = await bootstrap(host.deps([headscaleStatus()]), options({dryRun: true, peers: [{url: PEER_URL}]}), {
      skill,
    })
    expect(r.steps.find((s) => s.id === 'peers')).toMatchObject({
      action: 'run',
      detail: expect.stringContaining('add clawd'),
    })
  })

  it('applies it: the peer is recorded, pinned to the tailnet address its name resolved to', async () => {
    const host = await headscaleHost()
    await bootstrap(host.deps([headscaleStatus()]), options({peers: [{name: 'clawd', url: PEER_URL}]}), {skill})
    expect(host.store.read().peers.clawd).toMatchObject({url: PEER_URL, addresses: ['100.101.102.104']})
  })

  it('with the suffix only in the observed status (not recorded), plan and apply still agree', async () => {
    const host = await headscaleHost(false)
    await bootstrap(host.deps([headscaleStatus()]), options({peers: [{name: 'clawd', url: PEER_URL}]}), {skill})
    expect(host.store.read().peers.clawd).toMatchObject({url: PEER_URL})
  })
})
