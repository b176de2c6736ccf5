import type {A2aOutcome} from './a2a-errors.js'
import {contextIdProblem} from './a2a-protocol.js'
import {parseLineageContextId} from '../mesh/mesh-lineage.js'

/**
 * `claw-mesh send` to a peer that is not there: which failures hand the message to the mesh plugin's durable outbox
 * (the peer is away and will be back), which fail at once (the peer answered and said no, or the setup is wrong),
 * and the request file the CLI leaves for the plugin. Pure; the plugin parses the same file with the same code.
 */
export type QueueDecision = {queue: true; reason: string} | {queue: false}

/**
 * Queue only where the peer is away or not ready: a refused, reset or unreachable connection (tailscaled's proxy
 * reports a peer it knows to be offline as unreachable), a timeout (ambiguous: the retry carries the same message
 * id, so the peer drops a repeat), its A2A runtime still starting, a 5xx. Never where the peer answered with a
 * verdict on this host or this message (401, 403, a JSON-RPC error, a version refusal, a 429), where something else
 * answers (no A2A, a bad or oversized answer), or where the fault is here (DNS, TLS, the local proxy, a moved name).
 */
const QUEUE_NETWORK = new Set(['refused', 'reset', 'unreachable', 'timeout'])

export function queueDecision(outcome: Exclude<A2aOutcome, {kind: 'task'}>): QueueDecision {
  switch (outcome.kind) {
    case 'network':
      return QUEUE_NETWORK.has(outcome.failure) ? {queue: true, reason: outcome.detail} : {queue: false}
    case 'starting':
      return {queue: true, reason: 'its A2A channel is still starting'}
    case 'server-error':
      return {queue: true, reason: `it answered HTTP ${outcome.status}`}
    default:
      return {queue: false}
  }
}

/** The plugin counts as running when it rewrote its outbox summary this recently (it does at least once a minute). */
export const PLUGIN_LIVE_MS = 3 * 60_000

/** Why queued messages would not be picked up now, or undefined when the plugin's outbox loop is live. */
export function outboxLoopProblem(summaryUpdatedAt: string | undefined, now: number): string | undefined {
  if (!summaryUpdatedAt)
    return "claw-mesh's OpenClaw plugin has never reported its outbox on this host (not installed, disabled, or the gateway never ran it)"
  const at = Date.parse(summaryUpdatedAt)
  if (!Number.isFinite(at)) return "the mesh plugin's outbox report is unreadable"
  if (now - at > PLUGIN_LIVE_MS)
    return `the mesh plugin last reported its outbox at ${summaryUpdatedAt} (is the gateway running, with the plugin loaded?)`
  return undefined
}

/** One message the CLI hands to the plugin's outbox: a file `enqueue-<id>` in the outbox requests directory. */
export interface EnqueueRequest {
  v: 1
  id: string
  peer: string
  text: string
  /** The A2A contextId the direct attempt used: the retry must land in the same session on the peer. */
  contextId: string
  ttlMs: number
  createdAt: number
}

export const ENQUEUE_PREFIX = 'enqueue-'
/** A message is at most 32 KiB; JSON escaping can at most sextuple it (\u00XX). Anything larger is not ours. */
export const MAX_ENQUEUE_FILE_BYTES = 256 * 1024
export const MIN_TTL_MS = 60_000
export const MAX_TTL_MS = 7 * 24 * 3_600_000
const ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const PEER = /^[a-z0-9][a-z0-9._-]{0,63}$/

export function enqueueRequestName(id: string): string {
  return `${ENQUEUE_PREFIX}${id}`
}

export function parseEnqueueRequestName(name: string): string | undefined {
  if (!name.startsWith(ENQUEUE_PREFIX)) return undefined
  const id = name.slice(ENQUEUE_PREFIX.length)
  return ID.test(id) ? id : undefined
}

/**
 * Reads a request back (in the plugin). Everything is checked again, as if a stranger wrote it: the file name and the
 * id agree, the peer is a plain name, the thread is one of claw-mesh's lineage context ids, the time to live is
 * bounded. The body itself goes through the plugin's own outbound check (size, slash, the gateway's tokens).
 */
export function parseEnqueueRequest(
  name: string,
  text: string,
): {ok: true; request: EnqueueRequest} | {ok: false; problem: string} {
  const id = parseEnqueueRequestName(name)
  if (!id) return {ok: false, problem: 'not an enqueue request name'}
  if (Buffer.byteLength(text, 'utf8') > MAX_ENQUEUE_FILE_BYTES) return {ok: false, problem: 'request file too large'}
  let raw: Record<string, unknown>
  try {
    raw = JSON.parse(text) as Record<string, unknown>
  } catch {
    return {ok: false, problem: 'request file is not JSON'}
  }
  if (!raw || typeof raw !== 'object' || raw.v !== 1) return {ok: false, problem: 'unknown request version'}
  if (raw.id !== id) return {ok: false, problem: 'the id does not match the file name'}
  if (typeof raw.peer !== 'string' || !PEER.test(raw.peer)) return {ok: false, problem: 'bad peer name'}
  if (typeof raw.text !== 'string') return {ok: false, problem: 'no message text'}
  if (typeof raw.contextId !== 'string' || contextIdProblem(raw.contextId) || !parseLineageContextId(raw.contextId))
    return {ok: false, problem: 'bad thread'}
  if (typeof raw.ttlMs !== 'number' || !Number.isFinite(raw.ttlMs) || raw.ttlMs < MIN_TTL_MS || raw.ttlMs > MAX_TTL_MS)
    return {ok: false, problem: 'bad time to live'}
  if (typeof raw.createdAt !== 'number' || !Number.isFinite(raw.createdAt))
    return {ok: false, problem: 'bad creation time'}
  return {
    ok: true,
    request: {
      v: 1,
      id,
      peer: raw.peer,
      text: raw.text,
      contextId: raw.contextId,
      ttlMs: raw.ttlMs,
      createdAt: raw.createdAt,
    },
  }
}
