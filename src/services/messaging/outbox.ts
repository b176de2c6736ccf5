import {promises as fs} from 'node:fs'
import path from 'node:path'
import {UsageError} from '../../core/common/errors.js'
import {
  OUTBOX_REQUESTS_DIR,
  OUTBOX_SUMMARY_FILE,
  outboxRequestName,
  type OutboxListItem,
  type OutboxSummaryFile,
} from '../../core/mesh/mesh-audit.js'
import type {Deps} from '../../deps.js'

/**
 * `claw-mesh outbox`: the mesh messages agents sent, as the plugin last reported them (the outbox itself lives in
 * OpenClaw's plugin state store, which only the plugin writes). Retry and cancel are requests the plugin applies
 * on its next tick (half a second) while the gateway runs.
 */
export interface OutboxResult {
  /** When the plugin last wrote the list; absent when it never did. */
  updatedAt?: string
  queued: number
  awaitingReply: number
  dead: number
  items: OutboxListItem[]
}

export async function readOutboxSummary(deps: Pick<Deps, 'stateDir'>): Promise<OutboxSummaryFile | undefined> {
  try {
    return JSON.parse(await fs.readFile(path.join(deps.stateDir, OUTBOX_SUMMARY_FILE), 'utf8')) as OutboxSummaryFile
  } catch {
    return undefined
  }
}

export async function listOutbox(
  deps: Pick<Deps, 'stateDir'>,
  opts: {peer?: string; all?: boolean} = {},
): Promise<OutboxResult> {
  const s = await readOutboxSummary(deps)
  const items = (s?.items ?? []).filter(
    (i) => (!opts.peer || i.peer === opts.peer) && (opts.all || ['queued', 'sent', 'dead'].includes(i.state)),
  )
  return {
    updatedAt: s?.updatedAt,
    queued: s?.queued ?? 0,
    awaitingReply: s?.awaitingReply ?? 0,
    dead: s?.dead ?? 0,
    items,
  }
}

export async function requestOutboxChange<A extends 'retry' | 'cancel'>(
  deps: Pick<Deps, 'stateDir'>,
  action: A,
  id: string,
): Promise<{id: string; action: A; requested: true; item: OutboxListItem}> {
  const s = await readOutboxSummary(deps)
  const item = s?.items?.find((i) => i.id === id)
  if (!item)
    throw new UsageError(`No mesh message with id ${JSON.stringify(id.slice(0, 64))} in the outbox.`, {
      code: 'unknown-message',
      hint: 'List them with: claw-mesh outbox list --all',
    })
  const allowed = action === 'cancel' ? ['queued', 'sent'] : ['queued', 'dead']
  if (!allowed.includes(item.state)) {
    throw new UsageError(
      `Message ${id} is ${item.state}: only ${allowed.join(' or ')} messages can be ${action === 'cancel' ? 'cancelled' : 'retried'}.`,
      {code: 'outbox-state', hint: 'claw-mesh outbox list --all shows every message and its state.'},
    )
  }
  const dir = path.join(deps.stateDir, OUTBOX_REQUESTS_DIR)
  await fs.mkdir(dir, {recursive: true, mode: 0o700})
  await fs.writeFile(path.join(dir, outboxRequestName(action, id)), '', {mode: 0o600})
  return {id, action, requested: true, item}
}
