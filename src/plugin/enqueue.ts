import {readFileSync, statSync} from 'node:fs'
import {checkOutgoingBody} from '../core/mesh/mesh-body.js'
import {parseLineageContextId} from '../core/mesh/mesh-lineage.js'
import type {OutboxItem} from '../core/mesh/mesh-outbox.js'
import {MAX_ENQUEUE_FILE_BYTES, parseEnqueueRequest} from '../core/a2a/send-queue.js'
import {reachable} from './a2a.js'
import {auditOutboxItem} from './audit.js'
import {currentConfig, meshPeers, ownSecrets, type PluginApi} from './host.js'
import type {MeshState} from './state.js'

/**
 * A message `claw-mesh send` queued because its peer was away: one request file, turned into an outbox record the
 * service then delivers like any mesh_send. The record keeps the CLI's message id and thread, so the peer runs it
 * at most once whichever attempt reached it. Applied once: a record with that id already there means done.
 * The file is read as untrusted input: size-capped, every field checked, the body through the same outbound check
 * as an agent's (size, slash, this gateway's own tokens).
 */
export async function enqueueFromFile(
  api: PluginApi,
  state: MeshState,
  file: string,
  name: string,
  now: number,
): Promise<OutboxItem | undefined> {
  let text: string
  try {
    if (statSync(file).size > MAX_ENQUEUE_FILE_BYTES) throw new Error('request file too large')
    text = readFileSync(file, 'utf8')
  } catch (error) {
    api.logger?.warn?.(
      `claw-mesh: ignored the outbox request ${name}: ${String((error as Error)?.message ?? error).slice(0, 200)}`,
    )
    return undefined
  }
  const parsed = parseEnqueueRequest(name, text)
  if (!parsed.ok) {
    api.logger?.warn?.(`claw-mesh: ignored the outbox request ${name}: ${parsed.problem}`)
    return undefined
  }
  const r = parsed.request
  if (await state.outbox.get(r.id)) return undefined
  const config = currentConfig(api)
  const peer = meshPeers(config).find((p) => p.name === r.peer)
  const body = checkOutgoingBody(r.text, ownSecrets(config))
  const lineage = parseLineageContextId(r.contextId)!
  const createdAt = Math.min(r.createdAt, now)
  const item: OutboxItem = {
    id: r.id,
    peer: r.peer,
    kind: 'send',
    text: body.ok ? body.text : '',
    contextId: r.contextId,
    hop: lineage.hop,
    origin: lineage.origin,
    state: 'queued',
    createdAt,
    updatedAt: now,
    expiresAt: createdAt + r.ttlMs,
    // The CLI tried once before it queued.
    attempts: 1,
    nextAt: now,
    reason: 'queued by claw-mesh send: the peer was away',
    source: 'cli',
    // No session asked: nothing to wake and no agent reads it through mesh_task. The answer stays in the outbox
    // (claw-mesh outbox list --all) and the audit log, and the record is pruned like a read one.
    read: true,
    notified: true,
  }
  let event: 'queued' | 'refused' = 'queued'
  if (!peer || !reachable(peer)) {
    Object.assign(item, {
      state: 'failed',
      reason: `${r.peer} is not among this gateway's A2A peers, or has no address to call`,
    })
    event = 'refused'
  } else if (!body.ok) {
    Object.assign(item, {state: 'failed', reason: body.message})
    event = 'refused'
  }
  await state.outbox.put(item.id, item)
  auditOutboxItem(api, item, event, {reason: event === 'refused' ? item.reason : undefined})
  return item
}
