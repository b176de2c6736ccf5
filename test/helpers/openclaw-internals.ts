import {existsSync, readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {defaultOpenClaw} from './tool-cache.js'

/**
 * OpenClaw's own platform code, called in-process: the contract claw-mesh's platform rules must agree with.
 *
 * The installed package is bundled into hashed chunks (`dist/launchd-label-i3x9UrUR.mjs`) whose exports are renamed
 * (`export { resolveLaunchAgentLabel as n }`). `openclawInternal('launchd-label', 'resolveLaunchAgentLabel')` finds
 * the chunk by its stable prefix and the export by its source name, so a new OpenClaw build with other hashes still
 * resolves — and a future OpenClaw that renames or drops the function fails the contract test instead of skipping it.
 */
export function openclawPackageDir(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const bin = env.CLAW_MESH_TEST_OPENCLAW || defaultOpenClaw(env)
  // .../node_modules/.bin/openclaw → .../node_modules/openclaw
  const dir = path.join(path.dirname(path.dirname(bin)), 'openclaw')
  return existsSync(path.join(dir, 'package.json')) ? dir : undefined
}

/** Why the contract cannot run here, or undefined. Under CI a missing OpenClaw is a failure, never a skip. */
export function openclawInternalsUnavailable(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (openclawPackageDir(env)) return undefined
  const reason = `the openclaw package is not installed (run scripts/provision.sh, or set CLAW_MESH_TEST_OPENCLAW)`
  if (env.CI === 'true') throw new Error(`OpenClaw contract prerequisite missing under CI: ${reason}`)
  return reason
}

export function openclawVersion(env: NodeJS.ProcessEnv = process.env): string {
  const dir = openclawPackageDir(env)
  if (!dir) throw new Error('openclaw is not installed')
  return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {version: string}).version
}

const EXPORT_LINE = /^export\s*\{([^}]*)\};?\s*$/m

/** The chunk files under dist/ whose name is `<prefix>-<hash>.mjs`, and the source names each exports. */
function chunksWithPrefix(dist: string, prefix: string): {file: string; exports: Map<string, string>}[] {
  const pattern = new RegExp(`^${prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}-[A-Za-z0-9_-]{6,12}\\.mjs$`)
  return readdirSync(dist)
    .filter((name) => pattern.test(name))
    .map((name) => {
      const file = path.join(dist, name)
      const exports = new Map<string, string>()
      const line = EXPORT_LINE.exec(readFileSync(file, 'utf8'))
      for (const part of (line?.[1] ?? '').split(',')) {
        const m = /^\s*([\w$]+)(?:\s+as\s+([\w$]+))?\s*$/.exec(part)
        if (m) exports.set(m[1], m[2] ?? m[1])
      }
      return {file, exports}
    })
}

/** Imports one function (or constant) of OpenClaw's by its source name. Throws when no chunk exports it. */
export async function openclawInternal<T = (...args: never[]) => unknown>(
  prefix: string,
  name: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<T> {
  const dir = openclawPackageDir(env)
  if (!dir) throw new Error('openclaw is not installed')
  const dist = path.join(dir, 'dist')
  const chunks = chunksWithPrefix(dist, prefix)
  const hit = chunks.find((c) => c.exports.has(name))
  if (!hit) {
    throw new Error(
      `OpenClaw ${openclawVersion(env)} has no export "${name}" in dist/${prefix}-*.mjs (chunks: ${chunks.map((c) => path.basename(c.file)).join(', ') || 'none'}): its platform code changed; re-read it and update claw-mesh's rule`,
    )
  }
  const mod = (await import(pathToFileURL(hit.file).href)) as Record<string, unknown>
  return mod[hit.exports.get(name)!] as T
}
