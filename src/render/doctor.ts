import {Chalk} from 'chalk'
import type {CheckGroup, CheckResult, ResultStatus} from '../core/checks/types.js'
import type {DoctorResult} from '../services/doctor/doctor.js'
import type {FixReport} from '../services/doctor/fix.js'
import {visibleLength} from './table.js'

const GROUP_TITLES: Record<CheckGroup, string> = {
  tailscale: 'Tailscale',
  gateway: 'Gateway',
  secrets: 'Secrets',
  peers: 'Peers',
  system: 'System',
}

/**
 * Doctor's report for people: grouped, one line a check (mark, title, what was found), the remedy beneath every
 * failure and warning, then a summary line. Colour only when the terminal takes it.
 */
export function renderDoctor(result: DoctorResult & {fix?: FixReport}, color: boolean): string {
  const c = new Chalk({level: color ? 1 : 0})
  const mark: Record<ResultStatus, string> = {
    pass: c.green('✓'),
    warn: c.yellow('!'),
    fail: c.red('✗'),
    skip: c.dim('-'),
    crashed: c.magenta('✗'),
  }
  const title = (r: CheckResult) => (r.peer ? `${r.peer}: ${r.title}` : r.title)
  const width = Math.min(48, Math.max(0, ...result.checks.map((r) => visibleLength(title(r)))))
  const lines: string[] = []
  let group: CheckGroup | undefined
  for (const r of result.checks) {
    if (r.group !== group) {
      group = r.group
      lines.push(`${lines.length > 0 ? '\n' : ''}${c.bold(GROUP_TITLES[r.group])}`)
    }
    const t = title(r)
    const pad = ' '.repeat(Math.max(1, width - visibleLength(t) + 2))
    const detail =
      r.status === 'crashed'
        ? c.magenta(`crashed: ${r.detail}`)
        : r.status === 'skip'
          ? c.dim(r.detail)
          : r.status === 'fail'
            ? c.red(r.detail)
            : r.status === 'warn'
              ? c.yellow(r.detail)
              : r.detail
    lines.push(`  ${mark[r.status]} ${t}${pad}${detail}  ${c.dim(`[${r.id}]`)}`)
    if ((r.status === 'fail' || r.status === 'warn' || r.status === 'crashed') && r.remedy)
      lines.push(`      → ${r.remedy}`)
  }
  if (result.checks.length === 0) lines.push('No checks selected.')
  if (result.fix) lines.push('', ...renderFix(result.fix, c))
  const s = result.summary
  const parts = [`${s.pass} passed`, `${s.warn} warning${s.warn === 1 ? '' : 's'}`, `${s.fail} failed`]
  if (s.crashed) parts.push(`${s.crashed} crashed`)
  if (s.skip) parts.push(`${s.skip} skipped`)
  const verdict = s.ok ? c.green('OK') : c.red('PROBLEMS FOUND')
  lines.push('', `${verdict}: ${parts.join(', ')} (${(result.durationMs / 1000).toFixed(1)} s).`)
  if (result.next) lines.push(`This machine is not set up for the mesh yet. Next: ${c.bold(result.next)}`)
  // Offer --fix only when it has something to do: a failure or warning that carries a safe fix.
  else if (!s.ok && !result.fix && result.checks.some((r) => (r.status === 'fail' || r.status === 'warn') && r.fix))
    lines.push(`Apply the safe fixes with: claw-mesh doctor --fix`)
  return `${lines.join('\n')}\n`
}

function renderFix(fix: FixReport, c: InstanceType<typeof Chalk>): string[] {
  if (fix.steps.length === 0) return [c.bold('Fixes'), '  nothing doctor can fix by itself.']
  const mark = {applied: c.green('✓'), failed: c.red('✗'), skipped: c.yellow('-')}
  const lines = [c.bold('Fixes')]
  for (const step of fix.steps)
    lines.push(
      `  ${mark[step.status]} ${step.title}: ${step.status === 'applied' ? step.note : `${step.status}: ${step.note}`}`,
    )
  if (fix.manual.length > 0)
    lines.push(
      `  ${fix.manual.length} remed${fix.manual.length === 1 ? 'y' : 'ies'} left for you (shown under the checks above).`,
    )
  return lines
}
