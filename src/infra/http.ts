/** A small HTTP client over fetch with a hard timeout on every request. */
export interface HttpRequest {
  method?: string
  url: string
  headers?: Record<string, string>
  body?: string
  timeoutMs: number
}

export interface HttpResponse {
  status: number
  headers: Record<string, string>
  body: string
  /** Milliseconds from send to full body. */
  latencyMs: number
  json<T = unknown>(): T | undefined
}

export type HttpFailureKind = 'timeout' | 'refused' | 'unreachable' | 'dns' | 'reset' | 'tls' | 'other'

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

function classify(error: unknown): HttpFailureKind {
  const cause = (error as {cause?: {code?: string}})?.cause
  const code = cause?.code ?? (error as {code?: string})?.code ?? ''
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
  other: 'request failed',
}

export function describeFailure(kind: HttpFailureKind): string {
  return DESCRIBE[kind]
}

export function createFetchHttpClient(): HttpClient {
  return {
    async request(req) {
      const started = performance.now()
      try {
        const res = await fetch(req.url, {
          method: req.method ?? 'GET',
          headers: req.headers,
          body: req.body,
          signal: AbortSignal.timeout(req.timeoutMs),
          redirect: 'manual',
        })
        const body = await res.text()
        const headers: Record<string, string> = {}
        res.headers.forEach((v, k) => (headers[k] = v))
        return {
          status: res.status,
          headers,
          body,
          latencyMs: Math.round(performance.now() - started),
          json<T>() {
            try {
              return JSON.parse(body) as T
            } catch {
              return undefined
            }
          },
        }
      } catch (error) {
        const kind = classify(error)
        throw new HttpFailure(kind, req.url, `${req.method ?? 'GET'} ${req.url}: ${DESCRIBE[kind]}`)
      }
    },
  }
}
