/**
 * The few error classes claw-mesh throws, and the one place they become exit codes.
 * Every message says what happened; `hint` says what to do next.
 */
export const ExitCode = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  ACTION_NEEDED: 3,
  PARTIAL: 4,
  CHECKS_FAILED: 5,
  BUSY: 6,
  /** ask/task: the peer's task was still working when the timeout came (its id is printed). */
  PENDING: 7,
  /** ask/task: the peer's agent asks for input or authorization (its question and the task id are printed). */
  INPUT_REQUIRED: 8,
  /** bootstrap --wait-for-peers: the peers it will use were not ready on the tailnet within --peer-wait. */
  NOT_READY: 9,
  /** send: the peer is away; the message waits in the mesh plugin's outbox and goes when the peer is back (its id is printed). */
  QUEUED: 10,
  /** ask --capability: no online peer offers the capability (the offline ones that do are named). */
  NO_CAPABLE_PEER: 11,
  INTERNAL: 70,
  INTERRUPTED: 130,
} as const
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode]
export type ExitCodeName = keyof typeof ExitCode

/** The codes only some commands exit with: each such command declares why, as `static exitCodes` (see below). */
export const VERDICT_EXIT_CODES = [
  'PARTIAL',
  'CHECKS_FAILED',
  'PENDING',
  'INPUT_REQUIRED',
  'NOT_READY',
  'QUEUED',
  'NO_CAPABLE_PEER',
] as const satisfies readonly ExitCodeName[]
export type VerdictExitCode = (typeof VERDICT_EXIT_CODES)[number]
/** A command's own verdict codes and what each means for it: the README's exit-code table is generated from them. */
export type DeclaredExitCodes = Partial<Record<VerdictExitCode, string>>

/**
 * What each exit code means, for the README's exit-code table (written by `npm run readme`). A verdict code's text
 * is followed by the reasons the commands that exit with it declare.
 */
export const EXIT_CODE_MEANING: Record<ExitCodeName, string> = {
  OK: 'success (doctor: every check passed; warnings allowed)',
  FAILED:
    'failed: an external command or a remote call failed (the message says which, with its stderr tail, redacted)',
  USAGE: 'usage: a bad flag, argument or input file — nothing was changed',
  ACTION_NEEDED:
    "needs your action: something only you can do (approve the machine, type a sudo password, install a runtime, give a key; free disk space; fix state someone else could have written, `insecure-state`; stop another user's process on the gateway port, `port-not-ours`); also a Node.js older than 22.12 running claw-mesh, said in one line before anything loads",
  PARTIAL: 'partial success: part of the work is done and the rest is named',
  CHECKS_FAILED: 'checks failed',
  BUSY: 'busy: another claw-mesh run holds the lock on this host',
  PENDING: "still working: the peer's task goes on (its id is printed; `claw-mesh task PEER ID` fetches it)",
  INPUT_REQUIRED:
    'needs input: the peer\'s agent asks a question or for authorization (`TASK_STATE_INPUT_REQUIRED` / `AUTH_REQUIRED`); its question is on stdout; answer with `claw-mesh ask PEER --task ID "…"`',
  NOT_READY: 'peers not ready',
  QUEUED:
    "queued: the message waits in the durable outbox of claw-mesh's OpenClaw plugin, which delivers it when the peer is back; the message id is on stdout (`claw-mesh outbox list --all` follows it)",
  NO_CAPABLE_PEER: 'no capable peer',
  INTERNAL: 'internal error: a bug in claw-mesh (re-run with `CLAW_MESH_DEBUG=1` and report it)',
  INTERRUPTED: 'interrupted (Ctrl-C); 143 for SIGTERM. Re-run the same command: it picks up where it stopped',
}

export interface ErrorDetails {
  hint?: string
  code?: string
}

export class ClawMeshError extends Error {
  readonly exitCode: ExitCodeValue = ExitCode.FAILED
  readonly hint?: string
  readonly code: string

  constructor(message: string, details: ErrorDetails = {}) {
    super(message)
    this.name = new.target.name
    this.hint = details.hint
    this.code = details.code ?? 'failed'
  }
}

/** Bad flags, arguments or input files: nothing was changed. Exit 2. */
export class UsageError extends ClawMeshError {
  override readonly exitCode = ExitCode.USAGE
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, {code: 'usage', ...details})
  }
}

/** The user must do something claw-mesh cannot (approve a machine, type a sudo password, install a runtime). Exit 3. */
export class ActionNeededError extends ClawMeshError {
  override readonly exitCode = ExitCode.ACTION_NEEDED
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, {code: 'action-needed', ...details})
  }
}

/** Another claw-mesh run holds the lock. Exit 6. */
export class BusyError extends ClawMeshError {
  override readonly exitCode = ExitCode.BUSY
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, {code: 'busy', ...details})
  }
}

/** The run was interrupted by a signal. Exit 130. */
export class InterruptedError extends ClawMeshError {
  override readonly exitCode = ExitCode.INTERRUPTED
  constructor(message = 'Interrupted.', details: ErrorDetails = {}) {
    super(message, {code: 'interrupted', hint: 'Run the same command again: it picks up where it stopped.', ...details})
  }
}

/** An external program failed. Carries the command and a redacted stderr tail. Exit 1. */
export class ExternalError extends ClawMeshError {
  readonly command: string
  readonly args: readonly string[]
  readonly exitStatus?: number
  readonly stderr: string

  constructor(
    message: string,
    opts: {command: string; args: readonly string[]; exitStatus?: number; stderr?: string} & ErrorDetails,
  ) {
    super(message, {code: 'external', ...opts})
    this.command = opts.command
    this.args = opts.args
    this.exitStatus = opts.exitStatus
    this.stderr = opts.stderr ?? ''
  }
}

/** Something that should never happen: a bug in claw-mesh. Exit 70. */
export class BugError extends ClawMeshError {
  override readonly exitCode = ExitCode.INTERNAL
  constructor(message: string, details: ErrorDetails = {}) {
    super(message, {
      code: 'bug',
      hint: 'This is a bug in claw-mesh. Re-run with CLAW_MESH_DEBUG=1 and report the output.',
      ...details,
    })
  }
}

export function exitCodeOf(error: unknown): ExitCodeValue {
  if (error instanceof ClawMeshError) return error.exitCode
  return ExitCode.INTERNAL
}
