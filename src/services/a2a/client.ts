import {classifyA2aAnswer} from '../../core/a2a/a2a-answer.js'
import {parseAgentCard, type AgentCardFacts} from '../../core/a2a/a2a-card.js'
import type {A2aOutcome} from '../../core/a2a/a2a-errors.js'
import {AGENT_CARD_PATH, MAX_A2A_RESPONSE_BYTES, a2aHeaders, type PeerKind} from '../../core/a2a/a2a-protocol.js'
import type {Deps} from '../../deps.js'
import {describeFailure, HttpFailure} from '../../infra/http.js'

export {a2aFailure, type A2aOutcome} from '../../core/a2a/a2a-errors.js'

/** One A2A peer as claw-mesh calls it: its JSON-RPC endpoint, the token it expects from us, and what it is. */
export interface A2aTarget {
  peer: string
  url: string
  token: string
  kind: PeerKind
}

/** The plugin starts ~10 s after /healthz answers; a refused connection means nothing was processed either. */
const RETRY_KINDS = new Set(['starting', 'rate-limited'])
/** A refused connection is retried briefly (a gateway restarting its listener), not for the whole deadline. */
const REFUSED_RETRY_MS = 1000

async function once(
  deps: Pick<Deps, 'http'>,
  target: A2aTarget,
  body: string,
  method: 'SendMessage' | 'GetTask',
  timeoutMs: number,
): Promise<A2aOutcome> {
  try {
    const res = await deps.http.request({
      method: 'POST',
      url: target.url,
      headers: a2aHeaders(target.token),
      body,
      timeoutMs,
    })
    if (Buffer.byteLength(res.body, 'utf8') > MAX_A2A_RESPONSE_BYTES) return {kind: 'too-large'}
    return classifyA2aAnswer(res.status, res.body, method, res.headers)
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
    const refused =
      outcome.kind === 'network' &&
      outcome.failure === 'refused' &&
      deps.clock.now().getTime() - started < REFUSED_RETRY_MS
    const retry = RETRY_KINDS.has(outcome.kind) || refused
    if (!retry || deps.clock.now().getTime() + delay >= retryUntil) return outcome
    await deps.clock.sleep(delay)
    delay = Math.min(delay * 2, 4000)
  }
}

/** The public Agent Card under a base URL (a gateway origin, or any agent's card base), or why there is none. */
export async function fetchAgentCard(
  deps: Pick<Deps, 'http'>,
  base: string,
  timeoutMs: number,
): Promise<{card?: AgentCardFacts; status?: number; failure?: string}> {
  try {
    const res = await deps.http.request({
      url: `${base.replace(/\/+$/, '')}${AGENT_CARD_PATH}`,
      headers: a2aHeaders(),
      timeoutMs,
    })
    if (res.status !== 200)
      return {
        status: res.status,
        failure: /Plugin runtime is starting/i.test(res.body.slice(0, 200))
          ? 'its A2A channel is still starting'
          : `HTTP ${res.status}`,
      }
    const card = parseAgentCard(res.body.slice(0, MAX_A2A_RESPONSE_BYTES))
    return card ? {card, status: 200} : {status: 200, failure: 'the answer is not an Agent Card'}
  } catch (error) {
    return {
      failure: error instanceof HttpFailure ? describeFailure(error.kind) : String((error as Error)?.message ?? error),
    }
  }
}
