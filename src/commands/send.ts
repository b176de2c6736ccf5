import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {parseDuration} from '../core/common/duration.js'
import {ExitCode, UsageError} from '../core/common/errors.js'
import {idempotencyKeyProblem} from '../core/a2a/hook-message.js'
import {DEFAULT_TTL_MS} from '../core/mesh/mesh-outbox.js'
import {MAX_TTL_MS, MIN_TTL_MS} from '../core/a2a/send-queue.js'
import {readMessageText} from '../services/messaging/compose.js'
import {sendRouted, type RoutedSend} from '../services/messaging/send.js'
import {renderTaskResult, taskExitCode} from '../render/a2a.js'

export default class Send extends BaseCommand<typeof Send> {
  static override summary = "Send a message to a peer's agent without waiting for its answer (A2A, or hooks)."
  static override description = `To a peer paired over A2A, the message is a SendMessage that returns at once (returnImmediately): the task id goes to stdout, and claw-mesh task PEER ID fetches the outcome later; with --wait, send waits for the agent's reply and prints it (like ask). The peer's agent sees this machine as the authenticated sender.

Over hooks — with --wake, --hooks, any of --agent-id/--session-key/--idempotency-key/--name/--bare, or to a peer without A2A (an older OpenClaw) — the message goes to the peer's /hooks/agent with its hooks token (or /hooks/wake with --wake). Hooks never carry the reply back and name no authenticated sender. Text comes from the argument, from stdin with -, or from --file.

Over hooks, every message carries an idempotency key: claw-mesh-v1-<sha256 of this host's identity, the peer, the endpoint, --agent-id, --session-key and the text>. A retry — claw-mesh's own after a 429/502/503 or a connection failure (exponential backoff with jitter, Retry-After honoured, at most 5 attempts), or you re-running the command — makes the peer replay the same runId instead of running the task twice. The gateway forgets a key 5 minutes after the run ends; to send identical text again sooner, pass a new --idempotency-key.

Over A2A without --wait, a peer that is away — connection refused, reset or unreachable (tailscaled reports a peer it knows is offline that way), no answer in time, its A2A channel still starting, an HTTP 5xx — does not fail the send: the message goes to the durable outbox of claw-mesh's OpenClaw plugin on this host, which delivers it when the peer is back, under the same message id (the peer's agent runs it once). send prints the message id on stdout and exits 10; claw-mesh outbox list follows it. A peer that answered no (a refused token, a forbidden or refused message, a rate limit) fails at once, as does a message the plugin would not send (over 32 KiB, one of this host's secrets). Without the plugin running here (claw-mesh doctor --fix installs it), or with --no-queue, an away peer fails the send as before (exit 1).

Exit codes: 0 delivered (with --wait: answered); 1 peer unreachable, busy or erroring and not queued, or (with --wait) the run or task ended in error; 2 bad input (unknown peer, empty message, over 64 KiB on A2A or 256 KiB on hooks, a bad --ttl); 3 the peer refused the token (401), is health-only or lacks what the options need; 7 (--wait over A2A) still working at the timeout; 8 (--wait over A2A) the agent asks for input or authorization (its question on stdout); 10 queued in the mesh outbox, not yet delivered.`
  static override exitCodes = {
    PENDING: 'with `--wait`, at `--timeout`',
    INPUT_REQUIRED: 'with `--wait`',
    QUEUED:
      'the peer is away (unreachable, no answer in time, its A2A channel starting, a 5xx); `--no-queue` fails instead',
  }
  static override examples = [
    '<%= config.bin %> send nova "Morning! Here is where I am: …"',
    'git diff | <%= config.bin %> send clawd - --name review-request',
    '<%= config.bin %> send nova --file ./task.md --wait --timeout 10m',
    '<%= config.bin %> send nova "check the build queue" --wake',
  ]
  static override args = {
    peer: Args.string({description: 'Peer name (see claw-mesh peer list)', required: true}),
    message: Args.string({description: 'The text, or - to read it from stdin (or use --file)', required: false}),
  }
  static override flags = {
    file: Flags.string({description: 'Read the message from this file.', helpValue: 'PATH'}),
    wake: Flags.boolean({
      description: 'Wake the agent with a system event (POST /hooks/wake, mode "now") instead of starting a run.',
      default: false,
    }),
    'agent-id': Flags.string({
      description: 'Target agent on the peer (must be allowed by its hooks.allowedAgentIds).',
      helpValue: 'ID',
    }),
    'session-key': Flags.string({
      description: 'Session key on the peer (needs hooks.allowRequestSessionKey there).',
      helpValue: 'KEY',
    }),
    name: Flags.string({description: 'Sender label on the peer (default claw-mesh:<this host>).', helpValue: 'NAME'}),
    wait: Flags.boolean({
      description: "Wait for the run to finish and print its completion (the reply's text stays on the peer).",
      default: false,
    }),
    timeout: Flags.string({
      description:
        'How long one attempt may take (default 20s; with --wait, how long to wait for the run: default 5m).',
      helpValue: 'DURATION',
    }),
    'idempotency-key': Flags.string({
      description: 'Use this replay key instead of the derived one (at most 256 characters).',
      helpValue: 'KEY',
    }),
    bare: Flags.boolean({
      description: 'Hooks: send the text exactly as given, without the first line naming this host and how to reply.',
      default: false,
    }),
    hooks: Flags.boolean({
      description: 'Send over hooks (/hooks/agent) even to a peer paired over A2A.',
      default: false,
    }),
    queue: Flags.boolean({
      description:
        "A2A without --wait: queue the message in the mesh plugin's outbox when the peer is away (exit 10); --no-queue fails instead (exit 1).",
      default: true,
      allowNo: true,
    }),
    ttl: Flags.string({
      description: 'How long a queued message may wait for the peer before it is given up (1m to 168h; default 24h).',
      helpValue: 'DURATION',
    }),
  }

  protected async execute(): Promise<RoutedSend> {
    const {args} = this
    const f = this.flags
    if (f.wake && f.wait)
      throw new UsageError('--wait cannot be combined with --wake: a wake starts no run to wait for.', {
        hint: 'Drop --wake to send a message that starts a run.',
      })
    if (f.wake && f['idempotency-key'] !== undefined)
      throw new UsageError('--idempotency-key cannot be combined with --wake: /hooks/wake has no replay key.', {
        hint: 'Drop one of them.',
      })
    const keyProblem = f['idempotency-key'] === undefined ? undefined : idempotencyKeyProblem(f['idempotency-key'])
    if (keyProblem)
      throw new UsageError(`--idempotency-key ${keyProblem}.`, {
        hint: 'Pass a non-empty key of at most 256 characters, without surrounding spaces.',
      })
    const ttlMs = f.ttl === undefined ? DEFAULT_TTL_MS : parseDuration(f.ttl, '--ttl')
    if (ttlMs < MIN_TTL_MS || ttlMs > MAX_TTL_MS)
      throw new UsageError(`--ttl ${f.ttl} is out of range.`, {
        hint: 'Pass a time to live between 1m and 168h (default 24h).',
      })
    const message = await readMessageText({arg: args.message, file: f.file, stdin: this.deps.io.stdin})
    return sendRouted(this.deps, args.peer, {
      forceHooks: f.hooks,
      message,
      kind: f.wake ? 'wake' : 'agent',
      agentId: f['agent-id'],
      sessionKey: f['session-key'],
      name: f.name,
      idempotencyKey: f['idempotency-key'],
      waitForCompletion: f.wait,
      bare: f.bare || undefined,
      timeoutMs: f.timeout === undefined ? undefined : parseDuration(f.timeout),
      queue: f.queue ? {ttlMs} : false,
    })
  }

  protected override render(r: RoutedSend): void {
    const {io} = this.deps
    if (r.via === 'a2a' && 'queued' in r) {
      io.out(`${r.id}\n`)
      io.err(
        `Queued for ${r.peer}: it is away now (${r.reason}). claw-mesh's mesh plugin delivers message ${r.id} when ${r.peer} is back (until ${r.expiresAt}); follow it with: claw-mesh outbox list --all\n`,
      )
      return
    }
    if (r.via === 'a2a') {
      if (r.pending && !this.flags.wait) {
        io.out(`${r.taskId}\n`)
        io.err(
          `Sent to ${r.peer} over A2A: task ${r.taskId} (${r.elapsedMs} ms). Its outcome: claw-mesh task ${r.peer} ${r.taskId} --wait 5m\n`,
        )
        return
      }
      return renderTaskResult(io, r)
    }
    const tries = `${r.attempts} attempt${r.attempts === 1 ? '' : 's'}, ${r.elapsedMs} ms`
    if (r.kind === 'wake') {
      io.err(`Woke ${r.peer}'s agent (${r.eventOutcome ?? 'accepted'}; ${tries}).\n`)
      return
    }
    if (r.runId) io.out(`${r.runId}\n`)
    io.err(`Delivered to ${r.peer}: run ${r.runId ?? '(no runId returned)'} (${tries}).\n`)
    if (r.completion) {
      const c = r.completion
      // The peer's JSON: only plain values are printed (an object would print as [object Object]).
      const text = (v: unknown) =>
        typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : undefined
      const delivery = text(c.delivered) === undefined ? '' : `, delivered: ${text(c.delivered)}`
      const reply = text(c.replyDisposition)
      io.err(`  Run finished: ${text(c.status) ?? 'unknown'}${reply ? ` (reply ${reply})` : ''}${delivery}.\n`)
    }
  }

  protected override exitCodeFor(r: RoutedSend): number {
    if (r.via === 'a2a' && 'queued' in r) return ExitCode.QUEUED
    if (r.via === 'a2a') return r.pending && !this.flags.wait ? ExitCode.OK : (taskExitCode(r) ?? ExitCode.OK)

    return r.completion?.status === 'error' ? ExitCode.FAILED : ExitCode.OK
  }
}
