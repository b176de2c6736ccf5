import {spawnSync} from 'node:child_process'
import {existsSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'

/** A program on PATH (or at one of `also`), or undefined. */
export function findTool(name: string, also: string[] = []): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], {encoding: 'utf8'})
  if (r.status === 0) return r.stdout.trim()
  return also.find((p) => existsSync(p))
}

/** Absent platform tools skip with a reason locally; CI installs them (.ci/run), so there they must be present. */
export function requireTool(name: string, pkg: string, also: string[] = []): string | undefined {
  const found = findTool(name, also)
  if (!found && process.env.CI === 'true') throw new Error(`${name} is missing on CI (install ${pkg})`)
  if (!found) console.warn(`skipping: ${name} not installed (${pkg})`)
  return found
}

/** Where .ci/run builds Go tools: GOPATH=$CLAW_MESH_CACHE/gopath. */
export function cachedGoTool(name: string): string {
  const cache = process.env.CLAW_MESH_CACHE || path.join(os.homedir(), '.cache', 'claw-mesh')
  return path.join(cache, 'gopath', 'bin', name)
}
