import {promises as fs} from 'node:fs'
import path from 'node:path'
import {UsageError} from '../../core/common/errors.js'
import {ensureDir, writeFailure, writeFileAtomic} from '../../infra/fs-atomic.js'
import {assertPrivateFile} from '../../infra/private-fs.js'

/** `2026-11-21T18-23-15-360Z`: sortable and safe in file names on every OS. */
export function backupStamp(date: Date): string {
  return date.toISOString().replaceAll(':', '-').replace('.', '-')
}

export function backupsDir(stateDir: string): string {
  return path.join(stateDir, 'backups')
}

/** Creates `file` (0600, synced) only if it does not exist yet; false when it does. */
async function createNew(file: string, data: Buffer): Promise<boolean> {
  let handle
  try {
    handle = await fs.open(file, 'wx', 0o600)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  }
  try {
    await handle.writeFile(data)
    await handle.sync()
  } catch (error) {
    // A half-written backup (full disk) would later be "restored": never keep one.
    await handle.close()
    await fs.rm(file, {force: true})
    throw writeFailure(file, error, 'the backup of openclaw.json')
  }
  await handle.close()
  return true
}

async function writeExclusive(file: string, data: Buffer): Promise<string> {
  // Two backups in the same millisecond get a counter instead of overwriting each other.
  for (let n = 0; n <= 100; n++) {
    const candidate = n === 0 ? file : file.replace(/\.bak$/, `.${n}.bak`)
    if (await createNew(candidate, data)) return candidate
  }
  throw new Error(`could not create a backup next to ${file}: 100 files with that name already exist`)
}

/** Copies the exact bytes of openclaw.json into `<stateDir>/backups/openclaw.json.<stamp>.bak` (0600). */
export async function backupConfigBytes(stateDir: string, raw: Buffer, now: Date): Promise<string> {
  const dir = backupsDir(stateDir)
  await ensureDir(dir, 0o700)
  return writeExclusive(path.join(dir, `openclaw.json.${backupStamp(now)}.bak`), raw)
}

/**
 * Keeps the bytes from before claw-mesh ever changed the file, forever: `openclaw.json.original` (a second config
 * path gets a stamped name). `leave` restores it byte for byte.
 */
export async function keepOriginal(stateDir: string, raw: Buffer, now: Date): Promise<string> {
  const dir = backupsDir(stateDir)
  await ensureDir(dir, 0o700)
  const plain = path.join(dir, 'openclaw.json.original')
  if (await createNew(plain, raw)) return plain
  return writeExclusive(path.join(dir, `openclaw.json.original.${backupStamp(now)}.bak`), raw)
}

/**
 * Puts openclaw.json back as it was: the backup's exact bytes, or no file at all when there was none.
 * Atomic, mode 0600.
 */
export async function restoreConfig(
  stateDir: string,
  configPath: string,
  backup: {path?: string; existed: boolean},
): Promise<void> {
  if (!backup.existed) {
    await fs.rm(configPath, {force: true})
    return
  }
  if (!backup.path) throw new Error('no backup path recorded')
  const raw = await fs.readFile(assertOwnBackup(stateDir, backup.path))
  await writeFileAtomic(configPath, raw, 0o600)
}

/**
 * A backup path read from state.json is data, not an instruction: it must name a private file of ours inside
 * `<stateDir>/backups`, or claw-mesh will not copy it over openclaw.json.
 */
export function assertOwnBackup(stateDir: string, file: string): string {
  const dir = backupsDir(stateDir)
  const resolved = path.resolve(file)
  if (!path.isAbsolute(file) || path.dirname(resolved) !== path.resolve(dir)) {
    throw new UsageError(
      `claw-mesh's state names ${JSON.stringify(file)} as a backup of openclaw.json, but claw-mesh only keeps backups in ${dir}: it will not use that file.`,
      {
        code: 'state-path-invalid',
        hint: `Check ${path.join(stateDir, 'state.json')} (gateway.*BackupPath); restore openclaw.json by hand from ${dir} if you need to.`,
      },
    )
  }
  assertPrivateFile(resolved, 'claw-mesh backup')
  return resolved
}
