import {Args, Flags} from '@oclif/core'
import {Chalk} from 'chalk'
import {BaseCommand} from '../base-command.js'
import {parseDuration} from '../core/common/duration.js'
import {ExitCode} from '../core/common/errors.js'
import {table} from '../render/table.js'
import {broadcastMessage, type BroadcastResult} from '../services/messaging/broadcast.js'
import {readMessageText} from '../services/messaging/compose.js'

export default class Broadcast extends BaseCommand<typeof Broadcast> {
  static override summary = 'Send the same message to every peer at once; with --wait, collect every reply.'
  static override description = `Peers paired over A2A get a SendMessage, all concurrently: without --wait the row shows the task id as soon as each peer accepted it; with --wait each row is the peer's reply, its failure, or a timeout (the whole run takes about as long as the slowest answer, bounded by --timeout). Other peers (older OpenClaw, and every peer with --wake or --hooks) get the message on their /hooks/agent (or /hooks/wake), which never carries a reply. Health-only peers are listed as skipped. Over hooks each peer's message has its own idempotency key (see claw-mesh send --help).

The table shows the first line of each reply; --json has them whole.

Exit codes: 0 every peer got it (with --wait: answered); 5 at least one failed (see the table or --json); 7 (--wait) none failed but at least one was still working at the timeout; 2 bad input; 3 no peer can be messaged.`
  static override exitCodes = {
    CHECKS_FAILED: 'a delivery failed',
    PENDING: 'with `--wait`, none failed but one was still working at `--timeout`',
  }
  static override examples = [
    '<%= config.bin %> broadcast "Something I learned today that might help you: …"',
    '<%= config.bin %> broadcast --file ./standup.md --timeout 30s --json',
  ]
  static override args = {
    message: Args.string({description: 'The text, or - to read it from stdin (or use --file)', required: false}),
  }
  static override flags = {
    file: Flags.string({description: 'Read the message from this file.', helpValue: 'PATH'}),
    wake: Flags.boolean({description: 'Wake each agent (POST /hooks/wake) instead of starting a run.', default: false}),
    wait: Flags.boolean({
      description: "Wait for every A2A peer's reply and show it (default per-peer timeout 2m).",
      default: false,
    }),
    hooks: Flags.boolean({description: 'Use hooks (/hooks/agent) even for peers paired over A2A.', default: false}),
    'agent-id': Flags.string({description: 'Target agent on every peer.', helpValue: 'ID'}),
    'session-key': Flags.string({
      description: 'Session key on every peer (needs hooks.allowRequestSessionKey there).',
      helpValue: 'KEY',
    }),
    name: Flags.string({description: 'Sender label (default claw-mesh:<this host>).', helpValue: 'NAME'}),
    bare: Flags.boolean({
      description: 'Send the text exactly as given, without the first line naming this host and how to reply.',
      default: false,
    }),
    timeout: Flags.string({
      description: 'Per-peer time budget, retries included (default 20s; with --wait 2m).',
      helpValue: 'DURATION',
    }),
  }

  protected async execute(): Promise<BroadcastResult> {
    const {args} = this
    const f = this.flags
    const timeoutMs = parseDuration(f.timeout ?? (f.wait ? '2m' : '20s'))
    const message = await readMessageText({arg: args.message, file: f.file, stdin: this.deps.io.stdin})
    return broadcastMessage(this.deps, {
      message,
      kind: f.wake ? 'wake' : 'agent',
      agentId: f['agent-id'],
      sessionKey: f['session-key'],
      name: f.name,
      bare: f.bare || undefined,
      timeoutMs,
      wait: f.wait,
      forceHooks: f.hooks,
    })
  }

  protected override render(r: BroadcastResult): void {
    const {io} = this.deps
    const c = new Chalk({level: io.stdoutColor ? 1 : 0})
    const mark = {
      delivered: c.green('delivered'),
      answered: c.green('answered'),
      failed: c.red('failed'),
      timeout: c.yellow('timeout'),
      skipped: c.dim('skipped'),
    }
    const clip = (text: string) => {
      const line = text.split('\n').find((l) => l.trim() !== '') ?? ''
      return line.length > 60 ? `${line.slice(0, 59)}…` : line
    }
    const detail = (p: BroadcastResult['results'][number]) => {
      if (p.status === 'answered') return clip(p.reply ?? '')
      if (p.status === 'delivered')
        return p.taskId ? `task ${p.taskId}` : p.runId ? `run ${p.runId}` : (p.eventOutcome ?? 'ok')
      return clip(p.error ?? '')
    }
    io.out(
      table(
        ['PEER', 'RESULT', 'DETAIL', 'TIME'],
        r.results.map((p) => [p.peer, mark[p.status], detail(p), `${p.elapsedMs} ms`]),
      ),
    )
    const {delivered, answered, failed, timeout, skipped} = r.summary
    const parts = [
      answered ? `${answered} answered` : '',
      `${delivered} delivered`,
      `${failed} failed`,
      timeout ? `${timeout} timed out` : '',
      `${skipped} skipped`,
    ].filter(Boolean)
    io.err(`${parts.join(', ')} in ${r.elapsedMs} ms (per-peer timeout ${r.timeoutMs} ms).\n`)
    for (const p of r.results.filter((x) => x.status === 'failed' && x.hint)) io.err(`  ${p.peer}: ${p.hint}\n`)
  }

  protected override exitCodeFor(r: BroadcastResult): number {
    if (r.summary.failed > 0) return ExitCode.CHECKS_FAILED
    return r.summary.timeout > 0 ? ExitCode.PENDING : ExitCode.OK
  }
}
