import {parseNodeVersion} from '../openclaw/node-version.js'
import {fail, pass, skip, warn, type CheckOutcome} from './types.js'

/**
 * The skill's exec fallback, checked the way OpenClaw's exec runs it. Pure: the probe (services/doctor) reads the
 * installed skill, runs the command it names under exec's PATH, and looks up the first `node` on that PATH.
 */
export interface AgentFallbackProbe {
  skill: {path: string; installed: boolean; program?: {node: string; entry: string}}
  nodeExists?: boolean
  entryExists?: boolean
  /** `<node> <entry> --version` run with exec's PATH: its exit code and first output line. */
  run?: {exitCode: number; output: string}
  /** The `node` a bare `claw-mesh` would start on under exec's PATH, and its version. */
  bareNode?: {path: string; version?: string}
}

const REMEDY = 'Run claw-mesh bootstrap again with the Node claw-mesh should use: it rewrites the skill with that node'

/**
 * OpenClaw's exec PATH on a gateway host: the login shell's PATH entries first, then the gateway's own PATH, each
 * directory once (`applyShellPath` → `mergePathPrepend`, OpenClaw 2026.9.6; contract-tested). On Debian that puts
 * `/usr/bin` before the Node the gateway runs on.
 */
export function openclawExecPath(gatewayPath: string, loginShellPath: string | undefined, delimiter: string): string {
  const entries = [...(loginShellPath ?? '').split(delimiter), ...gatewayPath.split(delimiter)]
    .map((e) => e.trim())
    .filter(Boolean)
  return [...new Set(entries)].join(delimiter)
}

/** `>=22.12` (package.json engines.node) → whether `version` satisfies it. */
export function nodeAtLeast(version: string, minimum: string): boolean {
  const v = parseNodeVersion(version)
  const m = /(\d+)\.(\d+)/.exec(minimum)
  if (!v || !m) return false
  const [major, minor] = [Number(m[1]), Number(m[2])]
  return v[0] > major || (v[0] === major && v[1] >= minor)
}

export function evalAgentFallback(p: AgentFallbackProbe, minimum: string): CheckOutcome {
  if (!p.skill.installed) return skip(`no claw-mesh skill at ${p.skill.path} (bootstrap installs it)`)
  const program = p.skill.program
  if (!program)
    return warn(
      `the skill at ${p.skill.path} is from an older claw-mesh: its exec recipe runs a bare claw-mesh with the message on the command line`,
      REMEDY,
    )
  if (!p.nodeExists) return fail(`the skill's fallback runs ${program.node}, which does not exist`, REMEDY)
  if (!p.entryExists)
    return fail(
      `the skill's fallback runs ${program.entry}, which does not exist (claw-mesh moved or was removed)`,
      REMEDY,
    )
  if (!p.run || p.run.exitCode !== 0) {
    const why = p.run ? `exit ${p.run.exitCode}${p.run.output ? `: ${p.run.output}` : ''}` : 'it could not be started'
    return fail(
      `the skill's fallback (${program.node} ${program.entry}) does not run under OpenClaw's exec PATH (${why})`,
      REMEDY,
    )
  }
  const bare = p.bareNode
  const note =
    bare?.version && !nodeAtLeast(bare.version, minimum)
      ? `; a bare claw-mesh there would start on ${bare.path} ${bare.version} and fail (the skill does not use it)`
      : ''
  return pass(`exec runs ${p.run.output || 'claw-mesh'} with ${program.node}${note}`)
}
