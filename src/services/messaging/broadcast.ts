import {ActionNeededError, ClawMeshError} from '../../core/common/errors.js'
import {assertNoSecretInText} from './outbound-guard.js'
import {deliveryError, type HookKind, type HookRequest} from '../../core/a2a/hook-message.js'
import {DEFAULT_RETRY_POLICY} from '../../core/common/retry.js'
import type {PeerRecord} from '../../core/common/state-schema.js'
import type {Deps} from '../../deps.js'
import {requestFor, senderIdentity, type MessageOptions} from './compose.js'
import {deliver, type Delivery} from './deliver.js'
import {sendRoute, tokenFor} from './send.js'
import {assertA2aText} from '../../core/a2a/a2a-protocol.js'
import {askPeer, peerKindOf} from '../a2a/ask.js'
import {byName} from '../../core/common/order.js'
import {monotonicMs} from '../../core/common/duration.js'

export type BroadcastStatus = 'delivered' | 'answered' | 'failed' | 'timeout' | 'skipped'

export interface BroadcastPeerResult {
  peer: string
  url: string
  status: BroadcastStatus
  via?: 'a2a' | 'hooks'
  /** A2A: the task on the peer, its final state and (with --wait) the agent's reply. */
  taskId?: string
  state?: string
  reply?: string
  contextId?: string
  runId?: string
  eventOutcome?: string
  httpStatus?: number
  attempts: number
  elapsedMs: number
  /** Why it failed or was skipped. */
  error?: string
  code?: string
  hint?: string
}

export interface BroadcastResult {
  kind: HookKind
  timeoutMs: number
  elapsedMs: number
  results: BroadcastPeerResult[]
  summary: Record<BroadcastStatus, number>
}

/** Time past the per-peer timeout after which a delivery is abandoned whatever the HTTP client does. */
const GRACE_MS = 500

function failed(
  record: PeerRecord,
  error: ClawMeshError,
  extra: Partial<BroadcastPeerResult> = {},
): BroadcastPeerResult {
  return {
    peer: record.name,
    url: record.url,
    status: 'failed',
    attempts: 0,
    elapsedMs: 0,
    error: error.message,
    code: error.code,
    hint: error.hint,
    ...extra,
  }
}

async function deliverBounded(
  deps: Deps,
  record: PeerRecord,
  token: string,
  request: HookRequest,
  timeoutMs: number,
): Promise<Delivery | undefined> {
  const abort = new AbortController()
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      abort.abort()
      resolve(undefined)
    }, timeoutMs + GRACE_MS)
  })
  try {
    return await Promise.race([
      deliver(deps, {url: record.url, token}, request, {
        policy: {...DEFAULT_RETRY_POLICY, deadlineMs: timeoutMs},
        requestTimeoutMs: timeoutMs,
        signal: abort.signal,
      }),
      deadline,
    ])
  } finally {
    clearTimeout(timer)
  }
}

async function sendOne(
  deps: Deps,
  record: PeerRecord,
  token: string,
  request: HookRequest,
  timeoutMs: number,
): Promise<BroadcastPeerResult> {
  const started = monotonicMs()
  const d = await deliverBounded(deps, record, token, request, timeoutMs)
  if (!d) {
    const error = deliveryError(
      record.name,
      record.url,
      {type: 'network', kind: 'timeout', detail: 'no answer before the timeout'},
      1,
    )
    return failed(record, error, {attempts: 1, elapsedMs: Math.round(monotonicMs() - started)})
  }
  const base = {peer: record.name, url: record.url, attempts: d.attempts, elapsedMs: d.elapsedMs}
  const httpStatus = d.outcome.type === 'answer' ? {httpStatus: d.outcome.status} : {}
  if (d.ok)
    return {
      ...base,
      ...httpStatus,
      status: 'delivered',
      ...(d.runId ? {runId: d.runId} : {}),
      ...(d.eventOutcome ? {eventOutcome: d.eventOutcome} : {}),
    }
  return failed(record, deliveryError(record.name, record.url, d.outcome, d.attempts), {...base, ...httpStatus})
}

/**
 * Sends the same message to every peer with messaging on, all at once, each bounded by `timeoutMs` (retries
 * included), so the whole run takes about one timeout whatever the number of peers. Health-only peers are
 * listed as skipped. Each peer gets its own idempotency key (the key covers the peer's name).
 */
async function askOne(
  deps: Deps,
  record: PeerRecord,
  message: string,
  timeoutMs: number,
  wait: boolean,
): Promise<BroadcastPeerResult> {
  const started = monotonicMs()
  const base = {peer: record.name, url: record.url, via: 'a2a' as const, attempts: 1}
  try {
    const r = await askPeer(deps, record.name, {message, returnImmediately: !wait, timeoutMs})
    const facts = {
      ...base,
      elapsedMs: r.elapsedMs,
      taskId: r.taskId,
      state: r.state,
      ...(r.contextId ? {contextId: r.contextId} : {}),
    }
    if (r.pending)
      return wait
        ? {
            ...facts,
            status: 'timeout',
            error: `still working after ${timeoutMs} ms (claw-mesh task ${record.name} ${r.taskId})`,
          }
        : {...facts, status: 'delivered'}
    if (r.ok)
      return {...facts, status: wait ? 'answered' : 'delivered', ...(r.reply !== undefined ? {reply: r.reply} : {})}
    if (r.interrupted)
      return {
        ...facts,
        status: 'failed',
        error: `needs ${r.interrupted === 'auth' ? 'authorization' : 'input'}${r.reason ? `: ${r.reason}` : ''} (answer: claw-mesh ask ${record.name} --task ${r.taskId} "…")`,
        code: 'task-input-required',
      }
    return {
      ...facts,
      status: 'failed',
      error: `task ${r.state.replace('TASK_STATE_', '').toLowerCase()}${r.reason ? `: ${r.reason}` : ''}`,
      code: 'task-failed',
    }
  } catch (error) {
    const err = error instanceof ClawMeshError ? error : new ClawMeshError(String((error as Error)?.message ?? error))
    return {...failed(record, err), via: 'a2a', attempts: 1, elapsedMs: Math.round(monotonicMs() - started)}
  }
}

export async function broadcastMessage(
  deps: Deps,
  opts: Omit<MessageOptions, 'idempotencyKey' | 'waitForCompletion'> & {
    timeoutMs: number
    wait?: boolean
    forceHooks?: boolean
  },
): Promise<BroadcastResult> {
  const state = deps.store.read()
  const records = Object.values(state.peers).sort(byName)
  const routes = new Map(records.map((r) => [r.name, sendRoute(r, opts)]))
  const targets = records.filter((r) => r.messaging || routes.get(r.name) === 'a2a')
  if (targets.length === 0) {
    throw new ActionNeededError(
      records.length === 0
        ? 'There are no peers to broadcast to.'
        : `None of the ${records.length} peers has messaging on (all are health-only).`,
      {
        code: 'no-messaging-peers',
        hint: 'Add peers from their invites: claw-mesh invite on each peer, then claw-mesh peer add --invite - here (or claw-mesh peer discover in a mesh-secret fleet).',
      },
    )
  }
  const sender = senderIdentity(state)
  // Every body is built (and size-checked) before the first is sent: an oversized message reaches nobody.
  const requests = new Map(
    targets
      .filter((r) => routes.get(r.name) === 'hooks')
      .map((r) => [r.name, requestFor(r.name, opts, sender).request]),
  )
  for (const r of targets) if (routes.get(r.name) === 'a2a') assertA2aText(opts.message, r.name, peerKindOf(r))
  // Refused once, before the first peer is reached: a message holding a secret goes to nobody.
  await assertNoSecretInText(deps, opts.message)
  const secrets = await deps.secrets()
  const started = monotonicMs()
  const results = await Promise.all(
    records.map(async (record): Promise<BroadcastPeerResult> => {
      if (routes.get(record.name) === 'a2a')
        return askOne(deps, record, opts.message, opts.timeoutMs, Boolean(opts.wait))
      if (!record.messaging)
        return {
          peer: record.name,
          url: record.url,
          status: 'skipped',
          attempts: 0,
          elapsedMs: 0,
          error: record.a2a
            ? 'paired over A2A only (no hooks token for these options)'
            : 'health-only peer (no hooks token)',
        }
      let token: string
      try {
        token = await tokenFor(deps, secrets, record)
      } catch (error) {
        return failed(
          record,
          error instanceof ClawMeshError
            ? error
            : new ClawMeshError(`Cannot read the hooks token for ${record.name}: ${(error as Error).message}`),
        )
      }
      return {
        ...(await sendOne(deps, record, token, requests.get(record.name) as HookRequest, opts.timeoutMs)),
        via: 'hooks',
      }
    }),
  )
  const summary: Record<BroadcastStatus, number> = {delivered: 0, answered: 0, failed: 0, timeout: 0, skipped: 0}
  for (const r of results) summary[r.status]++
  return {
    kind: opts.kind,
    timeoutMs: opts.timeoutMs,
    elapsedMs: Math.round(monotonicMs() - started),
    results,
    summary,
  }
}
