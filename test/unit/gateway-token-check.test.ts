import {describe, expect, it} from 'vitest'
import {
  checkGatewayToken,
  checkHooksToken,
  wsUrlFor,
  type WebSocketFactory,
  type WebSocketLike,
} from '../../src/services/gateway/token-check.js'
import {httpStubs} from '../helpers/fakes/index.js'

type Listener = (ev: never) => void

/** A scripted gateway WebSocket: sends the challenge, then answers `connect` with what the script says. */
function fakeGateway(
  answers: ((params: {auth?: {token?: string}; minProtocol?: number}) => {
    res?: Record<string, unknown>
    close?: [number, string]
  })[],
): {factory: WebSocketFactory; urls: string[]; connects: unknown[]} {
  const urls: string[] = []
  const connects: unknown[] = []
  let n = 0
  const factory: WebSocketFactory = (url) => {
    urls.push(url)
    const answer = answers[Math.min(n++, answers.length - 1)]
    const listeners: Record<string, Listener[]> = {message: [], close: [], error: []}
    const emit = (type: string, ev: unknown) => listeners[type].forEach((fn) => fn(ev as never))
    const ws: WebSocketLike = {
      send(data) {
        const msg = JSON.parse(data)
        connects.push(msg)
        const a = answer(msg.params)
        queueMicrotask(() => {
          if (a.res) emit('message', {data: JSON.stringify({type: 'res', id: msg.id, ...a.res})})
          if (a.close) emit('close', {code: a.close[0], reason: a.close[1]})
        })
      },
      close() {},
      addEventListener(type: string, fn: Listener) {
        listeners[type].push(fn)
      },
    }
    queueMicrotask(() =>
      emit('message', {
        data: JSON.stringify({type: 'event', event: 'connect.challenge', payload: {nonce: 'n', ts: 1}}),
      }),
    )
    return ws
  }
  return {factory, urls, connects}
}

const helloOk = {res: {ok: true, payload: {type: 'hello-ok', protocol: 4}}}
const mismatch = {
  res: {
    ok: false,
    error: {
      code: 'INVALID_REQUEST',
      message: "unauthorized: gateway token mismatch (use this gateway's gateway.auth.token or pair the device)",
      details: {code: 'AUTH_TOKEN_MISMATCH'},
    },
  },
  close: [1008, 'unauthorized'] as [number, string],
}
const starting = {
  res: {
    ok: false,
    error: {
      code: 'UNAVAILABLE',
      message: 'gateway starting; retry shortly',
      retryable: true,
      retryAfterMs: 500,
      details: {reason: 'startup-sidecars'},
    },
  },
  close: [1013, 'gateway starting'] as [number, string],
}

describe('checkGatewayToken (WebSocket connect handshake)', () => {
  it('sends protocol 4 connect with the token and accepts hello-ok', async () => {
    const gw = fakeGateway([(p) => (p.auth?.token === 'good-token' ? helloOk : mismatch)])
    const r = await checkGatewayToken('http://127.0.0.1:18789', 'good-token', {webSocket: gw.factory})
    expect(r).toEqual({verdict: 'accepted', detail: 'hello-ok (protocol 4)'})
    expect(gw.urls).toEqual(['ws://127.0.0.1:18789'])
    expect(gw.connects[0]).toMatchObject({
      type: 'req',
      method: 'connect',
      params: {minProtocol: 4, maxProtocol: 4, role: 'operator', auth: {token: 'good-token'}},
    })
  })

  it('reports a mismatch as rejected, with the code and without the token', async () => {
    const gw = fakeGateway([() => mismatch])
    const r = await checkGatewayToken('http://h:1', 'bad-token-value', {webSocket: gw.factory})
    expect(r).toEqual({
      verdict: 'rejected',
      detail: 'unauthorized: gateway token mismatch',
      code: 'AUTH_TOKEN_MISMATCH',
    })
  })

  it('retries after retryAfterMs while the gateway is still starting', async () => {
    const slept: number[] = []
    const gw = fakeGateway([() => starting, () => starting, () => helloOk])
    const r = await checkGatewayToken('http://h:1', 't', {
      webSocket: gw.factory,
      sleep: async (ms) => void slept.push(ms),
    })
    expect(r.verdict).toBe('accepted')
    expect(slept).toEqual([500, 500])
  })

  it('gives up on "starting" at the deadline', async () => {
    const gw = fakeGateway([() => starting])
    const r = await checkGatewayToken('http://h:1', 't', {webSocket: gw.factory, timeoutMs: 1, sleep: async () => {}})
    expect(r.verdict).toBe('unavailable')
  })

  it('treats a socket error as unreachable', async () => {
    const factory: WebSocketFactory = () => {
      const l: Record<string, Listener[]> = {message: [], close: [], error: []}
      queueMicrotask(() => l.error.forEach((fn) => fn({} as never)))
      return {send() {}, close() {}, addEventListener: (t: string, fn: Listener) => void l[t].push(fn)}
    }
    expect((await checkGatewayToken('https://gw.example.ts.net', 't', {webSocket: factory})).verdict).toBe(
      'unreachable',
    )
  })

  it('maps http(s) to ws(s)', () => {
    expect(wsUrlFor('https://x.ts.net/')).toBe('wss://x.ts.net')
    expect(wsUrlFor('http://100.64.0.7:18789')).toBe('ws://100.64.0.7:18789')
  })
})

describe('checkHooksToken (POST /hooks/wake {})', () => {
  it.each([
    [400, 'accepted'],
    [401, 'rejected'],
    [429, 'throttled'],
    [404, 'unexpected'],
    [500, 'unexpected'],
  ])('status %i → %s', async (status, verdict) => {
    // One POST to the hooks path's /wake: another request, or none, fails the test.
    const http = httpStubs().on('POST', 'http://127.0.0.1:1/in/wake', {status, headers: {'retry-after': '30'}})
    expect((await checkHooksToken(http.client, 'http://127.0.0.1:1/', 'hk', {hooksPath: '/in'})).verdict).toBe(verdict)
    expect(http.requests[0]).toMatchObject({
      method: 'POST',
      url: 'http://127.0.0.1:1/in/wake',
      body: '{}',
      headers: {authorization: 'Bearer hk'},
    })
  })

  it('reports connection failures as unreachable', async () => {
    const r = await checkHooksToken(
      httpStubs().on('POST', 'http://127.0.0.1:1/hooks/wake', 'refused').client,
      'http://127.0.0.1:1',
      'hk',
    )
    expect(r).toEqual({
      verdict: 'unreachable',
      detail: 'connection refused (nothing listening on that address and port)',
    })
  })
})

describe("checkGatewayToken: the gateway's failed-auth lockout", () => {
  // What OpenClaw 2026.9.6 sends a locked-out address (message-handler: sendHandshakeErrorResponse with rateLimited).
  const lockedOut = {
    res: {
      ok: false,
      error: {
        code: 'INVALID_REQUEST',
        message: 'unauthorized: too many failed authentication attempts (retry later)',
        retryable: true,
        retryAfterMs: 299_624,
        details: {code: 'AUTH_RATE_LIMITED', authReason: 'rate_limited'},
      },
    },
    close: [1008, 'unauthorized: too many failed authentication attempts (retry later)'] as [number, string],
  }

  it('is a lockout (throttled), never a refused token, and says when to retry', async () => {
    const gw = fakeGateway([() => lockedOut])
    const r = await checkGatewayToken('http://127.0.0.1:18789', 'the-right-token', {webSocket: gw.factory})
    expect(r).toEqual({
      verdict: 'throttled',
      detail: "locked out by the gateway's failed-auth limit (too many wrong tokens from this address); retry in 300 s",
      code: 'AUTH_RATE_LIMITED',
    })
  })

  it('recognises the lockout by its message when no detail code comes with it', async () => {
    const gw = fakeGateway([
      () => ({
        res: {
          ok: false,
          error: {
            code: 'INVALID_REQUEST',
            message: 'unauthorized: too many failed authentication attempts (retry later)',
          },
        },
      }),
    ])
    const r = await checkGatewayToken('http://h:1', 't', {webSocket: gw.factory})
    expect(r).toMatchObject({verdict: 'throttled', code: 'AUTH_RATE_LIMITED'})
    expect(r.detail).toContain('retry later')
  })
})
