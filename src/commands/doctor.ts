import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {CHECK_GROUPS, type CheckGroup} from '../core/checks/types.js'
import {monotonicMs, parseDuration} from '../core/common/duration.js'
import {ExitCode} from '../core/common/errors.js'
import {socketFlag, timeoutFlag} from '../flags.js'
import {renderDoctor} from '../render/doctor.js'
import {parseOnly, runDoctor, type DoctorResult} from '../services/doctor/doctor.js'
import {fixAndRecheck, type FixReport} from '../services/doctor/fix.js'

export default class Doctor extends BaseCommand<typeof Doctor> {
  static override summary =
    'Check Tailscale, the gateway, secrets, peers and this host; --fix applies the safe remedies.'
  static override description = `Runs every check concurrently (one \`tailscale status\`, one config read, one health probe shared by all) and prints one line a check with the exact remedy under each failure.
Exit code: 0 when nothing failed (warnings allowed), 5 when a check failed or crashed.
--fix applies the safe remedies (re-apply the gateway settings and restart it, restore a missing secret from openclaw.json, chmod 600, enable linger, remove stale peers after confirmation), then re-runs the checks it touched. Risky remedies are only printed; firewalls are reported, never changed.`
  static override exitCodes = {
    CHECKS_FAILED: 'at least one check failed',
  }
  static override examples = [
    '<%= config.bin %> doctor',
    '<%= config.bin %> doctor --json',
    '<%= config.bin %> doctor --fix',
    '<%= config.bin %> doctor --group gateway',
    '<%= config.bin %> doctor --only gateway-bind,gateway-health',
    '<%= config.bin %> doctor --group peers --peer nova',
  ]
  static override flags = {
    fix: Flags.boolean({description: 'Apply the safe remedies, then re-run the checks they touched.', default: false}),
    yes: Flags.boolean({
      char: 'y',
      description: 'Confirm fixes that delete something (stale peer records) without asking.',
      default: false,
    }),
    only: Flags.string({
      description: 'Run only these checks (comma-separated ids, shown in brackets in the report).',
      helpValue: 'ID,…',
    }),
    group: Flags.string({description: 'Run only one group of checks.', options: [...CHECK_GROUPS]}),
    peer: Flags.string({
      description: 'Check only this peer (the other groups still run unless --group/--only narrow them).',
      helpValue: 'NAME',
    }),
    ...timeoutFlag('3s', 'Per-peer network timeout (health, hooks token, ping).'),
    ...socketFlag,
  }

  protected async execute(): Promise<DoctorResult & {fix?: FixReport}> {
    const {flags, deps} = this
    const started = monotonicMs()
    const opts = {
      only: parseOnly(flags.only),
      group: flags.group as CheckGroup | undefined,
      peer: flags.peer,
      peerTimeoutMs: parseDuration(flags.timeout),
      socket: flags.socket,
    }
    const first = await runDoctor(deps, opts)
    if (!flags.fix) return first
    const fixed = await fixAndRecheck(deps, first, {...opts, yes: flags.yes})
    return {...fixed, durationMs: Math.round(monotonicMs() - started)}
  }

  protected override render(result: DoctorResult & {fix?: FixReport}): void {
    this.deps.io.out(renderDoctor(result, this.deps.io.stdoutColor))
  }

  protected override exitCodeFor(result: DoctorResult): number {
    return result.summary.ok ? ExitCode.OK : ExitCode.CHECKS_FAILED
  }
}
