import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {parseFallbackMarker} from '../../core/mesh/agent-fallback.js'
import {openclawExecPath, type AgentFallbackProbe} from '../../core/checks/agent-fallback.js'
import type {Deps} from '../../deps.js'
import {readIfExists} from '../../infra/fs-atomic.js'
import {packageRoot} from '../../infra/package-root.js'
import {findOnPath} from '../../platform/probe.js'
import {skillPath} from '../skill/install.js'

/** The Node versions claw-mesh runs on (package.json engines.node), the one place they are written. */
export function cliNodeMinimum(): string {
  // Found from the package root, not from this module's own place: the build moves the module into dist/bundle/.
  const pkg = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as {
    engines?: {node?: string}
  }
  return pkg.engines?.node ?? '>=22.12'
}

/**
 * Runs the installed skill's fallback command as OpenClaw's exec would: the login shell's PATH in front of the
 * gateway's (here: this process's, which is how bootstrap started the gateway). The command names an absolute node,
 * so PATH must not matter; the first `node` on that PATH is reported to show what a bare `claw-mesh` would get.
 */
export async function probeAgentFallback(deps: Deps, timeoutMs: number): Promise<AgentFallbackProbe> {
  const file = skillPath(deps)
  const text = await readIfExists(file)
  if (text === undefined) return {skill: {path: file, installed: false}}
  const program = parseFallbackMarker(text)
  if (!program) return {skill: {path: file, installed: true}}
  const delimiter = deps.platform.pathDelimiter
  const gatewayPath = deps.env.PATH ?? deps.env.Path ?? ''
  const loginShell = deps.platform.id === 'win32' ? undefined : await loginShellPath(deps, timeoutMs)
  const execPath = openclawExecPath(gatewayPath, loginShell, delimiter)
  const probe: AgentFallbackProbe = {
    skill: {path: file, installed: true, program},
    nodeExists: existsSync(program.node),
    entryExists: existsSync(program.entry),
  }
  if (probe.nodeExists && probe.entryExists) {
    const r = await deps.runner.run(program.node, [program.entry, '--version'], {
      env: {PATH: execPath, CLAW_MESH_SKIP_NEW_VERSION_CHECK: 'true'},
      timeoutMs,
    })
    probe.run = r.notFound
      ? undefined
      : {
          exitCode: r.timedOut ? -1 : r.exitCode,
          output: (r.stdout.trim() || r.stderr.trim()).split('\n')[0].slice(0, 300),
        }
  }
  const bare = findOnPath('node', {PATH: execPath}, deps.platform)
  if (bare) {
    const v = await deps.runner.run(bare, ['--version'], {timeoutMs})
    probe.bareNode = {path: bare, ...(v.exitCode === 0 ? {version: v.stdout.trim()} : {})}
  }
  return probe
}

/** What OpenClaw's login-shell probe reads: `$SHELL -l -c env` (else /bin/sh). Undefined when it cannot be read. */
async function loginShellPath(deps: Deps, timeoutMs: number): Promise<string | undefined> {
  const shell = deps.env.SHELL?.trim() || '/bin/sh'
  const r = await deps.runner.run(shell, ['-l', '-c', 'printf %s "$PATH"'], {timeoutMs})
  return r.exitCode === 0 && r.stdout.trim() ? r.stdout.trim() : undefined
}
