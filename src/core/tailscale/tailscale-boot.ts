import {fail, pass, skip, warn, type CheckOutcome} from '../checks/types.js'

/**
 * OpenClaw's known boot failure on claw-mesh's path (openclaw/openclaw#138770, and #144845 for a Stopped backend):
 * with `gateway.tailscale.mode` serve or funnel, the gateway waits up to 90 s for tailscaled and then exits 1 at
 * boot ("Gateway failed to start: … tailscale serve status --json … Failed to connect to local Tailscale daemon"),
 * which a service manager (launchd KeepAlive, systemd Restart=always) turns into a crash loop, and claw-mesh's own
 * watchdog into a restart loop. Reproduced with OpenClaw 2026.9.6 and the real tailscale CLI
 * (test/e2e/gateway-tailscale-boot.test.ts). With mode `off` (claw-mesh's tailnet bind) 2026.9.6 boots without
 * tailscaled: it falls back to binding 127.0.0.1 until it is restarted with a tailnet address.
 */
export const TAILSCALE_BOOT_ISSUE = 'openclaw/openclaw#138770'

/** Does this gateway configuration need a running, connected tailscaled to boot at all? */
export function gatewayBootNeedsTailscale(tailscaleMode: string | undefined): boolean {
  return tailscaleMode === 'serve' || tailscaleMode === 'funnel'
}

/** Tailscale as seen when judging whether the gateway can boot. */
export interface TailscaleBootView {
  /** `tailscale status --json` answered. */
  daemonUp: boolean
  /** BackendState from that answer (Running, Stopped, NeedsLogin, …). */
  backendState?: string
}

/** Why the gateway cannot boot now, or undefined when it can. Pure. */
export function tailscaleBootBlocker(tailscaleMode: string | undefined, ts: TailscaleBootView): string | undefined {
  if (!gatewayBootNeedsTailscale(tailscaleMode)) return undefined
  if (!ts.daemonUp)
    return `gateway.tailscale.mode is "${tailscaleMode}" and tailscaled is not running: OpenClaw's gateway does not boot without it (${TAILSCALE_BOOT_ISSUE})`
  if (ts.backendState !== 'Running')
    return `gateway.tailscale.mode is "${tailscaleMode}" and Tailscale is ${ts.backendState ?? 'not connected'}, not Running: OpenClaw's gateway does not boot until it is (${TAILSCALE_BOOT_ISSUE})`
  return undefined
}

/** The remedy: bring Tailscale up first; never restart the gateway in a loop meanwhile. */
export function tailscaleBootRemedy(startHint: string, backendState?: string): string {
  const up =
    backendState && backendState !== 'Running'
      ? backendState === 'Stopped'
        ? 'tailscale up'
        : 'claw-mesh tailscale join'
      : startHint
  return `Start Tailscale first (${up}), then: claw-mesh gateway start. Restarting the gateway before that only repeats the failure.`
}

// OpenClaw's own lines (server-tailscale / run): the failure, and the wait that precedes it.
const BOOT_FAILURE =
  /Gateway failed to start:[^\n]*tailscale[^\n]*(serve|funnel) status|Failed to connect to local Tailscale daemon|\[tailscale\] (serve|funnel) failed|waiting for the local Tailscale daemon/i

/** Does this gateway log excerpt show the boot failure? */
export function logShowsTailscaleBootFailure(log: string): boolean {
  return BOOT_FAILURE.test(log)
}

/** doctor's `gateway-tailscale-boot`: the failure before it happens (gateway up) or while it does (gateway down). */
export function evalTailscaleBoot(p: {
  tailscaleMode?: string
  tailscale: TailscaleBootView
  gatewayHealthy: boolean
  startHint: string
}): CheckOutcome {
  if (!gatewayBootNeedsTailscale(p.tailscaleMode))
    return skip(`gateway.tailscale.mode is ${p.tailscaleMode ?? 'off'}: the gateway boots without tailscaled`)
  const blocker = tailscaleBootBlocker(p.tailscaleMode, p.tailscale)
  if (!blocker) return pass(`Tailscale is Running, which gateway.tailscale.mode "${p.tailscaleMode}" needs at boot`)
  const remedy = tailscaleBootRemedy(p.startHint, p.tailscale.daemonUp ? p.tailscale.backendState : undefined)
  if (p.gatewayHealthy) return warn(`${blocker}. The gateway runs now, but its next restart will fail.`, remedy)
  return fail(
    `${blocker}. This is why the gateway is down; a service manager restarting it keeps failing the same way.`,
    remedy,
  )
}
