import {existsSync} from 'node:fs'
import {ActionNeededError} from '../../core/common/errors.js'
import {nodeRunsOpenClaw, OPENCLAW_NODE_RANGE} from '../../core/openclaw/node-version.js'
import {resolveOpenClawPaths, type OpenClawPaths} from '../../core/openclaw/openclaw-config-paths.js'
import {openclawBinOverride} from '../../core/common/settings.js'
import type {Deps} from '../../deps.js'
import {findOnPath} from '../../platform/probe.js'

export interface OpenClawLocation {
  /** The openclaw executable, or undefined when it is not installed. */
  bin?: string
  /** Where it came from: `$CLAW_MESH_OPENCLAW` or PATH. */
  source?: 'CLAW_MESH_OPENCLAW' | 'PATH'
  paths: OpenClawPaths
  profile?: string
}

/**
 * The profile OpenClaw names its gateway service after: the one claw-mesh passes as --profile, else OPENCLAW_PROFILE,
 * which the openclaw child inherits (OpenClaw's resolveLaunchAgentLabel reads it from the environment).
 */
export function serviceProfileOf(profile: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  return profile ?? env.OPENCLAW_PROFILE
}

/** `openclaw [--profile P] <args>`: the profile is a root option, before the subcommand. */
export function openclawArgs(loc: Pick<OpenClawLocation, 'profile'>, args: readonly string[]): string[] {
  return loc.profile ? ['--profile', loc.profile, ...args] : [...args]
}

/**
 * Finds OpenClaw and its config path. `$CLAW_MESH_OPENCLAW` (an absolute path to the `openclaw` executable) wins
 * over PATH; tests and unusual installs use it. The profile is the flag's, else the one `configure` recorded.
 */
export function locateOpenClaw(
  deps: Pick<Deps, 'env' | 'platform' | 'home' | 'store'>,
  opts: {profile?: string} = {},
  exists: (p: string) => boolean = existsSync,
): OpenClawLocation {
  const profile = opts.profile ?? deps.store.read().gateway?.profile
  const paths = resolveOpenClawPaths({env: deps.env, osHome: deps.home, profile, windows: deps.platform.id === 'win32'})
  const override = openclawBinOverride(deps)
  if (override) {
    if (!exists(override)) {
      throw new ActionNeededError(`$CLAW_MESH_OPENCLAW points at ${override}, which does not exist.`, {
        code: 'openclaw-missing',
        hint: 'Point it at the openclaw executable (e.g. $(npm prefix -g)/bin/openclaw), or unset it to use the one on PATH.',
      })
    }
    return {bin: override, source: 'CLAW_MESH_OPENCLAW', paths, profile: paths.profile}
  }
  const bin = findOnPath('openclaw', deps.env, deps.platform, exists)
  return {bin, source: bin ? 'PATH' : undefined, paths, profile: paths.profile}
}

export const INSTALL_HINT =
  'Install it with: npm install -g openclaw (needs Node 24.16+), or run claw-mesh bootstrap --install.'

export function requireOpenClaw(loc: OpenClawLocation): string {
  if (!loc.bin) {
    throw new ActionNeededError(
      'OpenClaw is not installed (no `openclaw` on PATH, and $CLAW_MESH_OPENCLAW is not set).',
      {code: 'openclaw-missing', hint: INSTALL_HINT},
    )
  }
  return loc.bin
}

export interface OpenClawRuntime {
  bin: string
  /** `OpenClaw 2026.9.6 (eb377ac)` → `2026.9.6`. */
  version?: string
  /** The node the `openclaw` script runs on (its shebang is `env node`: the first node on PATH). */
  node?: string
  nodeVersion?: string
  nodeOk: boolean
}

/**
 * Checks the OpenClaw CLI actually runs here. OpenClaw 2026.9.6 needs Node 24.16+ (node:sqlite); on an older node it
 * exits at once, so the node on PATH is checked first and named in the error.
 */
export async function probeOpenClawRuntime(
  deps: Pick<Deps, 'lookPath' | 'runner'>,
  bin: string,
): Promise<OpenClawRuntime> {
  const {node, nodeVersion, nodeOk} = await probeNodeForOpenClaw(deps)
  const r = await deps.runner.run(bin, ['--version'], {timeoutMs: 30_000})
  if (r.notFound || r.exitCode !== 0) {
    throw new ActionNeededError(
      `${bin} --version failed${r.notFound ? ' (not executable)' : ` with exit code ${r.exitCode}`}: ${(r.stderr || r.stdout).trim().split('\n')[0] ?? ''}`,
      {
        code: 'openclaw-broken',
        hint: `Reinstall OpenClaw (npm install -g openclaw) or point $CLAW_MESH_OPENCLAW at a working openclaw.`,
      },
    )
  }
  const version = /(\d{4}\.\d+\.\d+[^\s)]*)/.exec(r.stdout)?.[1]
  return {bin, version, node, nodeVersion, nodeOk}
}

/**
 * The node `openclaw` would run on (the first on PATH), checked against what OpenClaw needs. Also asked before
 * OpenClaw is installed: an install onto a Node too old would only fail later, after the join spent the key.
 */
export async function probeNodeForOpenClaw(
  deps: Pick<Deps, 'lookPath' | 'runner'>,
): Promise<{node?: string; nodeVersion?: string; nodeOk: true}> {
  const node = deps.lookPath('node')
  let nodeVersion: string | undefined
  if (node) {
    const r = await deps.runner.run(node, ['--version'], {timeoutMs: 10_000})
    if (r.exitCode === 0) nodeVersion = r.stdout.trim()
  }
  const nodeOk = nodeVersion ? nodeRunsOpenClaw(nodeVersion) : false
  if (!nodeOk) {
    throw new ActionNeededError(
      node
        ? `OpenClaw needs Node ${OPENCLAW_NODE_RANGE}, but the node on PATH (${node}) is ${nodeVersion ?? 'not runnable'}.`
        : `OpenClaw needs Node ${OPENCLAW_NODE_RANGE}, and there is no node on PATH.`,
      {
        code: 'node-too-old',
        hint: 'Install Node 24 LTS (nvm install 24 && nvm alias default 24, or https://nodejs.org) and put it first on PATH, then re-run.',
      },
    )
  }
  return {node, nodeVersion, nodeOk}
}
