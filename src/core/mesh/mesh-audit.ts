import {stripControl} from '../common/terminal-text.js'

/**
 * The audit log of what agents said to each other: one JSON line per message event, under claw-mesh's state dir.
 * Bodies are left out unless the owner turned them on (`auditBodies`): the log shows who talked to whom, when, how
 * much and how it ended, not what was said.
 */
export interface AuditRecord {
  at: string
  id: string
  peer: string
  direction: 'out' | 'in'
  /** `message`: one a peer sent here (the receiving side cannot tell an ask from a send). */
  kind: 'ask' | 'send' | 'message'
  event: 'sent' | 'queued' | 'answered' | 'failed' | 'lost' | 'dead' | 'refused' | 'cancelled' | 'received'
  thread?: string
  hop?: number
  origin?: string
  taskId?: string
  bytesOut?: number
  bytesIn?: number
  latencyMs?: number
  attempts?: number
  reason?: string
  body?: string
  reply?: string
}

export const AUDIT_FILE = 'mesh-audit.jsonl'
/** The outbox's queue depth as the plugin last saw it, for doctor (the outbox itself is in OpenClaw's state store). */
export const OUTBOX_SUMMARY_FILE = 'mesh-outbox.json'

export interface OutboxSummaryFile {
  updatedAt: string
  queued: number
  awaitingReply: number
  dead: number
  /** When the oldest undelivered message was queued. */
  oldestQueuedAt?: string
  backend: string
  /** The latest records, without bodies, for `claw-mesh outbox`. */
  items?: OutboxListItem[]
}

export interface OutboxListItem {
  id: string
  peer: string
  kind: 'ask' | 'send'
  state: string
  createdAt: string
  updatedAt: string
  attempts: number
  thread: string
  reason?: string
  /** The peer's task, once it took the message: `claw-mesh task PEER TASK` reads its answer from the peer. */
  taskId?: string
  /** `cli`: sent by `claw-mesh send`, not by an agent. */
  source?: 'cli'
}

/** Where `claw-mesh outbox retry|cancel` leaves its requests for the plugin (which alone writes the outbox). */
export const OUTBOX_REQUESTS_DIR = 'mesh-outbox-requests'
const REQUEST = /^(retry|cancel)-([0-9a-f-]{36})$/

export function outboxRequestName(action: 'retry' | 'cancel', id: string): string {
  return `${action}-${id}`
}

export function parseOutboxRequestName(name: string): {action: 'retry' | 'cancel'; id: string} | undefined {
  const m = REQUEST.exec(name)
  return m ? {action: m[1] as 'retry' | 'cancel', id: m[2]} : undefined
}
export const DEFAULT_AUDIT_MAX_BYTES = 5 * 1024 * 1024
/** Rotated files kept: mesh-audit.jsonl.1 … .N */
export const AUDIT_KEEP = 3

/** Whether appending `lineBytes` to a file of `currentBytes` must rotate first. */
export function needsRotation(
  currentBytes: number,
  lineBytes: number,
  maxBytes: number = DEFAULT_AUDIT_MAX_BYTES,
): boolean {
  return currentBytes > 0 && currentBytes + lineBytes > maxBytes
}

/** The renames of one rotation, oldest first: `.2 → .3`, `.1 → .2`, `file → .1` (the last one kept is overwritten). */
export function rotationSteps(file: string, keep: number = AUDIT_KEEP): Array<{from: string; to: string}> {
  const steps: Array<{from: string; to: string}> = []
  for (let n = keep - 1; n >= 1; n--) steps.push({from: `${file}.${n}`, to: `${file}.${n + 1}`})
  steps.push({from: file, to: `${file}.1`})
  return steps
}

export function auditLine(record: AuditRecord, withBodies: boolean): string {
  const out: AuditRecord = {...record}
  if (!withBodies) {
    delete out.body
    delete out.reply
  }
  return `${JSON.stringify(out)}\n`
}

/** Reads log lines back; a line that is not a record (torn write, foreign text) is skipped, text made printable. */
export function parseAuditLines(text: string): AuditRecord[] {
  const out: AuditRecord[] = []
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue
    try {
      const r = JSON.parse(line) as AuditRecord
      if (typeof r.id !== 'string' || typeof r.peer !== 'string' || typeof r.event !== 'string') continue
      out.push(r)
    } catch {
      // skipped
    }
  }
  return out
}

export function filterAudit(records: readonly AuditRecord[], filter: {peer?: string}): AuditRecord[] {
  return filter.peer ? records.filter((r) => r.peer === filter.peer) : [...records]
}

/** One human line per record; every field from the log is stripped of controls (the log holds peer text). */
export function formatAuditRecord(r: AuditRecord): string {
  const arrow = r.direction === 'out' ? '→' : '←'
  const parts = [
    stripControl(r.at),
    `${arrow} ${stripControl(r.peer)}`,
    stripControl(r.kind),
    stripControl(r.event),
    stripControl(r.id),
  ]
  if (r.thread) parts.push(`thread ${stripControl(r.thread)}`)
  if (r.hop !== undefined) parts.push(`hop ${r.hop}`)
  if (r.bytesOut !== undefined) parts.push(`${r.bytesOut} B out`)
  if (r.bytesIn !== undefined) parts.push(`${r.bytesIn} B in`)
  if (r.latencyMs !== undefined) parts.push(`${r.latencyMs} ms`)
  if (r.reason) parts.push(`(${stripControl(r.reason).slice(0, 200)})`)
  return parts.join('  ')
}
