import {checkAtEnd} from './runner.js'
import {
  HttpFailure,
  type HttpClient,
  type HttpFailureKind,
  type HttpRequest,
  type HttpResponse,
} from '../../../src/infra/http.js'

/**
 * The HTTP fake (the `http` seam in deps): a registry of stubs by method and URL. A request no stub matches fails
 * the test naming its method and URL; a stub that was never used fails it when the test ends (unless it is
 * `{times: 'any'}`). Like the real client, an answer's json() is undefined when the body is not JSON, and a
 * transport failure is an HttpFailure (`failWith('refused')`).
 */
export interface StubAnswer {
  status?: number
  /** A string is sent as is; anything else as JSON. */
  body?: unknown
  headers?: Record<string, string>
}

/** What a stub answers: a response, a transport failure, or a function of the request that returns either. */
export type Reply =
  | StubAnswer
  | HttpFailureKind
  | ((req: HttpRequest) => StubAnswer | HttpFailureKind | Promise<StubAnswer | HttpFailureKind>)

interface Stub {
  method: string
  url: string | RegExp | ((url: string) => boolean)
  reply: Reply
  times: number | 'any'
  used: number
}

export interface HttpStubs {
  client: HttpClient
  /** Every request, in order (headers and body included: assert what a peer was sent). */
  requests: HttpRequest[]
  /** Adds a stub; `method` '*' matches any. `times` (default 1): how often it must answer, or 'any' (0 or more). */
  on(method: string, url: Stub['url'], reply: Reply, opts?: {times?: number | 'any'}): HttpStubs
  urls(): string[]
  assertDone(): void
}

/** The transport failure a stub answers with, as the real client reports it. */
export const failWith = (kind: HttpFailureKind): HttpFailureKind => kind

export function response(answer: StubAnswer, latencyMs = 1): HttpResponse {
  const body =
    typeof answer.body === 'string' ? answer.body : answer.body === undefined ? '' : JSON.stringify(answer.body)
  return {
    status: answer.status ?? 200,
    headers: answer.headers ?? {},
    body,
    latencyMs,
    json<T>() {
      try {
        return JSON.parse(body) as T
      } catch {
        return undefined // as the real client: a body that is not JSON has no JSON
      }
    },
  }
}

const matches = (stub: Stub, req: HttpRequest) => {
  const method = (req.method ?? 'GET').toUpperCase()
  if (stub.method !== '*' && stub.method.toUpperCase() !== method) return false
  if (typeof stub.url === 'string') return stub.url === req.url
  if (stub.url instanceof RegExp) return stub.url.test(req.url)
  return stub.url(req.url)
}

export function httpStubs(): HttpStubs {
  const stubs: Stub[] = []
  const requests: HttpRequest[] = []
  const failures: Error[] = []
  const self: HttpStubs = {
    requests,
    urls: () => requests.map((r) => r.url),
    on(method, url, reply, opts = {}) {
      stubs.push({method, url, reply, times: opts.times ?? 1, used: 0})
      return self
    },
    client: {
      async request(req) {
        requests.push(req)
        // A stub with answers left wins over one used up, so `times` orders answers to the same URL.
        const candidates = stubs.filter((s) => matches(s, req))
        const stub = candidates.find((s) => s.times === 'any' || s.used < s.times)
        if (!stub) {
          const error = new Error(
            `unexpected HTTP request: ${(req.method ?? 'GET').toUpperCase()} ${req.url}${candidates.length ? ' (its stubs are used up)' : ''}`,
          )
          failures.push(error)
          throw error
        }
        stub.used++
        const answer = typeof stub.reply === 'function' ? await stub.reply(req) : stub.reply
        if (typeof answer === 'string') throw new HttpFailure(answer, req.url, answer)
        return response(answer)
      },
    },
    assertDone: () => done(),
  }
  const done = checkAtEnd(() => {
    if (failures.length > 0) throw failures[0]
    const unused = stubs.filter((s) => s.times !== 'any' && s.used < s.times)
    if (unused.length > 0)
      throw new Error(
        `HTTP stubs never used:\n${unused.map((s) => `  ${s.method} ${String(s.url)} (${s.used} of ${s.times})`).join('\n')}`,
      )
  })
  return self
}

/**
 * Every gateway asked is up: GET /healthz and /readyz answer live, as often as asked. Anything else (a hook, a card,
 * an A2A call) is not a health probe and fails the test unless the test adds a stub for it.
 */
export function liveGateways(refused = false): HttpStubs {
  return httpStubs().on('GET', /\/(healthz|readyz)$/, refused ? 'refused' : {body: {ok: true, status: 'live'}}, {
    times: 'any',
  })
}
