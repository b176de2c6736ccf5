import {afterEach, describe, expect, it} from 'vitest'
import {fleetHooksToken} from '../../src/core/pairing/a2a-pairing.js'
import {UsageError} from '../../src/core/common/errors.js'
import type {PeerRecord} from '../../src/core/common/state-schema.js'
import {createDeps} from '../../src/deps.js'
import {createFetchHttpClient} from '../../src/infra/http.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {checkPeers} from '../../src/services/peers/check.js'
import {startFakePeer, startFakePeers, type FakePeer, type FakePeerOptions} from '../helpers/fake-peer.js'
import {scriptedRunner} from '../helpers/fakes/runner.js'
import {tailscaleStatusJson, type StatusNode} from '../helpers/tailscale-status-json.js'

const TS = '/opt/fake/tailscale'
const open: Array<{close(): Promise<void>}> = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((p) => p.close()))
})

async function peer(opts: FakePeerOptions = {}): Promise<FakePeer> {
  const p = await startFakePeer(opts)
  open.push(p)
  return p
}

const record = (name: string, url: string, over: Partial<PeerRecord> = {}): PeerRecord => ({
  name,
  url,
  addedAt: '2026-09-01T00:00:00Z',
  source: 'invite',
  messaging: true,
  ...over,
})

/** Deps with the peers in memory, tokens in a memory store, real HTTP, and tailscale either scripted or absent. */
function setup(
  peers: PeerRecord[],
  tokens: Record<string, string>,
  tailnet?: {peers: StatusNode[]; self?: StatusNode} | 'fail',
) {
  const store = createMemoryStateStore({peers: Object.fromEntries(peers.map((p) => [p.name, p]))})
  const secrets = createMemorySecretStore(tokens)
  const runner =
    tailnet === undefined
      ? scriptedRunner([])
      : scriptedRunner([
          {
            command: TS,
            args: ['status', '--json'],
            result:
              tailnet === 'fail'
                ? {
                    exitCode: 1,
                    stderr:
                      "failed to connect to local tailscaled; it doesn't appear to be running (sudo systemctl start tailscaled ?)",
                  }
                : {stdout: tailscaleStatusJson({peers: tailnet.peers, self: tailnet.self})},
          },
        ])
  const {io} = createTestIOStreams()
  const env: NodeJS.ProcessEnv = tailnet === undefined ? {PATH: '/nonexistent'} : {CLAW_MESH_TAILSCALE: TS}
  const deps = createDeps({env, io, store, secrets, runner, http: createFetchHttpClient(), platform: 'linux'})
  return {deps, store, runner}
}

describe('checkPeers', () => {
  it('reports a healthy peer ok after one authenticated probe, and records the check', async () => {
    const p = await peer({token: 'hooks-token-nova-0123456789'})
    const {deps, store} = setup([record('nova', p.url)], {'peer/nova': p.token})
    const result = await checkPeers(deps, {timeoutMs: 2000})
    expect(result.peers[0]).toMatchObject({name: 'nova', status: 'ok', detail: ''})
    expect(result.peers[0].probes).toMatchObject({
      healthz: {status: 'ok', httpStatus: 200},
      readyz: {status: 'ok', httpStatus: 200},
      hooks: {
        status: 'ok',
        httpStatus: 400,
        detail: expect.stringMatching(
          /^token accepted by whatever answers at http:\/\/127\.0\.0\.1:\d+ \(who that is was not proven: /,
        ),
      },
    })
    expect(result.peers[0].latencyMs).toBeGreaterThanOrEqual(0)
    expect(p.requests['/hooks/wake']).toBe(1)
    expect(p.messages).toHaveLength(0) // the probe has no side effect
    expect(store.raw().peers.nova.lastCheck).toMatchObject({status: 'ok'})
    expect(result.tailscale.available).toBe(false)
    expect(result.tailscale.note).toMatch(/tailnet presence not checked: The tailscale CLI was not found/)
  })

  it('flags a refused token as degraded, with a fix, using a single authenticated request', async () => {
    const p = await peer({token: 'the-real-token-0123456789'})
    const {deps} = setup([record('nova', p.url)], {'peer/nova': 'an-old-token-0123456789'})
    const [r] = (await checkPeers(deps, {timeoutMs: 2000})).peers
    expect(r.status).toBe('degraded')
    expect(r.probes.hooks).toMatchObject({status: 'fail', httpStatus: 401})
    expect(r.remedy).toMatch(/ask for a new invite/)
    expect(p.requests['/hooks/wake']).toBe(1)
    expect(p.authFailures).toBe(1)
  })

  it('reports rate limiting (429) instead of retrying', async () => {
    const p = await peer({token: 'the-real-token-0123456789', authFailureLimit: 0})
    const {deps} = setup([record('nova', p.url)], {'peer/nova': 'an-old-token-0123456789'})
    const [r] = (await checkPeers(deps, {timeoutMs: 2000})).peers
    expect(r.status).toBe('degraded')
    expect(r.probes.hooks).toMatchObject({
      status: 'warn',
      httpStatus: 429,
      detail: 'rate-limited (429, retry after 60s)',
    })
    expect(r.remedy).toMatch(/wait a minute/)
    expect(p.requests['/hooks/wake']).toBe(1)
  })

  it.each<[string, FakePeerOptions['mode'], string, RegExp]>([
    ['a closed port', 'down', 'down', /Nothing listens at/],
    ['a peer that accepts TCP and never answers', 'silent', 'down', /No answer from/],
    ['a live but unready gateway', 'unready', 'degraded', /live but not ready/],
  ])('reports %s', async (_title, mode, status, remedy) => {
    const p = await peer({mode, token: 'hooks-token-nova-0123456789'})
    const {deps, store} = setup([record('nova', p.url)], {'peer/nova': p.token})
    const [r] = (await checkPeers(deps, {timeoutMs: 500})).peers
    expect(r.status).toBe(status)
    expect(r.remedy).toMatch(remedy)
    expect(store.raw().peers.nova.lastCheck?.status).toBe(status)
  })

  it('skips the token probe for a health-only peer, and still calls it ok', async () => {
    const p = await peer()
    const {deps} = setup([record('box', p.url, {source: 'url', messaging: false})], {})
    const [r] = (await checkPeers(deps, {timeoutMs: 2000})).peers
    expect(r).toMatchObject({status: 'ok', probes: {hooks: {status: 'skip', detail: 'messaging off (no hooks token)'}}})
    expect(p.requests['/hooks/wake']).toBeUndefined()
  })

  it('flags a messaging peer whose token vanished from the secret store', async () => {
    const p = await peer()
    const {deps} = setup([record('nova', p.url)], {})
    const [r] = (await checkPeers(deps, {timeoutMs: 2000})).peers
    expect(r.status).toBe('degraded')
    expect(r.probes.hooks.detail).toBe('hooks token missing from the secret store')
    expect(p.requests['/hooks/wake']).toBeUndefined()
  })

  it('uses the hooks token derived from the mesh secret for discovered peers (never the secret itself)', async () => {
    const MESH = 'mesh-secret-shared-0123456789'
    const p = await peer({token: fleetHooksToken(MESH, 'clawd')})
    const {deps} = setup([record('clawd', p.url, {source: 'discovered'})], {
      'mesh-secret': MESH,
      'peer/clawd': 'not-this-one-0123456789',
    })
    const [r] = (await checkPeers(deps, {timeoutMs: 2000})).peers
    expect(r.probes.hooks).toMatchObject({status: 'ok', httpStatus: 400})
  })

  it('says whose answer "token accepted" is: the node Tailscale has at the address, when it is the one paired', async () => {
    const p = await peer({token: 'hooks-token-nova-0123456789'})
    const {deps} = setup(
      [record('nova', p.url, {hostname: 'openclaw-nova'})],
      {'peer/nova': p.token},
      {peers: [{hostname: 'openclaw-nova', ipv4: '127.0.0.1'}]},
    )
    const [r] = (await checkPeers(deps, {timeoutMs: 2000})).peers
    expect(r.status).toBe('ok')
    expect(r.probes.hooks.detail).toBe('token accepted by openclaw-nova (node n0CNTRL), the node nova was paired with')
  })

  it.each<[string, Partial<PeerRecord>, RegExp]>([
    [
      'a peer paired as openclaw-nova',
      {hostname: 'openclaw-nova'},
      /127\.0\.0\.1 is openclaw-evil \(node n0CNTRL\), not openclaw-nova that nova was paired as/,
    ],
    [
      'a fleet member discovered as another node id',
      {source: 'discovered', nodeId: 'nREALCNTRL'},
      /127\.0\.0\.1 is now openclaw-evil \(node n0CNTRL\), not node nREALCNTRL that nova was discovered as/,
    ],
  ])('sends no token when another node holds the address of %s, and says so', async (_name, over, detail) => {
    const MESH = 'mesh-secret-shared-0123456789'
    const p = await peer({token: 'hooks-token-nova-0123456789'})
    const {deps} = setup(
      [record('nova', p.url, over)],
      {'peer/nova': p.token, 'mesh-secret': MESH},
      {peers: [{hostname: 'openclaw-evil', ipv4: '127.0.0.1', tags: ['tag:claw-mesh']}]},
    )
    const [r] = (await checkPeers(deps, {timeoutMs: 2000})).peers
    expect(p.requests['/hooks/wake']).toBeUndefined()
    expect(r.status).toBe('degraded')
    expect(r.probes.tailnet).toMatchObject({status: 'fail', detail: expect.stringMatching(detail)})
    expect(r.probes.hooks).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^not probed with our token: /),
    })
    expect(r.remedy).toMatch(/Another node answers at nova's address, so it was not sent our tokens/)
  })

  it('reads tailnet presence from one tailscale status call', async () => {
    const [a, b] = await Promise.all([peer(), peer()])
    const peers = [
      record('clawd', a.url, {hostname: 'openclaw-clawd', messaging: false}),
      record('zed', b.url, {hostname: 'openclaw-zed', messaging: false}),
    ]
    const {deps, runner} = setup(
      peers,
      {},
      {
        peers: [
          {hostname: 'openclaw-clawd', ipv4: '100.88.12.7'},
          {hostname: 'openclaw-zed', ipv4: '100.64.0.9', online: false},
        ],
      },
    )
    const result = await checkPeers(deps, {timeoutMs: 2000})
    runner.assertDone()
    expect(result.tailscale).toEqual({available: true, note: undefined})
    expect(result.peers[0].probes.tailnet).toMatchObject({status: 'ok', detail: 'online (openclaw-clawd)'})
    expect(result.peers[1].status).toBe('degraded')
    expect(result.peers[1].probes.tailnet).toMatchObject({
      status: 'fail',
      detail: 'offline in the tailnet (last seen 2026-08-21T22:41:09Z)',
    })
    expect(result.peers[1].remedy).toMatch(/offline in Tailscale/)
  })

  it('flags a tailnet peer missing from the peer list, and skips loopback peers without a hostname', async () => {
    const [a, b] = await Promise.all([peer(), peer()])
    const peers = [
      record('gone', a.url, {hostname: 'openclaw-gone', messaging: false}),
      record('local', b.url, {messaging: false}),
    ]
    const {deps} = setup(peers, {}, {peers: []})
    const [gone, local] = (await checkPeers(deps, {timeoutMs: 2000})).peers
    expect(gone.probes.tailnet).toMatchObject({status: 'fail', detail: "not in this tailnet's peer list"})
    expect(local.probes.tailnet).toMatchObject({status: 'skip'})
    expect(local.status).toBe('ok')
  })

  it('sends nothing to a tailnet address whose node left the tailnet, and says how to drop the record', async () => {
    const {deps} = setup(
      [record('ghost', 'http://100.77.0.1:18789', {hostname: 'openclaw-ghost'})],
      {'peer/ghost': 'hooks-token-ghost-0123456789'},
      {peers: []},
    )
    const sent: string[] = []
    const inner = deps.http
    deps.http = {...inner, request: async (req) => (sent.push(req.url), inner.request(req))}
    const [ghost] = (await checkPeers(deps, {timeoutMs: 2000})).peers
    expect(sent).toEqual([])
    expect(ghost).toMatchObject({
      status: 'down',
      probes: {
        tailnet: {status: 'fail'},
        healthz: {status: 'fail', detail: 'not probed: gone from the tailnet'},
        hooks: {status: 'skip'},
      },
    })
    expect(ghost.remedy).toMatch(/claw-mesh peer remove ghost/)
  })

  it("still probes this node's own tailnet address (it is in no peer list, but it is here)", async () => {
    const p = await peer()
    const self = record('me', p.url.replace('127.0.0.1', '100.64.0.42'), {messaging: false})
    const {deps} = setup([self], {}, {peers: [], self: {hostname: 'openclaw-me', ipv4: '100.64.0.42'}})
    const sent: string[] = []
    const inner = deps.http
    // The self address is mapped back to the loopback fake: no packet goes to 100.64.0.42.
    deps.http = {
      request: async (req) => (
        sent.push(req.url),
        inner.request({...req, url: req.url.replace('100.64.0.42', '127.0.0.1')})
      ),
    }
    const [me] = (await checkPeers(deps, {timeoutMs: 2000})).peers
    expect(sent.length).toBeGreaterThan(0)
    expect(me.probes.healthz).toMatchObject({status: 'ok'})
  })

  it('goes on without tailscale when its daemon is down, with a note', async () => {
    const p = await peer()
    const {deps} = setup([record('box', p.url, {messaging: false})], {}, 'fail')
    const result = await checkPeers(deps, {timeoutMs: 2000})
    expect(result.tailscale.available).toBe(false)
    expect(result.tailscale.note).toMatch(/tailscaled\) is not running/)
    expect(result.peers[0]).toMatchObject({status: 'ok', probes: {tailnet: {status: 'skip'}}})
  })

  it('checks only the named peer, and refuses an unknown name', async () => {
    const [a, b] = await Promise.all([peer(), peer()])
    const {deps} = setup([record('a', a.url, {messaging: false}), record('b', b.url, {messaging: false})], {})
    const result = await checkPeers(deps, {names: ['b'], timeoutMs: 2000})
    expect(result.peers.map((p) => p.name)).toEqual(['b'])
    expect(a.requests['/healthz']).toBeUndefined()
    await expect(checkPeers(deps, {names: ['nope'], timeoutMs: 2000})).rejects.toThrow(UsageError)
  })

  it('checks 50 peers, 10 of them silent, in about one timeout', async () => {
    const timeoutMs = 1000
    const fleet = await startFakePeers(50, (i) => ({
      mode: i < 10 ? 'silent' : 'healthy',
      token: `hooks-token-${i}-0123456789`,
    }))
    open.push(fleet)
    const records = fleet.peers.map((p, i) => record(`peer-${i}`, p.url))
    const tokens = Object.fromEntries(fleet.peers.map((p, i) => [`peer/peer-${i}`, p.token]))
    const {deps} = setup(records, tokens)
    const started = performance.now()
    const result = await checkPeers(deps, {timeoutMs})
    const elapsed = performance.now() - started
    expect(result.summary).toEqual({ok: 40, degraded: 0, down: 10})
    expect(elapsed).toBeGreaterThanOrEqual(timeoutMs * 0.9) // the silent ones really were waited for…
    expect(elapsed).toBeLessThan(timeoutMs * 3) // …but concurrently, not one after another
    for (const p of fleet.peers.slice(10)) expect(p.requests['/hooks/wake']).toBe(1)
  })
})
