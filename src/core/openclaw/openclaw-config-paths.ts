import path from 'node:path'
import {UsageError} from '../common/errors.js'

/** Where OpenClaw keeps its state and config, resolved the way the `openclaw` CLI does (checked against 2026.9.6). */
export interface OpenClawPaths {
  /** The home OpenClaw uses: `$OPENCLAW_HOME`, else the OS home. */
  home: string
  stateDir: string
  configPath: string
  /** The named profile (`--profile`), when one was given. */
  profile?: string
  /** What decided the config path, for messages ("from OPENCLAW_CONFIG_PATH"). */
  source: 'OPENCLAW_CONFIG_PATH' | 'OPENCLAW_STATE_DIR' | 'profile' | 'default'
}

const PROFILE_NAME = /^[A-Za-z0-9_-]+$/

export function assertProfileName(value: string, flag = '--profile'): string {
  if (!PROFILE_NAME.test(value) || value.length > 64) {
    throw new UsageError(`${flag} ${JSON.stringify(value.slice(0, 80))} is not a valid OpenClaw profile name.`, {
      hint: 'Use letters, digits, "_" and "-" only (OpenClaw keeps the profile in ~/.openclaw-<name>).',
    })
  }
  return value
}

function blank(value: string | undefined): boolean {
  return !value?.trim()
}

/** For OPENCLAW_HOME only, OpenClaw also treats the literal strings "undefined" and "null" as unset. */
function blankHome(value: string | undefined): boolean {
  const v = value?.trim()
  return !v || v === 'undefined' || v === 'null'
}

/** `~` and `~/x` expand against the home OpenClaw uses, as OpenClaw does for these variables. */
function expandHome(value: string, home: string, p: path.PlatformPath): string {
  const v = value.trim()
  if (v === '~') return home
  if (v.startsWith('~/') || v.startsWith('~\\')) return p.join(home, v.slice(2))
  return p.resolve(v)
}

function profileStateDir(profile: string, home: string, p: path.PlatformPath): string {
  return profile === 'default' ? p.join(home, '.openclaw') : p.join(home, `.openclaw-${profile}`)
}

/**
 * Resolves OpenClaw's config path. Precedence (as `openclaw config file` reports it): `OPENCLAW_CONFIG_PATH`, then
 * `$OPENCLAW_STATE_DIR/openclaw.json`, then the profile's `~/.openclaw-<name>`, then `~/.openclaw`.
 * `OPENCLAW_HOME` replaces the OS home for every default. `OPENCLAW_PROFILE` alone does not move the files (it only
 * names the service); `--profile` does, unless an explicit state dir or config path other than the inherited
 * profile's default is set.
 */
export function resolveOpenClawPaths(opts: {
  env: NodeJS.ProcessEnv
  osHome: string
  profile?: string
  windows?: boolean
}): OpenClawPaths {
  const p = opts.windows ? path.win32 : path.posix
  const {env} = opts
  const home = blankHome(env.OPENCLAW_HOME) ? opts.osHome : expandHome(env.OPENCLAW_HOME!, opts.osHome, p)
  const profile = opts.profile?.trim() ? assertProfileName(opts.profile.trim()) : undefined
  let stateDirEnv = blank(env.OPENCLAW_STATE_DIR) ? undefined : expandHome(env.OPENCLAW_STATE_DIR!, home, p)
  let configEnv = blank(env.OPENCLAW_CONFIG_PATH) ? undefined : expandHome(env.OPENCLAW_CONFIG_PATH!, home, p)

  if (profile) {
    // Mirrors applyCliProfileEnv: an inherited state dir/config that merely point at the inherited profile's
    // defaults are replaced by the selected profile's; any other explicit path wins over --profile.
    const inherited = blank(env.OPENCLAW_PROFILE) ? 'default' : env.OPENCLAW_PROFILE!.trim()
    const inheritedDir = profileStateDir(inherited, home, p)
    const selectedDir = profileStateDir(profile, home, p)
    if (inheritedDir !== selectedDir) {
      const stateWasInherited = stateDirEnv === inheritedDir
      if (stateWasInherited) stateDirEnv = undefined
      if (configEnv === p.join(inheritedDir, 'openclaw.json') && (!env.OPENCLAW_STATE_DIR || stateWasInherited))
        configEnv = undefined
    }
    const stateDir = stateDirEnv ?? selectedDir
    if (configEnv) return {home, stateDir, configPath: configEnv, profile, source: 'OPENCLAW_CONFIG_PATH'}
    return {
      home,
      stateDir,
      configPath: p.join(stateDir, 'openclaw.json'),
      profile,
      source: stateDirEnv ? 'OPENCLAW_STATE_DIR' : 'profile',
    }
  }

  const stateDir = stateDirEnv ?? p.join(home, '.openclaw')
  if (configEnv) return {home, stateDir, configPath: configEnv, source: 'OPENCLAW_CONFIG_PATH'}
  return {
    home,
    stateDir,
    configPath: p.join(stateDir, 'openclaw.json'),
    source: stateDirEnv ? 'OPENCLAW_STATE_DIR' : 'default',
  }
}
