import {promises as fs} from 'node:fs'
import path from 'node:path'
import type {Deps} from '../../deps.js'
import {SECRET_NAMES} from '../../infra/secrets/types.js'
import {backupsDir} from '../gateway/backups.js'

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

async function holdsAny(file: string, tokens: string[]): Promise<boolean> {
  const text = await fs.readFile(file, 'utf8').catch(() => '')
  return tokens.some((t) => text.includes(t))
}

/**
 * `leave --purge`: every copy of claw-mesh's tokens goes — its own backups of openclaw.json (written after the
 * hooks token was added), and OpenClaw's copies that hold the gateway or hooks token. OpenClaw's copies without
 * them are the user's and stay.
 */
export async function purgeTokenCopies(deps: Deps, configPath: string | undefined): Promise<string> {
  const store = await deps.secrets()
  const tokens = (await Promise.all([store.get(SECRET_NAMES.hooksToken), store.get(SECRET_NAMES.gatewayToken)])).filter((t): t is string => Boolean(t))
  const dir = backupsDir(deps.stateDir)
  const backups = await fs.readdir(dir).catch(() => [] as string[])
  await fs.rm(dir, {recursive: true, force: true})
  const removed: string[] = []
  if (configPath && tokens.length > 0) {
    const here = path.dirname(configPath)
    for (const name of await fs.readdir(here).catch(() => [] as string[])) {
      const file = path.join(here, name)
      if (!isOpenClawCopy(configPath, name)) continue
      const st = await fs.lstat(file).catch(() => undefined)
      if (!st?.isFile() || !(await holdsAny(file, tokens))) continue
      await fs.rm(file, {force: true})
      removed.push(name)
    }
  }
  const own = `${backups.length} claw-mesh backup${backups.length === 1 ? '' : 's'} of openclaw.json removed`
  return removed.length > 0 ? `${own}; OpenClaw's copies holding the tokens removed: ${removed.join(', ')}` : `${own}; no OpenClaw copy held the tokens`
}
