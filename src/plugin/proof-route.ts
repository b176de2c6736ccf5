import type {IncomingMessage, ServerResponse} from 'node:http'
import {
  MAX_PROOF_BODY,
  PROOF_PATH,
  parseProofRequest,
  proveMesh,
  readProofSettings,
} from '../core/pairing/mesh-proof.js'
import {PLUGIN_ID, currentConfig, type PluginApi} from './host.js'

/**
 * The member's half of the mesh-secret proof (src/core/pairing/mesh-proof.ts): `POST /claw-mesh/v1/proof` answers a
 * discoverer's challenge with an HMAC under this member's own proof key. The route is `auth: "plugin"` because the
 * caller has no token for this gateway yet — proving membership is what comes before any token. So it is built for
 * strangers: POST only, a 1 KiB body cap, a per-address rate limit, fixed error texts (nothing of the input is
 * echoed), and no answer at all without a proof key (a member bootstrapped without the mesh secret has none).
 */
export interface RouteApi extends PluginApi {
  registerHttpRoute?(route: {
    path: string
    auth: 'plugin' | 'gateway'
    match?: 'exact' | 'prefix'
    handler: (req: IncomingMessage, res: ServerResponse) => Promise<boolean> | boolean
  }): void
}

/** Per remote address and per 10 s window; discovery sends one request per member per run. */
export const PROOF_RATE = {windowMs: 10_000, perAddress: 20, total: 200}

export interface RateLimiter {
  allow(address: string): boolean
}

export function rateLimiter(now: () => number = Date.now, limits = PROOF_RATE): RateLimiter {
  let windowStart = now()
  let total = 0
  const counts = new Map<string, number>()
  return {
    allow(address) {
      if (now() - windowStart >= limits.windowMs) {
        windowStart = now()
        total = 0
        counts.clear()
      }
      const n = (counts.get(address) ?? 0) + 1
      if (n > limits.perAddress || total >= limits.total) return false
      counts.set(address, n)
      total += 1
      return true
    },
  }
}

function send(
  res: ServerResponse,
  status: number,
  body: Record<string, unknown>,
  headers: Record<string, string> = {},
): true {
  res.writeHead(status, {'content-type': 'application/json', 'cache-control': 'no-store', ...headers})
  res.end(JSON.stringify(body))
  return true
}

/** The body as text, or undefined once it passes the cap (the rest is not read). */
function readBody(req: IncomingMessage, cap: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > cap) {
        resolve(undefined)
        req.removeAllListeners('data')
        req.resume()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', () => resolve(undefined))
  })
}

/** This member's proof settings, read live: a key written after the gateway started is used at once. */
function proofSettings(api: PluginApi): {name: string; key: string} | undefined {
  const config = currentConfig(api) as
    {plugins?: {entries?: Record<string, {config?: {meshProof?: unknown}}>}} | undefined
  return (
    readProofSettings(config?.plugins?.entries?.[PLUGIN_ID]?.config?.meshProof) ??
    readProofSettings((api.pluginConfig as {meshProof?: unknown} | undefined)?.meshProof)
  )
}

export function proofHandler(api: PluginApi, limiter: RateLimiter = rateLimiter()) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    if (req.method !== 'POST') return send(res, 405, {error: 'method-not-allowed'}, {allow: 'POST'})
    if (!limiter.allow(req.socket.remoteAddress ?? '?'))
      return send(res, 429, {error: 'rate-limited'}, {'retry-after': String(PROOF_RATE.windowMs / 1000)})
    const declared = Number(req.headers['content-length'] ?? 0)
    if (declared > MAX_PROOF_BODY) return send(res, 413, {error: 'too-large'})
    const body = await readBody(req, MAX_PROOF_BODY)
    if (body === undefined) return send(res, 413, {error: 'too-large'})
    const request = parseProofRequest(body)
    if (!request) return send(res, 400, {error: 'bad-request'})
    const settings = proofSettings(api)
    if (!settings) return send(res, 404, {error: 'no-proof-key'})
    return send(res, 200, {
      name: settings.name,
      proof: proveMesh(settings.key, {challenge: request.challenge, from: request.from, to: settings.name}),
    })
  }
}

/** Registers the route when this OpenClaw has plugin HTTP routes (2026.9.6 does). */
export function registerProofRoute(api: RouteApi): void {
  api.registerHttpRoute?.({path: PROOF_PATH, auth: 'plugin', match: 'exact', handler: proofHandler(api)})
}
