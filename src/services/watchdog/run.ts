import os from 'node:os'
import type {Alert} from '../../core/lifecycle/alert-target.js'
import {ClawMeshError} from '../../core/common/errors.js'
import {
  afterAlert,
  afterRestart,
  DEFAULT_COOLDOWN_MS,
  DEFAULT_FAILURES,
  planCheck,
  type PlannedAlert,
  type WatchdogState,
} from '../../core/lifecycle/watchdog-state.js'
import {appliedGatewayPortSetting} from '../../core/common/settings.js'
import type {Deps} from '../../deps.js'
import {describeFailure, HttpFailure} from '../../infra/http.js'
import {resolveAlertTarget} from '../alerts/target.js'
import {acquireLock} from '../../infra/lock.js'
import {sendAlert, type AlertDelivery} from '../alerts/send.js'
import {gatewayListener} from '../gateway/listener.js'
import {localUrl, startGateway} from '../gateway/start.js'
import {tailscaleBootView} from '../gateway/tailscale-boot.js'
import {readWatchdogFile, writeWatchdogFile} from './state-file.js'

export interface WatchdogRunOptions {
  /** Overrides the alert target recorded by `watchdog install --alert`. */
  alert?: string
  failures?: number
  cooldownMs?: number
  /** Health-check timeout. */
  timeoutMs?: number
  /** How long a restart may take to bring /healthz back. */
  restartTimeoutMs?: number
  onProgress?: (message: string) => void
}

export interface WatchdogRunResult {
  healthUrl: string
  healthy: boolean
  detail: string
  failures: number
  threshold: number
  /** `attempted: false`: a restart was due but could not succeed (Tailscale down for a serve gateway), so none was made. */
  restart?: {attempted: boolean; healthy: boolean; detail: string}
  /** claw-mesh's own tailscaled (no service manager runs it) was down and started again before the gateway. */
  tailscaled?: {restarted: boolean; detail: string}
  alert?: {event: PlannedAlert; sent: boolean; target?: string; detail: string}
  state: WatchdogState
}

const HEALTH_TIMEOUT_MS = 5000

/** Healthy means the 200 came from this user's gateway: a squatter on the port answering 200 is a gateway that is down. */
async function checkHealth(
  deps: Pick<Deps, 'http' | 'loopbackListeners'>,
  port: number,
  url: string,
  timeoutMs: number,
): Promise<{ok: boolean; detail: string}> {
  try {
    const res = await deps.http.request({url, timeoutMs})
    if (res.status !== 200) return {ok: false, detail: `HTTP ${res.status}`}
    const listener = await gatewayListener(deps, port)
    return listener.ours
      ? {ok: true, detail: `HTTP 200 in ${res.latencyMs} ms`}
      : {ok: false, detail: `HTTP 200, but ${listener.message}`}
  } catch (error) {
    return {
      ok: false,
      detail: error instanceof HttpFailure ? describeFailure(error.kind) : String((error as Error).message),
    }
  }
}

/**
 * claw-mesh's own tailscaled (started by claw-mesh where no service manager runs one: containers, CI, a host after a
 * reboot) is started again when it is down, before the gateway: a gateway booted without it binds only 127.0.0.1, or
 * with Serve does not boot at all. Never throws.
 */
async function ensureOwnTailscaled(deps: Deps, opts: WatchdogRunOptions): Promise<WatchdogRunResult['tailscaled']> {
  const recorded = deps.store.read().tailscale
  if (recorded?.daemonPid === undefined) return undefined
  if ((await tailscaleBootView(deps)).daemonUp) return undefined
  try {
    const {installTailscale} = await import('../tailscale/install.js')
    const r = await installTailscale(deps, {
      dryRun: false,
      socket: recorded.socket,
      networking: recorded.networking,
      timeoutMs: 60_000,
      progress: opts.onProgress,
    })
    return {
      restarted: true,
      detail: `Started claw-mesh's tailscaled again${r.daemonPid ? ` (pid ${r.daemonPid})` : ''}.`,
    }
  } catch (error) {
    return {restarted: false, detail: `claw-mesh's tailscaled is down and did not start: ${(error as Error).message}`}
  }
}

/**
 * Restarts through the gateway phase (service manager, or claw-mesh's background runner). Never throws. A start
 * that cannot succeed (gateway.tailscale.mode serve with Tailscale down: openclaw/openclaw#138770) is not made:
 * restarting would only add to the crash loop.
 */
async function restart(
  deps: Deps,
  opts: WatchdogRunOptions,
): Promise<{attempted: boolean; healthy: boolean; detail: string}> {
  const started = deps.clock.now().getTime()
  try {
    const r = await startGateway(deps, {timeoutMs: opts.restartTimeoutMs ?? 120_000, onProgress: opts.onProgress})
    const secs = Math.round((deps.clock.now().getTime() - started) / 1000)
    const how =
      r.runner === 'background'
        ? `claw-mesh's background runner (pid ${r.pid})`
        : r.runner === 'service'
          ? deps.platform.gateway.serviceManager
          : 'its own runner'
    return {
      attempted: true,
      healthy: r.healthz.ok,
      detail: `Restarted it with ${how}: ${r.healthz.ok ? `healthy again after ${secs} s` : `still not answering (${r.healthz.detail})`}.`,
    }
  } catch (error) {
    const e = error as ClawMeshError
    if (e.code === 'gateway-needs-tailscale' && /Nothing was stopped or started/.test(e.message))
      return {attempted: false, healthy: false, detail: `Not restarted: ${e.message}${e.hint ? ` (${e.hint})` : ''}`}
    return {attempted: true, healthy: false, detail: `The restart failed: ${e.message}${e.hint ? ` (${e.hint})` : ''}`}
  }
}

/**
 * One watchdog round, run by the periodic job: GET /healthz on the local gateway (loopback, the port claw-mesh
 * configured), update the failure streak in `<stateDir>/watchdog.json`, restart the gateway after N consecutive
 * failures, and alert (de-duplicated by a cooldown; a recovery alert when health returns).
 */
export async function runWatchdog(deps: Deps, opts: WatchdogRunOptions = {}): Promise<WatchdogRunResult> {
  const settings = deps.store.read()
  const target = await resolveAlertTarget(deps, opts.alert ?? settings.alert)
  const threshold = opts.failures ?? DEFAULT_FAILURES
  const cooldownMs = opts.cooldownMs ?? DEFAULT_COOLDOWN_MS
  // One round at a time: a restart can outlast the timer's interval.
  const lock = await acquireLock({
    dir: deps.stateDir,
    name: 'watchdog',
    waitMs: 0,
    clock: deps.clock,
    what: 'watchdog run',
  })
  try {
    // The port the gateway was started with: the watchdog reads no openclaw.json.
    const port = appliedGatewayPortSetting({state: settings}).value
    const healthUrl = `${localUrl(Number(port))}/healthz`
    const probe = await checkHealth(deps, Number(port), healthUrl, opts.timeoutMs ?? HEALTH_TIMEOUT_MS)
    const prev = await readWatchdogFile(deps)
    const plan = planCheck(prev, probe, deps.clock.now(), {failures: threshold, cooldownMs})
    let state = plan.next
    const result: WatchdogRunResult = {
      healthUrl,
      healthy: probe.ok,
      detail: probe.detail,
      failures: state.failures,
      threshold,
      state,
    }
    let action: string | undefined
    let healed = false
    if (plan.restart) {
      opts.onProgress?.(
        `${state.failures} failed check${state.failures === 1 ? '' : 's'} in a row: restarting the gateway`,
      )
      result.tailscaled = await ensureOwnTailscaled(deps, opts)
      const r = await restart(deps, opts)
      if (r.attempted) state = afterRestart(state, r, deps.clock.now())
      result.restart = r
      action = [result.tailscaled?.detail, r.detail].filter(Boolean).join(' ')
      healed = r.healthy
    }
    if (plan.alert) {
      if (target) {
        const alert: Alert = {
          event: plan.alert,
          host: settings.identity ?? os.hostname().split('.')[0],
          healthUrl,
          failures: plan.next.failures,
          detail: probe.ok ? undefined : probe.detail,
          action,
          at: deps.clock.now().toISOString(),
        }
        const delivery: AlertDelivery = await sendAlert(deps, target, alert)
        state = afterAlert(state, plan.alert, delivery, deps.clock.now(), healed)
        result.alert = {event: plan.alert, sent: delivery.ok, target: delivery.target, detail: delivery.detail}
      } else {
        // Nothing to send to: do not owe a recovery alert forever.
        state = {...state, pendingRecovery: false}
        result.alert = {event: plan.alert, sent: false, detail: 'no alert target (watchdog install --alert …)'}
      }
    }
    await writeWatchdogFile(deps, state)
    return {...result, failures: state.failures, state}
  } finally {
    lock.release()
  }
}

/** Sends one test alert to the target, changing no state. */
export async function testAlert(deps: Deps, raw: string | undefined): Promise<AlertDelivery> {
  const settings = deps.store.read()
  const target = await resolveAlertTarget(deps, raw ?? settings.alert)
  if (!target)
    throw new ClawMeshError('No alert target to test.', {
      code: 'no-alert-target',
      hint: 'Pass --alert webhook:https://… (or install the watchdog with --alert).',
    })
  const port = appliedGatewayPortSetting({state: settings}).value
  return sendAlert(deps, target, {
    event: 'test',
    host: settings.identity ?? os.hostname().split('.')[0],
    healthUrl: `${localUrl(Number(port))}/healthz`,
    failures: 0,
    at: deps.clock.now().toISOString(),
  })
}
