/**
 * Retry policy for talking to a peer gateway: exponential backoff with full jitter, Retry-After honoured,
 * bounded by a number of attempts and by a total deadline. Pure: time and randomness are passed in.
 */
export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number
  /** Delay before the second attempt, before jitter. */
  baseDelayMs: number
  /** Cap on one backoff delay. */
  maxDelayMs: number
  /** Total time budget from the first attempt; no new attempt starts past it. */
  deadlineMs: number
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 8000,
  deadlineMs: 60_000,
}

/** HTTP answers worth retrying: throttled (429), the gateway failed preparing (502) or admitting (503) the run. */
export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([429, 502, 503])

/**
 * The delay before attempt `attempt + 1` (attempt counts from 1): full jitter over base·2^(attempt-1), capped.
 * Full jitter spreads the retries of a broadcast's many senders instead of having them hit a gateway together.
 */
export function backoffDelay(
  attempt: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1))
  return Math.round(ceiling * random())
}

/** Retry-After as delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined
  const text = value.trim()
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000)
  const at = Date.parse(text)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, at - now.getTime())
}

export type RetryDecision =
  {retry: true; delayMs: number} | {retry: false; reason: 'attempts' | 'deadline' | 'retry-after-too-long'}

/**
 * Whether to try again after a retryable failure, and after how long. `elapsedMs` is the time since the first
 * attempt started; a server-given Retry-After wins over the backoff, and a wait that would end past the
 * deadline is not started (the caller reports the failure at once instead of sleeping in vain).
 */
export function retryDecision(input: {
  attempt: number
  elapsedMs: number
  retryAfterMs?: number
  policy: RetryPolicy
  random?: () => number
}): RetryDecision {
  const {attempt, elapsedMs, retryAfterMs, policy} = input
  if (attempt >= policy.maxAttempts) return {retry: false, reason: 'attempts'}
  const delayMs = retryAfterMs ?? backoffDelay(attempt, policy, input.random)
  if (elapsedMs + delayMs >= policy.deadlineMs)
    return {retry: false, reason: retryAfterMs === undefined ? 'deadline' : 'retry-after-too-long'}
  return {retry: true, delayMs}
}
