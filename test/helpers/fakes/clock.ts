import type {Clock} from '../../../src/infra/clock.js'

/**
 * The clock fake (the `clock` seam): time moves only when the test says so. `sleep` resolves once `advance` has
 * moved time past its deadline (or at once, moving time itself, with `{autoAdvance: true}`: for code that sleeps
 * between polls and a test that only cares how long it waited). An aborted sleep rejects with the signal's reason.
 */
export interface FakeClock extends Clock {
  /** Moves time forward, resolving every sleep whose deadline it passes. */
  advance(ms: number): Promise<void>
  /** Every sleep asked for, in ms, in order. */
  slept: number[]
  /** Milliseconds since the start. */
  elapsed(): number
  /** Sleeps not yet resolved. */
  pending(): number
}

export function fakeClock(opts: {start?: Date | string | number; autoAdvance?: boolean} = {}): FakeClock {
  const start = opts.start === undefined ? Date.parse('2026-12-01T00:00:00Z') : new Date(opts.start).getTime()
  let t = start
  const waiting: {until: number; resolve: () => void}[] = []
  const clock: FakeClock = {
    slept: [],
    now: () => new Date(t),
    elapsed: () => t - start,
    pending: () => waiting.length,
    sleep(ms, signal) {
      clock.slept.push(ms)
      if (signal?.aborted) return Promise.reject(signal.reason)
      if (opts.autoAdvance) {
        t += ms
        return Promise.resolve()
      }
      return new Promise<void>((resolve, reject) => {
        const entry = {until: t + ms, resolve}
        waiting.push(entry)
        signal?.addEventListener(
          'abort',
          () => {
            waiting.splice(waiting.indexOf(entry), 1)
            reject(signal.reason)
          },
          {once: true},
        )
      })
    },
    async advance(ms) {
      t += ms
      for (const w of waiting.filter((x) => x.until <= t)) {
        waiting.splice(waiting.indexOf(w), 1)
        w.resolve()
      }
      // Let the code that slept run up to its next await before the test goes on.
      for (let i = 0; i < 10; i++) await Promise.resolve()
    },
  }
  return clock
}
