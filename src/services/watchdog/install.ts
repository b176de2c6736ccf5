import {promises as fs} from 'node:fs'
import path from 'node:path'
import {describeAlertTarget} from '../../core/lifecycle/alert-target.js'
import {resolveAlertTarget, storeAlertTarget} from '../alerts/target.js'
import {ActionNeededError, ExternalError, UsageError} from '../../core/common/errors.js'
import {DEFAULT_COOLDOWN_MS, DEFAULT_FAILURES} from '../../core/lifecycle/watchdog-state.js'
import type {Deps} from '../../deps.js'
import {encodeFile} from '../../core/os/windows-file-encoding.js'
import {ensureDir, writeFileAtomic} from '../../infra/fs-atomic.js'
import type {PlatformCommand, PlatformId} from '../../platform/types.js'
import {versionManagerWarning} from '../../core/openclaw/stable-node-path.js'
import {bakedNodePath} from '../gateway/secret-wiring.js'
import {probeRun} from '../gateway/service.js'
import {readWatchdogFile, writeWatchdogFile} from './state-file.js'
import {cronCommandLine, envFilePath, onDiskMatches, renderWatchdogFiles, type WatchdogSchedule} from './units.js'

export const DEFAULT_INTERVAL_MS = 120_000
const MIN_INTERVAL_MS = 30_000

export interface WatchdogInstallOptions {
  /** Alert target (`webhook:…`, `imessage:…`, `command:…`); kept in claw-mesh's state, never in the unit files. */
  alert?: string
  intervalMs?: number
  failures?: number
  cooldownMs?: number
  /** Only render and return the files: change nothing. */
  print?: boolean
}

export interface WatchdogFileResult {
  path: string
  action: 'written' | 'unchanged' | 'printed'
  content?: string
}

export interface WatchdogInstallResult {
  mechanism: string
  job: string
  installed: boolean
  changed: boolean
  files: WatchdogFileResult[]
  schedule: WatchdogSchedule
  alert?: string
  /** What the user should know about this install (a node path a version manager may remove, macOS grants). */
  notes?: string[]
}

/**
 * Turns options into the schedule, refusing nonsense before anything is written. Windows: Task Scheduler repeats in
 * whole minutes, at least one (the task schema's Interval has `minInclusive PT1M`), so `30s` or `90s` is refused there
 * rather than registered as a task schtasks rejects.
 */
export function watchdogSchedule(
  opts: Pick<WatchdogInstallOptions, 'intervalMs' | 'failures' | 'cooldownMs'>,
  platform: PlatformId = 'linux',
): WatchdogSchedule {
  const intervalMs = opts.intervalMs ?? DEFAULT_INTERVAL_MS
  const failures = opts.failures ?? DEFAULT_FAILURES
  if (intervalMs < MIN_INTERVAL_MS)
    throw new UsageError(`--interval ${intervalMs / 1000}s is too short: a gateway start alone takes 11–17 s.`, {
      hint: 'Pass --interval 30s or more (default 120s).',
    })
  if (platform === 'win32' && (intervalMs < 60_000 || intervalMs % 60_000 !== 0)) {
    throw new UsageError(
      `--interval ${intervalMs / 1000}s cannot be a Windows Scheduled Task's interval: Task Scheduler repeats in whole minutes, at least one.`,
      {
        hint: `Pass --interval ${Math.max(1, Math.ceil(intervalMs / 60_000))}m (or any whole number of minutes; default 2m).`,
      },
    )
  }
  if (!Number.isInteger(failures) || failures < 1 || failures > 100)
    throw new UsageError(`--failures ${failures} is out of range.`, {
      hint: 'Pass a whole number from 1 to 100 (default 3).',
    })
  return {
    intervalSec: Math.round(intervalMs / 1000),
    failures,
    cooldownSec: Math.round((opts.cooldownMs ?? DEFAULT_COOLDOWN_MS) / 1000),
  }
}

async function runCommands(deps: Deps, commands: PlatformCommand[], tolerant: boolean): Promise<void> {
  for (const c of commands) await runCommand(deps, c, tolerant)
}

/** One platform command, with its retry or wait as the platform asks; the clock is the injected one (no real sleeps in tests). */
async function runCommand(deps: Deps, c: PlatformCommand, tolerant: boolean): Promise<void> {
  const started = deps.clock.now().getTime()
  const budget = c.retry ?? c.untilFails
  const timeLeft = () => (budget ? started + budget.forMs - deps.clock.now().getTime() : 0)
  for (;;) {
    const r = await deps.runner.run(c.command, c.args, {timeoutMs: 30_000})
    const output = `${r.stderr}\n${r.stdout}`
    if (c.untilFails) {
      if (r.exitCode !== 0 || timeLeft() <= 0) return
      await deps.clock.sleep(c.untilFails.everyMs)
      continue
    }
    if (r.exitCode === 0) return
    if (c.retry && c.retry.while.test(output) && timeLeft() > 0) {
      await deps.clock.sleep(Math.min(c.retry.everyMs, timeLeft()))
      continue
    }
    const explained = c.explain?.(output)
    if (explained && !tolerant)
      throw new ActionNeededError(explained.message, {code: explained.code, hint: explained.hint})
    if (c.mayFail || tolerant) return
    throw new ExternalError(`${c.command} ${c.args.join(' ')} failed (exit ${r.exitCode}).`, {
      command: c.command,
      args: c.args,
      exitStatus: r.exitCode,
      stderr: r.stderr,
      hint: 'Read the error above; the watchdog files are in place, re-run the install once it is fixed.',
    })
  }
}

function noServiceManager(deps: Deps, detail: string, withAlert: boolean): ActionNeededError {
  const wd = deps.platform.watchdog
  const cron = `*/2 * * * * ${cronCommandLine(deps, ['watchdog', 'run', ...(withAlert ? ['--alert', 'TARGET'] : [])])}`
  return new ActionNeededError(`Cannot install the watchdog as a ${wd.mechanism}: ${detail}. Nothing was installed.`, {
    code: 'no-service-manager',
    hint:
      deps.platform.id === 'linux'
        ? `On a machine with systemd, log in normally (or run: loginctl enable-linger $USER) and re-run. In a container or CI, schedule the watchdog yourself, e.g. with cron: ${cron} — or print the unit files with: claw-mesh watchdog install --print`
        : 'Log in to the desktop session and re-run, or print the job file with: claw-mesh watchdog install --print',
  })
}

/**
 * Installs the watchdog as a user-level periodic job (systemd user timer, LaunchAgent, Scheduled Task) that runs
 * `claw-mesh watchdog run`. Idempotent: identical files are not rewritten. Where no service manager answers
 * (containers, CI, SSH-only sessions) it fails with what to do instead, having changed nothing.
 */
export async function installWatchdog(deps: Deps, opts: WatchdogInstallOptions = {}): Promise<WatchdogInstallResult> {
  const wd = deps.platform.watchdog
  const schedule = watchdogSchedule(opts, deps.platform.id)
  // A chat webhook URL is a credential (anyone holding it can post): never printed whole, kept in the secret store.
  const target = await resolveAlertTarget(deps, opts.alert)
  const {files} = renderWatchdogFiles(deps, schedule)
  const notes = installNotes(deps, target)
  const recordedAlert = deps.store.read().alert
  const recordedTarget = target ? undefined : await resolveAlertTarget(deps, recordedAlert)
  const alertText = target
    ? describeAlertTarget(target)
    : recordedTarget
      ? describeAlertTarget(recordedTarget)
      : undefined
  if (opts.print) {
    return {
      mechanism: wd.mechanism,
      job: wd.jobName,
      installed: false,
      changed: false,
      files: files.map((f) => ({path: f.path, action: 'printed', content: f.content})),
      schedule,
      alert: alertText,
      ...withNotes(notes),
    }
  }
  const probe = await deps.platform.gateway.probeServiceManager(probeRun(deps), deps.env)
  if (!probe.usable) throw noServiceManager(deps, probe.detail, target !== undefined)
  const results: WatchdogFileResult[] = []
  for (const f of files) {
    if (await onDiskMatches(f)) {
      results.push({path: f.path, action: 'unchanged'})
      continue
    }
    await ensureDir(path.dirname(f.path), 0o755)
    await writeFileAtomic(f.path, encodeFile(f.content, f.encoding), f.mode)
    results.push({path: f.path, action: 'written'})
  }
  const filesChanged = results.some((r) => r.action === 'written')
  const active = await wd.isActive(probeRun(deps))
  if (filesChanged || !active)
    await runCommands(deps, wd.activate(wd.files({home: deps.home, env: deps.env, stateDir: deps.stateDir})), false)
  const alertRecord = target && opts.alert !== undefined ? await storeAlertTarget(deps, target, opts.alert) : undefined
  const alertChanged = alertRecord !== undefined && recordedAlert !== alertRecord
  if (alertChanged) deps.store.update((s) => void (s.alert = alertRecord))
  const state = await readWatchdogFile(deps)
  await writeWatchdogFile(deps, {...state, install: {...schedule, mechanism: wd.mechanism}})
  return {
    mechanism: wd.mechanism,
    job: wd.jobName,
    installed: true,
    changed: filesChanged || !active || alertChanged,
    files: results,
    schedule,
    alert: alertText,
    ...withNotes(notes),
  }
}

const withNotes = (notes: string[]) => (notes.length > 0 ? {notes} : {})

function installNotes(deps: Deps, target: Awaited<ReturnType<typeof resolveAlertTarget>>): string[] {
  const notes: string[] = []
  const managed = versionManagerWarning(bakedNodePath(), 'The watchdog job')
  if (managed) notes.push(managed)
  // The job's TCC identity is node, not Terminal: Terminal's Automation grant for Messages does not cover it.
  if (target?.kind === 'imessage' && deps.platform.id === 'darwin') notes.push(IMESSAGE_AUTOMATION_NOTE)
  return notes
}

/** macOS: what an iMessage alert from the LaunchAgent needs (issue 17, M6); steipete/imsg's README names the grant. */
export const IMESSAGE_AUTOMATION_NOTE =
  "iMessage alerts are sent by the LaunchAgent's node, which needs its own Automation grant for Messages: `claw-mesh watchdog run --test-alert` from Terminal passes on Terminal's grant and proves nothing for the job. " +
  'The first alert the job sends makes macOS ask, at the desktop, whether node may control Messages; allow it there (System Settings → Privacy & Security → Automation → node → Messages), and again after every node upgrade. See docs/platforms/macos.md.'

export interface WatchdogUninstallResult {
  mechanism: string
  job: string
  removed: string[]
  /** Nothing was installed. */
  absent: boolean
  /** The scheduled job itself was there (its files, or loaded), not only the watchdog's leftover state files. */
  jobFound: boolean
}

/** Stops and removes the job, its files, its state and the recorded alert target. Tolerates a partial install. */
/** For leave's plan: is the scheduled job there at all (its files)? Changes nothing. */
export async function watchdogJobPresent(deps: Deps): Promise<boolean> {
  const specs = deps.platform.watchdog.files({home: deps.home, env: deps.env, stateDir: deps.stateDir})
  return (
    await Promise.all(
      specs.map((s) =>
        fs.stat(s.path).then(
          () => true,
          () => false,
        ),
      ),
    )
  ).some(Boolean)
}

export async function uninstallWatchdog(deps: Deps): Promise<WatchdogUninstallResult> {
  const wd = deps.platform.watchdog
  const specs = wd.files({home: deps.home, env: deps.env, stateDir: deps.stateDir})
  const paths = [...specs.map((s) => s.path), envFilePath(deps), path.join(deps.stateDir, 'watchdog.json')]
  const present = (
    await Promise.all(
      paths.map((p) =>
        fs.stat(p).then(
          () => p,
          () => undefined,
        ),
      ),
    )
  ).filter((p): p is string => Boolean(p))
  const active = await wd.isActive(probeRun(deps)).catch(() => false)
  const hadAlert = deps.store.read().alert !== undefined
  const jobFound = active || present.some((p) => specs.some((s) => s.path === p))
  if (present.length === 0 && !active && !hadAlert)
    return {mechanism: wd.mechanism, job: wd.jobName, removed: [], absent: true, jobFound}
  if (active || present.length > 0) await runCommands(deps, wd.deactivate(specs), true)
  for (const p of present) await fs.rm(p, {force: true})
  if (present.some((p) => specs.some((s) => s.path === p))) await runCommands(deps, wd.afterRemove(), true)
  if (hadAlert) deps.store.update((s) => void delete s.alert)
  return {mechanism: wd.mechanism, job: wd.jobName, removed: present, absent: false, jobFound}
}

export interface WatchdogStatus {
  /** The job's files exist and the service manager has it loaded. */
  installed: boolean
  /** The files on disk are exactly what install would write now (same paths, schedule and environment). */
  matches: boolean
  mechanism: string
  alert?: string
}

/** For bootstrap's plan: is the watchdog there, and would installing it again change anything? */
export async function watchdogStatus(
  deps: Deps,
  desired: Pick<WatchdogInstallOptions, 'intervalMs' | 'failures' | 'cooldownMs' | 'alert'> = {},
): Promise<WatchdogStatus> {
  const wd = deps.platform.watchdog
  const state = await readWatchdogFile(deps)
  const recorded = state.install
  // An interval an earlier version recorded that this OS cannot schedule (30 s on Windows) becomes the next one it can:
  // the files then differ, and bootstrap re-installs them.
  const recordedMs = recorded
    ? (deps.platform.id === 'win32' ? Math.max(1, Math.ceil(recorded.intervalSec / 60)) * 60 : recorded.intervalSec) *
      1000
    : undefined
  const schedule = watchdogSchedule(
    {
      intervalMs: desired.intervalMs ?? recordedMs,
      failures: desired.failures ?? recorded?.failures,
      cooldownMs: desired.cooldownMs ?? (recorded ? recorded.cooldownSec * 1000 : undefined),
    },
    deps.platform.id,
  )
  const {files} = renderWatchdogFiles(deps, schedule)
  const onDisk = await Promise.all(files.map((f) => onDiskMatches(f)))
  const exists = onDisk.every((c) => c !== undefined)
  const active = exists ? await wd.isActive(probeRun(deps)).catch(() => false) : false
  const recordedTarget = await resolveAlertTarget(deps, deps.store.read().alert).catch(() => undefined)
  const wanted = await resolveAlertTarget(deps, desired.alert)
  const sameFiles = onDisk.every((same) => same === true)
  const sameAlert = wanted === undefined || JSON.stringify(wanted) === JSON.stringify(recordedTarget)
  return {
    installed: exists && active,
    matches: exists && active && sameFiles && sameAlert,
    mechanism: wd.mechanism,
    alert: recordedTarget ? describeAlertTarget(recordedTarget) : undefined,
  }
}
