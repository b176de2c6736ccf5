import {ActionNeededError} from '../../core/common/errors.js'
import {
  gatewayBootNeedsTailscale,
  tailscaleBootBlocker,
  tailscaleBootRemedy,
  type TailscaleBootView,
} from '../../core/tailscale/tailscale-boot.js'
import {parseStatusJson} from '../../core/tailscale/tailscale-status.js'
import type {Deps} from '../../deps.js'
import {createMachineView, type MachineView} from '../machine/view.js'

/** tailscaled as the gateway would find it at boot, from the view's one `tailscale status --json`. */
export async function tailscaleBootView(
  deps: Deps,
  view: Pick<MachineView, 'tailscaleStatus'> = createMachineView(deps, {tailscaleTimeoutMs: 10_000}),
): Promise<TailscaleBootView> {
  const {result} = await view.tailscaleStatus()
  if (!result || result.exitCode !== 0) return {daemonUp: false}
  try {
    return {daemonUp: true, backendState: parseStatusJson(result.stdout).BackendState ?? 'NoState'}
  } catch {
    return {daemonUp: true}
  }
}

/**
 * Refuses a start that cannot succeed: with gateway.tailscale.mode serve or funnel, OpenClaw waits 90 s for
 * tailscaled and exits 1 (openclaw/openclaw#138770). Said before anything is stopped or started.
 */
export async function assertTailscaleForBoot(
  deps: Deps,
  view: MachineView,
  tailscaleMode: string | undefined,
): Promise<void> {
  if (!gatewayBootNeedsTailscale(tailscaleMode)) return
  const boot = await tailscaleBootView(deps, view)
  const blocker = tailscaleBootBlocker(tailscaleMode, boot)
  if (blocker) {
    throw new ActionNeededError(`The gateway cannot start now: ${blocker}. Nothing was stopped or started.`, {
      code: 'gateway-needs-tailscale',
      hint: tailscaleBootRemedy(deps.platform.tailscaleStartHint, boot.daemonUp ? boot.backendState : undefined),
    })
  }
}
