import {ActionNeededError} from '../../core/common/errors.js'
import type {Deps} from '../../deps.js'
import {findOnPath} from '../../platform/probe.js'
import type {InstallPlan, PlatformId} from '../../platform/types.js'
import {locateOpenClaw, probeOpenClawRuntime, type OpenClawRuntime} from './locate.js'

/** The npm package; `CLAW_MESH_OPENCLAW_SPEC` pins a version (`openclaw@2026.9.6`). */
export const OPENCLAW_PACKAGE = 'openclaw'

/**
 * Plans installing OpenClaw with npm (global). Empty steps when it is already there. Pure enough to print with
 * --dry-run: nothing runs here.
 */
export function planOpenClawInstall(
  deps: Pick<Deps, 'env' | 'platform' | 'home' | 'store'>,
): InstallPlan & {present?: string} {
  const loc = locateOpenClaw(deps)
  if (loc.bin)
    return {
      method: 'already installed',
      steps: [],
      notes: [`OpenClaw found: ${loc.bin} (${loc.source}).`],
      present: loc.bin,
    }
  const npm = findOnPath('npm', deps.env, deps.platform)
  if (!npm) {
    throw new ActionNeededError('npm is not on PATH, and claw-mesh installs OpenClaw with it.', {
      code: 'npm-missing',
      hint: 'Install Node 24 LTS with npm (https://nodejs.org, or nvm install 24), then re-run with --install.',
    })
  }
  const spec = deps.env.CLAW_MESH_OPENCLAW_SPEC || OPENCLAW_PACKAGE
  return {
    method: 'npm (global)',
    steps: [
      {
        title: `Install ${spec} with npm (~95 MB download, ~650 MB installed)`,
        command: npm,
        args: ['install', '-g', spec],
      },
    ],
    notes: [
      'OpenClaw needs Node 24.16+ (or 26.1+) on PATH: `openclaw` runs on the first node it finds.',
      'If npm reports EACCES, point its prefix at your home (npm config set prefix ~/.local) or use nvm, rather than sudo.',
    ],
  }
}

/** Where npm puts global commands: `<prefix>/bin` on POSIX, the prefix itself on Windows (`%APPDATA%\\npm`). */
export function npmBinHint(platform: PlatformId): string {
  return platform === 'win32'
    ? "Add npm's global directory to Path (npm prefix -g prints it, usually %APPDATA%\\npm: the commands live in the prefix itself), open a new terminal and re-run."
    : "Add npm's global bin directory to PATH (npm prefix -g, then <prefix>/bin), open a new shell and re-run."
}

/** Runs the plan, then checks `openclaw --version` works on this Node. */
export async function installOpenClaw(
  deps: Deps,
  opts: {timeoutMs?: number} = {},
): Promise<{plan: InstallPlan; runtime: OpenClawRuntime}> {
  const plan = planOpenClawInstall(deps)
  for (const step of plan.steps) {
    await deps.runner.run(step.command, step.args, {timeoutMs: opts.timeoutMs ?? 600_000, reject: true})
  }
  const loc = locateOpenClaw(deps)
  if (!loc.bin) {
    throw new ActionNeededError('npm finished, but `openclaw` is still not on PATH.', {
      code: 'openclaw-not-on-path',
      hint: npmBinHint(deps.platform.id),
    })
  }
  return {plan, runtime: await probeOpenClawRuntime(deps, loc.bin)}
}
