import {CHECKS} from '../../core/checks/catalog.js'
import type {DoctorContext} from '../../core/checks/context.js'
import {checkKey} from '../../core/checks/fix-plan.js'
import {
  CHECK_GROUPS,
  summarizeChecks,
  type CheckDefinition,
  type CheckGroup,
  type CheckResult,
  type CheckSummary,
} from '../../core/checks/types.js'
import {UsageError} from '../../core/common/errors.js'
import type {Deps} from '../../deps.js'
import {requirePeer} from '../peers/records.js'
import {createDoctorContext, type DoctorContextOptions} from './context.js'
import {runChecks} from './run-checks.js'
import {monotonicMs} from '../../core/common/duration.js'

export interface DoctorOptions {
  /** Check ids (--only). */
  only?: string[]
  group?: CheckGroup
  /** One peer (--peer NAME). */
  peer?: string
  peerTimeoutMs: number
  /** Deadline for one local check; peer checks get the peer timeout plus a margin. */
  checkTimeoutMs?: number
  socket?: string
  /** Tests inject a context; the default probes this machine. */
  context?: (deps: Deps, opts: DoctorContextOptions) => DoctorContext
}

export interface DoctorSummary extends CheckSummary {
  /** No check failed or crashed (warnings allowed). */
  ok: boolean
}

export interface DoctorResult {
  checks: CheckResult[]
  summary: DoctorSummary
  /** The next command when this machine is not set up yet. */
  next?: string
  durationMs: number
}

const DEFAULT_CHECK_TIMEOUT_MS = 30_000

/** Splits and validates --only: every id must exist, so a typo is an error and not a silently empty run. */
export function parseOnly(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined
  const ids = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const known = new Set(CHECKS.map((c) => c.id))
  const unknown = ids.filter((id) => !known.has(id))
  if (unknown.length > 0 || ids.length === 0) {
    throw new UsageError(
      `--only ${JSON.stringify(raw)}: ${unknown.length > 0 ? `unknown check id${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}` : 'no check ids given'}.`,
      {
        hint: `Check ids: ${[...known].join(', ')}.`,
      },
    )
  }
  return ids
}

export function selectChecks(opts: {only?: string[]; group?: CheckGroup}): CheckDefinition<DoctorContext>[] {
  if (opts.group && !CHECK_GROUPS.includes(opts.group))
    throw new UsageError(`--group ${JSON.stringify(opts.group)} is not one of ${CHECK_GROUPS.join(', ')}.`, {
      hint: `Use one of: ${CHECK_GROUPS.join(', ')}.`,
    })
  return CHECKS.filter((c) => (!opts.only || opts.only.includes(c.id)) && (!opts.group || c.group === opts.group))
}

/**
 * Runs the doctor's checks against a lazily built context. Never throws for what it finds: a missing Tailscale or
 * OpenClaw is a failed check with a remedy, and a fresh machine gets `next: claw-mesh bootstrap`.
 */
export async function runDoctor(deps: Deps, opts: DoctorOptions): Promise<DoctorResult> {
  const started = monotonicMs()
  if (opts.peer) {
    const state = deps.store.read()
    requirePeer(state, opts.peer)
  }
  const checks = selectChecks(opts)
  const ctx = (opts.context ?? createDoctorContext)(deps, {
    peer: opts.peer,
    peerTimeoutMs: opts.peerTimeoutMs,
    socket: opts.socket,
  })
  const peers = ctx.peerRecords().map((r) => r.name)
  const checkTimeoutMs = opts.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS
  // Peer checks wait for the sweep (each peer bounded by the peer timeout) and queued pings: give them room.
  const peerCheckTimeoutMs = Math.max(checkTimeoutMs, opts.peerTimeoutMs * 4 + 5000)
  const results = await runChecks({
    checks: checks.map((c) =>
      c.group === 'peers' || c.id === 'clock-skew' ? {...c, timeoutMs: () => peerCheckTimeoutMs} : c,
    ),
    ctx,
    platform: deps.platform.id,
    peers,
    timeoutMs: checkTimeoutMs,
  })
  const summary = summarizeChecks(results)
  const result: DoctorResult = {
    checks: results,
    summary: {...summary, ok: summary.fail === 0 && summary.crashed === 0},
    durationMs: Math.round(monotonicMs() - started),
  }
  if (!ctx.provisioned() && ctx.state().ok) result.next = 'claw-mesh bootstrap'
  return result
}

/** Replaces re-run results in the first run's list (same id and peer), keeping the catalogue order. */
export function mergeResults(first: readonly CheckResult[], rerun: readonly CheckResult[]): CheckResult[] {
  const byKey = new Map(rerun.map((r) => [checkKey(r), r]))
  return first.map((r) => byKey.get(checkKey(r)) ?? r)
}

export function withSummary(checks: CheckResult[], base: Omit<DoctorResult, 'checks' | 'summary'>): DoctorResult {
  const s = summarizeChecks(checks)
  return {...base, checks, summary: {...s, ok: s.fail === 0 && s.crashed === 0}}
}
