import {ActionNeededError} from '../../core/common/errors.js'
import {judgeListeners, type ListenerVerdict} from '../../core/openclaw/port-holder.js'
import type {Deps} from '../../deps.js'

/** Who holds 127.0.0.1:<port>, judged: this user's OpenClaw gateway, nothing, or someone else. */
export async function gatewayListener(deps: Pick<Deps, 'loopbackListeners'>, port: number): Promise<ListenerVerdict> {
  return judgeListeners(await deps.loopbackListeners(port), port, {uid: process.getuid?.()})
}

/** The error for a port a credential must not go to; its message names the process holding it. */
export function notOurGateway(verdict: Exclude<ListenerVerdict, {ours: true}>, port: number): ActionNeededError {
  return new ActionNeededError(
    `claw-mesh did not send the gateway or hooks token to port ${port}: ${verdict.message}.`,
    {
      code: 'port-not-ours',
      hint:
        verdict.reason === 'free'
          ? 'Start the gateway (claw-mesh gateway start), then re-run.'
          : `Stop that process (or ask its owner to), or move the gateway to another port: claw-mesh gateway configure --port N && claw-mesh gateway start.`,
    },
  )
}

/** Throws unless 127.0.0.1:<port> is held by this user's OpenClaw gateway. Call it before sending any credential there. */
export async function assertOurGateway(deps: Pick<Deps, 'loopbackListeners'>, port: number): Promise<void> {
  const verdict = await gatewayListener(deps, port)
  if (!verdict.ours) throw notOurGateway(verdict, port)
}
