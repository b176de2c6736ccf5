import type {Deps} from '../../deps.js'
import {ourBackgroundPid} from '../gateway/background.js'
import {probeGatewayHealth, type HealthProbe} from '../gateway/health.js'
import {gatewayListener} from '../gateway/listener.js'
import {probeRun} from '../gateway/service.js'
import {serviceProfileOf} from '../openclaw/locate.js'
import type {ProbeCache} from './memo.js'

/**
 * How the gateway runs: the service manager, the installed unit, claw-mesh's background process, who holds a port
 * and what /healthz and /readyz answer there. Each is asked once a run, until an applier that started, stopped or
 * installed something invalidates 'service', 'listener' or 'health'.
 */
export function createServiceProbes(deps: Deps, cache: ProbeCache, opts: {commandTimeoutMs: number}) {
  const run = probeRun(deps, opts.commandTimeoutMs)
  const serviceManager = cache.memo(['service'], () => deps.platform.gateway.probeServiceManager(run, deps.env))
  /** Whether OpenClaw's service (for this profile) is installed; `undefined` profile: the default one. */
  const serviceInstalled = cache.memoBy(['service'], (profile: string | undefined) =>
    deps.platform.gateway.serviceInstalled(deps.home, serviceProfileOf(profile, deps.env), run, deps.env),
  )
  const serviceNotes = cache.memo(['service'], () => deps.platform.gateway.serviceNotes(run, deps.env))
  const backgroundPid = cache.memo(['service'], () => ourBackgroundPid(deps))
  const listener = cache.memoBy(['listener'], (port: number) => gatewayListener(deps, port))
  const health = cache.memoBy(['health'], (key: string): Promise<HealthProbe> => {
    const [url, timeout] = key.split(' ')
    return probeGatewayHealth(deps.http, url, Number(timeout))
  })
  return {
    run,
    serviceManager,
    serviceInstalled,
    serviceNotes,
    backgroundPid,
    listener,
    /** GET /healthz and /readyz at `baseUrl` (probeGatewayHealth's answer), once per URL and timeout. */
    gatewayHealth: (baseUrl: string, timeoutMs = 3000) => health(`${baseUrl} ${timeoutMs}`),
  }
}
