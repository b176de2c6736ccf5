import {afterEach, describe, expect, it} from 'vitest'
import {askPeer, getPeerTask} from '../../src/services/a2a/ask.js'
import {broadcastMessage} from '../../src/services/messaging/broadcast.js'
import {sendRouted} from '../../src/services/messaging/send.js'
import {createDeps} from '../../src/deps.js'
import type {PeerRecord} from '../../src/core/common/state-schema.js'
import {createFetchHttpClient} from '../../src/infra/http.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {startFakePeer, type FakePeer, type FakePeerOptions} from '../helpers/fake-peer.js'
import type {FakeA2aOptions} from '../helpers/fake-a2a.js'

const OUR_TOKEN = 'nova-to-peer-token-0123456789abcdefghijkl'
let peers: FakePeer[] = []
afterEach(async () => {
  await Promise.all(peers.map((p) => p.close()))
  peers = []
})

async function peer(a2a: Partial<FakeA2aOptions> = {}, opts: FakePeerOptions = {}): Promise<FakePeer> {
  const p = await startFakePeer({...opts, a2a: {peers: {nova: OUR_TOKEN}, ...a2a}})
  peers.push(p)
  return p
}

function depsFor(list: {name: string; peer: FakePeer; token?: string; a2a?: boolean}[]) {
  const records: Record<string, PeerRecord> = {}
  const secrets: Record<string, string> = {}
  for (const {name, peer: p, token, a2a} of list) {
    records[name] = {
      name,
      url: p.url,
      addedAt: '2026-12-01T00:00:00Z',
      source: 'invite',
      messaging: a2a === false,
      ...(a2a === false
        ? {}
        : {a2a: {url: `${p.url}/a2a/v1`, pairedBy: 'invite' as const, pairedAt: '2026-12-01T00:00:00Z'}}),
    }
    if (a2a === false) secrets[`peer/${name}`] = p.token
    else secrets[`a2a/${name}/out`] = token ?? OUR_TOKEN
  }
  const {io, stdout, stderr} = createTestIOStreams()
  const deps = createDeps({
    env: {CLAW_MESH_HOME: '/nonexistent'},
    platform: 'linux',
    store: createMemoryStateStore({identity: 'nova', peers: records}),
    secrets: createMemorySecretStore(secrets),
    io,
    http: createFetchHttpClient(),
  })
  return {deps, stdout, stderr}
}

describe('ask over A2A', () => {
  it("returns the peer agent's reply, its task and thread, with this pair's token as the sender", async () => {
    const p = await peer({replyMs: 50})
    const {deps} = depsFor([{name: 'clawd', peer: p}])
    const r = await askPeer(deps, 'clawd', {message: 'What fails in the cackles tests?'})
    expect(r).toMatchObject({
      ok: true,
      peer: 'clawd',
      state: 'TASK_STATE_COMPLETED',
      pending: false,
      reply: 'reply from OpenClaw: What fails in the cackles tests?',
    })
    expect(r.contextId).toMatch(/^ctx-/)
    expect(p.a2a!.messages).toEqual([
      expect.objectContaining({sender: 'nova', text: 'What fails in the cackles tests?'}),
    ])
    // Blocking: one request, no polling.
    expect(p.a2a!.requests).toBe(1)
  })

  it('continues a thread: the contextId goes back to the peer', async () => {
    const p = await peer()
    const {deps} = depsFor([{name: 'clawd', peer: p}])
    const first = await askPeer(deps, 'clawd', {message: 'one'})
    const second = await askPeer(deps, 'clawd', {message: 'two', thread: first.contextId})
    expect(second.contextId).toBe(first.contextId)
    expect(p.a2a!.messages.map((m) => m.contextId)).toEqual([first.contextId, first.contextId])
  })

  it('strips terminal control sequences from the reply (it came from another machine)', async () => {
    const p = await peer({reply: () => '\u001b]0;pwned\u0007\u001b[32mAll good\u001b[0m\u202e'})
    const {deps} = depsFor([{name: 'clawd', peer: p}])
    expect((await askPeer(deps, 'clawd', {message: 'hi'})).reply).toBe('All good')
  })

  it('reports a failed or rejected task with its state and reason', async () => {
    const p = await peer({fail: true})
    const {deps} = depsFor([{name: 'clawd', peer: p}])
    expect(await askPeer(deps, 'clawd', {message: 'hi'})).toMatchObject({
      ok: false,
      state: 'TASK_STATE_FAILED',
      reason: 'The agent run failed.',
      pending: false,
    })
  })

  it("with a timeout shorter than the peer's reply window: returns the working task id, fetchable later with task", async () => {
    const p = await peer({replyMs: 1500})
    const {deps} = depsFor([{name: 'clawd', peer: p}])
    const r = await askPeer(deps, 'clawd', {message: 'slow one', timeoutMs: 400})
    expect(r).toMatchObject({ok: false, pending: true, state: 'TASK_STATE_WORKING'})
    expect(r.taskId).toBe(p.a2a!.messages[0].taskId)
    const later = await getPeerTask(deps, 'clawd', r.taskId, {waitMs: 5000})
    expect(later).toMatchObject({ok: true, pending: false, reply: 'reply from OpenClaw: slow one'})
  })

  it("when the peer's own reply window closes first, keeps polling until the answer", async () => {
    const p = await peer({replyMs: 900, replyTimeoutMs: 200})
    const {deps} = depsFor([{name: 'clawd', peer: p}])
    const r = await askPeer(deps, 'clawd', {message: 'patience'})
    expect(r).toMatchObject({ok: true, reply: 'reply from OpenClaw: patience'})
  })

  it('waits out "Plugin runtime is starting" right after a gateway start', async () => {
    const p = await peer({startingForMs: 700})
    const {deps} = depsFor([{name: 'clawd', peer: p}])
    expect((await askPeer(deps, 'clawd', {message: 'are you up?'})).ok).toBe(true)
  })

  it.each<[string, () => Promise<Parameters<typeof depsFor>[0]>, string, RegExp, number]>([
    [
      'a refused token',
      async () => [{name: 'clawd', peer: await peer(), token: 'not-the-right-token-0123456789abcdef'}],
      'a2a-token-refused',
      /refused this machine's A2A token \(401\)/,
      3,
    ],
    [
      'a gateway without A2A (older OpenClaw)',
      async () => [{name: 'clawd', peer: await startFakePeer().then((x) => (peers.push(x), x))}],
      'a2a-unavailable',
      /no A2A channel \(HTTP 404/,
      3,
    ],
    [
      'a peer paired over hooks only',
      async () => [{name: 'clawd', peer: await peer(), a2a: false}],
      'peer-not-a2a',
      /not paired over A2A/,
      3,
    ],
    [
      'a peer that is down',
      async () => [{name: 'clawd', peer: await startFakePeer({mode: 'down'})}],
      'peer-unreachable',
      /unreachable/,
      1,
    ],
  ])('fails clearly on %s', async (_t, make, code, message, exitCode) => {
    const {deps} = depsFor(await make())
    const error = await askPeer(deps, 'clawd', {message: 'hi', timeoutMs: 3000}).catch((e: unknown) => e)
    expect(error).toMatchObject({code, exitCode})
    expect((error as Error).message).toMatch(message)
    expect((error as Error).message).not.toContain(OUR_TOKEN)
  })

  it('refuses, before sending, a text over 64 KiB or starting with "/" (exit 2)', async () => {
    const p = await peer()
    const {deps} = depsFor([{name: 'clawd', peer: p}])
    await expect(askPeer(deps, 'clawd', {message: 'x'.repeat(65 * 1024)})).rejects.toMatchObject({exitCode: 2})
    await expect(askPeer(deps, 'clawd', {message: '/reset'})).rejects.toMatchObject({exitCode: 2})
    expect(p.a2a!.requests).toBe(0)
  })
})

describe('send and broadcast over A2A', () => {
  it('send returns at once with the task id (fire and forget); hooks-only options take the hooks road', async () => {
    const p = await peer({replyMs: 2000})
    const {deps} = depsFor([{name: 'clawd', peer: p}])
    const started = Date.now()
    const r = await sendRouted(deps, 'clawd', {message: 'fyi', kind: 'agent'})
    expect(Date.now() - started).toBeLessThan(1500)
    expect(r).toMatchObject({via: 'a2a', pending: true, state: 'TASK_STATE_WORKING'})
    await expect(sendRouted(deps, 'clawd', {message: 'wake up', kind: 'wake'})).rejects.toMatchObject({
      code: 'hooks-not-paired',
    })
  })

  it('broadcast --wait collects every reply concurrently; a down peer gets its failed row', async () => {
    const [a, b] = [await peer({replyMs: 600, name: 'a'}), await peer({replyMs: 600, name: 'b'})]
    const down = await startFakePeer({mode: 'down'})
    const {deps} = depsFor([
      {name: 'a', peer: a},
      {name: 'b', peer: b},
      {name: 'c', peer: down},
    ])
    const started = Date.now()
    const r = await broadcastMessage(deps, {message: 'status?', kind: 'agent', timeoutMs: 120_000, wait: true})
    // The slowest reply, plus at most the short retry of a refused connection.
    expect(Date.now() - started).toBeLessThan(600 + 2000)
    expect(r.results.map((x) => [x.peer, x.status])).toEqual([
      ['a', 'answered'],
      ['b', 'answered'],
      ['c', 'failed'],
    ])
    expect(r.results[0].reply).toBe('reply from a: status?')
    expect(r.summary).toMatchObject({answered: 2, failed: 1})
  })

  it('broadcast --wait marks a peer still working at the timeout as timeout, with its task id', async () => {
    const slow = await peer({replyMs: 3000})
    const {deps} = depsFor([{name: 'slow', peer: slow}])
    const r = await broadcastMessage(deps, {message: 'status?', kind: 'agent', timeoutMs: 500, wait: true})
    expect(r.results[0]).toMatchObject({status: 'timeout', taskId: slow.a2a!.messages[0].taskId})
  })
})
