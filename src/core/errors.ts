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
