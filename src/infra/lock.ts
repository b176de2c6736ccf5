import {closeSync, openSync, readFileSync, rmSync, writeSync} from 'node:fs'
import path from 'node:path'
import {BusyError} from '../core/errors.js'
import {onInterrupt} from './interrupt.js'
import type {Clock} from './clock.js'
import {ensureDir} from './fs-atomic.js'

export interface Lock {
  release(): void
}

function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * An exclusive lock file holding the owner's pid. A lock left by a dead process (kill -9) is taken over;
 * a live owner is waited for briefly, then we fail with a clear message.
 */
export async function acquireLock(opts: {dir: string; name: string; waitMs: number; clock: Clock; what: string}): Promise<Lock> {
  await ensureDir(opts.dir)
  const file = path.join(opts.dir, `${opts.name}.lock`)
  const deadline = opts.clock.now().getTime() + opts.waitMs
  for (;;) {
    try {
      const fd = openSync(file, 'wx', 0o600)
      writeSync(fd, `${process.pid}\n`)
      closeSync(fd)
      let released = false
      const release = () => {
        if (released) return
        released = true
        rmSync(file, {force: true})
        stop()
      }
      const stop = onInterrupt(release)
      process.once('exit', release)
      return {release}
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    let owner: number
    try {
      owner = Number(readFileSync(file, 'utf8').trim())
    } catch {
      continue // released between our open and read: try again
    }
    if (!pidAlive(owner)) {
      rmSync(file, {force: true})
      continue
    }
    if (opts.clock.now().getTime() >= deadline) {
      throw new BusyError(`Another ${opts.what} is running on this host (pid ${owner}).`, {
        hint: `Wait for it to finish, then re-run. If no claw-mesh is running, remove ${file}.`,
      })
    }
    await opts.clock.sleep(200)
  }
}
