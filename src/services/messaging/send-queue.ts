import {randomUUID} from 'node:crypto'
import {promises as fs} from 'node:fs'
import path from 'node:path'
import {sendMessageBody} from '../../core/a2a/a2a-protocol.js'
import {ClawMeshError} from '../../core/common/errors.js'
import {OUTBOX_REQUESTS_DIR} from '../../core/mesh/mesh-audit.js'
import {checkOutgoingBody} from '../../core/mesh/mesh-body.js'
import {lineageContextId, newOrigin} from '../../core/mesh/mesh-lineage.js'
import {enqueueRequestName, outboxLoopProblem, queueDecision, type EnqueueRequest} from '../../core/a2a/send-queue.js'
import type {PeerRecord, State} from '../../core/common/state-schema.js'
import type {Deps} from '../../deps.js'
import {askMode, peerKindOf, prepareA2aMessage, resultOf, type AskResult} from '../a2a/ask.js'
import {a2aFailure, callA2a} from '../a2a/client.js'
import {readOutboxSummary} from './outbox.js'

/**
 * `claw-mesh send` over A2A without --wait: one SendMessage; when the peer is away (see queueDecision), the message
 * goes to the mesh plugin's durable outbox instead of failing. The direct attempt and every later one carry the same
 * message id and thread, so the receiving gateway runs it at most once whichever attempt reached it.
 */
export interface QueuedSend {
  queued: true
  id: string
  peer: string
  thread: string
  /** Why the direct attempt did not reach the peer. */
  reason: string
  expiresAt: string
}

export interface SendQueueOptions {
  message: string
  timeoutMs?: number
  /** false: fail as before instead of queueing (--no-queue). */
  queue: boolean
  ttlMs: number
}

/** With a queue to fall back on, a peer whose A2A channel is starting is not waited for long: the plugin retries it. */
const STARTING_RETRY_WHEN_QUEUEING_MS = 5000

export async function sendA2aOrQueue(
  deps: Deps,
  peerName: string,
  opts: SendQueueOptions,
): Promise<AskResult | QueuedSend> {
  const {record, target} = await prepareA2aMessage(deps, peerName, opts.message)
  const id = randomUUID()
  // hop 1 of a new chain, as an owner's own run would send it: the receiving plugin reads the lineage from it.
  const contextId = lineageContextId({hop: 1, origin: newOrigin()})
  const timeoutMs = opts.timeoutMs ?? 120_000
  const {httpTimeoutMs} = askMode(peerKindOf(record), timeoutMs, true)
  const started = deps.clock.now().getTime()
  const rpc = sendMessageBody({text: opts.message, contextId, messageId: id, returnImmediately: true})
  const outcome = await callA2a(deps, target, rpc, {
    method: 'SendMessage',
    timeoutMs: httpTimeoutMs,
    retryForMs: opts.queue ? STARTING_RETRY_WHEN_QUEUEING_MS : Math.min(timeoutMs, 30_000),
  })
  if (outcome.kind === 'task') return resultOf(record.name, outcome.task, started, deps.clock.now().getTime())
  const decision = queueDecision(outcome)
  const failure = a2aFailure(target, outcome)
  if (!decision.queue || !opts.queue) throw failure
  // The plugin's own outbound check (32 KiB, no leading slash), applied before the message is queued, not after.
  const body = checkOutgoingBody(opts.message, [])
  const problem = body.ok
    ? await queueProblem(deps, record)
    : `the message does not pass the mesh plugin's outbound check (${body.message.replace(/^Not sent: /, '')})`
  if (!body.ok || problem) {
    throw new ClawMeshError(`${failure.message} Not queued: ${problem}.`, {
      code: failure.code,
      hint: `${!body.ok ? 'Shorten or rephrase it and send again when the peer is back.' : "claw-mesh doctor --fix installs claw-mesh's OpenClaw plugin, whose outbox delivers to peers that are away."} ${failure.hint ?? ''}`.trim(),
    })
  }
  const now = deps.clock.now().getTime()
  const request: EnqueueRequest = {
    v: 1,
    id,
    peer: record.name,
    text: body.text,
    contextId,
    ttlMs: opts.ttlMs,
    createdAt: now,
  }
  await writeEnqueueRequest(deps, request)
  return {
    queued: true,
    id,
    peer: record.name,
    thread: contextId,
    reason: decision.reason,
    expiresAt: new Date(now + opts.ttlMs).toISOString(),
  }
}

/** Why the plugin would not deliver this message, or undefined when it will. Nothing here touches the network. */
async function queueProblem(deps: Deps, record: PeerRecord): Promise<string | undefined> {
  const state: State = deps.store.read()
  if (!(state.gateway?.a2aPeers ?? []).includes(record.name))
    return `${record.name} is not among this gateway's A2A peers (channels.a2a.peers), so the mesh plugin cannot call it`
  return outboxLoopProblem((await readOutboxSummary(deps))?.updatedAt, deps.clock.now().getTime())
}

/**
 * Leaves the request for the plugin: written under a temporary name beside the requests directory (the plugin
 * removes whatever it finds in there, so a half-written file must never be in it), then renamed in. 0600: the body
 * is the owner's message.
 */
export async function writeEnqueueRequest(deps: Pick<Deps, 'stateDir'>, request: EnqueueRequest): Promise<string> {
  const dir = path.join(deps.stateDir, OUTBOX_REQUESTS_DIR)
  await fs.mkdir(dir, {recursive: true, mode: 0o700})
  const tmp = path.join(deps.stateDir, `.${enqueueRequestName(request.id)}.tmp`)
  const file = path.join(dir, enqueueRequestName(request.id))
  try {
    await fs.writeFile(tmp, JSON.stringify(request), {mode: 0o600, flag: 'wx'})
    await fs.rename(tmp, file)
  } catch (error) {
    await fs.rm(tmp, {force: true})
    throw error
  }
  return file
}
