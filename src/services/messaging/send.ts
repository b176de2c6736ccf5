import {ActionNeededError} from '../../core/errors.js'
import {deliveryError, healthOnlyError, type HookKind} from '../../core/hook-message.js'
import {DEFAULT_RETRY_POLICY, type RetryPolicy} from '../../core/retry.js'
import type {PeerRecord} from '../../core/state-schema.js'
import type {Deps} from '../../deps.js'
import type {SecretStore} from '../../infra/secrets/types.js'
import {peerToken, peerTokenName, requirePeer} from '../peers/records.js'
import {requestFor, senderIdentity, type MessageOptions} from './compose.js'
import {deliver} from './deliver.js'

export interface SendResult {
  peer: string
  url: string
  kind: HookKind
  /** The run the peer's gateway admitted (/hooks/agent). */
  runId?: string
  /** With --wait: the run's terminal facts (status, replyDisposition, delivery…). */
  completion?: Record<string, unknown>
  /** /hooks/wake: queued or coalesced. */
  eventOutcome?: string
  idempotencyKey?: string
  attempts: number
  elapsedMs: number
  bytes: number
}

/** Admission takes up to 15 s on the gateway (then 503): an attempt waits a little longer than that. */
export const ADMISSION_TIMEOUT_MS = 20_000

/** The peer's hooks token, or a clear error when it cannot be messaged. */
export async function tokenFor(deps: Pick<Deps, 'redactor'>, secrets: SecretStore, record: PeerRecord): Promise<string> {
  if (!record.messaging) throw healthOnlyError(record.name)
  const token = await peerToken(deps, secrets, record)
  if (!token) {
    throw new ActionNeededError(`The hooks token for ${record.name} (${peerTokenName(record)}) is missing from the secret store (${secrets.location}).`, {
      code: 'peer-token-missing',
      hint: `Re-add the peer from its invite: claw-mesh invite on ${record.name}, then claw-mesh peer add --invite - here.`,
    })
  }
  return token
}

/**
 * Sends one message to one peer's /hooks/agent (or /hooks/wake), retrying transient failures with the same
 * idempotency key. With `waitForCompletion` the request stays open until the run ends or `timeoutMs` passes.
 */
export async function sendMessage(deps: Deps, peer: string, opts: MessageOptions & {timeoutMs?: number; policy?: Partial<RetryPolicy>}): Promise<SendResult> {
  const state = deps.store.read()
  const record = requirePeer(state, peer)
  if (!record.messaging) throw healthOnlyError(record.name)
  const sender = senderIdentity(state)
  const {request, idempotencyKey} = requestFor(record.name, opts, sender)
  const token = await tokenFor(deps, await deps.secrets(), record)
  const requestTimeoutMs = opts.waitForCompletion ? (opts.timeoutMs ?? 300_000) : (opts.timeoutMs ?? ADMISSION_TIMEOUT_MS)
  const policy: RetryPolicy = {...DEFAULT_RETRY_POLICY, deadlineMs: Math.max(DEFAULT_RETRY_POLICY.deadlineMs, requestTimeoutMs), ...opts.policy}
  const result = await deliver(deps, {url: record.url, token}, request, {policy, requestTimeoutMs})
  if (!result.ok) throw deliveryError(record.name, record.url, result.outcome, result.attempts)
  const out: SendResult = {peer: record.name, url: record.url, kind: opts.kind, attempts: result.attempts, elapsedMs: result.elapsedMs, bytes: request.bytes}
  if (result.runId) out.runId = result.runId
  if (result.completion) out.completion = result.completion
  if (result.eventOutcome) out.eventOutcome = result.eventOutcome
  if (idempotencyKey) out.idempotencyKey = idempotencyKey
  return out
}
