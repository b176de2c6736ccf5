import {existsSync} from 'node:fs'
import {createServer} from 'node:net'
import {ActionNeededError, ExternalError, UsageError} from '../../core/common/errors.js'
import {tailscaleNetworkingSetting} from '../../core/common/settings.js'
import type {Deps} from '../../deps.js'
import {ensureDir} from '../../infra/fs-atomic.js'
import {platformAdapter} from '../../platform/index.js'
import {DEFAULT_PROXY_PORT, PROXY_HOST} from '../../platform/common.js'
import type {DaemonPlanOptions, HostProbe, InstallPlan, PlanStep} from '../../platform/types.js'
import {findTailscaleCli, TailscaleCli, tailscaleSocket} from './cli.js'

export interface InstallResult {
  platform: string
  alreadyInstalled: boolean
  plan: InstallPlan
  applied: string[]
  dryRun: boolean
  socket?: string
  /** pid of the tailscaled started by this run (no service manager here). */
  daemonPid?: number
}

/** Whether a TCP port on the proxy's loopback address can be listened on right now. */
function loopbackPortFree(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(undefined))
    server.listen({host: PROXY_HOST, port, exclusive: true}, () => {
      const got = (server.address() as {port: number}).port
      server.close(() => resolve(got))
    })
  })
}

/** The proxy port for a userspace tailscaled: 1055 (tailscale's own examples) unless something holds it. */
async function pickProxyPort(): Promise<number> {
  return (await loopbackPortFree(DEFAULT_PROXY_PORT)) ?? (await loopbackPortFree(0)) ?? DEFAULT_PROXY_PORT
}

/** A plausible probe for planning another OS's install in a dry run (we cannot look at that machine). */
export function syntheticProbe(platform: string, distro = 'debian'): HostProbe {
  return {
    platform: platformAdapter(platform).id,
    isRoot: false,
    osRelease: platform === 'linux' ? {id: distro, idLike: []} : undefined,
    hasSystemd: true,
    inContainer: false,
    commands:
      platform === 'darwin'
        ? {brew: '/opt/homebrew/bin/brew'}
        : platform === 'win32'
          ? {winget: 'winget'}
          : {sudo: '/usr/bin/sudo', curl: '/usr/bin/curl'},
  }
}

/** `sudo -n` always: it never prompts, and a password requirement becomes a clear instruction instead of a hang. */
export function sudoWrap(step: PlanStep, probe: HostProbe): {command: string; args: string[]} {
  if (!step.sudo || probe.isRoot) return {command: step.command, args: step.args}
  if (!probe.commands.sudo) {
    throw new ActionNeededError(`"${step.title}" needs root and sudo is not installed.`, {
      code: 'needs-root',
      hint: 'Re-run claw-mesh as root.',
    })
  }
  return {command: probe.commands.sudo, args: ['-n', step.command, ...step.args]}
}

export function describeStep(step: PlanStep, probe: HostProbe): string {
  const {command, args} = sudoWrap(step, probe)
  return [command, ...args].map((a) => (/[\s|&;]/.test(a) ? JSON.stringify(a) : a)).join(' ')
}

async function daemonAnswers(deps: Deps, socket?: string): Promise<boolean> {
  const cli = findTailscaleCli(deps)
  if (!cli) return false
  const r = await new TailscaleCli(deps, {cli, socket}).raw(['status', '--json'], 5000)
  return r.exitCode === 0
}

export async function installTailscale(
  deps: Deps,
  opts: {
    dryRun: boolean
    platform?: string
    socket?: string
    networking?: DaemonPlanOptions['networking']
    timeoutMs: number
    progress?: (m: string) => void
  },
): Promise<InstallResult> {
  const foreign = opts.platform !== undefined && opts.platform !== deps.platform.id
  if (foreign && !opts.dryRun) {
    throw new UsageError(
      `--platform ${opts.platform} only works with --dry-run: claw-mesh installs on the machine it runs on.`,
      {hint: "Add --dry-run to print that platform's plan."},
    )
  }
  const adapter = foreign ? platformAdapter(opts.platform) : deps.platform
  const probe = foreign ? syntheticProbe(adapter.id) : deps.probeHost()
  const socket = tailscaleSocket(deps, {flag: opts.socket, networking: opts.networking})
  if (!foreign && (await daemonAnswers(deps, socket))) {
    return {
      platform: adapter.id,
      alreadyInstalled: true,
      plan: {method: 'none', steps: [], notes: ['Tailscale is installed and its daemon answers.']},
      applied: [],
      dryRun: opts.dryRun,
      socket,
    }
  }
  // --networking, else $CLAW_MESH_TAILSCALE_NETWORKING (for bootstrap and CI templates), checked like the flag.
  const networking = tailscaleNetworkingSetting({env: deps.env, flags: {networking: opts.networking}}).value
  const plan = adapter.planTailscaleInstall(probe, {
    stateDir: deps.stateDir,
    networking,
    proxyPort: foreign ? undefined : await pickProxyPort(),
  })
  const result: InstallResult = {
    platform: adapter.id,
    alreadyInstalled: false,
    plan,
    applied: [],
    dryRun: opts.dryRun,
    socket: plan.socket,
  }
  if (opts.dryRun) return result
  await ensureDir(deps.stateDir)
  let daemonPid: number | undefined
  for (const step of plan.steps) {
    opts.progress?.(step.title)
    const {command, args} = sudoWrap(step, probe)
    if (step.detachedLog) {
      daemonPid = await deps.runner.spawnDetached(command, args, {logFile: step.detachedLog})
    } else {
      const r = await deps.runner.run(command, args, {timeoutMs: 10 * 60_000})
      if (r.exitCode !== 0) throw stepError(step, command, args, r.stderr, r.exitCode)
    }
    if (step.waitForSocket) await waitForDaemon(deps, step.waitForSocket, opts.timeoutMs, opts.progress)
    else if (step.waitForDaemon) await waitForDaemon(deps, socket, opts.timeoutMs, opts.progress, {checkFile: false})
    result.applied.push(step.title)
  }
  if (plan.socket)
    deps.store.update(
      (s) =>
        void (s.tailscale = {
          ...s.tailscale,
          socket: plan.socket,
          daemonPid,
          networking: plan.networking,
          proxy: plan.proxy,
        }),
    )
  return {...result, daemonPid}
}

function stepError(step: PlanStep, command: string, args: string[], stderr: string, exitCode: number): Error {
  if (/a password is required|a terminal is required/i.test(stderr)) {
    return new ActionNeededError(`"${step.title}" needs root, and sudo asks for a password.`, {
      code: 'sudo-password',
      hint: 'Run `sudo -v` (type your password once), then re-run the same command; or run it as root.',
    })
  }
  return new ExternalError(`${step.title} failed (exit ${exitCode}).`, {
    command,
    args,
    exitStatus: exitCode,
    stderr,
    hint: 'Read the error above; fix it and re-run (completed steps are skipped).',
  })
}

/**
 * Polls until the daemon's socket exists and `status --json` answers (the daemon-start race). `checkFile: false`: a
 * socket that is not a file (Windows' named pipe; undefined = the default one) is judged by `status` alone.
 */
export async function waitForDaemon(
  deps: Deps,
  socket: string | undefined,
  timeoutMs: number,
  progress?: (m: string) => void,
  opts: {checkFile?: boolean} = {},
): Promise<void> {
  const checkFile = opts.checkFile ?? true
  const where = socket ?? deps.platform.tailscaleSocket
  const deadline = deps.clock.now().getTime() + timeoutMs
  while (deps.clock.now().getTime() < deadline) {
    if ((!checkFile || (socket !== undefined && existsSync(socket))) && (await daemonAnswers(deps, socket))) return
    progress?.(`waiting for tailscaled on ${where}`)
    await deps.clock.sleep(250)
  }
  throw new ExternalError(`tailscaled did not answer on ${where} within ${Math.round(timeoutMs / 1000)} s.`, {
    command: 'tailscaled',
    args: [],
    code: 'tailscale-daemon-timeout',
    hint: checkFile
      ? `Read ${where.replace(/[^/]+$/, 'tailscaled.log')} for the daemon's error.`
      : `Check that the service runs: ${deps.platform.tailscaleStartHint}.`,
  })
}
