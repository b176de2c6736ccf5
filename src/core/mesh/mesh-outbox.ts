/**
 * The mesh outbox: one record per message an agent sent (mesh_ask or mesh_send), from queued to answered. Pure
 * transitions; the plugin keeps the records in OpenClaw's plugin state store and drives them from its service.
 *
 * queued --accepted--> sent --task ends--> answered | failed
 *   |  \--retryable--> queued (attempts+1, nextAt by backoff)
 *   |--refused--> failed            sent --task unknown--> lost (the peer restarted: tasks live in its memory)
 *   \--ttl passed--> dead           any open record --cancel--> cancelled
 * A record keeps one `id`, sent as the A2A messageId on every attempt, so the receiving gateway drops a repeat.
 */
export type OutboxState = 'queued' | 'sent' | 'answered' | 'failed' | 'lost' | 'dead' | 'cancelled'

export interface OutboxItem {
  id: string
  peer: string
  kind: 'ask' | 'send'
  text: string
  contextId: string
  hop: number
  origin: string
  state: OutboxState
  createdAt: number
  updatedAt: number
  expiresAt: number
  attempts: number
  /** When the next delivery attempt (queued) or poll (sent) is due. */
  nextAt: number
  taskId?: string
  deliveredAt?: number
  answeredAt?: number
  reply?: string
  reason?: string
  /** The asking session, woken when the answer comes late. */
  sessionKey?: string
  agentId?: string
  /** The sender was told (woken) about the outcome. */
  notified?: boolean
  /** The agent read the outcome through a tool. */
  read?: boolean
  /** `cli`: queued by `claw-mesh send` (no session to wake; the answer stays in the outbox). Absent: an agent's tool. */
  source?: 'cli'
  /** Bumped when the peer took the message but certainly never ran it (see STARTUP_RACE): a fresh message id. */
  generation?: number
}

/**
 * Seen live: the first run after a gateway start can fail before the agent ran at all, while OpenClaw's start-up
 * maintenance holds its state. Nothing reached the agent, so the message goes again, under a new message id (the
 * receiver's duplicate filter would otherwise drop it).
 */
export const STARTUP_RACE = /owns state-lifecycle/i

/** The A2A messageId of a record's next delivery: the same on every retry, so the receiver drops a repeat. */
export function deliveryId(item: Pick<OutboxItem, 'id' | 'generation'>): string {
  return item.generation ? `${item.id}.${item.generation}` : item.id
}

export interface RetryPolicy {
  baseMs: number
  maxMs: number
}

/** A peer coming back is noticed within `maxMs`: a refused connection costs nothing, so the cap stays low. */
export const DEFAULT_RETRY: RetryPolicy = {baseMs: 1000, maxMs: 4000}
export const DEFAULT_TTL_MS = 24 * 3_600_000
/** How often a sent message's task is polled: quickly at first, then slowly (OpenClaw allows 30 requests a minute per peer). */
export const POLL_FIRST_MS = 4000
export const POLL_MAX_MS = 15_000

export function backoffMs(attempts: number, policy: RetryPolicy = DEFAULT_RETRY): number {
  const n = Math.max(0, attempts - 1)
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(n, 20))
}

/**
 * Requests the background loop sends one peer in any minute (deliveries and polls together). OpenClaw answers 429
 * past 30 a minute per peer by default, and that limit also covers the agents' own asks and `claw-mesh ask`: a
 * backlog drained at full speed would lock them out, so the loop keeps a third of the window free.
 */
export const BACKGROUND_PER_PEER_PER_MINUTE = 20

/** The request times still inside the last minute, and whether one more may go now. */
export function peerBudget(
  times: readonly number[],
  now: number,
  limit = BACKGROUND_PER_PEER_PER_MINUTE,
): {recent: number[]; ok: boolean} {
  const recent = times.filter((t) => now - t < 60_000 && t <= now)
  return {recent, ok: recent.length < limit}
}

export function pollDelayMs(sinceDeliveredMs: number): number {
  return sinceDeliveredMs < 60_000 ? POLL_FIRST_MS : POLL_MAX_MS
}

export const OPEN_STATES: ReadonlySet<OutboxState> = new Set(['queued', 'sent'])

export function isOpen(item: OutboxItem): boolean {
  return OPEN_STATES.has(item.state)
}

/** The outcome of one SendMessage attempt. */
export type AttemptOutcome =
  | {kind: 'accepted'; taskId: string; taskState: string; reply?: string; reason?: string}
  | {kind: 'retryable'; detail: string}
  | {kind: 'refused'; detail: string}

/** The outcome of one GetTask poll. */
export type PollOutcome =
  | {kind: 'task'; taskState: string; reply?: string; reason?: string}
  | {kind: 'unknown-task'}
  | {kind: 'retryable'; detail: string}

const DONE_OK = 'TASK_STATE_COMPLETED'
const DONE_BAD = new Set(['TASK_STATE_FAILED', 'TASK_STATE_REJECTED', 'TASK_STATE_CANCELED'])

function settleTask(
  item: OutboxItem,
  taskState: string,
  reply: string | undefined,
  reason: string | undefined,
  now: number,
): OutboxItem {
  if (taskState === DONE_OK) return {...item, state: 'answered', reply: reply ?? '', answeredAt: now, updatedAt: now}
  if (DONE_BAD.has(taskState) && STARTUP_RACE.test(reason ?? '') && (item.generation ?? 0) < 3) {
    return {
      ...item,
      state: 'queued',
      taskId: undefined,
      generation: (item.generation ?? 0) + 1,
      nextAt: now + 5000,
      reason: 'the peer was still starting',
      updatedAt: now,
    }
  }
  if (DONE_BAD.has(taskState))
    return {...item, state: 'failed', reason: reason ?? taskState, answeredAt: now, updatedAt: now}
  return {...item, state: 'sent', updatedAt: now, nextAt: now + pollDelayMs(now - (item.deliveredAt ?? now))}
}

export function afterAttempt(
  item: OutboxItem,
  outcome: AttemptOutcome,
  now: number,
  policy: RetryPolicy = DEFAULT_RETRY,
): OutboxItem {
  if (item.state !== 'queued') return item
  const attempts = item.attempts + 1
  switch (outcome.kind) {
    case 'accepted':
      return settleTask(
        {...item, attempts, taskId: outcome.taskId, deliveredAt: now},
        outcome.taskState,
        outcome.reply,
        outcome.reason,
        now,
      )
    case 'refused':
      return {...item, attempts, state: 'failed', reason: outcome.detail, updatedAt: now}
    case 'retryable': {
      const nextAt = now + backoffMs(attempts, policy)
      if (nextAt >= item.expiresAt)
        return {
          ...item,
          attempts,
          state: 'dead',
          reason: `not delivered before it expired (last: ${outcome.detail})`,
          updatedAt: now,
        }
      return {...item, attempts, nextAt, reason: outcome.detail, updatedAt: now}
    }
  }
}

export function afterPoll(item: OutboxItem, outcome: PollOutcome, now: number): OutboxItem {
  if (item.state !== 'sent') return item
  switch (outcome.kind) {
    case 'task':
      return settleTask(item, outcome.taskState, outcome.reply, outcome.reason, now)
    case 'unknown-task':
      return {
        ...item,
        state: 'lost',
        reason: `${item.peer} no longer knows the task: its gateway restarted before it answered (tasks live in its memory)`,
        updatedAt: now,
      }
    case 'retryable':
      // A peer that went away after accepting still holds the task until its gateway restarts: keep polling.
      if (now >= item.expiresAt)
        return {
          ...item,
          state: 'lost',
          reason: `no answer before the message expired (last: ${outcome.detail})`,
          updatedAt: now,
        }
      return {...item, nextAt: now + POLL_MAX_MS, updatedAt: now}
  }
}

/** What the service must do with a record now. */
export function dueAction(item: OutboxItem, now: number): 'deliver' | 'poll' | 'expire' | 'notify' | 'none' {
  if (item.state === 'queued') return now >= item.expiresAt ? 'expire' : now >= item.nextAt ? 'deliver' : 'none'
  if (item.state === 'sent') return now >= item.nextAt ? 'poll' : 'none'
  if (!item.notified && !item.read && item.state !== 'cancelled') return 'notify'
  return 'none'
}

export function expire(item: OutboxItem, now: number): OutboxItem {
  return item.state === 'queued'
    ? {
        ...item,
        state: 'dead',
        reason: item.reason
          ? `not delivered before it expired (last: ${item.reason})`
          : 'not delivered before it expired',
        updatedAt: now,
      }
    : item
}

export function cancel(item: OutboxItem, now: number): OutboxItem {
  return isOpen(item) ? {...item, state: 'cancelled', reason: 'cancelled', updatedAt: now, notified: true} : item
}

/** Retry now: a queued or dead record is queued again with a fresh time to live. */
export function retryNow(item: OutboxItem, now: number, ttlMs = DEFAULT_TTL_MS): OutboxItem {
  if (item.state !== 'queued' && item.state !== 'dead') return item
  return {
    ...item,
    state: 'queued',
    nextAt: now,
    expiresAt: Math.max(item.expiresAt, now + ttlMs),
    notified: false,
    updatedAt: now,
  }
}

/** Queue depth and the oldest undelivered message, for doctor and the agent. */
export function queueSummary(
  items: readonly OutboxItem[],
  now: number,
): {queued: number; awaitingReply: number; oldestQueuedMs?: number; dead: number} {
  const queued = items.filter((i) => i.state === 'queued')
  const oldest = queued.reduce<number | undefined>(
    (m, i) => (m === undefined || i.createdAt < m ? i.createdAt : m),
    undefined,
  )
  return {
    queued: queued.length,
    awaitingReply: items.filter((i) => i.state === 'sent').length,
    oldestQueuedMs: oldest === undefined ? undefined : now - oldest,
    dead: items.filter((i) => i.state === 'dead' && !i.read).length,
  }
}
