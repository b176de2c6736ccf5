import {describe, expect, it} from 'vitest'
import {waitForGateway} from '../../src/services/gateway/health.js'
import {fakeClock, httpStubs, type FakeClock} from '../helpers/fakes/index.js'

/** A clock that only moves when slept on. */
const sleepingClock = () => fakeClock({start: 0, autoAdvance: true})

/** Answers by path from a script indexed by the clock's time; every probe is a GET of /healthz or /readyz. */
function scriptedHttp(clock: FakeClock, answer: (path: string, t: number) => number | 'refused') {
  return httpStubs().on(
    'GET',
    /\/(healthz|readyz)$/,
    (req) => {
      const a = answer(new URL(req.url).pathname, clock.elapsed())
      return a === 'refused'
        ? 'refused'
        : {status: a, body: a === 200 ? {ready: true} : {ready: false, failing: ['startup-sidecars']}}
    },
    {times: 'any'},
  ).client
}

describe('waitForGateway', () => {
  it('waits for /healthz, then /readyz, and reports when it became live', async () => {
    const clock = sleepingClock()
    const http = scriptedHttp(clock, (path, t) =>
      t < 15_000 ? 'refused' : path === '/healthz' ? 200 : t < 18_000 ? 503 : 200,
    )
    const progress: string[] = []
    const r = await waitForGateway(
      {http, clock},
      {baseUrl: 'http://127.0.0.1:1', timeoutMs: 60_000, onProgress: (m) => progress.push(m)},
    )
    expect(r).toMatchObject({healthy: true, ready: true, liveAfterMs: 15_000, elapsedMs: 18_000})
    expect(progress[0]).toMatch(/^waiting for http:\/\/127.0.0.1:1\/healthz \(0 s, connection refused/)
    expect(progress.at(-1)).toBe('live; waiting for /readyz (503 (failing: startup-sidecars))')
  })

  it('stops at once when the process reports a failure', async () => {
    const clock = sleepingClock()
    const http = scriptedHttp(clock, () => 'refused')
    const r = await waitForGateway(
      {http, clock},
      {
        baseUrl: 'http://h:1',
        timeoutMs: 60_000,
        failed: async () => (clock.elapsed() >= 2000 ? 'EADDRINUSE' : undefined),
      },
    )
    expect(r).toMatchObject({healthy: false, failure: 'EADDRINUSE', elapsedMs: 2000})
  })

  it('times out when /healthz never answers', async () => {
    const clock = sleepingClock()
    const r = await waitForGateway(
      {http: scriptedHttp(clock, () => 'refused'), clock},
      {baseUrl: 'http://h:1', timeoutMs: 5000},
    )
    expect(r).toMatchObject({healthy: false, ready: false})
    expect(r.failure).toBeUndefined()
    expect(r.elapsedMs).toBeGreaterThanOrEqual(5000)
  })

  it('does not hold a live gateway hostage to a readiness that never comes', async () => {
    const clock = sleepingClock()
    const http = scriptedHttp(clock, (path) => (path === '/healthz' ? 200 : 503))
    const r = await waitForGateway({http, clock}, {baseUrl: 'http://h:1', timeoutMs: 120_000, readyGraceMs: 10_000})
    expect(r).toMatchObject({healthy: true, ready: false, elapsedMs: 10_000})
  })
})
