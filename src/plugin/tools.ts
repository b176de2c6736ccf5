import {randomUUID} from 'node:crypto'
import {contextIdProblem} from '../core/a2a/a2a-protocol.js'
import {checkOutgoingBody, incomingText} from '../core/mesh/mesh-body.js'
import {HOUR_MS, checkGuards, limitsFor, withinHour} from '../core/mesh/mesh-guards.js'
import {callerLineage, parseLineageContextId, threadContextId} from '../core/mesh/mesh-lineage.js'
import {DEFAULT_TTL_MS, afterAttempt, type OutboxItem} from '../core/mesh/mesh-outbox.js'
import {reachable, sendMessage} from './a2a.js'
import {auditOutboxItem} from './audit.js'
import {
  currentConfig,
  meshPeers,
  ownSecrets,
  readPluginConfig,
  type MeshPeer,
  type PluginApi,
  type ToolContext,
  type ToolResult,
} from './host.js'
import {openMeshState, type MeshState} from './state.js'

/** How long a blocking ask may take: the peer's own reply window (OpenClaw's default 120 s) plus the round trip. */
export const ASK_HTTP_TIMEOUT_MS = 130_000
const SEND_HTTP_TIMEOUT_MS = 10_000

export function result(text: string, details: Record<string, unknown>): ToolResult {
  return {content: [{type: 'text', text}], details}
}

export interface MeshCall {
  api: PluginApi
  ctx: ToolContext
  now(): number
}

function audit(
  call: MeshCall,
  item: OutboxItem,
  event: Parameters<typeof auditOutboxItem>[2],
  extra: {latencyMs?: number; reason?: string} = {},
) {
  auditOutboxItem(call.api, item, event, extra)
}

/** Everything a message needs before it may go: the peer, a clean body, the lineage and the guards' verdict. */
async function prepare(
  call: MeshCall,
  params: Record<string, unknown>,
  kind: 'ask' | 'send',
): Promise<{item: OutboxItem; peer: MeshPeer; state: MeshState} | ToolResult> {
  const config = currentConfig(call.api)
  const settings = readPluginConfig(call.api.pluginConfig)
  const peers = meshPeers(config)
  const name = typeof params.peer === 'string' ? params.peer.trim().toLowerCase() : ''
  const peer = peers.find((p) => p.name === name)
  if (!peer)
    return result(
      `Not sent: no peer named ${JSON.stringify(name.slice(0, 64))}. Peers: ${peers.map((p) => p.name).join(', ') || 'none'} (mesh_peers lists them).`,
      {ok: false, code: 'unknown-peer'},
    )
  if (!reachable(peer))
    return result(
      `Not sent: ${peer.name} only calls this host; it gave no address to call it back on. Ask your owner to pair again with claw-mesh.`,
      {ok: false, code: 'peer-not-callable'},
    )
  const body = checkOutgoingBody(typeof params.message === 'string' ? params.message : '', ownSecrets(config))
  if (!body.ok) return result(body.message, {ok: false, code: body.code})
  const thread = typeof params.thread === 'string' && params.thread !== '' ? params.thread : undefined
  if (thread && contextIdProblem(thread))
    return result(
      `Not sent: thread ${contextIdProblem(thread)} (pass the thread an earlier mesh_ask or mesh_task returned).`,
      {ok: false, code: 'bad-thread'},
    )
  const caller = callerLineage(call.ctx.sessionKey)
  const contextId = threadContextId(caller, thread)
  const lineage = parseLineageContextId(contextId)!
  const state = await openMeshState(call.api)
  const now = call.now()
  const sends = await state.sends.get(peer.name)
  const recent = withinHour(sends?.at ?? [], now)
  const verdict = checkGuards({
    peer: peer.name,
    hop: lineage.hop,
    limits: limitsFor(settings, peer.name),
    recentAgentSends: recent.length,
  })
  const ttlMs = settings.ttlHours ? settings.ttlHours * HOUR_MS : DEFAULT_TTL_MS
  const item: OutboxItem = {
    id: randomUUID(),
    peer: peer.name,
    kind,
    text: body.text,
    contextId,
    hop: lineage.hop,
    origin: lineage.origin,
    state: 'queued',
    createdAt: now,
    updatedAt: now,
    expiresAt: now + ttlMs,
    attempts: 0,
    nextAt: now,
    sessionKey: call.ctx.sessionKey,
    agentId: call.ctx.agentId,
  }
  if (!verdict.ok) {
    audit(call, item, 'refused', {reason: verdict.code})
    return result(verdict.message, {ok: false, code: verdict.code, hop: lineage.hop})
  }
  if (lineage.hop > 1) await state.sends.put(peer.name, {peer: peer.name, at: [...recent, now]})
  return {item, peer, state}
}

function replyText(item: OutboxItem): string {
  return incomingText(item.reply ?? '')
}

export async function meshAsk(call: MeshCall, params: Record<string, unknown>): Promise<ToolResult> {
  const ready = await prepare(call, params, 'ask')
  if (!('item' in ready)) return ready
  const {peer, state} = ready
  const started = call.now()
  const outcome = await sendMessage(peer as Parameters<typeof sendMessage>[0], {
    id: ready.item.id,
    text: ready.item.text,
    contextId: ready.item.contextId,
    wait: true,
    timeoutMs: ASK_HTTP_TIMEOUT_MS,
  })
  let item = afterAttempt(ready.item, outcome, call.now())
  const latencyMs = call.now() - started
  if (item.state === 'answered' || item.state === 'failed') item = {...item, read: true, notified: true}
  if (item.state === 'queued' && item.generation) {
    await state.outbox.put(item.id, item)
    audit(call, item, 'queued', {latencyMs})
    return result(
      `${peer.name}'s gateway was still starting and did not run the question; it is queued and goes again in a few seconds. The answer will wake this session; mesh_task {"id": "${item.id}"} shows it.`,
      {ok: true, pending: true, id: item.id, peer: item.peer, thread: item.contextId, state: item.state},
    )
  }
  if (item.state === 'queued') {
    // An ask wants an answer now: an unreachable peer is reported, not queued (mesh_send queues).
    item = {...item, state: 'failed', reason: `unreachable: ${item.reason}`, read: true, notified: true}
  }
  await state.outbox.put(item.id, item)
  audit(call, item, item.state === 'sent' ? 'sent' : item.state === 'answered' ? 'answered' : 'failed', {latencyMs})
  const base = {id: item.id, peer: item.peer, thread: item.contextId, state: item.state, hop: item.hop}
  if (item.state === 'answered') return result(replyText(item), {ok: true, ...base, reply: replyText(item), latencyMs})
  if (item.state === 'sent') {
    return result(
      `${peer.name} is still working on it. Its answer will wake this session when it comes; read it with mesh_task {"id": "${item.id}"}.`,
      {ok: true, pending: true, ...base},
    )
  }
  const offline = item.reason?.startsWith('unreachable')
  return result(
    offline
      ? `${peer.name} is not reachable now (${item.reason}). Use mesh_send to queue the message until it is back.`
      : `${peer.name} did not answer: ${item.reason}.`,
    {ok: false, ...base, reason: item.reason},
  )
}

export async function meshSend(call: MeshCall, params: Record<string, unknown>): Promise<ToolResult> {
  const ready = await prepare(call, params, 'send')
  if (!('item' in ready)) return ready
  const {peer, state} = ready
  const outcome = await sendMessage(peer as Parameters<typeof sendMessage>[0], {
    id: ready.item.id,
    text: ready.item.text,
    contextId: ready.item.contextId,
    wait: false,
    timeoutMs: SEND_HTTP_TIMEOUT_MS,
  })
  const item = afterAttempt(ready.item, outcome, call.now())
  await state.outbox.put(item.id, item)
  audit(call, item, item.state === 'queued' ? 'queued' : item.state === 'failed' ? 'failed' : 'sent')
  const base = {id: item.id, peer: item.peer, thread: item.contextId, state: item.state, hop: item.hop}
  if (item.state === 'queued')
    return result(
      `Queued: ${peer.name} is not reachable now (${item.reason}). It will be delivered when it is back (mesh_task {"id": "${item.id}"} shows the state); its answer will wake this session.`,
      {ok: true, queued: true, ...base},
    )
  if (item.state === 'failed')
    return result(`Not delivered: ${item.reason}.`, {ok: false, ...base, reason: item.reason})
  return result(
    `Delivered to ${peer.name}. Its answer will wake this session; mesh_task {"id": "${item.id}"} shows it.`,
    {ok: true, delivered: true, ...base},
  )
}

function describe(item: OutboxItem): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: item.id,
    peer: item.peer,
    kind: item.kind,
    state: item.state,
    thread: item.contextId,
    attempts: item.attempts,
    created: new Date(item.createdAt).toISOString(),
  }
  if (item.reply !== undefined) out.reply = replyText(item)
  if (item.reason) out.reason = item.reason
  return out
}

export async function meshTask(call: MeshCall, params: Record<string, unknown>): Promise<ToolResult> {
  const state = await openMeshState(call.api)
  // What the owner queued with `claw-mesh send` is not any agent's to read.
  const mine = (i: OutboxItem) =>
    i.source !== 'cli' && (!call.ctx.agentId || !i.agentId || i.agentId === call.ctx.agentId)
  if (typeof params.id === 'string' && params.id !== '') {
    const item = await state.outbox.get(params.id.slice(0, 64).replace(/[^A-Za-z0-9-]/g, ''))
    if (!item || !mine(item))
      return result(`No mesh message with id ${JSON.stringify(params.id.slice(0, 64))}.`, {
        ok: false,
        code: 'unknown-id',
      })
    if (!item.read && !['queued', 'sent'].includes(item.state))
      await state.outbox.put(item.id, {...item, read: true, notified: true})
    return result(JSON.stringify(describe(item), null, 2), {ok: true, ...describe(item)})
  }
  const items = (await state.outbox.list()).filter(mine).sort((a, b) => b.createdAt - a.createdAt)
  const unread = items.filter((i) => !i.read && !['queued', 'sent'].includes(i.state))
  const open = items.filter((i) => ['queued', 'sent'].includes(i.state))
  for (const i of unread) await state.outbox.put(i.id, {...i, read: true, notified: true})
  const listed = [...unread, ...open].slice(0, 20).map(describe)
  return result(listed.length ? JSON.stringify(listed, null, 2) : 'No unread answers and nothing waiting.', {
    ok: true,
    items: listed,
  })
}
