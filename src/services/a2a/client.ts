import {AGENT_CARD_PATH, MAX_A2A_RESPONSE_BYTES, classifyA2aAnswer, parseAgentCard, type A2aAnswer, type AgentCardFacts} from '../../core/a2a-protocol.js'
import {ActionNeededError, ClawMeshError, UsageError} from '../../core/errors.js'
import type {Deps} from '../../deps.js'
import {describeFailure, HttpFailure, type HttpFailureKind} from '../../infra/http.js'

/** One A2A peer as claw-mesh calls it: its `/a2a/v1` endpoint and the token it configured for us. */
export interface A2aTarget {
  peer: string
  url: string
  token: string
}

export type A2aOutcome = A2aAnswer | {kind: 'network'; failure: HttpFailureKind; detail: string} | {kind: 'too-large'}

/** The plugin starts ~10 s after /healthz answers; a refused connection means nothing was processed either. */
const RETRY_KINDS = new Set(['starting', 'rate-limited'])
/** A refused connection is retried briefly (a gateway restarting its listener), not for the whole deadline. */
const REFUSED_RETRY_MS = 1000

async function once(deps: Pick<Deps, 'http'>, target: A2aTarget, body: string, method: 'SendMessage' | 'GetTask', timeoutMs: number): Promise<A2aOutcome> {
  try {
    const res = await deps.http.request({
      method: 'POST',
      url: target.url,
      headers: {authorization: `Bearer ${target.token}`, 'content-type': 'application/json'},
      body,
      timeoutMs,
    })
    if (Buffer.byteLength(res.body, 'utf8') > MAX_A2A_RESPONSE_BYTES) return {kind: 'too-large'}
    return classifyA2aAnswer(res.status, res.body, method)
  } catch (error) {
    if (error instanceof HttpFailure) return {kind: 'network', failure: error.kind, detail: describeFailure(error.kind)}
    return {kind: 'network', failure: 'other', detail: String((error as Error)?.message ?? error)}
  }
}

/**
 * One JSON-RPC call, retried only where the peer certainly did not act on it (its A2A runtime still starting, a
 * refused connection, the rate limit) and only while `retryForMs` lasts: a SendMessage is never sent twice
 * otherwise. Each attempt may take `timeoutMs` (a blocking SendMessage waits for the agent's answer).
 */
export async function callA2a(
  deps: Pick<Deps, 'http' | 'clock'>,
  target: A2aTarget,
  body: string,
  opts: {method: 'SendMessage' | 'GetTask'; timeoutMs: number; retryForMs?: number},
): Promise<A2aOutcome> {
  const started = deps.clock.now().getTime()
  const retryUntil = started + (opts.retryForMs ?? Math.min(opts.timeoutMs, 30_000))
  let delay = 500
  for (;;) {
    const outcome = await once(deps, target, body, opts.method, opts.timeoutMs)
    const refused = outcome.kind === 'network' && outcome.failure === 'refused' && deps.clock.now().getTime() - started < REFUSED_RETRY_MS
    const retry = RETRY_KINDS.has(outcome.kind) || refused
    if (!retry || deps.clock.now().getTime() + delay >= retryUntil) return outcome
    await deps.clock.sleep(delay)
    delay = Math.min(delay * 2, 4000)
  }
}

/** A clear error for every answer that is not a task. */
export function a2aFailure(peer: string, url: string, outcome: Exclude<A2aOutcome, {kind: 'task'}>): ClawMeshError {
  switch (outcome.kind) {
    case 'unauthorized':
      return new ActionNeededError(`${peer} refused this machine's A2A token (401): the pair's tokens do not match.`, {
        code: 'a2a-token-refused',
        hint: `Pair again: claw-mesh invite on this machine, then claw-mesh peer add --invite - on ${peer} and run the reply it prints here (or, in a fleet, re-run bootstrap with the same --mesh-secret on both).`,
      })
    case 'no-a2a':
      return new ActionNeededError(`${peer}'s gateway serves no A2A channel (HTTP ${outcome.status} on ${url}): it runs an OpenClaw older than 2026.9.6, was set up by an older claw-mesh, or has no peer configured yet (OpenClaw serves A2A only once a peer is).`, {
        code: 'a2a-unavailable',
        hint: `If you just paired, run the reply on ${peer} (claw-mesh peer add --invite -). Otherwise upgrade OpenClaw on ${peer} (npm install -g openclaw@latest) and re-run claw-mesh bootstrap there; until then claw-mesh send ${peer} works over hooks, without a reply.`,
      })
    case 'starting':
      return new ClawMeshError(`${peer}'s gateway is still starting its A2A channel ("Plugin runtime is starting").`, {code: 'a2a-starting', hint: 'Try again in a few seconds.'})
    case 'rate-limited':
      return new ClawMeshError(`${peer} is rate-limiting this machine (A2A allows 30 requests a minute per peer by default).`, {code: 'a2a-rate-limited', hint: 'Wait a minute and try again.'})
    case 'rpc-error':
      if (outcome.code === -32001) return new UsageError(`${peer} has no such task (${outcome.message}).`, {code: 'task-not-found', hint: 'Tasks live in the peer gateway\'s memory for 24 h and are lost when it restarts; only the peer that started a task can read it.'})
      return new ClawMeshError(`${peer} refused the request (A2A error ${outcome.code}: ${outcome.message || 'no message'}).`, {code: 'a2a-error', hint: `Check the peer with: claw-mesh peer check ${peer}`})
    case 'too-large':
      return new ClawMeshError(`${peer} answered with more than ${MAX_A2A_RESPONSE_BYTES} bytes: refused.`, {code: 'answer-too-large', hint: `That is not what an OpenClaw gateway sends. Check what listens at ${url}.`})
    case 'bad-answer':
      return new ClawMeshError(`${peer}'s answer at ${url} is not an A2A task (${outcome.detail}).`, {code: 'a2a-bad-answer', hint: `Check what listens there with: claw-mesh peer check ${peer}`})
    case 'network':
      if (outcome.failure === 'timeout') return new ClawMeshError(`${peer}'s gateway (${url}) did not answer in time.`, {code: 'peer-timeout', hint: `Check the peer with: claw-mesh peer check ${peer}`})
      return new ClawMeshError(`${peer}'s gateway is unreachable at ${url}: ${outcome.detail}.`, {code: 'peer-unreachable', hint: `The peer's machine or gateway may be down or off the tailnet. Check it with: claw-mesh peer check ${peer}`})
  }
}

/** The public Agent Card of a gateway origin, or why there is none. */
export async function fetchAgentCard(deps: Pick<Deps, 'http'>, origin: string, timeoutMs: number): Promise<{card?: AgentCardFacts; status?: number; failure?: string}> {
  try {
    const res = await deps.http.request({url: `${origin.replace(/\/+$/, '')}${AGENT_CARD_PATH}`, timeoutMs})
    if (res.status !== 200) return {status: res.status, failure: /Plugin runtime is starting/i.test(res.body.slice(0, 200)) ? 'its A2A channel is still starting' : `HTTP ${res.status}`}
    const card = parseAgentCard(res.body.slice(0, MAX_A2A_RESPONSE_BYTES))
    return card ? {card, status: 200} : {status: 200, failure: 'the answer is not an Agent Card'}
  } catch (error) {
    return {failure: error instanceof HttpFailure ? describeFailure(error.kind) : String((error as Error)?.message ?? error)}
  }
}
