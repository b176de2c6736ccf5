import {UsageError} from './errors.js'

const UNITS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000}

/** Parses `90`, `90s`, `2m`, `1h30m`, `500ms` into milliseconds. A bare number means seconds. */
export function parseDuration(value: string, flag = '--timeout'): number {
  const text = value.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000)
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/gy
  let total = 0
  let consumed = 0
  let match: RegExpExecArray | null
  while ((match = re.exec(text)) !== null) {
    total += Number(match[1]) * UNITS[match[2]]
    consumed = re.lastIndex
  }
  if (consumed !== text.length || text.length === 0 || total <= 0) {
    throw new UsageError(`${flag} ${JSON.stringify(value)} is not a duration.`, {
      hint: `Pass a positive duration such as 30s, 2m or 1h (a bare number means seconds).`,
    })
  }
  return Math.round(total)
}

/**
 * Milliseconds on a monotonic clock, for measuring how long something took. Node's global `performance` loads its
 * perf_hooks module (nine modules, ~3 ms) on first use; the process's own high-resolution clock needs nothing.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6
}
