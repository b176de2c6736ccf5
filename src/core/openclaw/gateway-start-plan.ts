/**
 * How `gateway start` brings a changed openclaw.json into effect: pure decisions over what was observed.
 *
 * Reload rules follow OpenClaw's hot-reload table (docs/gateway/configuration/hot-reload.md): the longest matching
 * prefix decides; a path that matches no rule needs a gateway restart. `gateway.port` needs more than the
 * gateway's own in-process restart: the port is on the command line of the process (`--port N`, and baked into a
 * service definition), so the process itself must be restarted (for a service: reinstalled).
 */
export type ReloadOutcome = 'none' | 'hot' | 'restart' | 'process-restart'

const RULES: [prefix: string, outcome: ReloadOutcome][] = [
  ['hooks', 'hot'],
  ['gateway.auth.token', 'hot'],
  ['gateway.auth.password', 'hot'],
  ['gateway.auth.rateLimit', 'hot'],
  ['gateway.controlUi.allowedOrigins', 'hot'],
  ['gateway.nodes.pairing', 'hot'],
  ['gateway.auth', 'restart'],
  ['gateway.reload', 'none'],
  ['gateway.remote', 'none'],
  ['gateway.port', 'process-restart'],
  ['gateway', 'restart'],
  // Seen live with 2026.9.6: replacing the provider together with gateway.auth.token hot-applies.
  ['secrets.providers', 'hot'],
  ['secrets', 'restart'],
  ['agents', 'hot'],
  ['channels', 'hot'],
  // Per-pair trust (tools.toolsBySender): seen live, a running gateway applies it to the next run.
  ['tools', 'hot'],
  // OpenClaw reruns a plugin's registration with its new config (hot-reload table: "Plugin config").
  ['plugins.entries', 'hot'],
]

const SEVERITY: Record<ReloadOutcome, number> = {none: 0, hot: 1, restart: 2, 'process-restart': 3}

export function reloadOutcomeFor(path: string): ReloadOutcome {
  let best: [string, ReloadOutcome] | undefined
  for (const rule of RULES) {
    const [prefix] = rule
    if ((path === prefix || path.startsWith(`${prefix}.`)) && (!best || prefix.length > best[0].length)) best = rule
  }
  return best ? best[1] : 'restart'
}

/** The strongest action any of the changed paths needs. With `gateway.reload.mode: "off"` nothing applies by itself. */
export function reloadOutcome(paths: readonly string[], reloadModeOff = false): ReloadOutcome {
  let outcome: ReloadOutcome = 'none'
  for (const p of paths) {
    const o = reloadOutcomeFor(p)
    if (SEVERITY[o] > SEVERITY[outcome]) outcome = o
  }
  if (reloadModeOff && outcome === 'hot') return 'restart'
  return outcome
}

export interface StartObservation {
  /** The OS service manager answers (systemd --user, launchd, Task Scheduler). */
  serviceManagerUsable: boolean
  /** OpenClaw's gateway service is installed. */
  serviceInstalled: boolean
  /** claw-mesh's own background gateway (pid file) is alive. */
  backgroundAlive: boolean
  /** A gateway answers /healthz on the port it was last started with. */
  healthy: boolean
  /** openclaw.json paths changed since the gateway last started fine. */
  pending: readonly string[]
  reloadModeOff: boolean
}

export type StartAction =
  /** `openclaw gateway install --port N --force` (installs or rewrites the unit, then starts it). */
  | 'service-install'
  | 'service-restart'
  | 'service-start'
  | 'background-start'
  /** Stop claw-mesh's background gateway and start it again. */
  | 'background-restart'
  /** The running gateway applies the file by itself; wait until the new tokens are accepted. */
  | 'await-reload'
  /** Running, nothing pending: only verify. */
  | 'verify'
  /** A gateway claw-mesh did not start is running and needs a process restart claw-mesh cannot do. */
  | 'external-restart-needed'

export interface StartPlan {
  runner: 'service' | 'background' | 'external'
  action: StartAction
  /** Stop claw-mesh's background gateway first (a service manager took over). */
  stopBackground: boolean
  reason: string
}

export function planGatewayStart(obs: StartObservation): StartPlan {
  const outcome = reloadOutcome(obs.pending, obs.reloadModeOff)
  if (obs.serviceManagerUsable) {
    const stopBackground = obs.backgroundAlive
    const base = {runner: 'service' as const, stopBackground}
    if (!obs.serviceInstalled)
      return {...base, action: 'service-install', reason: 'the gateway service is not installed yet'}
    if (outcome === 'process-restart')
      return {
        ...base,
        action: 'service-install',
        reason: 'the port changed, and a service keeps its port on its command line',
      }
    if (obs.healthy && !stopBackground) {
      if (outcome === 'none')
        return {...base, action: 'verify', reason: 'the gateway is running and nothing changed since it started'}
      if (outcome === 'hot')
        return {...base, action: 'await-reload', reason: 'the changes apply without a restart (hot reload)'}
      return {...base, action: 'service-restart', reason: 'the changes need a gateway restart'}
    }
    if (obs.pending.length > 0 || stopBackground)
      return {...base, action: 'service-restart', reason: 'the gateway is not running with the current configuration'}
    return {...base, action: 'service-start', reason: 'the gateway service is stopped'}
  }
  if (obs.backgroundAlive) {
    const base = {runner: 'background' as const, stopBackground: false}
    if (obs.healthy && outcome === 'none')
      return {...base, action: 'verify', reason: 'the gateway is running and nothing changed since it started'}
    if (obs.healthy && outcome === 'hot')
      return {...base, action: 'await-reload', reason: 'the changes apply without a restart (hot reload)'}
    return {
      ...base,
      action: 'background-restart',
      reason: obs.healthy ? 'the changes need a gateway restart' : 'the background gateway is not answering',
    }
  }
  if (obs.healthy) {
    const base = {runner: 'external' as const, stopBackground: false}
    if (outcome === 'none')
      return {...base, action: 'verify', reason: 'a gateway started outside claw-mesh is running and nothing changed'}
    // In hybrid reload mode the gateway also restarts itself in-process for `restart` paths.
    if (!obs.reloadModeOff && (outcome === 'hot' || outcome === 'restart'))
      return {...base, action: 'await-reload', reason: 'the running gateway applies the file by itself (hybrid reload)'}
    return {
      ...base,
      action: 'external-restart-needed',
      reason: 'the change needs the process restarted, and claw-mesh did not start it',
    }
  }
  return {
    runner: 'background',
    action: 'background-start',
    stopBackground: false,
    reason: 'no service manager here (container or CI) and no gateway running',
  }
}
