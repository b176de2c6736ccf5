import {randomBytes} from 'node:crypto'
import {promises as fs, rmSync} from 'node:fs'
import path from 'node:path'
import {ActionNeededError, UsageError} from '../core/common/errors.js'
import {onInterrupt} from './interrupt.js'

/** A failed write as an error that says what happened (nothing was changed) and what to do; other errors unchanged. */
export function writeFailure(file: string, error: unknown, what = 'the file'): unknown {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new ActionNeededError(
      `No space left on the device that holds ${file}: ${what} could not be written. claw-mesh changed nothing.`,
      {
        code: 'disk-full',
        hint: `Free some space there (df -h ${JSON.stringify(path.dirname(file))}), then re-run the same command.`,
      },
    )
  }
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
    return new UsageError(
      `${path.dirname(file)} is not writable (${code}): ${what} could not be written. claw-mesh changed nothing.`,
      {
        code: 'not-writable',
        hint: 'Make the directory writable for this user (or remount it read-write), then re-run.',
      },
    )
  }
  return error
}

/**
 * Removes `tmp` if a signal ends the process before `fn` is done (the finally blocks of an exiting process do not
 * run), and whatever happens inside `fn`. Returns the cleanup's unregister.
 */
export async function withTempFile<T>(tmp: string, fn: () => Promise<T>): Promise<T> {
  const stop = onInterrupt(() => rmSync(tmp, {force: true}))
  try {
    return await fn()
  } finally {
    stop()
  }
}

/**
 * Writes a file atomically: a temp file in the same directory, fsync, rename over the target.
 * The target never holds a half-written file, whatever kills us.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o600): Promise<void> {
  const dir = path.dirname(file)
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`)
  await withTempFile(tmp, async () => {
    try {
      const handle = await fs.open(tmp, 'wx', mode)
      try {
        await handle.writeFile(data)
        await handle.chmod(mode)
        await handle.sync()
      } finally {
        await handle.close()
      }
      await fs.rename(tmp, file)
    } catch (error) {
      // A full disk half-way through the write leaves no temp file either.
      await fs.rm(tmp, {force: true})
      throw writeFailure(file, error)
    }
  })
}

/** Creates a directory (mode 0700 unless told: mkdir's mode is only narrowed by the umask, never widened). */
export async function ensureDir(dir: string, mode = 0o700): Promise<void> {
  await fs.mkdir(dir, {recursive: true, mode})
}

export async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}
