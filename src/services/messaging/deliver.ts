import {RETRYABLE_STATUSES, parseRetryAfter, retryDecision, type RetryPolicy} from '../../core/common/retry.js'
import type {HookOutcome, HookRequest} from '../../core/a2a/hook-message.js'
import type {Deps} from '../../deps.js'
import {stripControlValue} from '../../core/common/terminal-text.js'
import {describeFailure, HttpFailure} from '../../infra/http.js'

export interface DeliveryTarget {
  url: string
  token: string
}

export interface Delivery {
  ok: boolean
  /** The last attempt's outcome (the successful one when ok). */
  outcome: HookOutcome
  attempts: number
  elapsedMs: number
  /** From a 200 answer of /hooks/agent. */
  runId?: string
  /** From /hooks/agent with waitForCompletion. */
  completion?: Record<string, unknown>
  /** From /hooks/wake: queued or coalesced. */
  eventOutcome?: string
}

/** Network failures worth another try: the peer may be restarting. DNS and TLS failures are configuration. */
const RETRYABLE_NETWORK = new Set(['refused', 'reset', 'timeout', 'unreachable', 'other'])

function retryable(outcome: HookOutcome): boolean {
  return outcome.type === 'network' ? RETRYABLE_NETWORK.has(outcome.kind) : RETRYABLE_STATUSES.has(outcome.status)
}

async function attempt(
  deps: Pick<Deps, 'http'>,
  target: DeliveryTarget,
  req: HookRequest,
  timeoutMs: number,
): Promise<HookOutcome> {
  try {
    const res = await deps.http.request({
      method: 'POST',
      url: `${target.url.replace(/\/+$/, '')}${req.path}`,
      headers: {authorization: `Bearer ${target.token}`, 'content-type': 'application/json'},
      body: req.body,
      timeoutMs,
    })
    return {type: 'answer', status: res.status, body: res.body, retryAfter: res.headers['retry-after']}
  } catch (error) {
    if (error instanceof HttpFailure) return {type: 'network', kind: error.kind, detail: describeFailure(error.kind)}
    return {type: 'network', kind: 'other', detail: String((error as Error)?.message ?? error)}
  }
}

function parseSuccess(body: string): Pick<Delivery, 'runId' | 'completion' | 'eventOutcome'> {
  try {
    const json = JSON.parse(body) as {runId?: unknown; completion?: unknown; eventOutcome?: unknown}
    const out: Pick<Delivery, 'runId' | 'completion' | 'eventOutcome'> = {}
    if (typeof json.runId === 'string') out.runId = json.runId
    if (json.completion && typeof json.completion === 'object')
      out.completion = json.completion as Record<string, unknown>
    if (typeof json.eventOutcome === 'string') out.eventOutcome = json.eventOutcome
    // The run id and completion are printed and stored: no terminal control from the peer survives.
    return stripControlValue(out)
  } catch {
    return {}
  }
}

/**
 * POSTs one hook request, retrying 429 (after Retry-After), 502, 503 and connection failures with backoff and
 * jitter, all within `policy.deadlineMs`. Each attempt gets at most `requestTimeoutMs` and never more than the
 * time left, so a silent peer costs one deadline, not attempts × timeout.
 */
export async function deliver(
  deps: Pick<Deps, 'http' | 'clock'>,
  target: DeliveryTarget,
  req: HookRequest,
  opts: {policy: RetryPolicy; requestTimeoutMs: number; random?: () => number; signal?: AbortSignal},
): Promise<Delivery> {
  const started = deps.clock.now().getTime()
  const elapsed = () => deps.clock.now().getTime() - started
  let attempts = 0
  for (;;) {
    attempts++
    const remaining = opts.policy.deadlineMs - elapsed()
    const outcome = await attempt(deps, target, req, Math.max(1, Math.min(opts.requestTimeoutMs, remaining)))
    if (outcome.type === 'answer' && outcome.status >= 200 && outcome.status < 300) {
      return {ok: true, outcome, attempts, elapsedMs: elapsed(), ...parseSuccess(outcome.body)}
    }
    if (!retryable(outcome) || opts.signal?.aborted) return {ok: false, outcome, attempts, elapsedMs: elapsed()}
    const retryAfterMs =
      outcome.type === 'answer' && outcome.status === 429
        ? parseRetryAfter(outcome.retryAfter, deps.clock.now())
        : undefined
    const decision = retryDecision({
      attempt: attempts,
      elapsedMs: elapsed(),
      retryAfterMs,
      policy: opts.policy,
      random: opts.random,
    })
    if (!decision.retry) return {ok: false, outcome, attempts, elapsedMs: elapsed()}
    try {
      await deps.clock.sleep(decision.delayMs, opts.signal)
    } catch {
      return {ok: false, outcome, attempts, elapsedMs: elapsed()}
    }
  }
}
