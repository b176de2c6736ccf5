import path from 'node:path'
import {readFileSync} from 'node:fs'
import {escapeTemplateValues, type TemplateValue} from '../../core/templates.js'
import type {Deps} from '../../deps.js'
import type {WatchdogFile} from '../../platform/types.js'
import {renderTemplateText, templatePath} from '../../render/template.js'
import {bakedNodePath, cliEntryPath} from '../gateway/secret-wiring.js'

/** What the periodic job runs: `node bin/run.js watchdog run --failures N --cooldown D`. */
export interface WatchdogSchedule {
  intervalSec: number
  failures: number
  cooldownSec: number
}

export interface RenderedFile {
  path: string
  content: string
  /** Unit files are read by the service manager; the env file carries paths only but stays private. */
  mode: number
}

/**
 * Environment the job needs to act on the same installation as the user who installed it: the same claw-mesh
 * state, secret store, Tailscale and OpenClaw paths. Tokens are never passed (the job reads them from the store).
 */
const PASS_ENV = [
  'CLAW_MESH_SECRET_STORE',
  'CLAW_MESH_TAILSCALE',
  'CLAW_MESH_TAILSCALE_SOCKET',
  'CLAW_MESH_OPENCLAW',
  'CLAW_MESH_KEYCHAIN_TIMEOUT_MS',
  'OPENCLAW_HOME',
  'OPENCLAW_STATE_DIR',
  'OPENCLAW_CONFIG_PATH',
  'OPENCLAW_PROFILE',
]

export function watchdogEnvironment(deps: Pick<Deps, 'env' | 'stateDir' | 'platform'>, nodePath: string): Record<string, string> {
  const env: Record<string, string> = {CLAW_MESH_HOME: deps.stateDir, CLAW_MESH_SKIP_NEW_VERSION_CHECK: 'true'}
  for (const name of PASS_ENV) if (deps.env[name]) env[name] = deps.env[name] as string
  // Service managers start jobs with a minimal PATH; `openclaw` (a `#!/usr/bin/env node` script) must find the
  // same Node 24 that claw-mesh runs on, so its directory goes first.
  const p = deps.platform.id === 'win32' ? path.win32 : path.posix
  const dirs = [p.dirname(nodePath), ...(deps.env.PATH ?? deps.env.Path ?? '').split(deps.platform.pathDelimiter)].filter(Boolean)
  env.PATH = [...new Set(dirs)].join(deps.platform.pathDelimiter)
  return env
}

/** The env file for `node --env-file` (Task Scheduler): single quotes keep Windows backslashes literal. */
export function envFileContent(env: Record<string, string>): string {
  return `${Object.entries(env)
    .map(([k, v]) => {
      if (/['\r\n]/.test(v)) throw new Error(`${k} contains a quote or newline and cannot go into the watchdog env file`)
      return `${k}='${v}'`
    })
    .join('\n')}\n`
}

export function envFilePath(deps: Pick<Deps, 'stateDir' | 'platform'>): string {
  return (deps.platform.id === 'win32' ? path.win32 : path.posix).join(deps.stateDir, 'watchdog.env')
}

/** Renders the job's files for this OS from `templates/`, every value escaped for its file format. */
export function renderWatchdogFiles(
  deps: Pick<Deps, 'env' | 'stateDir' | 'platform' | 'home'>,
  schedule: WatchdogSchedule,
  opts: {nodePath?: string; cliEntry?: string} = {},
): {files: RenderedFile[]; specs: WatchdogFile[]} {
  const nodePath = opts.nodePath ?? bakedNodePath()
  const cliEntry = opts.cliEntry ?? cliEntryPath()
  const wd = deps.platform.watchdog
  const env = watchdogEnvironment(deps, nodePath)
  const runArgs = ['watchdog', 'run', '--failures', String(schedule.failures), '--cooldown', `${schedule.cooldownSec}s`]
  const p = deps.platform.id === 'win32' ? path.win32 : path.posix
  const logFile = p.join(deps.stateDir, 'watchdog.log')
  const specs = wd.files({home: deps.home, env: deps.env, stateDir: deps.stateDir})
  const envFile = envFilePath(deps)
  const values: Record<string, TemplateValue> = {
    intervalSec: schedule.intervalSec,
    interval: `PT${schedule.intervalSec}S`,
    // A fixed past boundary: the trigger repeats from it, and re-rendering gives the same bytes.
    startBoundary: '2000-01-01T00:00:00',
    timeoutSec: 300,
    label: wd.jobName,
    taskName: wd.jobName,
    workingDirectory: deps.stateDir,
    logFile,
    environment: Object.entries(env).map(([name, value]) => ({name, value})),
    programArguments: [nodePath, cliEntry, ...runArgs],
    execStart: {argv: [nodePath, cliEntry, ...runArgs], style: 'systemd'},
    command: nodePath,
    arguments: {argv: [`--env-file=${envFile}`, cliEntry, ...runArgs], style: 'windows'},
  }
  const files: RenderedFile[] = specs.map((spec) => {
    const local: Record<string, TemplateValue> =
      spec.format === 'systemd' ? {...values, environment: Object.entries(env).map(([k, v]) => `${k}=${v}`)} : values
    return {path: spec.path, content: renderTemplateText(readFileSync(templatePath(spec.template), 'utf8'), escapeTemplateValues(local, spec.format)), mode: 0o644}
  })
  if (wd.needsEnvFile) files.push({path: envFile, content: envFileContent(env), mode: 0o600})
  return {files, specs}
}
