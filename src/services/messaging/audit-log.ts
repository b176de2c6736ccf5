import {promises as fs} from 'node:fs'
import path from 'node:path'
import {AUDIT_FILE, filterAudit, parseAuditLines, type AuditRecord} from '../../core/mesh/mesh-audit.js'
import type {Deps} from '../../deps.js'

/**
 * `claw-mesh log`: the audit log claw-mesh's OpenClaw plugin writes into claw-mesh's state dir, one record per
 * message an agent sent or received. Read only; the plugin is the only writer.
 */
export interface LogOptions {
  peer?: string
  /** The last N records (after the peer filter). */
  limit: number
}

export interface LogResult {
  file: string
  records: AuditRecord[]
}

/** What the log can take in one read (the plugin rotates it at 5 MiB). */
const MAX_READ_BYTES = 16 * 1024 * 1024

async function readText(file: string, from = 0): Promise<{text: string; size: number}> {
  try {
    const handle = await fs.open(file, 'r')
    try {
      const {size} = await handle.stat()
      const start = from > size ? 0 : from
      const length = Math.min(size - start, MAX_READ_BYTES)
      const buf = Buffer.alloc(length)
      await handle.read(buf, 0, length, start)
      return {text: buf.toString('utf8'), size}
    } finally {
      await handle.close()
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {text: '', size: 0}
    throw error
  }
}

export function auditFile(deps: Pick<Deps, 'stateDir'>): string {
  return path.join(deps.stateDir, AUDIT_FILE)
}

export async function readMeshLog(deps: Pick<Deps, 'stateDir'>, opts: LogOptions): Promise<LogResult> {
  const file = auditFile(deps)
  // The newest rotated generation first, so a rotation just now does not hide the last records.
  const [older, current] = await Promise.all([readText(`${file}.1`), readText(file)])
  const records = filterAudit(parseAuditLines(`${older.text}\n${current.text}`), {peer: opts.peer})
  return {file, records: records.slice(-opts.limit)}
}

/**
 * Prints the records appended after the ones already shown, until `signal` aborts (Ctrl-C). A rotation (the file
 * got smaller) starts over at its beginning; a line still being written waits for its newline.
 */
export async function followMeshLog(
  deps: Pick<Deps, 'stateDir' | 'clock'>,
  opts: {peer?: string; onRecord(r: AuditRecord): void; signal?: AbortSignal; intervalMs?: number},
): Promise<void> {
  const file = auditFile(deps)
  let offset = (await readText(file)).size
  let partial = ''
  while (!opts.signal?.aborted) {
    await deps.clock.sleep(opts.intervalMs ?? 500, opts.signal).catch(() => undefined)
    if (opts.signal?.aborted) return
    const {text, size} = await readText(file, offset)
    if (size < offset) {
      offset = 0
      partial = ''
      continue
    }
    offset = size
    const joined = partial + text
    const cut = joined.lastIndexOf('\n')
    partial = cut < 0 ? joined : joined.slice(cut + 1)
    if (cut < 0) continue
    for (const r of filterAudit(parseAuditLines(joined.slice(0, cut)), {peer: opts.peer})) opts.onRecord(r)
  }
}
