import {wakeText} from '../core/mesh/mesh-body.js'
import {
  afterAttempt,
  afterPoll,
  cancel,
  deliveryId,
  dueAction,
  expire,
  peerBudget,
  queueSummary,
  retryNow,
  type OutboxItem,
} from '../core/mesh/mesh-outbox.js'
import {OUTBOX_REQUESTS_DIR, parseOutboxRequestName} from '../core/mesh/mesh-audit.js'
import {readdirSync, rmSync} from 'node:fs'
import path from 'node:path'
import {getTask, reachable, sendMessage} from './a2a.js'
import {auditOutboxItem, writeOutboxSummary} from './audit.js'
import {enqueueFromFile} from './enqueue.js'
import {parseEnqueueRequestName} from '../core/a2a/send-queue.js'
import {currentConfig, meshPeers, readPluginConfig, type PluginApi} from './host.js'
import {fallbackDir, openMeshState} from './state.js'

/**
 * The background half of the plugin: delivers queued messages with backoff, polls peers for answers that came
 * after a tool stopped waiting, expires what waited too long, and wakes the session that asked. One loop per
 * gateway process, whatever number of times OpenClaw calls register().
 */
const TICK_MS = 500
/** Closed records the agent has read are kept this long for mesh_task and `claw-mesh outbox`, then pruned. */
const KEEP_CLOSED_MS = 7 * 24 * 3_600_000
const LOOP = Symbol.for('claw-mesh.plugin.outbox-loop')

type Loop = {timer?: NodeJS.Timeout; busy: boolean}
/** The last summary written, so an idle outbox writes nothing; rewritten at least once a minute (doctor sees it is live). */
let lastSummary = {text: '', at: 0}
/** When the loop last sent each peer a request: it stays under the peer's rate limit across ticks. */
const peerRequests = new Map<string, number[]>()

function auditEvent(
  api: PluginApi,
  item: OutboxItem,
  event: 'sent' | 'answered' | 'failed' | 'lost' | 'dead',
  latencyMs?: number,
): void {
  auditOutboxItem(api, item, event, {latencyMs, reason: item.reason})
}

/** Wakes the asking session: a system event with the answer's start, then an immediate heartbeat for that session. */
export function wake(api: PluginApi, item: OutboxItem): boolean {
  const system = api.runtime.system
  if (!item.sessionKey || !system?.enqueueSystemEvent || !system.requestHeartbeat) return false
  const text = wakeText(item.peer, item.id, item.reply, item.state)
  system.enqueueSystemEvent(text, {
    sessionKey: item.sessionKey,
    agentId: item.agentId,
    contextKey: `claw-mesh:${item.id}`,
  })
  system.requestHeartbeat({
    source: 'hook',
    intent: 'immediate',
    reason: `hook:claw-mesh:${item.id}`,
    agentId: item.agentId,
    sessionKey: item.sessionKey,
  })
  return true
}

/** Applies what `claw-mesh outbox retry|cancel` and a queued `claw-mesh send` asked for: the plugin alone writes its state. */
async function applyRequests(api: PluginApi, dir: string, now: number): Promise<void> {
  const requestsDir = path.join(dir, OUTBOX_REQUESTS_DIR)
  let names: string[]
  try {
    names = readdirSync(requestsDir)
  } catch {
    return
  }
  const state = await openMeshState(api)
  for (const name of names.slice(0, 100)) {
    const file = path.join(requestsDir, name)
    if (parseEnqueueRequestName(name)) {
      // Read, recorded, then removed: a crash in between finds the record and only removes the file.
      await enqueueFromFile(api, state, file, name, now)
      rmSync(file, {force: true})
      continue
    }
    rmSync(file, {force: true})
    const request = parseOutboxRequestName(name)
    const item = request ? await state.outbox.get(request.id) : undefined
    if (!request || !item) continue
    const next = request.action === 'cancel' ? cancel(item, now) : retryNow(item, now)
    if (next !== item) await state.outbox.put(next.id, next)
  }
}

export async function tick(api: PluginApi, now: () => number = Date.now): Promise<void> {
  await applyRequests(api, readPluginConfig(api.pluginConfig).auditDir ?? fallbackDir(api), now())
  const state = await openMeshState(api)
  const peers = new Map(meshPeers(currentConfig(api)).map((p) => [p.name, p]))
  const settings = readPluginConfig(api.pluginConfig)
  const policy = {baseMs: 1000, maxMs: settings.retryMaxMs ?? 4000}
  const busyPeers = new Set<string>()
  const items = await state.outbox.list()
  const s = queueSummary(items, now())
  const listed = [...items]
    .sort((x, y) => y.createdAt - x.createdAt)
    .slice(0, 200)
    .map((i) => ({
      id: i.id,
      peer: i.peer,
      kind: i.kind,
      state: i.state,
      createdAt: new Date(i.createdAt).toISOString(),
      updatedAt: new Date(i.updatedAt).toISOString(),
      attempts: i.attempts,
      thread: i.contextId,
      reason: i.reason,
      taskId: i.taskId,
      source: i.source,
    }))
  const text = JSON.stringify([s, listed])
  if (text !== lastSummary.text || now() - lastSummary.at > 60_000) {
    lastSummary = {text, at: now()}
    writeOutboxSummary(settings, fallbackDir(api), {
      updatedAt: new Date(now()).toISOString(),
      queued: s.queued,
      awaitingReply: s.awaitingReply,
      dead: s.dead,
      oldestQueuedAt: s.oldestQueuedMs === undefined ? undefined : new Date(now() - s.oldestQueuedMs).toISOString(),
      backend: state.backend,
      items: listed,
    })
  }
  for (const item of items) {
    const action = dueAction(item, now())
    if (action === 'none') {
      if (item.read && !['queued', 'sent'].includes(item.state) && now() - item.updatedAt > KEEP_CLOSED_MS)
        await state.outbox.delete(item.id)
      continue
    }
    // One request per peer per tick keeps the loop well under the peer's 30-a-minute limit.
    if ((action === 'deliver' || action === 'poll') && busyPeers.has(item.peer)) continue
    const peer = peers.get(item.peer)
    if ((action === 'deliver' || action === 'poll') && peer && reachable(peer)) {
      const budget = peerBudget(peerRequests.get(item.peer) ?? [], now())
      peerRequests.set(item.peer, budget.recent)
      if (!budget.ok) continue
      budget.recent.push(now())
    }
    let next = item
    if (action === 'expire') next = expire(item, now())
    else if (action === 'deliver' || action === 'poll') {
      busyPeers.add(item.peer)
      if (!peer || !reachable(peer))
        next =
          action === 'deliver'
            ? afterAttempt(item, {kind: 'retryable', detail: 'the peer is no longer configured'}, now(), policy)
            : item
      else if (action === 'deliver')
        next = afterAttempt(
          item,
          await sendMessage(peer, {
            id: deliveryId(item),
            text: item.text,
            contextId: item.contextId,
            wait: false,
            timeoutMs: 10_000,
          }),
          now(),
          policy,
        )
      else next = afterPoll(item, await getTask(peer, item.taskId ?? ''), now())
    } else if (action === 'notify') {
      next = {...item, notified: true}
      if (!wake(api, item)) next = {...next, reason: next.reason ?? 'nobody to wake'}
    }
    if (next === item) continue
    await state.outbox.put(next.id, next)
    if (next.state !== item.state) {
      const event = next.state === 'queued' || next.state === 'cancelled' ? undefined : next.state
      if (event) auditEvent(api, next, event, next.state === 'answered' ? now() - next.createdAt : undefined)
    }
  }
}

export function startLoop(api: PluginApi): void {
  const g = globalThis as unknown as Record<symbol, Loop | undefined>
  if (g[LOOP]?.timer) return
  const loop: Loop = {busy: false}
  g[LOOP] = loop
  loop.timer = setInterval(() => {
    if (loop.busy) return
    loop.busy = true
    tick(api)
      .catch((error) =>
        api.logger?.warn?.(
          `claw-mesh: outbox tick failed: ${String((error as Error)?.message ?? error).slice(0, 300)}`,
        ),
      )
      .finally(() => {
        loop.busy = false
      })
  }, TICK_MS)
  loop.timer.unref?.()
}

export function stopLoop(): void {
  const g = globalThis as unknown as Record<symbol, Loop | undefined>
  const loop = g[LOOP]
  if (loop?.timer) clearInterval(loop.timer)
  g[LOOP] = undefined
}
