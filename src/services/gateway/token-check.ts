import {describeFailure, HttpFailure, type HttpClient} from '../../infra/http.js'

export type TokenVerdict = 'accepted' | 'rejected' | 'unavailable' | 'unreachable' | 'throttled' | 'unexpected'

export interface TokenCheck {
  verdict: TokenVerdict
  /** One line for people (never the token). */
  detail: string
  /** OpenClaw's error code (AUTH_TOKEN_MISMATCH, UNAVAILABLE, …) when it gave one. */
  code?: string
}

/** OpenClaw's detail code for an address locked out after too many failed authentications. */
export const LOCKED_OUT = 'AUTH_RATE_LIMITED'

/** The subset of the WHATWG WebSocket that the handshake needs (Node 22+ has it built in). */
export interface WebSocketLike {
  send(data: string): void
  close(code?: number): void
  addEventListener(type: 'message', fn: (ev: {data: unknown}) => void): void
  addEventListener(type: 'close', fn: (ev: {code: number; reason: string}) => void): void
  addEventListener(type: 'error', fn: (ev: unknown) => void): void
}
export type WebSocketFactory = (url: string) => WebSocketLike

const defaultFactory: WebSocketFactory = (url) => new WebSocket(url)

/** `http://host:port` → `ws://host:port` (https → wss). */
export function wsUrlFor(baseUrl: string): string {
  return baseUrl.replace(/^http/, 'ws').replace(/\/+$/, '')
}

/** One connect attempt: challenge → connect(req) → hello-ok or an error. */
function connectOnce(
  url: string,
  token: string,
  timeoutMs: number,
  factory: WebSocketFactory,
): Promise<TokenCheck & {retryAfterMs?: number}> {
  return new Promise((resolve) => {
    let settled = false
    let ws: WebSocketLike | undefined
    const done = (r: TokenCheck & {retryAfterMs?: number}) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      try {
        ws?.close(1000)
      } catch {
        // already closed
      }
      resolve(r)
    }
    const timer = setTimeout(
      () => done({verdict: 'unreachable', detail: `no handshake answer within ${timeoutMs} ms`}),
      timeoutMs,
    )
    try {
      ws = factory(url)
    } catch (error) {
      done({verdict: 'unreachable', detail: `cannot open ${url}: ${(error as Error).message}`})
      return
    }
    ws.addEventListener('message', (ev) => {
      let msg: {
        type?: string
        event?: string
        id?: string
        ok?: boolean
        payload?: {type?: string; protocol?: number}
        error?: {code?: string; message?: string; retryable?: boolean; retryAfterMs?: number; details?: {code?: string}}
      }
      try {
        msg = JSON.parse(String(ev.data)) as typeof msg
      } catch {
        return
      }
      if (msg.type === 'event' && msg.event === 'connect.challenge') {
        ws.send(
          JSON.stringify({
            type: 'req',
            id: 'claw-mesh-1',
            method: 'connect',
            params: {
              minProtocol: 4,
              maxProtocol: 4,
              client: {id: 'cli', version: 'claw-mesh', platform: 'node', mode: 'cli'},
              role: 'operator',
              scopes: [],
              auth: {token},
            },
          }),
        )
        return
      }
      if (msg.type !== 'res' || msg.id !== 'claw-mesh-1') return
      if (msg.ok && msg.payload?.type === 'hello-ok')
        return done({verdict: 'accepted', detail: `hello-ok (protocol ${msg.payload.protocol ?? '?'})`})
      const err = msg.error ?? {}
      if (err.code === 'UNAVAILABLE' && err.retryable)
        return done({
          verdict: 'unavailable',
          detail: err.message ?? 'gateway starting',
          code: err.code,
          retryAfterMs: err.retryAfterMs ?? 500,
        })
      const code = err.details?.code ?? err.code
      // The failed-auth limiter locks out an address, whatever token it then presents: says nothing about this one.
      if (code === LOCKED_OUT || /too many failed authentication attempts/i.test(err.message ?? '')) {
        const wait = err.retryAfterMs === undefined ? 'later' : `in ${Math.ceil(err.retryAfterMs / 1000)} s`
        return done({
          verdict: 'throttled',
          detail: `locked out by the gateway's failed-auth limit (too many wrong tokens from this address); retry ${wait}`,
          code: LOCKED_OUT,
        })
      }
      if (code?.startsWith('AUTH_') || /unauthorized/i.test(err.message ?? ''))
        return done({verdict: 'rejected', detail: firstClause(err.message ?? 'unauthorized'), code})
      done({verdict: 'unexpected', detail: err.message ?? 'connect failed', code})
    })
    ws.addEventListener('close', (ev) => {
      if (ev.code === 1008) done({verdict: 'rejected', detail: firstClause(ev.reason || 'unauthorized (close 1008)')})
      else if (ev.code === 1013)
        done({verdict: 'unavailable', detail: ev.reason || 'gateway starting', retryAfterMs: 500})
      else done({verdict: 'unreachable', detail: `connection closed (code ${ev.code}) before the handshake finished`})
    })
    ws.addEventListener('error', () => done({verdict: 'unreachable', detail: `cannot connect to ${url}`}))
  })
}

/** "unauthorized: gateway token mismatch (use this gateway's …)" → "unauthorized: gateway token mismatch". */
function firstClause(message: string): string {
  return message.replace(/\s*\(.*$/, '')
}

/**
 * Proves a gateway token with the real WebSocket `connect` handshake (protocol 4). A health answer proves nothing
 * about a token; this does. Retries while the gateway says UNAVAILABLE/retryable (startup sidecars) until the deadline.
 */
export async function checkGatewayToken(
  baseUrl: string,
  token: string,
  opts: {timeoutMs?: number; webSocket?: WebSocketFactory; sleep?: (ms: number) => Promise<void>} = {},
): Promise<TokenCheck> {
  const deadline = Date.now() + (opts.timeoutMs ?? 15_000)
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)))
  const url = wsUrlFor(baseUrl)
  for (;;) {
    const left = Math.max(1000, deadline - Date.now())
    const r = await connectOnce(url, token, Math.min(left, 10_000), opts.webSocket ?? defaultFactory)
    if (r.verdict !== 'unavailable' || Date.now() + (r.retryAfterMs ?? 500) >= deadline) {
      const {retryAfterMs: _ignored, ...check} = r
      return check
    }
    await sleep(r.retryAfterMs ?? 500)
  }
}

/**
 * Proves a hooks token without side effects: `POST <hooks.path>/wake` with `{}`. The gateway checks the token before
 * the body, so 400 ("text required") means accepted and 401 refused.
 */
export async function checkHooksToken(
  http: HttpClient,
  baseUrl: string,
  token: string,
  opts: {hooksPath?: string; timeoutMs?: number} = {},
): Promise<TokenCheck> {
  const url = `${baseUrl.replace(/\/+$/, '')}${opts.hooksPath ?? '/hooks'}/wake`
  try {
    const res = await http.request({
      method: 'POST',
      url,
      headers: {authorization: `Bearer ${token}`, 'content-type': 'application/json'},
      body: '{}',
      timeoutMs: opts.timeoutMs ?? 10_000,
    })
    if (res.status === 400 || res.status === 200)
      return {
        verdict: 'accepted',
        detail: `POST ${opts.hooksPath ?? '/hooks'}/wake answered ${res.status} (token accepted)`,
      }
    if (res.status === 401) return {verdict: 'rejected', detail: 'hooks token refused (401)'}
    if (res.status === 429)
      return {
        verdict: 'throttled',
        detail: `too many failed hook attempts (429, retry after ${res.headers['retry-after'] ?? '?'} s)`,
      }
    if (res.status === 404)
      return {
        verdict: 'unexpected',
        detail: `no hooks endpoint at ${url} (404): hooks are disabled or hooks.path differs`,
      }
    return {verdict: 'unexpected', detail: `POST ${url} answered ${res.status}`}
  } catch (error) {
    if (error instanceof HttpFailure) return {verdict: 'unreachable', detail: describeFailure(error.kind)}
    throw error
  }
}
