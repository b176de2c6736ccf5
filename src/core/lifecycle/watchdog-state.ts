import * as z from 'zod/mini'
import '../common/zod-messages.js'
import {ONE_SHOT_PARSE} from '../common/state-schema.js'

/**
 * The watchdog's memory between runs (`<stateDir>/watchdog.json`) and the pure rules that turn one health
 * check into the next state, a restart and at most one alert:
 * - N consecutive failures declare an outage: restart at the N-th failure, then every N more.
 * - Down alerts are de-duplicated by a cooldown (across outages too, so a flapping gateway cannot flood the
 *   channel); the first alert of an outage says "down", later ones "still down".
 * - A recovery alert goes out once health returns, only when a down alert was delivered for that outage, and is
 *   retried on the next healthy run if it could not be delivered.
 */
export const watchdogStateSchema = z.object({
  version: z._default(z.literal(1), 1),
  /** Consecutive failed checks. */
  failures: z._default(z.int().check(z.nonnegative()), 0),
  firstFailureAt: z.optional(z.string()),
  lastCheckAt: z.optional(z.string()),
  lastStatus: z.optional(z.enum(['ok', 'fail'])),
  lastDetail: z.optional(z.string()),
  /** An outage was declared (failures reached the threshold) and health has not come back yet. */
  down: z._default(z.boolean(), false),
  /** A down alert was delivered for the current outage. */
  alerted: z._default(z.boolean(), false),
  /** A recovery alert is owed (the last attempt to deliver it failed). */
  pendingRecovery: z._default(z.boolean(), false),
  /** When the last down / still-down alert was delivered (the cooldown runs from here). */
  lastAlertAt: z.optional(z.string()),
  lastAlertEvent: z.optional(z.string()),
  lastAlertError: z.optional(z.string()),
  restarts: z._default(z.int().check(z.nonnegative()), 0),
  lastRestartAt: z.optional(z.string()),
  lastRestartResult: z.optional(z.string()),
  /** What `watchdog install` set up, so status can tell whether a re-install would change anything. */
  install: z.optional(
    z.object({intervalSec: z.number(), failures: z.number(), cooldownSec: z.number(), mechanism: z.string()}),
  ),
})
export type WatchdogState = z.infer<typeof watchdogStateSchema>

export const DEFAULT_FAILURES = 3
export const DEFAULT_COOLDOWN_MS = 30 * 60_000

export type PlannedAlert = 'down' | 'still-down' | 'recovered'

export interface CheckPlan {
  next: WatchdogState
  restart: boolean
  alert?: PlannedAlert
}

export function emptyWatchdogState(): WatchdogState {
  return watchdogStateSchema.parse({}, ONE_SHOT_PARSE)
}

/** Reads a stored state tolerantly: an unreadable file starts over instead of stopping the watchdog. */
export function parseWatchdogState(text: string | undefined): WatchdogState {
  if (!text) return emptyWatchdogState()
  try {
    const parsed = watchdogStateSchema.safeParse(JSON.parse(text), ONE_SHOT_PARSE)
    return parsed.success ? parsed.data : emptyWatchdogState()
  } catch {
    return emptyWatchdogState()
  }
}

export function planCheck(
  prev: WatchdogState,
  probe: {ok: boolean; detail: string},
  now: Date,
  opts: {failures: number; cooldownMs: number},
): CheckPlan {
  const at = now.toISOString()
  const next: WatchdogState = {...prev, lastCheckAt: at, lastStatus: probe.ok ? 'ok' : 'fail', lastDetail: probe.detail}
  if (probe.ok) {
    const owed = prev.alerted || prev.pendingRecovery
    Object.assign(next, {
      failures: 0,
      firstFailureAt: undefined,
      down: false,
      alerted: false,
      restarts: 0,
      pendingRecovery: owed,
    })
    return {next, restart: false, alert: owed ? 'recovered' : undefined}
  }
  next.failures = prev.failures + 1
  next.firstFailureAt = prev.failures === 0 ? at : (prev.firstFailureAt ?? at)
  if (next.failures < opts.failures) return {next, restart: false}
  next.down = true
  // A recovery owed from an earlier outage is moot now that the gateway is down again.
  next.pendingRecovery = false
  const restart = (next.failures - opts.failures) % opts.failures === 0
  const sinceAlert = prev.lastAlertAt ? now.getTime() - Date.parse(prev.lastAlertAt) : Number.POSITIVE_INFINITY
  const alert: PlannedAlert | undefined =
    sinceAlert >= opts.cooldownMs ? (prev.alerted ? 'still-down' : 'down') : undefined
  return {next, restart, alert}
}

/** After a restart attempt: when health came back, the outage is over and no recovery alert is owed separately. */
export function afterRestart(
  state: WatchdogState,
  result: {healthy: boolean; detail: string},
  now: Date,
): WatchdogState {
  const next: WatchdogState = {
    ...state,
    restarts: state.restarts + 1,
    lastRestartAt: now.toISOString(),
    lastRestartResult: result.detail,
  }
  // The count stays: this run's result says it restarted ("restarts": 1); the next healthy check clears it.
  if (result.healthy) Object.assign(next, {failures: 0, firstFailureAt: undefined, down: false, lastStatus: 'ok'})
  return next
}

/** Records an alert's delivery. `healed`: the down alert already reported the gateway healthy again. */
export function afterAlert(
  state: WatchdogState,
  event: PlannedAlert,
  delivery: {ok: boolean; detail: string},
  now: Date,
  healed = false,
): WatchdogState {
  const next: WatchdogState = {...state}
  if (!delivery.ok) {
    next.lastAlertError = delivery.detail
    return next
  }
  next.lastAlertError = undefined
  if (event === 'recovered') {
    next.pendingRecovery = false
    return next
  }
  next.lastAlertAt = now.toISOString()
  next.lastAlertEvent = event
  next.alerted = !healed
  return next
}
