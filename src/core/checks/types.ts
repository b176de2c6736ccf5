import type {PlatformId} from '../../platform/types.js'

/**
 * Doctor checks are data: a stable id, a title, a group, the platforms they apply to, and `run(ctx)` returning an
 * outcome. Evaluators that turn probe results into outcomes are pure and live next to these types.
 */
export const CHECK_GROUPS = ['tailscale', 'gateway', 'secrets', 'peers', 'system'] as const
export type CheckGroup = (typeof CHECK_GROUPS)[number]

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip'
/** `crashed`: the check itself threw (a bug or an unexpected environment), not a failed verdict. */
export type ResultStatus = CheckStatus | 'crashed'

/** A remedy doctor --fix may apply. `safe` ones run; the others are printed. */
export type FixAction =
  | {kind: 'configure-gateway'; advertisedUrl?: string}
  | {kind: 'restart-gateway'}
  | {kind: 'restore-secret'; name: string; from: 'gateway.auth.token' | 'hooks.token'}
  | {kind: 'chmod-600'; path: string}
  | {kind: 'enable-linger'; user: string}
  | {kind: 'remove-stale-peers'; names: string[]}
  | {kind: 'move-volatile-secrets'; names: string[]}
  | {kind: 'install-mesh-plugin'}

export type FixKind = FixAction['kind']

export interface CheckOutcome {
  status: CheckStatus
  /** What was found, one line. */
  detail: string
  /** The exact command (or step) that fixes it; set on warn and fail. */
  remedy?: string
  /** What `doctor --fix` can do about it. */
  fix?: FixAction
}

export interface CheckDefinition<Ctx> {
  /** Stable kebab-case id, used by --only and in --json. */
  id: string
  title: string
  group: CheckGroup
  platforms: readonly PlatformId[]
  /** Runs once per peer (ctx.peerNames) instead of once. */
  perPeer?: boolean
  /** Overrides the runner's default per-check timeout (peer checks use the peer timeout). */
  timeoutMs?: (ctx: Ctx) => number
  run(ctx: Ctx, peer?: string): Promise<CheckOutcome>
}

export interface CheckResult {
  id: string
  group: CheckGroup
  title: string
  /** The peer a per-peer check looked at. */
  peer?: string
  status: ResultStatus
  detail: string
  remedy?: string
  fix?: FixAction
  durationMs: number
}

export interface CheckSummary {
  total: number
  pass: number
  warn: number
  fail: number
  skip: number
  crashed: number
}

/** The commands behind the gateway fixes (doctor --fix runs the same services). */
export const REMEDY_CONFIGURE = 'claw-mesh gateway configure && claw-mesh gateway start'
export const REMEDY_START = 'claw-mesh gateway start'

export const ALL_PLATFORMS: readonly PlatformId[] = ['linux', 'darwin', 'win32']

export const pass = (detail: string): CheckOutcome => ({status: 'pass', detail})
export const skip = (detail: string): CheckOutcome => ({status: 'skip', detail})
export const warn = (detail: string, remedy?: string, fix?: FixAction): CheckOutcome => ({
  status: 'warn',
  detail,
  remedy,
  fix,
})
export const fail = (detail: string, remedy?: string, fix?: FixAction): CheckOutcome => ({
  status: 'fail',
  detail,
  remedy,
  fix,
})

export function summarizeChecks(results: readonly CheckResult[]): CheckSummary {
  const s: CheckSummary = {total: results.length, pass: 0, warn: 0, fail: 0, skip: 0, crashed: 0}
  for (const r of results) s[r.status]++
  return s
}

/** True when the run should exit non-zero: a failed or crashed check. Warnings are allowed. */
export function hasFailures(results: readonly CheckResult[]): boolean {
  return results.some((r) => r.status === 'fail' || r.status === 'crashed')
}
