import path from 'node:path'
import {promises as fs, readFileSync} from 'node:fs'
import {escapeTemplateValues, type TemplateValue} from '../../core/lifecycle/template-escape.js'
import {encodeFile} from '../../core/os/windows-file-encoding.js'
import type {Deps} from '../../deps.js'
import type {WatchdogFile} from '../../platform/types.js'
import {renderTemplateText, templatePath} from '../../infra/template-files.js'
import {shQuote} from '../../platform/gateway-common.js'
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
  /** How `content` goes to disk (UTF-8 unless told; see WatchdogFile.encoding). */
  encoding?: 'utf-16le'
}

/** The program Task Scheduler starts: wscript from the system directory, whatever `.vbs` is associated with. */
export const WSCRIPT = '%SystemRoot%\\System32\\wscript.exe'

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

export function watchdogEnvironment(
  deps: Pick<Deps, 'env' | 'stateDir' | 'platform'>,
  nodePath: string,
): Record<string, string> {
  const env: Record<string, string> = {CLAW_MESH_HOME: deps.stateDir, CLAW_MESH_SKIP_NEW_VERSION_CHECK: 'true'}
  for (const name of PASS_ENV) if (deps.env[name]) env[name] = deps.env[name]
  // Service managers start jobs with a minimal PATH; `openclaw` (a `#!/usr/bin/env node` script) must find the
  // same Node 24 that claw-mesh runs on, so its directory goes first.
  const p = deps.platform.id === 'win32' ? path.win32 : path.posix
  const dirs = [
    p.dirname(nodePath),
    ...(deps.env.PATH ?? deps.env.Path ?? '').split(deps.platform.pathDelimiter),
  ].filter(Boolean)
  env.PATH = [...new Set(dirs)].join(deps.platform.pathDelimiter)
  return env
}

/**
 * The absolute command line cron runs for claw-mesh `args`: cron starts jobs with a minimal PATH and none of our
 * OPENCLAW_* settings, so the line carries the same environment as the service units, and the upgrade-proof node.
 */
export function cronCommandLine(deps: Pick<Deps, 'env' | 'stateDir' | 'platform'>, args: readonly string[]): string {
  const node = bakedNodePath()
  const env = Object.entries(watchdogEnvironment(deps, node))
    .map(([k, v]) => `${k}=${shQuote(v)}`)
    .join(' ')
  return `${env} ${shQuote(node)} ${shQuote(cliEntryPath())} ${args.join(' ')}`
}

/** The env file for `node --env-file` (Task Scheduler): single quotes keep Windows backslashes literal. */
export function envFileContent(env: Record<string, string>): string {
  return `${Object.entries(env)
    .map(([k, v]) => {
      if (/['\r\n]/.test(v))
        throw new Error(`${k} contains a quote or newline and cannot go into the watchdog env file`)
      return `${k}='${v}'`
    })
    .join('\n')}\n`
}

export function envFilePath(deps: Pick<Deps, 'stateDir' | 'platform'>): string {
  return (deps.platform.id === 'win32' ? path.win32 : path.posix).join(deps.stateDir, 'watchdog.env')
}

/**
 * Whether the file on disk is exactly what install would write (undefined: there is none). Its bytes are compared
 * in the file's encoding: a UTF-8 task XML from an earlier version has to be rewritten as UTF-16.
 */
export async function onDiskMatches(f: RenderedFile): Promise<boolean | undefined> {
  try {
    return (await fs.readFile(f.path)).equals(encodeFile(f.content, f.encoding))
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
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
  const launcher = specs.find((spec) => spec.format === 'vbs')
  const values: Record<string, TemplateValue> = {
    intervalSec: schedule.intervalSec,
    intervalMin: Math.round(schedule.intervalSec / 60),
    // Task Scheduler repeats in whole minutes (the schema's minimum is PT1M): watchdogSchedule allows only those there.
    interval: schedule.intervalSec % 60 === 0 ? `PT${schedule.intervalSec / 60}M` : `PT${schedule.intervalSec}S`,
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
    command: launcher ? WSCRIPT : nodePath,
    arguments: launcher
      ? {argv: ['//B', '//NoLogo', launcher.path], style: 'windows'}
      : {argv: [`--env-file=${envFile}`, cliEntry, ...runArgs], style: 'windows'},
    // The hidden launcher's command line, and node's directory put first on the task's PATH: node reads the env
    // file's PATH only when the environment has none, and a task always has the user's Path.
    launch: {argv: [nodePath, `--env-file=${envFile}`, cliEntry, ...runArgs], style: 'windows'},
    pathFirst: p.dirname(nodePath),
  }
  const files: RenderedFile[] = specs.map((spec) => {
    const local: Record<string, TemplateValue> =
      spec.format === 'systemd' ? {...values, environment: Object.entries(env).map(([k, v]) => `${k}=${v}`)} : values
    const text = renderTemplateText(
      readFileSync(templatePath(spec.template), 'utf8'),
      escapeTemplateValues(local, spec.format),
    )
    // A launcher script is a Windows text file: CRLF, as OpenClaw's own launchers are written.
    const content = spec.format === 'vbs' ? text.replace(/\r?\n/g, '\r\n') : text
    return {path: spec.path, content, mode: 0o644, ...(spec.encoding ? {encoding: spec.encoding} : {})}
  })
  // With a launcher, PATH is its business: in the env file it would only look as if it counted.
  const fileEnv = launcher ? Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'PATH')) : env
  if (wd.needsEnvFile) files.push({path: envFile, content: envFileContent(fileEnv), mode: 0o600})
  return {files, specs}
}
