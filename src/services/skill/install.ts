import {promises as fs, readFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {randomBytes} from 'node:crypto'
import {
  delimiterIn,
  fallbackLine,
  fallbackMarker,
  fallbackStdinBlock,
  newDelimiter,
  type FallbackProgram,
} from '../../core/mesh/agent-fallback.js'
import {escapeTemplateValues} from '../../core/lifecycle/template-escape.js'
import type {Deps} from '../../deps.js'
import {ensureDir, readIfExists, writeFileAtomic} from '../../infra/fs-atomic.js'
import {renderTemplateText, templatePath} from '../../infra/template-files.js'
import {bakedNodePath, cliEntryPath} from '../gateway/secret-wiring.js'
import {locateOpenClaw} from '../openclaw/locate.js'

/**
 * The OpenClaw skill that teaches this host's agent to work with its peers: the plugin's mesh tools first, and a
 * fallback through exec for an agent without them (see core/mesh/agent-fallback.ts for why it looks the way it does). It goes into OpenClaw's managed skills folder, `<OpenClaw state dir>/skills/claw-mesh/`
 * (`~/.openclaw/skills` by default; OPENCLAW_STATE_DIR, OPENCLAW_HOME and the profile move it), which every agent
 * using that state loads.
 */
export const SKILL_NAME = 'claw-mesh'

export function skillPath(deps: Pick<Deps, 'env' | 'platform' | 'home' | 'store'>): string {
  const {paths} = locateOpenClaw(deps)
  const p = deps.platform.id === 'win32' ? path.win32 : path.posix
  return p.join(paths.stateDir, 'skills', SKILL_NAME, 'SKILL.md')
}

/**
 * The shell OpenClaw's exec tool runs the agent's commands in: PowerShell on Windows (`getShellConfig`: pwsh, else
 * Windows PowerShell, `-NoProfile -NonInteractive -Command`), a POSIX shell elsewhere. Every command line in the
 * skill is written for it.
 */
export function agentShell(platform: Pick<Deps['platform'], 'id'>): 'powershell' | 'posix' {
  return platform.id === 'win32' ? 'powershell' : 'posix'
}

/** The program the skill's fallback runs: the absolute node and entry of this claw-mesh (never a bare name). */
export function fallbackProgram(
  deps: Pick<Deps, 'env' | 'platform'>,
  opts: {nodePath?: string; cliEntry?: string} = {},
): FallbackProgram {
  const shell = agentShell(deps.platform)
  const home = deps.env.CLAW_MESH_HOME
  // Homebrew's upgrade-proof path, not the versioned Cellar one (macOS M3).
  const node = opts.nodePath ?? bakedNodePath()
  const entry = opts.cliEntry ?? cliEntryPath()
  return {
    shell,
    node,
    entry,
    home: home ? (shell === 'powershell' ? path.win32.resolve(home) : path.resolve(home)) : undefined,
  }
}

/** How the agent runs claw-mesh here, for a command without a message: `'/abs/node' '/abs/run.js'` (with any CLAW_MESH_HOME). */
export function cliInvocation(
  deps: Pick<Deps, 'env' | 'platform'>,
  opts: {nodePath?: string; cliEntry?: string} = {},
): string {
  return fallbackLine(fallbackProgram(deps, opts), '')
}

export interface RenderOptions {
  nodePath?: string
  cliEntry?: string
  /** The heredoc delimiter (default: a new random one; install keeps the one already on disk). */
  delimiter?: string
}

export function renderSkill(deps: Pick<Deps, 'env' | 'platform' | 'store'>, opts: RenderOptions = {}): string {
  const identity = deps.store.read().identity ?? os.hostname().split('.')[0].toLowerCase()
  const text = readFileSync(templatePath('skill/claw-mesh/SKILL.md'), 'utf8')
  const program = fallbackProgram(deps, opts)
  const delimiter = opts.delimiter ?? newDelimiter(randomBytes(8))
  const powershell = program.shell === 'powershell'
  const values = {
    identity,
    shell: powershell ? 'powershell' : 'bash',
    windows: powershell,
    askBlock: fallbackStdinBlock(
      program,
      'ask --timeout 110s -- PEER -',
      'your question or task, as many lines as it needs',
      delimiter,
    ),
    sendBlock: fallbackStdinBlock(program, 'send -- PEER -', 'what you want to tell the peer', delimiter),
    taskLine: fallbackLine(program, 'task PEER TASK_ID --wait 5m'),
    peerList: fallbackLine(program, 'peer list --json'),
    fileSend: fallbackLine(program, `file send PEER ${powershell ? '.\\path\\to\\file' : './path/to/file'}`),
    fileGet: fallbackLine(program, `file get ${powershell ? '$HOME\\inbox' : '~/inbox'} --json`),
    marker: fallbackMarker(program),
  }
  return renderTemplateText(text, escapeTemplateValues(values, 'markdown'))
}

export interface SkillInstallResult {
  path: string
  action: 'written' | 'unchanged'
}

/** Writes the skill when its bytes differ (same bytes: no write at all). */
export async function installSkill(deps: Deps): Promise<SkillInstallResult> {
  const file = skillPath(deps)
  const current = await readIfExists(file)
  const content = renderSkill(deps, {delimiter: delimiterIn(current)})
  if (current === content) return {path: file, action: 'unchanged'}
  await ensureDir(path.dirname(file), 0o755)
  await writeFileAtomic(file, content, 0o644)
  return {path: file, action: 'written'}
}

/** For bootstrap's plan: installed, and with exactly the content install would write now. */
export async function skillInstalled(deps: Deps): Promise<{installed: boolean; matches: boolean; path: string}> {
  const file = skillPath(deps)
  const current = await readIfExists(file)
  return {
    installed: current !== undefined,
    matches: current === renderSkill(deps, {delimiter: delimiterIn(current)}),
    path: file,
  }
}

/** Removes the skill folder claw-mesh wrote (only its SKILL.md; the folder when nothing else is in it). */
export async function removeSkill(deps: Deps): Promise<{path: string; removed: boolean}> {
  const file = skillPath(deps)
  const existed = (await readIfExists(file)) !== undefined
  await fs.rm(file, {force: true})
  await fs.rmdir(path.dirname(file)).catch(() => {})
  return {path: file, removed: existed}
}
