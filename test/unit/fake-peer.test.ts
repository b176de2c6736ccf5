import {afterEach, describe, expect, it} from 'vitest'
import {startFakePeer, startFakePeers, type FakePeer} from '../helpers/fake-peer.js'

// The fake gateway is used by peer, send and broadcast tests: it must answer like the real one.
let peer: FakePeer | undefined
afterEach(async () => {
  await peer?.close()
  peer = undefined
})

const TOKEN = 'fake-hooks-token-0123456789'
const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${peer!.url}${path}`, {
    method: 'POST',
    headers: {'content-type': 'application/json', ...headers},
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
const auth = {authorization: `Bearer ${TOKEN}`}

describe('fake peer (OpenClaw gateway double)', () => {
  it('answers health and readiness like the gateway', async () => {
    peer = await startFakePeer({token: TOKEN})
    expect(await (await fetch(`${peer.url}/healthz`)).json()).toEqual({ok: true, status: 'live'})
    expect(await (await fetch(`${peer.url}/readyz`)).json()).toEqual({ready: true})
    expect(peer.requests).toEqual({'/healthz': 1, '/readyz': 1})
  })

  it('checks the hooks token before the body on /hooks/wake', async () => {
    peer = await startFakePeer({token: TOKEN})
    expect((await post('/hooks/wake', {})).status).toBe(401)
    expect((await post('/hooks/wake', {}, {authorization: 'Bearer wrong-token-0123456789'})).status).toBe(401)
    const noText = await post('/hooks/wake', {}, auth)
    expect([noText.status, await noText.json()]).toEqual([400, {ok: false, error: 'text required'}])
    const ok = await post('/hooks/wake', {text: 'hello'}, {'x-openclaw-token': TOKEN})
    expect([ok.status, await ok.json()]).toEqual([200, {ok: true, mode: 'now', eventOutcome: 'queued'}])
    expect(peer.authFailures).toBe(2)
    expect(peer.messages.map((m) => m.body.text)).toEqual(['hello'])
  })

  it('replays the same runId for the same idempotency key on /hooks/agent', async () => {
    peer = await startFakePeer({token: TOKEN})
    const a = (await (await post('/hooks/agent', {message: 'hi', idempotencyKey: 'k1'}, auth)).json()) as {
      runId: string
    }
    const b = (await (await post('/hooks/agent', {message: 'hi', idempotencyKey: 'k1'}, auth)).json()) as {
      runId: string
    }
    const c = (await (await post('/hooks/agent', {message: 'hi'}, {...auth, 'idempotency-key': 'k2'})).json()) as {
      runId: string
    }
    expect(a.runId).toBe(b.runId)
    expect(c.runId).not.toBe(a.runId)
    expect(peer.messages).toHaveLength(2)
    expect((await post('/hooks/agent', {}, auth)).status).toBe(400)
  })

  it('refuses ?token=, wrong methods and oversized bodies like the gateway', async () => {
    peer = await startFakePeer({token: TOKEN})
    expect((await post(`/hooks/wake?token=${TOKEN}`, {text: 'x'}, auth)).status).toBe(400)
    const get = await fetch(`${peer.url}/hooks/agent`)
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST'])
    expect((await post('/hooks/agent', {message: 'x'.repeat(300 * 1024)}, auth)).status).toBe(413)
    expect((await fetch(`${peer.url}/nope`)).status).toBe(404)
  })

  it('throttles failed authentications with 429 after the limit', async () => {
    peer = await startFakePeer({token: TOKEN, authFailureLimit: 2})
    const codes = []
    for (let i = 0; i < 3; i++) codes.push((await post('/hooks/wake', {})).status)
    expect(codes).toEqual([401, 401, 429])
    expect((await post('/hooks/wake', {}, auth)).status).toBe(400) // a valid token still works and resets the counter
    expect((await post('/hooks/wake', {})).status).toBe(401)
  })

  it('has down, silent and unready modes', async () => {
    const fleet = await startFakePeers(3, (i) => ({mode: (['down', 'silent', 'unready'] as const)[i]}))
    try {
      const [down, silent, unready] = fleet.peers
      await expect(fetch(`${down.url}/healthz`)).rejects.toThrow()
      await expect(fetch(`${silent.url}/healthz`, {signal: AbortSignal.timeout(200)})).rejects.toThrow()
      expect(silent.requests['/healthz']).toBe(1)
      expect((await fetch(`${unready.url}/readyz`)).status).toBe(503)
      expect((await fetch(`${unready.url}/healthz`)).status).toBe(200)
    } finally {
      await fleet.close()
    }
  })
})
