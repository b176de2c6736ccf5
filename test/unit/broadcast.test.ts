import {afterEach, describe, expect, it} from 'vitest'
import type {PeerRecord} from '../../src/core/common/state-schema.js'
import {createDeps} from '../../src/deps.js'
import {createFetchHttpClient} from '../../src/infra/http.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {broadcastMessage} from '../../src/services/messaging/broadcast.js'
import {startFakePeers, type FakePeerFleet, type FakePeerOptions} from '../helpers/fake-peer.js'

let fleet: FakePeerFleet | undefined
afterEach(async () => {
  await fleet?.close()
  fleet = undefined
})

async function mesh(peers: Array<FakePeerOptions & {messaging?: boolean}>) {
  fleet = await startFakePeers(peers.length, (i) => ({...peers[i], token: `hooks-token-${i}-0123456789`}))
  const records: Record<string, PeerRecord> = {}
  const tokens: Record<string, string> = {}
  fleet.peers.forEach((p, i) => {
    records[`p${i}`] = {
      name: `p${i}`,
      url: p.url,
      addedAt: '2026-09-01T00:00:00Z',
      source: 'invite',
      messaging: peers[i].messaging ?? true,
    }
    if (peers[i].messaging !== false) tokens[`peer/p${i}`] = p.token
  })
  const {io} = createTestIOStreams()
  return createDeps({
    env: {CLAW_MESH_HOME: '/nonexistent'},
    platform: 'linux',
    store: createMemoryStateStore({identity: 'nova', peers: records}),
    secrets: createMemorySecretStore(tokens),
    io,
    http: createFetchHttpClient(),
  })
}

describe('broadcastMessage', () => {
  it('delivers to every messaging peer at once, reports failures per peer, skips health-only peers', async () => {
    const deps = await mesh([{}, {mode: 'down'}, {}, {messaging: false}])
    const r = await broadcastMessage(deps, {message: 'standup at 10', kind: 'agent', timeoutMs: 1500})
    expect(r.summary).toEqual({delivered: 2, answered: 0, failed: 1, timeout: 0, skipped: 1})
    const byPeer = Object.fromEntries(r.results.map((x) => [x.peer, x]))
    expect(byPeer.p0).toMatchObject({status: 'delivered', runId: expect.any(String), httpStatus: 200})
    expect(byPeer.p1).toMatchObject({
      status: 'failed',
      code: 'peer-unreachable',
      hint: expect.stringContaining('peer check p1'),
    })
    expect(byPeer.p3).toMatchObject({status: 'skipped'})
    expect(fleet!.peers[3].requests).toEqual({})
    // Each peer's message has its own key (the key covers the peer).
    expect(fleet!.peers[0].messages[0].body.idempotencyKey).not.toBe(fleet!.peers[2].messages[0].body.idempotencyKey)
  })

  it('takes about one per-peer timeout when peers are silent, not one per peer', async () => {
    const deps = await mesh([{}, {mode: 'silent'}, {mode: 'silent'}, {mode: 'silent'}])
    const started = Date.now()
    const r = await broadcastMessage(deps, {message: 'hello', kind: 'agent', timeoutMs: 800})
    const took = Date.now() - started
    expect(r.summary).toEqual({delivered: 1, answered: 0, failed: 3, timeout: 0, skipped: 0})
    expect(r.results.find((x) => x.peer === 'p1')).toMatchObject({code: 'peer-timeout'})
    expect(took).toBeLessThan(800 + 1000)
  })

  it('refuses an oversized message before sending anything', async () => {
    const deps = await mesh([{}, {}])
    await expect(
      broadcastMessage(deps, {message: 'x'.repeat(300 * 1024), kind: 'agent', timeoutMs: 1000}),
    ).rejects.toMatchObject({code: 'message-too-large', exitCode: 2})
    expect(fleet!.peers.every((p) => p.connections === 0)).toBe(true)
  })

  it('fails with what to do when no peer can be messaged', async () => {
    const deps = await mesh([{messaging: false}])
    await expect(broadcastMessage(deps, {message: 'x', kind: 'agent', timeoutMs: 1000})).rejects.toMatchObject({
      code: 'no-messaging-peers',
      exitCode: 3,
    })
  })
})
