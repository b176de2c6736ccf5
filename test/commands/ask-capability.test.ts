import {afterEach, describe, expect, it} from 'vitest'
import Ask from '../../src/commands/ask.js'
import PeerList from '../../src/commands/peer/list.js'
import {buildMeshCard} from '../../src/core/mesh/mesh-card.js'
import type {PeerRecord} from '../../src/core/common/state-schema.js'
import {createFetchHttpClient} from '../../src/infra/http.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {startFakePeer, type FakePeer} from '../helpers/fake-peer.js'
import {runCommand} from '../helpers/run-command.js'

const TOKEN = 'nova-a2a-token-0123456789abcdefghij'
const fakes: FakePeer[] = []
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((f) => f.close()))
})

const card = (name: string, caps: string[], description?: string) =>
  buildMeshCard({name, self: {caps, description}, pluginVersion: '1.0.0', baseUrl: 'http://x'}) as unknown as Record<
    string,
    unknown
  >

function record(name: string, url: string, caps?: string[]): PeerRecord {
  return {
    name,
    url,
    addedAt: '2026-12-01T00:00:00Z',
    source: 'invite',
    messaging: false,
    a2a: {url: `${url}/a2a/v1`, pairedBy: 'invite', pairedAt: '2026-12-01T00:00:00Z'},
    ...(caps ? {card: {at: '2026-12-01T00:00:00Z', caps}} : {}),
  }
}

/** alpha (macos), beta (gpu, Mac Studio), gamma (gpu, recorded, its gateway down), delta (up, no card: older claw-mesh). */
async function mesh(over: {beta?: Record<string, unknown> | string} = {}) {
  const a2a = (name: string) => ({peers: {nova: TOKEN}, name, rateLimitPerMinute: 0})
  const [alpha, beta, gamma, delta] = await Promise.all([
    startFakePeer({a2a: a2a('alpha'), meshCard: card('alpha', ['macos'])}),
    startFakePeer({a2a: a2a('beta'), meshCard: over.beta ?? card('beta', ['gpu', 'macos'], 'Mac Studio with the GPU')}),
    startFakePeer({mode: 'down'}),
    startFakePeer({a2a: a2a('delta')}),
  ])
  fakes.push(alpha, beta, gamma, delta)
  const store = createMemoryStateStore({
    identity: 'nova',
    peers: {
      alpha: record('alpha', alpha.url),
      beta: record('beta', beta.url),
      gamma: record('gamma', gamma.url, ['gpu', 'imessage']),
      delta: record('delta', delta.url, ['cuda']),
    },
  })
  const secrets = createMemorySecretStore(
    Object.fromEntries(['alpha', 'beta', 'gamma', 'delta'].map((n) => [`a2a/${n}/out`, TOKEN])),
  )
  return {
    deps: {store, secrets, http: createFetchHttpClient(), platform: 'linux' as const},
    store,
    alpha,
    beta,
    gamma,
    delta,
  }
}

describe('claw-mesh ask --capability', () => {
  it('asks the online peer whose card offers it, says which on stderr, and records what the cards said', async () => {
    const {deps, store, beta} = await mesh()
    const run = await runCommand(Ask, ['--capability', 'gpu', 'Render the preview.'], deps)
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stdout).toBe('reply from beta: Render the preview.\n')
    expect(run.stderr).toBe('Asking beta (it offers gpu).\n')
    expect(beta.a2a!.messages.map((m) => m.text)).toEqual(['Render the preview.'])
    const peers = store.read().peers
    expect(peers.beta.card).toMatchObject({caps: ['gpu', 'macos'], description: 'Mac Studio with the GPU'})
    expect(peers.alpha.card).toMatchObject({caps: ['macos']})
    // gamma did not answer: what was recorded stays.
    expect(peers.gamma.card?.caps).toEqual(['gpu', 'imessage'])
  }, 30_000)

  it('a gateway that answers without a card is chosen by its recorded caps; --json names the peer', async () => {
    const {deps, delta} = await mesh()
    const run = await runCommand(Ask, ['--capability', 'cuda', 'hi', '--json'], deps)
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.json()).toMatchObject({ok: true, peer: 'delta', reply: 'reply from delta: hi'})
    expect(delta.a2a!.messages).toHaveLength(1)
  })

  it('exits 11 naming the peers that have it but are offline, and sends nothing', async () => {
    const {deps, alpha, beta, delta} = await mesh()
    const run = await runCommand(Ask, ['--capability', 'imessage', 'text mom'], deps)
    expect(run.exitCode).toBe(11)
    expect(run.stderr).toMatch(
      /No online peer offers imessage: the one that does is offline: gamma \(connection refused/,
    )
    expect([...alpha.a2a!.messages, ...beta.a2a!.messages, ...delta.a2a!.messages]).toEqual([])
  })

  it('exits 11 when no peer offers it at all, and a card that dropped it wins over the record', async () => {
    const {deps, store} = await mesh({beta: card('beta', ['macos'])})
    store.update((s) => void (s.peers.beta.card = {at: '2026-12-01T00:00:00Z', caps: ['gpu']}))
    const run = await runCommand(Ask, ['--capability', 'gpu', 'x', '--json'], deps)
    expect(run.exitCode).toBe(11)
    // gamma (recorded with gpu) is down; beta answered without gpu.
    expect(run.json()).toMatchObject({
      ok: false,
      error: {code: 'no-capable-peer', exitCode: 11, message: expect.stringContaining('offline: gamma')},
    })
  })

  it('a hostile card is read as untrusted: oversized → no card, bad caps dropped, controls stripped', async () => {
    const hostile = JSON.stringify({
      name: 'beta',
      clawMesh: {
        caps: ['gpu', 'GPU', '\u001b[31mred', 'x'.repeat(50)],
        description: '\u001b]0;pwned\u0007Mac\u202e Studio',
      },
    })
    const {deps, store} = await mesh({beta: hostile})
    const run = await runCommand(Ask, ['--capability', 'gpu', 'x'], deps)
    expect(run.exitCode, run.stderr).toBe(0)
    expect(store.read().peers.beta.card).toMatchObject({caps: ['gpu'], description: 'Mac Studio'})
    const big = await mesh({beta: JSON.stringify({name: 'beta', clawMesh: {caps: ['gpu']}, pad: 'z'.repeat(20_000)})})
    const refused = await runCommand(Ask, ['--capability', 'gpu', 'x'], big.deps)
    // No card from beta (too large), so only its gateway answering counts; it was never recorded with gpu.
    expect(refused.exitCode).toBe(11)
  })

  it.each<[string, string[], RegExp]>([
    [
      'a peer name and --capability',
      ['beta', 'hi', '--capability', 'gpu'],
      /--capability chooses the peer: a peer name \("beta"\) cannot be given with it/,
    ],
    ['neither a peer nor --capability', [], /Name the peer to ask, or pass --capability CAP/],
    [
      'a capability that is not a name',
      ['--capability', 'G P U', 'hi'],
      /--capability "G P U" is not a capability name/,
    ],
    [
      '--capability with --thread',
      ['--capability', 'gpu', 'hi', '--thread', 'ctx-1'],
      /--thread continues with one peer, so it cannot go with --capability/,
    ],
  ])('%s is a usage error (exit 2), nothing sent', async (_name, argv, message) => {
    const {deps, alpha, beta} = await mesh()
    const run = await runCommand(Ask, argv, deps)
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(message)
    expect([...alpha.a2a!.messages, ...beta.a2a!.messages]).toEqual([])
  })
})

describe('claw-mesh peer list shows what peers offer', () => {
  it('a CAPS column, and the card in --json', async () => {
    const store = createMemoryStateStore({
      identity: 'nova',
      peers: {
        beta: {
          ...record('beta', 'http://127.0.0.1:1'),
          card: {at: '2026-12-02T00:00:00Z', caps: ['gpu', 'macos'], description: 'Mac Studio'},
        },
        zed: record('zed', 'http://127.0.0.1:2'),
      },
    })
    const table = await runCommand(PeerList, [], {store, platform: 'linux'})
    expect(table.stdout).toMatch(/NAME +HOSTNAME +URL +VIA +TRUST +CAPS/)
    expect(table.stdout).toMatch(/beta .* gpu,macos /)
    expect(table.stdout).toMatch(/zed .* - +invite/)
    const json = await runCommand(PeerList, ['--json'], {store, platform: 'linux'})
    expect(json.json<{peers: PeerRecord[]}>().peers[0].card).toEqual({
      at: '2026-12-02T00:00:00Z',
      caps: ['gpu', 'macos'],
      description: 'Mac Studio',
    })
  })
})

describe('claw-mesh peer check caches what peers offer', () => {
  it('records the card of a peer that served one, keeps the record of one that did not, and shows it in --json', async () => {
    const {deps, store} = await mesh()
    const {default: PeerCheck} = await import('../../src/commands/peer/check.js')
    const run = await runCommand(PeerCheck, ['--timeout', '2s', '--json'], {...deps, env: {PATH: '/nonexistent'}})
    const doc = run.json<{peers: Array<{name: string; card?: {caps: string[]}}>}>()
    expect(doc.peers, run.stdout + run.stderr).toBeDefined()
    expect(doc.peers.find((p) => p.name === 'beta')?.card).toMatchObject({
      caps: ['gpu', 'macos'],
      description: 'Mac Studio with the GPU',
    })
    expect(doc.peers.find((p) => p.name === 'gamma')?.card).toBeUndefined()
    expect(store.read().peers.beta.card).toMatchObject({caps: ['gpu', 'macos']})
    expect(store.read().peers.gamma.card?.caps).toEqual(['gpu', 'imessage'])
  }, 30_000)
})
