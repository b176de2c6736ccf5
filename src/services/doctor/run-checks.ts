import type {PlatformId} from '../../platform/types.js'
import type {CheckDefinition, CheckOutcome, CheckResult} from '../../core/checks/types.js'
import {monotonicMs} from '../../core/common/duration.js'

export interface RunChecksOptions<Ctx> {
  checks: readonly CheckDefinition<Ctx>[]
  ctx: Ctx
  platform: PlatformId
  /** Names the per-peer checks run for. */
  peers: readonly string[]
  /** Per-check deadline unless a check sets its own. */
  timeoutMs: number
  /** Monotonic milliseconds (tests pass a fake). */
  now?: () => number
}

/** One check instance: a definition, and the peer when it runs per peer. */
export interface CheckInstance<Ctx> {
  check: CheckDefinition<Ctx>
  peer?: string
}

export function expandChecks<Ctx>(
  checks: readonly CheckDefinition<Ctx>[],
  platform: PlatformId,
  peers: readonly string[],
): CheckInstance<Ctx>[] {
  return checks
    .filter((c) => c.platforms.includes(platform))
    .flatMap((check) => (check.perPeer ? peers.map((peer) => ({check, peer})) : [{check}]))
}

class CheckTimeout extends Error {
  constructor(readonly ms: number) {
    super(`did not finish within ${ms} ms`)
  }
}

/** Runs `run` with a deadline; the timer never keeps the process alive. */
async function withDeadline<T>(run: () => Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeout(ms)), ms)
    ;(timer as {unref?: () => void}).unref?.()
  })
  try {
    return await Promise.race([Promise.resolve().then(run), deadline])
  } finally {
    clearTimeout(timer)
  }
}

function isOutcome(value: unknown): value is CheckOutcome {
  const status = (value as CheckOutcome | undefined)?.status
  return (
    (status === 'pass' || status === 'warn' || status === 'fail' || status === 'skip') &&
    typeof (value as CheckOutcome).detail === 'string'
  )
}

/**
 * Runs every applicable check concurrently, each against its own deadline, and returns results in catalogue
 * order. A check that throws is `crashed` (a bug or an environment it did not expect), reported apart from one
 * that returned `fail`; one that misses its deadline fails with a timeout.
 */
export async function runChecks<Ctx>(opts: RunChecksOptions<Ctx>): Promise<CheckResult[]> {
  const now = opts.now ?? monotonicMs
  const instances = expandChecks(opts.checks, opts.platform, opts.peers)
  return Promise.all(
    instances.map(async ({check, peer}): Promise<CheckResult> => {
      const base = {id: check.id, group: check.group, title: check.title, ...(peer !== undefined ? {peer} : {})}
      const ms = check.timeoutMs?.(opts.ctx) ?? opts.timeoutMs
      const started = now()
      try {
        const outcome = await withDeadline(() => check.run(opts.ctx, peer), ms)
        const durationMs = Math.round(now() - started)
        if (!isOutcome(outcome))
          return {
            ...base,
            status: 'crashed',
            detail: `returned ${JSON.stringify(outcome) ?? 'nothing'} instead of a verdict`,
            remedy: CRASH_REMEDY,
            durationMs,
          }
        const result: CheckResult = {...base, status: outcome.status, detail: outcome.detail, durationMs}
        if (outcome.status === 'warn' || outcome.status === 'fail') {
          if (outcome.remedy) result.remedy = outcome.remedy
          if (outcome.fix) result.fix = outcome.fix
        }
        return result
      } catch (error) {
        const durationMs = Math.round(now() - started)
        if (error instanceof CheckTimeout)
          return {
            ...base,
            status: 'fail',
            detail: `timed out: the check ${error.message}`,
            remedy: 'Run it alone to see where it hangs: claw-mesh doctor --only ' + check.id,
            durationMs,
          }
        const message = error instanceof Error ? error.message : String(error)
        return {
          ...base,
          status: 'crashed',
          detail: `the check crashed: ${message.split('\n')[0]}`,
          remedy: CRASH_REMEDY,
          durationMs,
        }
      }
    }),
  )
}

const CRASH_REMEDY = 'This is a bug in claw-mesh: re-run with CLAW_MESH_DEBUG=1 and report the output'
