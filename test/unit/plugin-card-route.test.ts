import http from 'node:http'
import type net from 'node:net'
import {afterAll, afterEach, describe, expect, it} from 'vitest'
import {buildMeshCard, MESH_CARD_PATH} from '../../src/core/mesh/mesh-card.js'
import {meshAskByPeerOrCapability} from '../../src/plugin/capability-ask.js'
import {cardHandler, registerCardRoute} from '../../src/plugin/card-route.js'
import type {PluginApi} from '../../src/plugin/host.js'
import {peerRows} from '../../src/plugin/peer-cards.js'
import {startFakePeer, type FakePeer} from '../helpers/fake-peer.js'
import {tempDir} from '../helpers/fakes/index.js'

const GATEWAY_TOKEN = 'gateway-token-abcdefghijklmnopqrstuvwxyz'
const PEER_TOKEN = 'peer-in-token-0123456789abcdefghij'
const OUT_TOKEN = 'peer-out-token-0123456789abcdefghij'

function apiWith(config: Record<string, unknown>, pluginConfig: unknown = undefined): PluginApi {
  return {pluginConfig, registerTool() {}, registerService() {}, runtime: {config: {current: () => config}}}
}

async function serve(
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => boolean,
): Promise<{url: string; close(): Promise<void>}> {
  const server = http.createServer((req, res) => {
    const handled = handler(req, res)
    if (!handled) res.writeHead(404).end()
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const {port} = server.address() as net.AddressInfo
  return {url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r()))}
}

const servers: Array<{close(): Promise<void>}> = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

describe("the plugin's card route (GET /claw-mesh/v1/card)", () => {
  const config = {
    gateway: {auth: {token: GATEWAY_TOKEN}},
    hooks: {token: 'hooks-token-abcdefghijklmnopqrstu'},
    channels: {
      a2a: {
        enabled: true,
        advertisedUrl: 'http://100.64.0.5:18789',
        peers: {nova: {token: PEER_TOKEN, url: 'http://100.64.0.6:18789/a2a/v1', outboundToken: OUT_TOKEN}},
      },
    },
    plugins: {
      entries: {
        'claw-mesh': {
          config: {
            auditDir: '/secret/place',
            meshName: 'studio',
            caps: ['gpu', 'macos'],
            description: 'Mac Studio with the GPU',
          },
        },
      },
    },
  }

  it('is registered public (auth: plugin), exact, at /claw-mesh/v1/card', () => {
    const routes: unknown[] = []
    registerCardRoute({...apiWith(config), registerHttpRoute: (r) => routes.push(r)})
    expect(routes).toEqual([{path: MESH_CARD_PATH, auth: 'plugin', match: 'exact', handler: expect.any(Function)}])
  })

  it('serves an A2A AgentCard-shaped card of what the owner published, and nothing else of the config', async () => {
    const s = await serve(cardHandler(apiWith(config)))
    servers.push(s)
    const res = await fetch(`${s.url}${MESH_CARD_PATH}`)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^application\/json/)
    const text = await res.text()
    expect(JSON.parse(text)).toEqual(
      buildMeshCard({
        name: 'studio',
        self: {caps: ['gpu', 'macos'], description: 'Mac Studio with the GPU'},
        pluginVersion: 'dev',
        baseUrl: 'http://100.64.0.5:18789',
      }),
    )
    for (const secret of [GATEWAY_TOKEN, PEER_TOKEN, OUT_TOKEN, 'hooks-token', '/secret/place', 'nova', '100.64.0.6'])
      expect(text).not.toContain(secret)
  })

  it('names the OpenClaw release serving it (api.runtime.version), and a card from a runtime without one omits it', async () => {
    const withVersion: PluginApi = {
      ...apiWith(config),
      runtime: {version: '2026.9.6', config: {current: () => config}},
    }
    const s = await serve(cardHandler(withVersion))
    servers.push(s)
    const card = await (await fetch(`${s.url}${MESH_CARD_PATH}`)).json()
    expect(card.clawMesh).toMatchObject({pluginVersion: 'dev', openclawVersion: '2026.9.6'})
    const bare = await serve(cardHandler(apiWith(config)))
    servers.push(bare)
    expect((await (await fetch(`${bare.url}${MESH_CARD_PATH}`)).json()).clawMesh).not.toHaveProperty('openclawVersion')
  })

  it('reads GET (and HEAD) only: anything else is 405 with Allow', async () => {
    const s = await serve(cardHandler(apiWith(config)))
    servers.push(s)
    const post = await fetch(`${s.url}${MESH_CARD_PATH}`, {method: 'POST', body: '{}'})
    expect(post.status).toBe(405)
    expect(post.headers.get('allow')).toBe('GET, HEAD')
    const head = await fetch(`${s.url}${MESH_CARD_PATH}`, {method: 'HEAD'})
    expect(head.status).toBe(200)
    expect(await head.text()).toBe('')
  })

  it('follows the running config (a config set shows at once), re-checks what it serves, and without an advertised URL uses the request origin', async () => {
    const live: Record<string, unknown> = {
      plugins: {entries: {'claw-mesh': {config: {meshName: 'studio', caps: ['gpu']}}}},
    }
    const s = await serve(cardHandler(apiWith(live)))
    servers.push(s)
    expect((await (await fetch(`${s.url}${MESH_CARD_PATH}`)).json()).clawMesh.caps).toEqual(['gpu'])
    live.plugins = {
      entries: {
        'claw-mesh': {
          config: {meshName: 'Bad Name', caps: ['imessage', 'NOT OK'], description: 'hand\u001b[31m edited'},
        },
      },
    }
    const card = await (await fetch(`${s.url}${MESH_CARD_PATH}`)).json()
    expect(card.name).toBe('claw-mesh')
    expect(card.clawMesh).toEqual({caps: ['imessage'], description: 'hand edited', pluginVersion: 'dev'})
    expect(card.supportedInterfaces[0].url).toBe(`${s.url}/a2a/v1`)
  })
})

describe("mesh_peers and mesh_ask {capability} read the peers' cards", () => {
  const dir = tempDir('plugin-caps').path
  const fakes: FakePeer[] = []
  afterAll(async () => {
    await Promise.all(fakes.map((f) => f.close()))
  })

  async function mesh() {
    const card = (name: string, caps: string[], description?: string) =>
      buildMeshCard({
        name,
        self: {caps, description},
        pluginVersion: '1.0.0',
        baseUrl: 'http://x',
      }) as unknown as Record<string, unknown>
    const [alpha, beta, gamma, down] = await Promise.all([
      startFakePeer({
        a2a: {peers: {a: OUT_TOKEN}, name: 'alpha', rateLimitPerMinute: 0},
        meshCard: card('alpha', ['macos']),
      }),
      startFakePeer({
        a2a: {peers: {a: OUT_TOKEN}, name: 'beta', rateLimitPerMinute: 0},
        meshCard: card('beta', ['gpu', 'macos'], 'Mac Studio\u001b[2J'),
      }),
      startFakePeer({
        a2a: {peers: {a: OUT_TOKEN}, name: 'gamma', rateLimitPerMinute: 0},
        meshCard: card('gamma', ['gpu']),
      }),
      startFakePeer({mode: 'down'}),
    ])
    fakes.push(alpha, beta, gamma, down)
    const peer = (f: FakePeer) => ({token: PEER_TOKEN, url: `${f.url}/a2a/v1`, outboundToken: OUT_TOKEN})
    // "aaa-down" sorts first: a peer that does not answer is never chosen, whatever its name.
    const config = {
      channels: {
        a2a: {enabled: true, peers: {alpha: peer(alpha), beta: peer(beta), gamma: peer(gamma), 'aaa-down': peer(down)}},
      },
    }
    const api: PluginApi = {
      ...apiWith(config, {auditDir: dir}),
      runtime: {config: {current: () => config}, state: {resolveStateDir: () => dir}},
    }
    return {api, alpha, beta, gamma}
  }

  it('mesh_peers shows each peer online or not, with its caps and description (stripped)', async () => {
    const {api} = await mesh()
    const {meshPeers} = await import('../../src/plugin/host.js')
    const rows = await peerRows(meshPeers(api.runtime.config!.current!()), undefined)
    expect(rows.map((r) => [r.name, r.online, r.caps ?? null])).toEqual([
      ['aaa-down', false, null],
      ['alpha', true, ['macos']],
      ['beta', true, ['gpu', 'macos']],
      ['gamma', true, ['gpu']],
    ])
    expect(rows[2].description).toBe('Mac Studio')
  })

  it('mesh_ask {capability: gpu} asks the first online peer with it by name, and says which', async () => {
    const {api, beta, gamma} = await mesh()
    const call = {api, ctx: {agentId: 'main', sessionKey: 'agent:main:main'}, now: Date.now}
    const r = await meshAskByPeerOrCapability(call, {capability: 'gpu', message: 'render it'})
    expect(r.details).toMatchObject({ok: true, peer: 'beta', capability: 'gpu', candidates: ['beta', 'gamma']})
    expect(r.content[0].text).toBe('Asked beta (it offers gpu). reply from beta: render it')
    expect(beta.a2a!.messages.map((m) => m.text)).toEqual(['render it'])
    expect(gamma.a2a!.messages).toEqual([])
  })

  it.each<[string, Record<string, unknown>, string]>([
    ['both peer and capability', {peer: 'alpha', capability: 'gpu', message: 'x'}, 'peer-and-capability'],
    ['a capability nobody online offers', {capability: 'imessage', message: 'x'}, 'no-capable-peer'],
    ['a capability that is not a name', {capability: 'G P U', message: 'x'}, 'bad-capability'],
  ])('mesh_ask with %s is refused before anything is sent', async (_name, params, code) => {
    const {api, alpha, beta, gamma} = await mesh()
    const r = await meshAskByPeerOrCapability({api, ctx: {}, now: Date.now}, params)
    expect(r.details).toMatchObject({ok: false, code})
    expect([...alpha.a2a!.messages, ...beta.a2a!.messages, ...gamma.a2a!.messages]).toEqual([])
  })
})
