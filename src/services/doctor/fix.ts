import {ensureMeshPlugin} from '../openclaw/plugin.js'
import {promises as fs} from 'node:fs'
import {planFixes, type FixPlan, type FixStep, type ManualRemedy} from '../../core/checks/fix-plan.js'
import type {CheckGroup, FixAction} from '../../core/checks/types.js'
import {hooksTokenOf, plaintextGatewayTokenOf} from '../../core/openclaw/openclaw-config.js'
import type {Deps} from '../../deps.js'
import {runProgress} from '../../infra/progress.js'
import {confirm} from '../../infra/prompt.js'
import {configureGateway} from '../gateway/configure.js'
import {startGateway} from '../gateway/start.js'
import {readOpenClawConfig} from '../openclaw/config-file.js'
import {locateOpenClaw} from '../openclaw/locate.js'
import {removePeer} from '../peers/remove.js'
import {moveVolatileSecrets} from './volatile-secrets.js'
import {runDoctor, mergeResults, withSummary, type DoctorOptions, type DoctorResult} from './doctor.js'

export type FixStatus = 'applied' | 'failed' | 'skipped'

export interface FixOutcome {
  title: string
  kind: FixAction['kind']
  status: FixStatus
  /** What happened, one line (the error when it failed, why when skipped). */
  note: string
  checks: string[]
}

export interface FixReport {
  steps: FixOutcome[]
  /** Remedies doctor does not run (risky or outside claw-mesh): printed for the user. */
  manual: ManualRemedy[]
}

export interface DoctorFixResult extends DoctorResult {
  fix: FixReport
}

/**
 * Configuring the gateway is only half a fix: `gateway start` then applies it (reload, restart or first start) and
 * proves the tokens. So a configure step always brings a start step with it.
 */
export function withStartAfterConfigure(plan: FixPlan): FixPlan {
  const configure = plan.steps.find((s) => s.action.kind === 'configure-gateway')
  if (!configure || plan.steps.some((s) => s.action.kind === 'restart-gateway')) return plan
  const start: FixStep = {
    action: {kind: 'restart-gateway'},
    title: 'Start (or restart) the gateway and wait until it is healthy',
    confirm: false,
    checks: [...configure.checks],
    groups: ['gateway'],
  }
  const at = plan.steps.indexOf(configure) + 1
  return {...plan, steps: [...plan.steps.slice(0, at), start, ...plan.steps.slice(at)]}
}

async function applyOne(
  deps: Deps,
  step: FixStep,
  opts: {yes: boolean; progress: (m: string) => void},
): Promise<{status: FixStatus; note: string}> {
  const a = step.action
  switch (a.kind) {
    case 'chmod-600':
      await fs.chmod(a.path, 0o600)
      return {status: 'applied', note: 'mode 0600'}
    case 'restore-secret': {
      const loc = locateOpenClaw(deps)
      const {config} = await readOpenClawConfig(loc.paths.configPath)
      const value = a.from === 'gateway.auth.token' ? plaintextGatewayTokenOf(config) : hooksTokenOf(config)
      if (!value) return {status: 'skipped', note: `openclaw.json has no plain ${a.from} to copy`}
      deps.redactor.add(value)
      const store = await deps.secrets()
      await store.set(a.name, value)
      return {status: 'applied', note: `stored in ${store.backend}`}
    }
    case 'configure-gateway': {
      const r = await configureGateway(deps, {}, {advertisedUrl: a.advertisedUrl})
      return {
        status: 'applied',
        note: r.changed ? `changed ${r.changes.map((c) => c.path).join(', ')}` : 'already as claw-mesh wants it',
      }
    }
    case 'restart-gateway': {
      const r = await startGateway(deps, {onProgress: opts.progress})
      return {
        status: 'applied',
        note: `${r.action.replace('-', ' ')} (${r.runner}${r.pid ? `, pid ${r.pid}` : ''}): ${r.url} healthy`,
      }
    }
    case 'enable-linger': {
      await deps.runner.run('loginctl', ['enable-linger', a.user], {timeoutMs: 15_000, reject: true})
      return {status: 'applied', note: `linger on for ${a.user}`}
    }
    case 'move-volatile-secrets':
      return moveVolatileSecrets(deps, a.names)
    case 'install-mesh-plugin': {
      const r = await ensureMeshPlugin(deps)
      return {status: r.action === 'unsupported' ? 'skipped' : 'applied', note: `${r.action}: ${r.detail}`}
    }
    case 'remove-stale-peers': {
      if (!opts.yes) return {status: 'skipped', note: 'needs confirmation: run again with --yes (or in a terminal)'}
      for (const name of a.names) await removePeer(deps, name)
      return {status: 'applied', note: `removed ${a.names.join(', ')}`}
    }
  }
}

/** Rounds of plan → apply → re-check: a fix can uncover the next problem (a chmod lets the store open and shows a
 * missing secret), which the next round fixes. Each fix runs at most once a run, so this always ends. */
const MAX_ROUNDS = 4

/**
 * `doctor --fix`: plans the safe fixes from the first run's results, applies them in order with progress on
 * stderr (a failed fix does not stop the others), then re-runs the checks of every group it touched with a fresh
 * context; what those re-runs newly find is planned and fixed in the same run, so one `--fix` is enough.
 */
export async function fixAndRecheck(
  deps: Deps,
  first: DoctorResult,
  opts: DoctorOptions & {yes: boolean},
): Promise<DoctorFixResult> {
  const outcomes: FixOutcome[] = []
  const attempted = new Set<string>()
  let checks = first.checks
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const steps = withStartAfterConfigure(planFixes(checks)).steps.filter((s) => !attempted.has(s.title))
    if (steps.length === 0) break
    for (const s of steps) attempted.add(s.title)
    const done = await applySteps(deps, steps, opts)
    outcomes.push(...done)
    const applied = steps.filter((s) => done.find((o) => o.title === s.title)?.status === 'applied')
    const ids = recheckIds(checks, applied)
    if (ids.length === 0) break
    const rerun = await runDoctor(deps, {...opts, group: undefined, only: ids})
    checks = mergeResults(checks, rerun.checks)
  }
  const result = withSummary(checks, {durationMs: first.durationMs, next: first.next})
  return {...result, fix: {steps: outcomes, manual: planFixes(checks).manual}}
}

async function applySteps(deps: Deps, steps: FixStep[], opts: {yes: boolean}): Promise<FixOutcome[]> {
  const outcomes: FixOutcome[] = []
  // Confirmations cannot share the terminal with an animated progress list: ask before it starts.
  const confirmed = new Map<FixStep, boolean>()
  for (const step of steps.filter((s) => s.confirm && !opts.yes && deps.io.canPrompt())) {
    confirmed.set(step, await confirm(deps.io, {question: `${step.title}?`, flag: '--yes'}))
  }
  await runProgress(
    deps.io,
    {},
    steps.map((step) => ({
      title: step.title,
      run: async (_ctx, update) => {
        let result: {status: FixStatus; note: string}
        try {
          const answer = confirmed.get(step)
          result =
            answer === false
              ? {status: 'skipped', note: 'not confirmed'}
              : await applyOne(deps, step, {yes: opts.yes || answer === true, progress: update})
        } catch (error) {
          const e = error as Error & {hint?: string}
          result = {status: 'failed', note: `${e.message.split('\n')[0]}${e.hint ? ` → ${e.hint}` : ''}`}
        }
        outcomes.push({
          title: step.title,
          kind: step.action.kind,
          status: result.status,
          note: result.note,
          checks: step.checks,
        })
        return `${result.status}: ${result.note}`
      },
    })),
  )
  return outcomes
}

/** The checks to run again after `applied`: every check of a touched group, but of peers only those a fix answered. */
function recheckIds(checks: DoctorResult['checks'], applied: FixStep[]): string[] {
  const touched = new Set<CheckGroup>(applied.flatMap((s) => s.groups))
  if (applied.some((s) => s.action.kind === 'configure-gateway' || s.action.kind === 'restart-gateway'))
    touched.add('gateway')
  // A restart changes every gateway check; a peer re-check is another authenticated probe, so only where a fix answered.
  const peerChecks = new Set(
    applied.filter((s) => s.groups.includes('peers')).flatMap((s) => s.checks.map((k) => k.split(':')[0])),
  )
  return [
    ...new Set(
      checks.filter((c) => (c.group === 'peers' ? peerChecks.has(c.id) : touched.has(c.group))).map((c) => c.id),
    ),
  ]
}
