import {promises as fs} from 'node:fs'
import path from 'node:path'
import JSON5 from 'json5'
import {claimedCredentials} from '../../core/openclaw/config-copy-secrets.js'
import type {Deps} from '../../deps.js'
import {readIfExists} from '../../infra/fs-atomic.js'
import {SECRET_NAMES} from '../../infra/secrets/types.js'
import {assertOwnBackup, backupsDir} from '../gateway/backups.js'

/**
 * The copies of openclaw.json OpenClaw keeps next to it: `.last-good` (its recovery copy), `.bak`, `.bak.N` (its
 * writers), `.clobbered.<stamp>` (a suspicious edit it set aside), and a temp copy claw-mesh's own validation may have
 * left behind when killed by an older version.
 */
export function isOpenClawCopy(configPath: string, name: string): boolean {
  const base = path.basename(configPath)
  if (name.startsWith(`.${base}.claw-mesh-`) && name.endsWith('.tmp')) return true
  if (!name.startsWith(`${base}.`)) return false
  return /^(last-good|bak(\.\d+)?|clobbered\..+)$/.test(name.slice(base.length + 1))
}

/**
 * Whether a copy holds one of claw-mesh's tokens: a value claw-mesh stores now, or (parsed) a credential claw-mesh
 * put into openclaw.json that the user's original did not have. `original` undefined: unknown, so no claim.
 */
async function holdsOurs(file: string, tokens: string[], original: unknown): Promise<boolean> {
  const text = await fs.readFile(file, 'utf8').catch(() => '')
  if (tokens.some((t) => text.includes(t))) return true
  if (original === undefined) return false
  try {
    return claimedCredentials(JSON5.parse(text), original).length > 0
  } catch {
    return false
  }
}

/** The user's openclaw.json from before claw-mesh: parsed, null when there was none, undefined when unknown. */
async function originalConfig(deps: Deps): Promise<unknown> {
  const g = deps.store.read().gateway
  if (g?.originalExisted === false) return null
  if (!g?.originalBackupPath) return undefined
  const raw = await readIfExists(assertOwnBackup(deps.stateDir, g.originalBackupPath)).catch(() => undefined)
  try {
    return raw === undefined ? undefined : JSON5.parse<unknown>(raw)
  } catch {
    return undefined
  }
}

/** Every secret claw-mesh stores for this host and its peers (what a copy may hold verbatim). */
async function storedTokens(deps: Deps): Promise<string[]> {
  const state = deps.store.read()
  const store = await deps.secrets()
  const names = new Set([
    ...(state.secrets?.names ?? []),
    SECRET_NAMES.hooksToken,
    SECRET_NAMES.gatewayToken,
    ...Object.keys(state.peers).flatMap((n) => [SECRET_NAMES.peer(n), SECRET_NAMES.a2aIn(n), SECRET_NAMES.a2aOut(n)]),
  ])
  const values = await Promise.all([...names].map((n) => store.get(n)))
  return values.filter((t): t is string => Boolean(t))
}

/**
 * `leave --purge`: every copy of claw-mesh's tokens goes — its own backups of openclaw.json (written after the
 * hooks token was added), and OpenClaw's copies that hold a claw-mesh token, current or rotated away. OpenClaw's
 * copies without one are the user's and stay.
 */
export async function purgeTokenCopies(deps: Deps, configPath: string | undefined): Promise<string> {
  const tokens = await storedTokens(deps)
  // Read before the backups folder (which holds it) goes.
  const original = await originalConfig(deps)
  const dir = backupsDir(deps.stateDir)
  const backups = await fs.readdir(dir).catch(() => [] as string[])
  await fs.rm(dir, {recursive: true, force: true})
  const removed: string[] = []
  if (configPath) {
    const here = path.dirname(configPath)
    for (const name of await fs.readdir(here).catch(() => [] as string[])) {
      const file = path.join(here, name)
      if (!isOpenClawCopy(configPath, name)) continue
      const st = await fs.lstat(file).catch(() => undefined)
      if (!st?.isFile() || !(await holdsOurs(file, tokens, original))) continue
      await fs.rm(file, {force: true})
      removed.push(name)
    }
  }
  const own = `${backups.length} claw-mesh backup${backups.length === 1 ? '' : 's'} of openclaw.json removed`
  return removed.length > 0
    ? `${own}; OpenClaw's copies holding the tokens removed: ${removed.join(', ')}`
    : `${own}; no OpenClaw copy held the tokens`
}
