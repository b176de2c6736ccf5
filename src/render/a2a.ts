import {ExitCode} from '../core/errors.js'
import type {IOStreams} from '../infra/io.js'
import type {AskResult} from '../services/a2a/ask.js'

const STATE_WORDS: Record<string, string> = {
  TASK_STATE_COMPLETED: 'completed',
  TASK_STATE_FAILED: 'failed',
  TASK_STATE_REJECTED: 'rejected',
  TASK_STATE_CANCELED: 'canceled',
  TASK_STATE_WORKING: 'still working',
  TASK_STATE_SUBMITTED: 'submitted',
}

export function stateWord(state: string): string {
  return STATE_WORDS[state] ?? state
}

/**
 * The reply on stdout (the one thing a script wants); the task's facts and what to do next on stderr. A success says
 * nothing more unless stderr is a terminal: an agent's exec tool and `$(…)` both merge or keep only what matters.
 */
export function renderTaskResult(io: IOStreams, r: AskResult): void {
  if (r.reply !== undefined && r.state === 'TASK_STATE_COMPLETED') io.out(r.reply.endsWith('\n') ? r.reply : `${r.reply}\n`)
  const thread = r.contextId ? `; thread ${r.contextId}` : ''
  if (r.pending) {
    io.out(`${r.taskId}\n`)
    io.err(`${r.peer} is still working on task ${r.taskId} (${r.elapsedMs} ms${thread}). Fetch it later: claw-mesh task ${r.peer} ${r.taskId} --wait 5m\n`)
    return
  }
  if (r.state === 'TASK_STATE_COMPLETED') {
    if (io.stderrIsTTY) io.err(`${r.peer} answered in ${r.elapsedMs} ms (task ${r.taskId}${thread}).\n`)
    return
  }
  io.err(`${r.peer}'s task ${r.taskId} ${stateWord(r.state)}${r.reason ? `: ${r.reason}` : ''} (${r.elapsedMs} ms).\n`)
}

/** The documented exit code for a task result, or undefined for success. */
export function taskExitCode(r: AskResult): number | undefined {
  if (r.pending) return ExitCode.PENDING
  return r.state === 'TASK_STATE_COMPLETED' ? undefined : ExitCode.FAILED
}
