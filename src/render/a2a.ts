import {ExitCode} from '../core/common/errors.js'
import type {IOStreams} from '../infra/io.js'
import type {AskResult} from '../services/a2a/ask.js'

const STATE_WORDS: Record<string, string> = {
  TASK_STATE_COMPLETED: 'completed',
  TASK_STATE_FAILED: 'failed',
  TASK_STATE_REJECTED: 'rejected',
  TASK_STATE_CANCELED: 'canceled',
  TASK_STATE_WORKING: 'still working',
  TASK_STATE_SUBMITTED: 'submitted',
  TASK_STATE_INPUT_REQUIRED: 'needs input',
  TASK_STATE_AUTH_REQUIRED: 'needs authorization',
}

export function stateWord(state: string): string {
  return STATE_WORDS[state] ?? state
}

/**
 * The reply on stdout (the one thing a script wants); the task's facts and what to do next on stderr. A success says
 * nothing more unless stderr is a terminal: an agent's exec tool and `$(…)` both merge or keep only what matters.
 * A task that waits for input prints the agent's question on stdout: it is this turn's answer.
 */
export function renderTaskResult(io: IOStreams, r: AskResult): void {
  const line = (text: string) => io.out(text.endsWith('\n') ? text : `${text}\n`)
  if (r.reply !== undefined && r.state === 'TASK_STATE_COMPLETED') line(r.reply)
  const thread = r.contextId ? `; thread ${r.contextId}` : ''
  if (r.pending) {
    io.out(`${r.taskId}\n`)
    io.err(
      `${r.peer} is still working on task ${r.taskId} (${r.elapsedMs} ms${thread}). Fetch it later: claw-mesh task ${r.peer} ${r.taskId} --wait 5m\n`,
    )
    return
  }
  if (r.interrupted) {
    if (r.reason) line(r.reason)
    const what =
      r.interrupted === 'auth'
        ? 'needs authorization (credentials it asks for out of band, or an answer)'
        : 'needs more input'
    io.err(
      `${r.peer}'s task ${r.taskId} ${what}${r.reason ? '' : ' (it gave no question)'} (${r.elapsedMs} ms${thread}). Answer it: claw-mesh ask ${r.peer} --task ${r.taskId} "…"\n`,
    )
    return
  }
  if (r.state === 'TASK_STATE_COMPLETED') {
    if (io.stderrIsTTY)
      io.err(
        `${r.peer} answered in ${r.elapsedMs} ms (${r.taskId ? `task ${r.taskId}` : 'a direct message, no task'}${thread}).\n`,
      )
    return
  }
  io.err(`${r.peer}'s task ${r.taskId} ${stateWord(r.state)}${r.reason ? `: ${r.reason}` : ''} (${r.elapsedMs} ms).\n`)
}

/** The documented exit code for a task result, or undefined for success. */
export function taskExitCode(r: AskResult): number | undefined {
  if (r.pending) return ExitCode.PENDING
  if (r.interrupted) return ExitCode.INPUT_REQUIRED
  return r.state === 'TASK_STATE_COMPLETED' ? undefined : ExitCode.FAILED
}
