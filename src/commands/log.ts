import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {UsageError} from '../core/common/errors.js'
import {formatAuditRecord} from '../core/mesh/mesh-audit.js'
import {stripControlValue} from '../core/common/terminal-text.js'
import {followMeshLog, readMeshLog, type LogResult} from '../services/messaging/audit-log.js'

export default class Log extends BaseCommand<typeof Log> {
  static override readOnly = true
  static override summary = 'What the agents said to each other: the mesh audit log.'
  static override description = `One record per message an agent sent (mesh_ask, mesh_send) or received over the mesh: ids, peer, direction, thread, hop, state, latency and sizes. Bodies are logged only when the plugin's auditBodies setting is on. The log lives in claw-mesh's state dir (mesh-audit.jsonl, rotated at 5 MiB, three generations kept).
--follow keeps printing new records until Ctrl-C.`
  static override examples = [
    '<%= config.bin %> log',
    '<%= config.bin %> log --peer nova --json',
    '<%= config.bin %> log --follow',
  ]
  static override flags = {
    peer: Flags.string({description: 'Only messages to or from this peer.', helpValue: 'NAME'}),
    follow: Flags.boolean({char: 'f', description: 'Keep printing new records until Ctrl-C.', default: false}),
    limit: Flags.integer({description: 'How many of the latest records to show.', default: 50, min: 1, max: 100_000}),
  }

  protected async execute(): Promise<LogResult> {
    const {flags, deps} = this
    if (flags.follow && deps.io.jsonMode)
      throw new UsageError('--follow cannot be combined with --json (--json prints exactly one document).', {
        hint: 'Read mesh-audit.jsonl in the state dir directly for a stream of JSON lines, or run claw-mesh log --json periodically.',
      })
    const result = await readMeshLog(deps, {peer: flags.peer, limit: flags.limit})
    if (!flags.follow) return result
    this.render(result)
    const stop = new AbortController()
    process.once('SIGINT', () => stop.abort())
    await followMeshLog(deps, {
      peer: flags.peer,
      signal: stop.signal,
      onRecord: (r) => deps.io.out(`${formatAuditRecord(stripControlValue(r))}\n`),
    })
    return {file: result.file, records: []}
  }

  protected override render(result: LogResult): void {
    if (result.records.length === 0) {
      if (!this.flags.follow) this.deps.io.err(`No mesh messages logged yet (${result.file}).\n`)
      return
    }
    this.deps.io.out(result.records.map((r) => formatAuditRecord(r)).join('\n') + '\n')
  }
}
