import {MAX_A2A_RESPONSE_BYTES, type A2aAnswer, type PeerKind} from './a2a-protocol.js'
import {ActionNeededError, ClawMeshError, UsageError} from '../common/errors.js'

/** Every way one A2A call can end: an answer, or no usable answer at all. */
export type A2aOutcome = A2aAnswer | {kind: 'network'; failure: string; detail: string} | {kind: 'too-large'}

export interface FailureTarget {
  peer: string
  url: string
  kind: PeerKind
}

/** What the peer itself said, quoted (already capped and stripped when it was read). */
function quoted(message: string | undefined): string {
  return message ? `: "${message}"` : ''
}

/**
 * A clear error for every answer that is not a task. The hints follow the kind of peer: an OpenClaw peer is fixed
 * by pairing or upgrading it with claw-mesh; a foreign agent is fixed by its operator (its token, its URL).
 */
export function a2aFailure(target: FailureTarget, outcome: Exclude<A2aOutcome, {kind: 'task'}>): ClawMeshError {
  const {peer, url} = target
  const foreign = target.kind === 'foreign'
  const check = `Check the peer with: claw-mesh peer check ${peer}`
  switch (outcome.kind) {
    case 'unauthorized':
      return new ActionNeededError(`${peer} refused this machine's A2A token (401)${quoted(outcome.message)}.`, {
        code: 'a2a-token-refused',
        hint: foreign
          ? `Get a valid token from ${peer}'s operator and store it again: claw-mesh peer add ${url} --name ${peer} --a2a-token file:PATH.`
          : `The pair's tokens do not match. Pair again: claw-mesh invite --for ${peer} on this machine, then claw-mesh peer add --invite - --replace <this host> on ${peer} and run the reply it prints here with --replace ${peer} (or, in a fleet, re-run bootstrap with the same --mesh-secret on both).`,
      })
    case 'forbidden':
      return new ActionNeededError(
        `${peer} accepted this machine's token but does not allow this call (403)${quoted(outcome.message)}.`,
        {
          code: 'a2a-forbidden',
          hint: foreign
            ? `Ask ${peer}'s operator to grant the token access to this agent.`
            : `Check the A2A peer entry for this machine in ${peer}'s openclaw.json (claw-mesh doctor there).`,
        },
      )
    case 'version-refused':
      return new ActionNeededError(
        `${peer} does not speak A2A 1.0 (VersionNotSupported, -32009)${quoted(outcome.message)}.`,
        {
          code: 'a2a-version-refused',
          hint: foreign
            ? `claw-mesh speaks A2A 1.0 only; ${peer} must offer a 1.0 JSON-RPC interface (see its Agent Card).`
            : `Upgrade OpenClaw on ${peer} (npm install -g openclaw@latest) and re-run claw-mesh bootstrap there.`,
        },
      )
    case 'no-a2a':
      if (foreign) {
        return new ActionNeededError(
          `Nothing answers A2A at ${url} (HTTP ${outcome.status})${quoted(outcome.message)}.`,
          {
            code: 'a2a-unavailable',
            hint: `Check the endpoint in ${peer}'s Agent Card and add it again: claw-mesh peer add URL --name ${peer} --a2a-token file:PATH.`,
          },
        )
      }
      return new ActionNeededError(
        `${peer}'s gateway serves no A2A channel (HTTP ${outcome.status} on ${url}): it runs an OpenClaw older than 2026.9.6, was set up by an older claw-mesh, or has no peer configured yet (OpenClaw serves A2A only once a peer is).`,
        {
          code: 'a2a-unavailable',
          hint: `If you just paired, run the reply on ${peer} (claw-mesh peer add --invite -). Otherwise upgrade OpenClaw on ${peer} (npm install -g openclaw@latest) and re-run claw-mesh bootstrap there; until then claw-mesh send ${peer} works over hooks, without a reply.`,
        },
      )
    case 'starting':
      return new ClawMeshError(`${peer}'s gateway is still starting its A2A channel ("Plugin runtime is starting").`, {
        code: 'a2a-starting',
        hint: 'Try again in a few seconds.',
      })
    case 'rate-limited':
      return new ClawMeshError(
        `${peer} is rate-limiting this machine${foreign ? '' : ' (A2A allows 30 requests a minute per peer by default)'}${quoted(outcome.message)}.`,
        {
          code: 'a2a-rate-limited',
          hint: outcome.retryAfter
            ? `Wait ${outcome.retryAfter} s (its Retry-After) and try again.`
            : 'Wait a minute and try again.',
        },
      )
    case 'server-error':
      return new ClawMeshError(
        `${peer} failed to handle the request (HTTP ${outcome.status})${quoted(outcome.message)}.`,
        {
          code: 'a2a-server-error',
          hint: foreign
            ? `The fault is on ${peer}'s side: try again later, or tell its operator.`
            : `Check the gateway on ${peer} (claw-mesh gateway status there).`,
        },
      )
    case 'rpc-error':
      if (outcome.code === -32001) {
        return new UsageError(`${peer} has no such task${quoted(outcome.message)}.`, {
          code: 'task-not-found',
          hint: foreign
            ? `Only the task ids ${peer} returned to this machine can be read; check the id.`
            : "Tasks live in the peer gateway's memory for 24 h and are lost when it restarts; only the peer that started a task can read it.",
        })
      }
      return new ClawMeshError(
        `${peer} refused the request (A2A error ${outcome.code}${RPC_NAMES[outcome.code] ? ` ${RPC_NAMES[outcome.code]}` : ''})${quoted(outcome.message)}.`,
        {code: 'a2a-error', hint: check},
      )
    case 'too-large':
      return new ClawMeshError(`${peer} answered with more than ${MAX_A2A_RESPONSE_BYTES} bytes: refused.`, {
        code: 'answer-too-large',
        hint: foreign
          ? `Check what listens at ${url}.`
          : `That is not what an OpenClaw gateway sends. Check what listens at ${url}.`,
      })
    case 'bad-answer':
      return new ClawMeshError(`${peer}'s answer at ${url} is not an A2A answer (${outcome.detail}).`, {
        code: 'a2a-bad-answer',
        hint: `Check what listens there with: claw-mesh peer check ${peer}`,
      })
    case 'network':
      if (outcome.failure === 'timeout')
        return new ClawMeshError(`${peer}${foreign ? '' : "'s gateway"} (${url}) did not answer in time.`, {
          code: 'peer-timeout',
          hint: check,
        })
      return new ClawMeshError(`${peer}${foreign ? '' : "'s gateway"} is unreachable at ${url}: ${outcome.detail}.`, {
        code: 'peer-unreachable',
        hint: foreign
          ? `The agent may be down or the URL wrong. ${check}`
          : `The peer's machine or gateway may be down or off the tailnet. ${check}`,
      })
  }
}

/** Spec §5.4 and JSON-RPC 2.0: the names of the codes, so a bare number means something. */
const RPC_NAMES: Record<number, string> = {
  [-32700]: 'parse error',
  [-32600]: 'invalid request',
  [-32601]: 'method not found',
  [-32602]: 'invalid params',
  [-32603]: 'internal error',
  [-32002]: 'task not cancelable',
  [-32003]: 'push notifications not supported',
  [-32004]: 'unsupported operation',
  [-32005]: 'content type not supported',
  [-32006]: 'invalid agent response',
  [-32007]: 'extended card not configured',
  [-32008]: 'extension support required',
}
