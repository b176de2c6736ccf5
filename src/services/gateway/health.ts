import type {Clock} from '../../infra/clock.js'
import {describeFailure, HttpFailure, type HttpClient} from '../../infra/http.js'

export interface ProbeAnswer {
  ok: boolean
  /** HTTP status, when the gateway answered. */
  status?: number
  detail: string
  latencyMs?: number
  /** /readyz names what is not ready (local callers get it). */
  failing?: string[]
}

export interface HealthProbe {
  url: string
  healthz: ProbeAnswer
  readyz: ProbeAnswer
}

async function probe(http: HttpClient, url: string, timeoutMs: number): Promise<ProbeAnswer> {
  try {
    const res = await http.request({url, timeoutMs})
    const body = res.json<{failing?: string[]; status?: string}>()
    const failing = Array.isArray(body?.failing)
      ? body.failing.filter((f): f is string => typeof f === 'string')
      : undefined
    const ok = res.status === 200
    return {
      ok,
      status: res.status,
      latencyMs: res.latencyMs,
      failing,
      detail: ok
        ? `${res.status}`
        : `${res.status}${failing?.length ? ` (failing: ${failing.join(', ')})` : body?.status ? ` (${body.status})` : ''}`,
    }
  } catch (error) {
    if (error instanceof HttpFailure) return {ok: false, detail: describeFailure(error.kind)}
    throw error
  }
}

/** GET /healthz and /readyz (unauthenticated). */
export async function probeGatewayHealth(http: HttpClient, baseUrl: string, timeoutMs = 3000): Promise<HealthProbe> {
  const base = baseUrl.replace(/\/+$/, '')
  const [healthz, readyz] = await Promise.all([
    probe(http, `${base}/healthz`, timeoutMs),
    probe(http, `${base}/readyz`, timeoutMs),
  ])
  return {url: base, healthz, readyz}
}

export interface WaitResult {
  healthy: boolean
  ready: boolean
  elapsedMs: number
  /** Milliseconds from the start of the wait to the first /healthz 200. */
  liveAfterMs?: number
  /** Why waiting stopped early (the process reported a failure or exited). */
  failure?: string
  last: HealthProbe
}

/**
 * Polls /healthz until it answers 200, then /readyz for a while longer (a broken channel can keep readiness false
 * for good, which is not a reason to roll back). `failed` is asked on each round: a process that exited or logged
 * "Gateway failed to start" ends the wait at once instead of at the timeout.
 */
export async function waitForGateway(
  deps: {http: HttpClient; clock: Clock},
  opts: {
    baseUrl: string
    timeoutMs: number
    readyGraceMs?: number
    intervalMs?: number
    failed?: () => Promise<string | undefined>
    onProgress?: (message: string) => void
  },
): Promise<WaitResult> {
  const started = deps.clock.now().getTime()
  const elapsed = () => deps.clock.now().getTime() - started
  const interval = opts.intervalMs ?? 500
  let last = await probeGatewayHealth(deps.http, opts.baseUrl)
  let healthyAt: number | undefined
  for (;;) {
    if (last.healthz.ok && healthyAt === undefined) healthyAt = elapsed()
    if (last.healthz.ok && last.readyz.ok)
      return {healthy: true, ready: true, elapsedMs: elapsed(), liveAfterMs: healthyAt, last}
    if (
      healthyAt !== undefined &&
      (elapsed() - healthyAt >= (opts.readyGraceMs ?? 30_000) || elapsed() >= opts.timeoutMs)
    ) {
      return {healthy: true, ready: false, elapsedMs: elapsed(), liveAfterMs: healthyAt, last}
    }
    if (healthyAt === undefined) {
      const failure = await opts.failed?.()
      if (failure) return {healthy: false, ready: false, elapsedMs: elapsed(), failure, last}
      if (elapsed() >= opts.timeoutMs) return {healthy: false, ready: false, elapsedMs: elapsed(), last}
    }
    opts.onProgress?.(
      healthyAt === undefined
        ? `waiting for ${opts.baseUrl}/healthz (${Math.round(elapsed() / 1000)} s, ${last.healthz.detail})`
        : `live; waiting for /readyz (${last.readyz.detail})`,
    )
    await deps.clock.sleep(interval)
    last = await probeGatewayHealth(deps.http, opts.baseUrl)
  }
}
