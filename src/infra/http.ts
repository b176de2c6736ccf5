import type {ProxyAgent} from 'undici'
import {peerHostKind} from '../core/pairing/peer-url.js'
import type {Redactor} from '../core/secrets/redact.js'
import {PlainBodyTooLarge, plainHttpRequest} from './plain-http.js'
import {monotonicMs} from '../core/common/duration.js'

/**
 * A small HTTP client over fetch with a hard timeout and a hard body cap on every request. Everything claw-mesh
 * reads from a peer, a gateway or a webhook goes through here, so one cap bounds the memory any answer can cost.
 */
export interface HttpRequest {
  method?: string
  url: string
  headers?: Record<string, string>
  body?: string
  timeoutMs: number
  /** The most body bytes to read before giving up with HttpFailure 'too-large' (default MAX_BODY_BYTES). */
  maxBodyBytes?: number
}

export interface HttpResponse {
  status: number
  headers: Record<string, string>
  body: string
  /** Milliseconds from send to full body. */
  latencyMs: number
  json<T = unknown>(): T | undefined
}

/** 1 MiB: far above any answer a gateway gives (health, hook acks, run completions), far below harm. */
export const MAX_BODY_BYTES = 1024 * 1024

export type HttpFailureKind =
  'timeout' | 'refused' | 'unreachable' | 'dns' | 'reset' | 'tls' | 'too-large' | 'proxy' | 'moved' | 'other'

export class HttpFailure extends Error {
  constructor(
    readonly kind: HttpFailureKind,
    readonly url: string,
    message: string,
  ) {
    super(message)
    this.name = 'HttpFailure'
  }
}

export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>
}

class BodyTooLarge extends Error {}

function classify(error: unknown, proxied = false): HttpFailureKind {
  if (error instanceof BodyTooLarge || error instanceof PlainBodyTooLarge) return 'too-large'
  const message = String((error as Error)?.message ?? '') + String((error as {cause?: Error})?.cause?.message ?? '')
  if (proxied) {
    // tailscaled answers a CONNECT it cannot complete with a 500 (the dial error in a header undici drops); undici
    // reports that as a tunnelling failure or a cancelled request.
    if (
      (error as Error)?.name !== 'TimeoutError' &&
      /Proxy response \(\d+\) !== 200|Request was cancelled/.test(message)
    )
      return 'unreachable'
    const cause = (error as {cause?: {code?: string; address?: string}})?.cause
    if (cause?.code === 'ECONNREFUSED' && /^127\.|^::1$/.test(cause.address ?? '')) return 'proxy'
  }
  const cause = (error as {cause?: {code?: string}})?.cause
  const code = String(cause?.code ?? (error as {code?: string})?.code ?? '')
  if ((error as Error)?.name === 'TimeoutError' || (error as Error)?.name === 'AbortError') return 'timeout'
  if (code === 'ECONNREFUSED') return 'refused'
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') return 'unreachable'
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'dns'
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return 'reset'
  if (code.startsWith('ERR_TLS') || code.includes('CERT')) return 'tls'
  return 'other'
}

const DESCRIBE: Record<HttpFailureKind, string> = {
  timeout: 'no answer before the timeout',
  refused: 'connection refused (nothing listening on that address and port)',
  unreachable: 'host unreachable',
  dns: 'name did not resolve',
  reset: 'connection reset',
  tls: 'TLS error',
  proxy:
    "tailscaled's proxy on loopback did not answer (userspace networking: is tailscaled running? claw-mesh doctor --only tailscale-proxy)",
  'too-large':
    "the answer was larger than claw-mesh's body limit (1 MiB unless raised for that request): cut off unread",
  moved:
    "refused: the peer's name no longer resolves to the tailnet address it was added at (if it really moved: claw-mesh peer add URL --name NAME --replace NAME, or pair again)",
  other: 'request failed',
}

function failureCause(error: unknown): string | undefined {
  const e = error as {message?: string; code?: string; cause?: {message?: string; code?: string}}
  const text = [e?.cause?.code ?? e?.code, e?.cause?.message ?? e?.message].filter(Boolean).join(': ')
  return text ? text.replace(/\s+/g, ' ').slice(0, 160) : undefined
}

export function describeFailure(kind: HttpFailureKind): string {
  return DESCRIBE[kind]
}

/**
 * Reads a fetch body as UTF-8 text, at most `max` bytes: a Content-Length over the cap is refused before a byte is
 * read, and a streamed body is cancelled the moment it passes the cap (the connection is dropped, nothing buffered).
 * Exported for any other reader of untrusted HTTP bodies.
 */
export async function readBodyCapped(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? Number.NaN)
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel().catch(() => {})
    throw new BodyTooLarge()
  }
  if (!res.body) return ''
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const {done, value} = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > max) {
      await reader.cancel().catch(() => {})
      throw new BodyTooLarge()
    }
    chunks.push(value)
  }
  return new TextDecoder().decode(Buffer.concat(chunks))
}

/** Loopback as the peer-URL rules define it (127.0.0.0/8, ::1, localhost): always direct, never through a proxy. */
async function fetchAnswer(
  res: Response,
  max: number,
): Promise<{status: number; headers: Record<string, string>; raw: string}> {
  const raw = await readBodyCapped(res, max)
  const headers: Record<string, string> = {}
  res.headers.forEach((v, k) => (headers[k] = v))
  return {status: res.status, headers, raw}
}

export function isLoopbackUrl(url: string): boolean {
  try {
    return peerHostKind(new URL(url).hostname) === 'loopback'
  } catch {
    return false
  }
}

/**
 * The production client. With a redactor, every body is redacted as it arrives: no peer has a reason to echo one
 * of our secrets, and redacting on arrival means no later cut (an error quoting the first 200 characters) can
 * leave a fragment of one behind.
 */
export function createFetchHttpClient(redactor?: Redactor, opts: {proxy?: () => string | undefined} = {}): HttpClient {
  // undici is loaded only in userspace networking: every other run (and every command's start-up) goes without it.
  let undici: Promise<typeof import('undici')> | undefined
  const agents = new Map<string, ProxyAgent>()
  const agentFor = async (proxy: string) => {
    const {ProxyAgent: Agent, fetch: proxiedFetch} = await (undici ??= import('undici'))
    let agent = agents.get(proxy)
    if (!agent) agents.set(proxy, (agent = new Agent({uri: proxy, proxyTunnel: true})))
    return {agent, proxiedFetch}
  }
  return {
    async request(req) {
      const started = monotonicMs()
      const max = req.maxBodyBytes ?? MAX_BODY_BYTES
      // Outside the try: a bad proxy setting is the user's error to see, not a network failure.
      const proxy = isLoopbackUrl(req.url) ? undefined : opts.proxy?.()
      try {
        const init = {
          method: req.method ?? 'GET',
          headers: req.headers,
          body: req.body,
          signal: AbortSignal.timeout(req.timeoutMs),
          redirect: 'manual' as const,
        }
        // Userspace networking: no route to the tailnet but through tailscaled's own proxy (CONNECT, for http too).
        // Plain http otherwise goes through node:http, which costs nothing to start (plain-http.ts); https through fetch.
        let answer: {status: number; headers: Record<string, string>; raw: string}
        if (proxy) {
          const {agent, proxiedFetch} = await agentFor(proxy)
          answer = await fetchAnswer(
            (await proxiedFetch(req.url, {...init, dispatcher: agent})) as unknown as Response,
            max,
          )
        } else if (req.url.startsWith('http:')) answer = await plainHttpRequest(req.url, init, max)
        else answer = await fetchAnswer(await fetch(req.url, init), max)
        const body = redactor ? redactor.redact(answer.raw) : answer.raw
        const headers = answer.headers
        return {
          status: answer.status,
          headers,
          body,
          latencyMs: Math.round(monotonicMs() - started),
          json<T>() {
            try {
              return JSON.parse(body) as T
            } catch {
              return undefined
            }
          },
        }
      } catch (error) {
        const kind = classify(error, proxy !== undefined)
        // An unclassified failure says what the network stack said (capped): "request failed" alone leaves nothing to act on.
        const cause = kind === 'other' ? failureCause(error) : undefined
        const what =
          kind === 'too-large'
            ? `the answer was over ${max} bytes: cut off unread`
            : `${DESCRIBE[kind]}${cause ? ` (${cause})` : ''}`
        throw new HttpFailure(kind, req.url, `${req.method ?? 'GET'} ${req.url}: ${what}`)
      }
    },
  }
}
