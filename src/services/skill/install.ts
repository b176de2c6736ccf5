import {promises as fs, readFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {psCommand, psEnvAssignment} from '../../core/powershell-quote.js'
import {escapeTemplateValues} from '../../core/templates.js'
import type {Deps} from '../../deps.js'
import {ensureDir, readIfExists, writeFileAtomic} from '../../infra/fs-atomic.js'
import {shQuote} from '../../platform/gateway-common.js'
import {findOnPath} from '../../platform/probe.js'
import {renderTemplateText, templatePath} from '../../render/template.js'
import {bakedNodePath, cliEntryPath} from '../gateway/secret-wiring.js'
import {locateOpenClaw} from '../openclaw/locate.js'

/**
 * The OpenClaw skill that teaches this host's agent to use claw-mesh (list peers, send, broadcast, share files,
 * answer peer messages). It goes into OpenClaw's managed skills folder, `<OpenClaw state dir>/skills/claw-mesh/`
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

/**
 * How the agent runs claw-mesh here: `claw-mesh` when that is on PATH, else the absolute node + bin/run.js (the
 * gateway's exec tool may not have claw-mesh on PATH). A non-default CLAW_MESH_HOME travels with it.
 *
 * In PowerShell a bare `claw-mesh` resolves to npm's `claw-mesh.ps1`, which the default (Restricted) execution
 * policy refuses to run, so the `.cmd` shim is named explicitly (cmd shims are not subject to the policy); a quoted
 * node path needs the call operator `&`, and the environment is set with `$env:` (there is no `NAME=value cmd`).
 */
export function cliInvocation(
  deps: Pick<Deps, 'env' | 'platform'>,
  opts: {nodePath?: string; cliEntry?: string; exists?: (p: string) => boolean} = {},
): string {
  const onPath = findOnPath('claw-mesh', deps.env, deps.platform, opts.exists)
  const entry = opts.cliEntry ?? cliEntryPath()
  // Homebrew's upgrade-proof path, not the versioned Cellar one (macOS M3).
  const node = opts.nodePath ?? bakedNodePath()
  const home = deps.env.CLAW_MESH_HOME
  if (agentShell(deps.platform) === 'powershell') {
    const base = onPath && /\.cmd$/i.test(onPath) ? 'claw-mesh.cmd' : psCommand([node, entry])
    return home ? `${psEnvAssignment('CLAW_MESH_HOME', path.win32.resolve(home))} ${base}` : base
  }
  const base = onPath ? 'claw-mesh' : `${shQuote(node)} ${shQuote(entry)}`
  if (!home) return base
  return `CLAW_MESH_HOME=${shQuote(path.resolve(home))} ${base}`
}

export function renderSkill(deps: Pick<Deps, 'env' | 'platform' | 'store'>, opts: {nodePath?: string; cliEntry?: string; exists?: (p: string) => boolean} = {}): string {
  const identity = deps.store.read().identity ?? os.hostname().split('.')[0].toLowerCase()
  const text = readFileSync(templatePath('skill/claw-mesh/SKILL.md'), 'utf8')
  const cli = cliInvocation(deps, opts)
  const powershell = agentShell(deps.platform) === 'powershell'
  const values = {
    identity,
    cli,
    // The exec example is a JSON string: backslashes and quotes in the command line escaped for it.
    cliJson: JSON.stringify(cli).slice(1, -1),
    shell: powershell ? 'powershell' : 'bash',
    inbox: powershell ? '$HOME\\inbox' : '~/inbox',
    windows: powershell,
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
  const content = renderSkill(deps)
  if ((await readIfExists(file)) === content) return {path: file, action: 'unchanged'}
  await ensureDir(path.dirname(file), 0o755)
  await writeFileAtomic(file, content, 0o644)
  return {path: file, action: 'written'}
}

/** For bootstrap's plan: installed, and with exactly the content install would write now. */
export async function skillInstalled(deps: Deps): Promise<{installed: boolean; matches: boolean; path: string}> {
  const file = skillPath(deps)
  const current = await readIfExists(file)
  return {installed: current !== undefined, matches: current === renderSkill(deps), path: file}
}

/** Removes the skill folder claw-mesh wrote (only its SKILL.md; the folder when nothing else is in it). */
export async function removeSkill(deps: Deps): Promise<{path: string; removed: boolean}> {
  const file = skillPath(deps)
  const existed = (await readIfExists(file)) !== undefined
  await fs.rm(file, {force: true})
  await fs.rmdir(path.dirname(file)).catch(() => {})
  return {path: file, removed: existed}
}
