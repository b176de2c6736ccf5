import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {assertThreadId} from '../core/a2a/a2a-protocol.js'
import {parseDuration} from '../core/common/duration.js'
import {ExitCode, UsageError} from '../core/common/errors.js'
import {timeoutFlag} from '../flags.js'
import {renderTaskResult, taskExitCode} from '../render/a2a.js'
import {askPeer, type AskResult} from '../services/a2a/ask.js'
import {assertCapability, pickCapablePeer} from '../services/a2a/ask-capability.js'
import {readMessageText} from '../services/messaging/compose.js'

export default class Ask extends BaseCommand<typeof Ask> {
  static override summary = "Ask a peer's agent something and print its reply (A2A 1.0)."
  static override description = `Sends the text to the peer's A2A endpoint (SendMessage, with the A2A-Version: 1.0 header) with this pair's own token, so the peer's agent sees this machine as the authenticated sender, and waits for the agent's answer. The peer may be another host's OpenClaw gateway or any A2A 1.0 agent added with --a2a-token. The reply text goes to stdout, progress to stderr.

--thread ID continues a conversation: pass the contextId an earlier ask returned (--json shows it); the peer keeps one session per sender and thread. --task ID answers a task that asked for input (exit 8): the same task goes on.

--capability CAP asks an online peer that offers CAP instead of a named one (then the first argument is the question): every A2A peer's claw-mesh card is read at once (3 s each); the peers whose card answered with CAP come first, then those recorded with it whose gateway answers without a card, by name within each. The peer chosen is said on stderr.

Exit codes: 0 the peer's agent answered; 1 the task failed or was rejected (the state and reason are printed), or the peer is unreachable; 2 bad input (unknown peer, empty; for OpenClaw peers also over 64 KiB or starting with "/"); 3 the peer is not paired over A2A or refused the token; 7 the task was still working at the timeout (its id is printed: fetch it later with claw-mesh task PEER ID); 8 the agent asks for input or authorization (its question on stdout; answer with --task ID); 11 --capability: no online peer offers it (the offline ones that do are named).`
  static override exitCodes = {
    PENDING: 'at `--timeout`',
    INPUT_REQUIRED: 'the reply is a question',
    NO_CAPABLE_PEER:
      '`--capability CAP` found no online peer offering CAP (the peers recorded with it that did not answer are named)',
  }
  static override examples = [
    '<%= config.bin %> ask clawd "Can you run the test suite on the cackles repo and tell me what fails?"',
    'git diff | <%= config.bin %> ask clawd - --timeout 5m',
    '<%= config.bin %> ask clawd --file question.md --json',
    '<%= config.bin %> ask clawd "And the flaky one?" --thread ctx-3f9…',
    '<%= config.bin %> ask hermes "The staging one." --task 9d1c0c6e-…   # answers a task that asked for input',
    '<%= config.bin %> ask --capability gpu "Render the preview at 4K."',
  ]
  static override args = {
    peer: Args.string({
      description: 'Peer name (see claw-mesh peer list); with --capability, the question instead',
      required: false,
    }),
    message: Args.string({description: 'The question, or - to read it from stdin (or use --file)', required: false}),
  }
  static override flags = {
    file: Flags.string({description: 'Read the question from this file.', helpValue: 'PATH'}),
    thread: Flags.string({
      description: 'Continue this conversation (the contextId an earlier ask returned).',
      helpValue: 'ID',
    }),
    task: Flags.string({
      description: 'Answer this task, which asked for input (its id, printed with exit 8).',
      helpValue: 'ID',
    }),
    capability: Flags.string({
      description:
        'Ask an online peer that offers this capability instead of a named one (claw-mesh peer list shows them).',
      helpValue: 'CAP',
    }),
    ...timeoutFlag('2m', 'How long to wait for the reply (default 2m).'),
  }

  protected async execute(): Promise<AskResult> {
    const f = this.flags
    const thread = f.thread === undefined ? undefined : assertThreadId(f.thread)
    const task = f.task === undefined ? undefined : assertThreadId(f.task, '--task')
    const timeoutMs = parseDuration(f.timeout)
    const target = askTarget(this.args, f.capability, f)
    const message = await readMessageText({arg: target.message, file: f.file, stdin: this.deps.io.stdin})
    let peer = target.peer
    if (target.capability) {
      const picked = await pickCapablePeer(this.deps, target.capability)
      peer = picked.peer
      const others = picked.choice.online.filter((n) => n !== peer)
      this.deps.io.err(
        `Asking ${peer} (it offers ${target.capability}${others.length ? `; also online with it: ${others.join(', ')}` : ''}).\n`,
      )
    } else if (this.deps.io.stderrIsTTY) this.deps.io.err(`Asking ${peer}…\n`)
    return askPeer(this.deps, peer!, {message, thread, task, timeoutMs})
  }

  protected override render(r: AskResult): void {
    renderTaskResult(this.deps.io, r)
  }

  protected override exitCodeFor(r: AskResult): number {
    return taskExitCode(r) ?? ExitCode.OK
  }
}

/**
 * Who to ask and the message argument: a peer name, or --capability, never both. With --capability the first
 * positional argument is the question. Pure.
 */
export function askTarget(
  args: {peer?: string; message?: string},
  capability: string | undefined,
  flags: {thread?: string; task?: string} = {},
): {peer?: string; capability?: string; message?: string} {
  if (capability === undefined) {
    if (args.peer === undefined)
      throw new UsageError('Name the peer to ask, or pass --capability CAP.', {
        hint: 'claw-mesh ask PEER "question", or claw-mesh ask --capability gpu "question" (claw-mesh peer list shows names and capabilities).',
      })
    return {peer: args.peer, message: args.message}
  }
  const tied = flags.thread === undefined ? (flags.task === undefined ? undefined : '--task') : '--thread'
  if (tied)
    throw new UsageError(`${tied} continues with one peer, so it cannot go with --capability (which chooses one).`, {
      hint: `Name the peer: claw-mesh ask PEER ${tied} ID "…" (an earlier ask --capability said on stderr which peer answered).`,
    })
  if (args.message !== undefined) {
    throw new UsageError(
      `--capability chooses the peer: a peer name (${JSON.stringify(args.peer)}) cannot be given with it.`,
      {
        hint: 'claw-mesh ask --capability gpu "question" (the question is the only argument), or claw-mesh ask PEER "question".',
      },
    )
  }
  return {capability: assertCapability(capability), message: args.peer}
}
