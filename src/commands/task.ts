import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {parseDuration} from '../core/common/duration.js'
import {ExitCode} from '../core/common/errors.js'
import {renderTaskResult, taskExitCode} from '../render/a2a.js'
import {getPeerTask, type AskResult} from '../services/a2a/ask.js'

export default class Task extends BaseCommand<typeof Task> {
  static override summary = 'Fetch a task this machine started on a peer (an ask that timed out, a send) and its reply.'
  static override description = `GetTask on the peer's A2A endpoint. Only the machine that started a task can read it; the peer keeps tasks in memory for 24 h and loses them when its gateway restarts. With --wait, polls until the task ends or the duration passes.

Exit codes: 0 completed (the reply is on stdout); 1 failed or rejected; 2 unknown peer or task; 3 not paired over A2A; 7 still working; 8 the agent asks for input or authorization (its question on stdout; answer with claw-mesh ask PEER --task ID).`
  static override exitCodes = {
    PENDING: 'the task is still working',
    INPUT_REQUIRED: 'the task waits for input',
  }
  static override examples = [
    '<%= config.bin %> task clawd 9d1c0c6e-…',
    '<%= config.bin %> task clawd 9d1c0c6e-… --wait 5m --json',
  ]
  static override args = {
    peer: Args.string({description: 'Peer name', required: true}),
    id: Args.string({description: 'Task id (printed by ask, send or broadcast)', required: true}),
  }
  static override flags = {
    wait: Flags.string({description: 'Poll until the task ends, at most this long (e.g. 2m).', helpValue: 'DURATION'}),
  }

  protected async execute(): Promise<AskResult> {
    const waitMs = this.flags.wait === undefined ? undefined : parseDuration(this.flags.wait, '--wait')
    return getPeerTask(this.deps, this.args.peer, this.args.id, {waitMs})
  }

  protected override render(r: AskResult): void {
    renderTaskResult(this.deps.io, r)
  }

  protected override exitCodeFor(r: AskResult): number {
    return taskExitCode(r) ?? ExitCode.OK
  }
}
