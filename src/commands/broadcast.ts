import {Args, Flags} from '@oclif/core'
import {Chalk} from 'chalk'
import {BaseCommand} from '../base-command.js'
import {parseDuration} from '../core/duration.js'
import {ExitCode} from '../core/errors.js'
import {timeoutFlag} from '../flags.js'
import {table} from '../render/table.js'
import {broadcastMessage, type BroadcastResult} from '../services/messaging/broadcast.js'
import {readMessageText} from '../services/messaging/compose.js'

export default class Broadcast extends BaseCommand<typeof Broadcast> {
  static override summary = 'Send the same message to every peer with messaging on, at once.'
  static override description = `Each peer gets the message on its /hooks/agent (or /hooks/wake with --wake) concurrently; each delivery, retries included, is bounded by --timeout, so the run takes about one timeout whatever the number of peers. Health-only peers are listed as skipped. Each peer's message has its own idempotency key (see claw-mesh send --help), so re-running a broadcast after a partial failure does not run the task twice on the peers that already got it.

Exit codes: 0 every delivery succeeded; 5 at least one failed (see the table or --json); 2 bad input; 3 no peer has messaging on.`
  static override examples = [
    '<%= config.bin %> broadcast "Something I learned today that might help you: …"',
    '<%= config.bin %> broadcast --file ./standup.md --timeout 30s --json',
  ]
  static override args = {message: Args.string({description: 'The text, or - to read it from stdin (or use --file)', required: false})}
  static override flags = {
    file: Flags.string({description: 'Read the message from this file.', helpValue: 'PATH'}),
    wake: Flags.boolean({description: 'Wake each agent (POST /hooks/wake) instead of starting a run.', default: false}),
    'agent-id': Flags.string({description: 'Target agent on every peer.', helpValue: 'ID'}),
    'session-key': Flags.string({description: 'Session key on every peer (needs hooks.allowRequestSessionKey there).', helpValue: 'KEY'}),
    name: Flags.string({description: 'Sender label (default claw-mesh:<this host>).', helpValue: 'NAME'}),
    bare: Flags.boolean({description: 'Send the text exactly as given, without the first line naming this host and how to reply.', default: false}),
    ...timeoutFlag('20s', 'Per-peer time budget, retries included (e.g. 20s, 5s).'),
  }

  protected async execute(): Promise<BroadcastResult> {
    const {args} = this
    const f = this.flags
    const timeoutMs = parseDuration(f.timeout)
    const message = await readMessageText({arg: args.message, file: f.file, stdin: this.deps.io.stdin})
    return broadcastMessage(this.deps, {message, kind: f.wake ? 'wake' : 'agent', agentId: f['agent-id'], sessionKey: f['session-key'], name: f.name, bare: f.bare, timeoutMs})
  }

  protected override render(r: BroadcastResult): void {
    const {io} = this.deps
    const c = new Chalk({level: io.color ? 1 : 0})
    const mark = {delivered: c.green('delivered'), failed: c.red('failed'), skipped: c.dim('skipped')}
    io.out(
      table(
        ['PEER', 'RESULT', 'DETAIL', 'ATTEMPTS', 'TIME'],
        r.results.map((p) => [p.peer, mark[p.status], p.status === 'delivered' ? (p.runId ? `run ${p.runId}` : (p.eventOutcome ?? 'ok')) : (p.error ?? ''), String(p.attempts), `${p.elapsedMs} ms`]),
      ),
    )
    const {delivered, failed, skipped} = r.summary
    io.err(`${delivered} delivered, ${failed} failed, ${skipped} skipped in ${r.elapsedMs} ms (per-peer timeout ${r.timeoutMs} ms).\n`)
    for (const p of r.results.filter((x) => x.status === 'failed' && x.hint)) io.err(`  ${p.peer}: ${p.hint}\n`)
  }

  protected override exitCodeFor(r: BroadcastResult): number {
    return r.summary.failed > 0 ? ExitCode.CHECKS_FAILED : ExitCode.OK
  }
}
