import {ActionNeededError} from '../../core/common/errors.js'
import {assertNoSecretInText} from './outbound-guard.js'
import {deliveryError, healthOnlyError, type HookKind} from '../../core/a2a/hook-message.js'
import {DEFAULT_RETRY_POLICY, type RetryPolicy} from '../../core/common/retry.js'
import type {PeerRecord} from '../../core/common/state-schema.js'
import type {Deps} from '../../deps.js'
import type {SecretStore} from '../../infra/secrets/types.js'
import {peerToken, peerTokenName, requirePeer} from '../peers/records.js'
import {requestFor, senderIdentity, type MessageOptions} from './compose.js'
import {deliver} from './deliver.js'
import {askPeer, type AskResult} from '../a2a/ask.js'
import {UsageError} from '../../core/common/errors.js'
import {DEFAULT_TTL_MS} from '../../core/mesh/mesh-outbox.js'
import {sendA2aOrQueue, type QueuedSend} from './send-queue.js'

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
export async function tokenFor(
  deps: Pick<Deps, 'redactor'>,
  secrets: SecretStore,
  record: PeerRecord,
): Promise<string> {
  if (!record.messaging) throw healthOnlyError(record.name)
  const token = await peerToken(deps, secrets, record)
  if (!token) {
    throw new ActionNeededError(
      `The hooks token for ${record.name} (${peerTokenName(record)}) is missing from the secret store (${secrets.location}).`,
      {
        code: 'peer-token-missing',
        hint: `Re-add the peer from its invite: claw-mesh invite on ${record.name}, then claw-mesh peer add --invite - here.`,
      },
    )
  }
  return token
}

/**
 * Sends one message to one peer's /hooks/agent (or /hooks/wake), retrying transient failures with the same
 * idempotency key. With `waitForCompletion` the request stays open until the run ends or `timeoutMs` passes.
 */
export async function sendMessage(
  deps: Deps,
  peer: string,
  opts: MessageOptions & {timeoutMs?: number; policy?: Partial<RetryPolicy>},
): Promise<SendResult> {
  const state = deps.store.read()
  const record = requirePeer(state, peer)
  if (!record.messaging) throw healthOnlyError(record.name)
  const sender = senderIdentity(state)
  const {request, idempotencyKey} = requestFor(record.name, opts, sender)
  await assertNoSecretInText(deps, opts.message)
  const token = await tokenFor(deps, await deps.secrets(), record)
  const requestTimeoutMs = opts.waitForCompletion
    ? (opts.timeoutMs ?? 300_000)
    : (opts.timeoutMs ?? ADMISSION_TIMEOUT_MS)
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    deadlineMs: Math.max(DEFAULT_RETRY_POLICY.deadlineMs, requestTimeoutMs),
    ...opts.policy,
  }
  const result = await deliver(deps, {url: record.url, token}, request, {policy, requestTimeoutMs})
  if (!result.ok) throw deliveryError(record.name, record.url, result.outcome, result.attempts)
  const out: SendResult = {
    peer: record.name,
    url: record.url,
    kind: opts.kind,
    attempts: result.attempts,
    elapsedMs: result.elapsedMs,
    bytes: request.bytes,
  }
  if (result.runId) out.runId = result.runId
  if (result.completion) out.completion = result.completion
  if (result.eventOutcome) out.eventOutcome = result.eventOutcome
  if (idempotencyKey) out.idempotencyKey = idempotencyKey
  return out
}

/** Flags that only mean something on hooks (/hooks/agent's payload): with them, a send goes over hooks. */
export const HOOKS_ONLY_OPTIONS = ['agentId', 'sessionKey', 'idempotencyKey', 'name', 'bare'] as const

export type RoutedSend = ({via: 'a2a'} & AskResult) | ({via: 'a2a'} & QueuedSend) | ({via: 'hooks'} & SendResult)

/**
 * Which road a send takes: A2A when the peer is paired over it (the peer's agent sees this machine as the
 * authenticated sender, and the task id can be fetched later), hooks for `--wake`, hooks-only options, `--hooks`,
 * and peers without A2A (older OpenClaw).
 */
export function sendRoute(
  record: PeerRecord,
  opts: {kind: HookKind; forceHooks?: boolean} & Partial<Record<(typeof HOOKS_ONLY_OPTIONS)[number], unknown>>,
): 'a2a' | 'hooks' {
  if (!record.a2a || opts.kind === 'wake' || opts.forceHooks) return 'hooks'
  return HOOKS_ONLY_OPTIONS.some((k) => opts[k] !== undefined && opts[k] !== false) ? 'hooks' : 'a2a'
}

export async function sendRouted(
  deps: Deps,
  peer: string,
  opts: MessageOptions & {timeoutMs?: number; forceHooks?: boolean; queue?: {ttlMs: number} | false},
): Promise<RoutedSend> {
  const record = requirePeer(deps.store.read(), peer)
  if (sendRoute(record, opts) === 'hooks') {
    if (!record.messaging && record.a2a?.kind === 'foreign') {
      throw new UsageError(
        `${record.name} is a foreign A2A agent, not an OpenClaw gateway: it has no hooks, so --wake, --agent-id, --session-key, --idempotency-key, --name, --bare and --hooks do not apply.`,
        {code: 'hooks-not-paired', hint: `Drop those options: claw-mesh send ${record.name} "…" goes over A2A.`},
      )
    }
    if (!record.messaging && record.a2a) {
      throw new UsageError(
        `${record.name} is paired over A2A only: hooks-only options (--wake, --agent-id, --session-key, --idempotency-key, --name, --bare, --hooks) need its hooks token.`,
        {
          code: 'hooks-not-paired',
          hint: `Drop those options to send over A2A, or add the hooks token: claw-mesh peer add ${record.url} --name ${record.name} --hooks-token file:PATH.`,
        },
      )
    }
    return {via: 'hooks', ...(await sendMessage(deps, peer, opts))}
  }
  const wait = Boolean(opts.waitForCompletion)
  // Without --wait, a peer that is away gets the message from the mesh plugin's outbox when it is back.
  if (!wait && opts.queue !== undefined)
    return {
      via: 'a2a',
      ...(await sendA2aOrQueue(deps, peer, {
        message: opts.message,
        timeoutMs: opts.timeoutMs,
        queue: opts.queue !== false,
        ttlMs: opts.queue ? opts.queue.ttlMs : DEFAULT_TTL_MS,
      })),
    }
  return {
    via: 'a2a',
    ...(await askPeer(deps, peer, {
      message: opts.message,
      returnImmediately: !wait,
      timeoutMs: opts.timeoutMs ?? (wait ? 300_000 : undefined),
    })),
  }
}
