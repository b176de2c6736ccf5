import {appendFileSync, mkdirSync, renameSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {
  AUDIT_FILE,
  DEFAULT_AUDIT_MAX_BYTES,
  OUTBOX_SUMMARY_FILE,
  auditLine,
  needsRotation,
  rotationSteps,
  type AuditRecord,
  type OutboxSummaryFile,
} from '../core/mesh/mesh-audit.js'
import type {OutboxItem} from '../core/mesh/mesh-outbox.js'
import {readPluginConfig, type MeshPluginConfig, type PluginApi} from './host.js'
import {fallbackDir} from './state.js'

/** Appends one record to the audit log, rotating by size first. A log that cannot be written never stops a message. */
export function writeAudit(
  config: MeshPluginConfig,
  fallbackDir: string,
  record: Omit<AuditRecord, 'at'>,
  log?: (msg: string) => void,
): void {
  const dir = config.auditDir ?? fallbackDir
  const file = path.join(dir, AUDIT_FILE)
  const line = auditLine({at: new Date().toISOString(), ...record}, config.auditBodies === true)
  try {
    mkdirSync(dir, {recursive: true, mode: 0o700})
    let size = 0
    try {
      size = statSync(file).size
    } catch {
      size = 0
    }
    if (needsRotation(size, Buffer.byteLength(line), config.auditMaxBytes ?? DEFAULT_AUDIT_MAX_BYTES)) {
      for (const step of rotationSteps(file)) {
        try {
          renameSync(step.from, step.to)
        } catch {
          // that generation does not exist yet
        }
      }
    }
    appendFileSync(file, line, {mode: 0o600})
  } catch (error) {
    log?.(`claw-mesh: cannot write the audit log ${file}: ${String((error as Error)?.message ?? error).slice(0, 200)}`)
  }
}

/** Writes the queue summary doctor reads (temp file + rename: a reader never sees half of it). */
export function writeOutboxSummary(config: MeshPluginConfig, fallbackDir: string, summary: OutboxSummaryFile): void {
  const dir = config.auditDir ?? fallbackDir
  const file = path.join(dir, OUTBOX_SUMMARY_FILE)
  try {
    mkdirSync(dir, {recursive: true, mode: 0o700})
    writeFileSync(`${file}.tmp`, `${JSON.stringify(summary)}\n`, {mode: 0o600})
    renameSync(`${file}.tmp`, file)
  } catch {
    // doctor then reports the summary as missing or stale
  }
}

/** One audit record for an outbox message's event: the same fields whether a tool or the delivery service saw it. */
export function auditOutboxItem(
  api: PluginApi,
  item: OutboxItem,
  event: AuditRecord['event'],
  extra: {latencyMs?: number; reason?: string} = {},
): void {
  writeAudit(
    readPluginConfig(api.pluginConfig),
    fallbackDir(api),
    {
      id: item.id,
      peer: item.peer,
      direction: 'out',
      kind: item.kind,
      event,
      thread: item.contextId,
      hop: item.hop,
      origin: item.origin,
      taskId: item.taskId,
      bytesOut: Buffer.byteLength(item.text, 'utf8'),
      bytesIn: item.reply === undefined ? undefined : Buffer.byteLength(item.reply, 'utf8'),
      attempts: item.attempts,
      body: item.text,
      reply: item.reply,
      ...extra,
    },
    (m) => api.logger?.warn?.(m),
  )
}
