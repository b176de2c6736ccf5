/**
 * A fake OpenClaw gateway on 127.0.0.1 (a random port, or the host/port given), for peer, send and broadcast tests and benchmarks.
 * It answers like the real one (see docs/reference/openclaw-gateway.md):
 *   GET /healthz (/health)   200 {"ok":true,"status":"live"}
 *   GET /readyz (/ready)     200 {"ready":true}   (503 {"ready":false} in mode "unready")
 *   POST /hooks/wake         401 without or with a wrong token; 400 {"ok":false,"error":"text required"} with the
 *                            right token and no text; 200 {"ok":true,"mode":"now","eventOutcome":"queued"} with text
 *   POST /hooks/agent        200 {"ok":true,"runId":"…"}; same idempotency key → same runId
 *   ?token= on a hook        400; non-POST on a hook → 405 (Allow: POST); body > 256 KiB → 413;
 *   20 failed auths a minute → 429 with Retry-After (the real gateway's throttle; loopback not exempt).
 * Modes: healthy, down (nothing listens on the port), silent (accepts TCP, never answers), unready.
 * Plain erasable TypeScript (no enums, no parameter properties) so Node 24 can import it from bench/*.mjs.
 */
import {createHmac, randomUUID} from 'node:crypto'
import http from 'node:http'
import net from 'node:net'
import {createFakeA2a, type FakeA2a, type FakeA2aOptions} from './fake-a2a.ts'

export type FakePeerMode = 'healthy' | 'down' | 'silent' | 'unready'

export interface FakePeerOptions {
  /** The hooks token the peer accepts. */
  token?: string
  mode?: FakePeerMode
  /** Delay before every answer (simulates a slow link). */
  delayMs?: number
  /** Failed authentications per minute before 429 (the real gateway: 20). */
  authFailureLimit?: number
  /** Listen address (default 127.0.0.1; any 127.x.y.z works on Linux, e.g. one per simulated host). */
  host?: string
  /** Listen port (default: a free one). */
  port?: number
  /**
   * Also run claw-mesh's plugin proof route (POST /claw-mesh/v1/proof) with this member's name and proof key, as
   * bootstrap writes them. Computed here from the wire format, independently of the plugin's own code.
   */
  proof?: {name: string; key: string}
  /** Also run an A2A channel (see fake-a2a.ts). */
  a2a?: FakeA2aOptions
  /**
   * Serve a claw-mesh card at GET /claw-mesh/v1/card, as claw-mesh's plugin does on a real gateway (an object is
   * sent as JSON, a string as is: hostile bodies). Without it that path is a 404, as on a gateway without the plugin.
   */
  meshCard?: Record<string, unknown> | string
}

export interface FakePeerMessage {
  path: string
  headers: http.IncomingHttpHeaders
  body: Record<string, unknown>
  at: number
}

export interface FakePeer {
  url: string
  port: number
  mode: FakePeerMode
  token: string
  /** Requests received, by path (without query). */
  requests: Record<string, number>
  /** Accepted hook calls (wake with text, agent), in order. */
  messages: FakePeerMessage[]
  /** Hook calls refused for a bad or missing token. */
  authFailures: number
  /** TCP connections accepted (also counts silent-mode connections). */
  connections: number
  /** The A2A channel, when started with one. */
  a2a?: FakeA2a
  close(): Promise<void>
}

const MAX_BODY = 256 * 1024

/** The member's answer: HMAC-SHA256(key, "claw-mesh proof v1\n<challenge>\n<caller>\n<own name>"). */
function answerProof(proof: {name: string; key: string}, raw: string): {name: string; proof: string} {
  const req = JSON.parse(raw) as {challenge: string; from: string}
  const mac = createHmac('sha256', Buffer.from(proof.key, 'base64url'))
    .update(`claw-mesh proof v1\n${req.challenge}\n${req.from}\n${proof.name}`)
    .digest('base64url')
  return {name: proof.name, proof: mac}
}

function send(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    ...headers,
  })
  res.end(text)
}

function bearer(req: http.IncomingMessage): string | undefined {
  const auth = req.headers.authorization
  const match = auth ? /^Bearer\s+(.+)$/i.exec(auth) : null
  if (match && match[1].trim()) return match[1].trim()
  const header = req.headers['x-openclaw-token']
  return typeof header === 'string' && header ? header : undefined
}

function idempotencyKey(req: http.IncomingMessage, body: Record<string, unknown>): string | undefined {
  const fromHeader = req.headers['idempotency-key'] ?? req.headers['x-openclaw-idempotency-key']
  const raw =
    typeof fromHeader === 'string'
      ? fromHeader
      : typeof body.idempotencyKey === 'string'
        ? body.idempotencyKey
        : undefined
  const key = raw?.trim()
  return key && key.length <= 256 ? key : undefined
}

/** Asks the OS for a free port, then releases it: nothing listens there afterwards ("down"). */
async function closedPort(host: string): Promise<number> {
  const server = net.createServer()
  await new Promise<void>((resolve) => server.listen(0, host, resolve))
  const port = (server.address() as net.AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

export async function startFakePeer(opts: FakePeerOptions = {}): Promise<FakePeer> {
  const mode = opts.mode ?? 'healthy'
  const host = opts.host ?? '127.0.0.1'
  const token = opts.token ?? `hooks-${randomUUID()}`
  const limit = opts.authFailureLimit ?? 20
  const runIds = new Map<string, string>()
  const failureTimes: number[] = []
  const sockets = new Set<net.Socket>()
  const a2a = opts.a2a ? createFakeA2a(opts.a2a) : undefined
  const peer: FakePeer = {
    url: '',
    port: 0,
    mode,
    token,
    requests: {},
    messages: [],
    authFailures: 0,
    connections: 0,
    a2a,
    close: async () => {},
  }

  if (mode === 'down') {
    peer.port = opts.port ?? (await closedPort(host))
    peer.url = `http://${host}:${peer.port}`
    return peer
  }

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, raw: string, size: number) => {
    const url = new URL(req.url ?? '/', 'http://fake')
    const path = url.pathname
    peer.requests[path] = (peer.requests[path] ?? 0) + 1
    if (opts.delayMs) await new Promise((r) => setTimeout(r, opts.delayMs))
    if (req.method === 'GET' || req.method === 'HEAD') {
      if (path === '/healthz' || path === '/health') return send(res, 200, {ok: true, status: 'live'})
      if (path === '/readyz' || path === '/ready')
        return mode === 'unready' ? send(res, 503, {ready: false}) : send(res, 200, {ready: true})
      if (path === '/claw-mesh/v1/card' && opts.meshCard !== undefined)
        return send(res, 200, opts.meshCard, {'content-type': 'application/json; charset=utf-8'})
    }
    if (a2a?.handle(req, res, raw, path)) return
    if (path === '/claw-mesh/v1/proof' && opts.proof && req.method === 'POST')
      return send(res, 200, answerProof(opts.proof, raw))
    if (path !== '/hooks/wake' && path !== '/hooks/agent') return send(res, 404, 'Not Found')
    if (req.method !== 'POST') return send(res, 405, 'Method Not Allowed', {allow: 'POST'})
    if (url.searchParams.has('token')) return send(res, 400, {ok: false, error: 'token query parameter is not allowed'})
    const now = Date.now()
    while (failureTimes.length && now - failureTimes[0] > 60_000) failureTimes.shift()
    if (bearer(req) !== token) {
      if (failureTimes.length >= limit)
        return send(res, 429, {ok: false, error: 'too many failed attempts'}, {'retry-after': '60'})
      failureTimes.push(now)
      peer.authFailures++
      return send(res, 401, 'Unauthorized')
    }
    failureTimes.length = 0 // valid authentication resets the counter
    if (size > MAX_BODY) return send(res, 413, {ok: false, error: 'payload too large'})
    let body: Record<string, unknown>
    try {
      const parsed: unknown = raw ? JSON.parse(raw) : {}
      body = parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {}
    } catch {
      return send(res, 400, {ok: false, error: 'invalid JSON'})
    }
    if (path === '/hooks/wake') {
      if (typeof body.text !== 'string' || !body.text.trim()) return send(res, 400, {ok: false, error: 'text required'})
      peer.messages.push({path, headers: req.headers, body, at: now})
      return send(res, 200, {
        ok: true,
        mode: body.mode === 'next-heartbeat' ? 'next-heartbeat' : 'now',
        eventOutcome: 'queued',
      })
    }
    if (typeof body.message !== 'string' || !body.message.trim())
      return send(res, 400, {ok: false, error: 'message required'})
    const key = idempotencyKey(req, body)
    const known = key ? runIds.get(key) : undefined
    if (known) return send(res, 200, {ok: true, runId: known})
    const runId = randomUUID()
    if (key) runIds.set(key, runId)
    peer.messages.push({path, headers: req.headers, body, at: now})
    return send(res, 200, {ok: true, runId})
  }

  let server: net.Server
  if (mode === 'silent') {
    // Accepts the connection, reads the request, never answers: the worst case for a prober without deadlines.
    server = net.createServer((socket) => {
      socket.on('data', (chunk) => {
        const line = /^[A-Z]+ (\S+)/.exec(chunk.toString('latin1'))
        if (line) {
          const path = new URL(line[1], 'http://fake').pathname
          peer.requests[path] = (peer.requests[path] ?? 0) + 1
        }
      })
      socket.on('error', () => {})
    })
  } else {
    server = http.createServer((req, res) => {
      const chunks: Buffer[] = []
      let size = 0
      req.on('data', (c: Buffer) => {
        size += c.length
        if (size <= MAX_BODY) chunks.push(c) // keep memory bounded; the size decides 413
      })
      req.on('end', () => {
        handle(req, res, Buffer.concat(chunks).toString('utf8'), size).catch((error) =>
          send(res, 500, {ok: false, error: String(error)}),
        )
      })
    })
  }
  server.on('connection', (socket: net.Socket) => {
    peer.connections++
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, host, resolve)
  })
  peer.port = (server.address() as net.AddressInfo).port
  peer.url = `http://${host}:${peer.port}`
  peer.close = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy()
      server.close(() => resolve())
    })
  return peer
}

export interface FakePeerFleet {
  peers: FakePeer[]
  close(): Promise<void>
}

/** Starts `n` fake peers; `opts` may vary by index (e.g. the first 10 silent). */
export async function startFakePeers(
  n: number,
  opts: FakePeerOptions | ((index: number) => FakePeerOptions) = {},
): Promise<FakePeerFleet> {
  const peers = await Promise.all(
    Array.from({length: n}, (_, i) => startFakePeer(typeof opts === 'function' ? opts(i) : opts)),
  )
  return {peers, close: async () => void (await Promise.all(peers.map((p) => p.close())))}
}
