import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {ExitCode, UsageError} from '../core/common/errors.js'
import {confirm} from '../infra/prompt.js'
import {leaveMesh, planLeave, type LeaveResult} from '../services/leave/leave.js'

type Result = LeaveResult | {cancelled: true}

export default class Leave extends BaseCommand<typeof Leave> {
  static override summary = 'Take this machine out of the mesh and give openclaw.json back.'
  static override description = `Removes the watchdog, stops the gateway claw-mesh runs in the background (if any), restores openclaw.json and removes the claw-mesh skill. openclaw.json comes back byte for byte from the copy taken before claw-mesh first changed it, when nobody else changed the file since; otherwise only the keys claw-mesh set are undone (each named) and every other change is kept.

--purge also removes the peer records and every claw-mesh secret; --logout also runs tailscale logout. Asks for confirmation on a terminal; elsewhere pass --yes. Exit code 4 when a step failed (the others still ran).`
  static override exitCodes = {
    PARTIAL: 'a step failed and the others were done',
  }
  static override examples = ['<%= config.bin %> leave', '<%= config.bin %> leave --purge --logout --yes']
  static override flags = {
    purge: Flags.boolean({description: 'Also remove peer records and every claw-mesh secret.', default: false}),
    logout: Flags.boolean({
      description: 'Also log this machine out of the tailnet (tailscale logout).',
      default: false,
    }),
    yes: Flags.boolean({char: 'y', description: 'Do not ask for confirmation.', default: false}),
  }

  protected async execute(): Promise<Result> {
    const opts = {purge: this.flags.purge, logout: this.flags.logout}
    const plan = await planLeave(this.deps, opts)
    const {io} = this.deps
    io.err('claw-mesh leave will:\n')
    for (const s of plan.steps) io.err(`  - ${s.title}\n`)
    if (plan.restore.mode === 'none') io.err(`  (openclaw.json stays as it is: ${plan.restore.reason})\n`)
    if (!this.flags.yes && !io.canPrompt()) {
      throw new UsageError(
        'claw-mesh leave changes this machine and needs a confirmation, and there is no terminal to ask on. Nothing was changed.',
        {hint: 'Read the list above, then re-run with --yes.'},
      )
    }
    if (!this.flags.yes && !(await confirm(io, {question: 'Go ahead?', flag: '--yes'}))) return {cancelled: true}
    return leaveMesh(this.deps, plan, opts)
  }

  protected override render(r: Result): void {
    const {io} = this.deps
    if ('cancelled' in r) {
      io.err('Cancelled: nothing changed.\n')
      return
    }
    const mark = {done: 'done', skipped: 'skipped', failed: 'FAILED'}
    for (const s of r.steps) io.err(`  ${mark[s.status]}: ${s.detail}\n`)
    io.err('Left in place:\n')
    for (const l of r.left) io.err(`  - ${l}\n`)
  }

  protected override exitCodeFor(r: Result): number {
    return 'steps' in r && r.steps.some((s) => s.status === 'failed') ? ExitCode.PARTIAL : ExitCode.OK
  }
}
