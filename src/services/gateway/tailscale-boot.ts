import {ActionNeededError} from '../../core/errors.js'
import {gatewayBootNeedsTailscale, tailscaleBootBlocker, tailscaleBootRemedy, type TailscaleBootView} from '../../core/tailscale-boot.js'
import {parseStatusJson} from '../../core/tailscale-status.js'
import type {Deps} from '../../deps.js'
import {findTailscaleCli, TailscaleCli, tailscaleSocket} from '../tailscale/cli.js'

/** tailscaled as the gateway would find it at boot: one `tailscale status --json`. */
export async function tailscaleBootView(deps: Deps): Promise<TailscaleBootView> {
  const cli = findTailscaleCli(deps)
  if (!cli) return {daemonUp: false}
  const r = await new TailscaleCli(deps, {cli, socket: tailscaleSocket(deps)}).raw(['status', '--json'], 10_000)
  if (r.exitCode !== 0) return {daemonUp: false}
  try {
    return {daemonUp: true, backendState: parseStatusJson(r.stdout).BackendState ?? 'NoState'}
  } catch {
    return {daemonUp: true}
  }
}

/**
 * Refuses a start that cannot succeed: with gateway.tailscale.mode serve or funnel, OpenClaw waits 90 s for
 * tailscaled and exits 1 (openclaw/openclaw#138770). Said before anything is stopped or started.
 */
export async function assertTailscaleForBoot(deps: Deps, tailscaleMode: string | undefined): Promise<void> {
  if (!gatewayBootNeedsTailscale(tailscaleMode)) return
  const view = await tailscaleBootView(deps)
  const blocker = tailscaleBootBlocker(tailscaleMode, view)
  if (blocker) {
    throw new ActionNeededError(`The gateway cannot start now: ${blocker}. Nothing was stopped or started.`, {code: 'gateway-needs-tailscale', hint: tailscaleBootRemedy(deps.platform.tailscaleStartHint, view.daemonUp ? view.backendState : undefined)})
  }
}
