import {closeSync, openSync, readFileSync, rmSync, statSync, writeSync} from 'node:fs'
import path from 'node:path'
import {BusyError} from '../core/common/errors.js'
import {pidAlive, processStartTime} from '../platform/process-info.js'
import {onInterrupt} from './interrupt.js'
import type {Clock} from './clock.js'
import {writeFailure} from './fs-atomic.js'
import {ensurePrivateDirSync} from './private-fs.js'

export interface Lock {
  release(): void
}

/** A lock file that is still being written (created, not yet holding its owner) is given this long before it counts as abandoned. */
const UNWRITTEN_GRACE_MS = 5000

interface Owner {
  pid: number
  /** The owner's start time (Linux): a recycled pid with another start time does not hold the lock. */
  start?: string
}

function parseOwner(text: string): Owner | undefined {
  const [pid, start] = text.split('\n')
  const n = Number(pid)
  return Number.isInteger(n) && n > 0 ? {pid: n, start: start || undefined} : undefined
}

function ownerAlive(o: Owner): boolean {
  if (!pidAlive(o.pid)) return false
  // Where the start time can be read, it must match: the pid alone may belong to an unrelated process by now.
  const now = processStartTime(o.pid)
  return o.start === undefined || now === undefined || now === o.start
}

type Attempt = {lock: Lock} | {owner?: Owner}

/**
 * One attempt: O_EXCL create, else look at who holds it; a holder that is gone (kill -9, a recycled pid) is removed
 * under a short "break" lock, so two waiters that both see it abandoned cannot each remove the other's new lock.
 */
function attempt(file: string): Attempt {
  try {
    const fd = openSync(file, 'wx', 0o600)
    try {
      writeSync(fd, `${process.pid}\n${processStartTime(process.pid) ?? ''}\n`)
    } catch (error) {
      // A full disk: no half-written lock left to block the next run.
      rmSync(file, {force: true})
      throw writeFailure(file, error, 'the lock file')
    } finally {
      closeSync(fd)
    }
    return {lock: holding(file)}
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
  }
  const seen = readOwner(file)
  if (seen === 'gone') return {}
  if (seen === 'unwritten' ? !olderThan(file, UNWRITTEN_GRACE_MS) : ownerAlive(seen))
    return {owner: seen === 'unwritten' ? undefined : seen}
  breakStale(file, seen)
  return {}
}

function readOwner(file: string): Owner | 'unwritten' | 'gone' {
  let text: string
  try {
    text = readFileSync(file, 'utf8')
  } catch {
    return 'gone'
  }
  return parseOwner(text) ?? 'unwritten'
}

function olderThan(file: string, ms: number): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs > ms
  } catch {
    return false
  }
}

function breakStale(file: string, seen: Owner | 'unwritten'): void {
  const breaker = `${file}.break`
  let fd: number
  try {
    fd = openSync(breaker, 'wx', 0o600)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    // Someone else is breaking it; a breaker left by a killed process is cleared after a while.
    if (olderThan(breaker, UNWRITTEN_GRACE_MS)) rmSync(breaker, {force: true})
    return
  }
  closeSync(fd)
  try {
    // Still the same abandoned lock? (Another waiter may have broken it and taken a fresh one meanwhile.)
    const now = readOwner(file)
    const same =
      now === 'unwritten'
        ? seen === 'unwritten'
        : now !== 'gone' && seen !== 'unwritten' && now.pid === seen.pid && now.start === seen.start
    if (same) rmSync(file, {force: true})
  } finally {
    rmSync(breaker, {force: true})
  }
}

function holding(file: string): Lock {
  let released = false
  const release = () => {
    if (released) return
    released = true
    rmSync(file, {force: true})
    stop()
    process.off('exit', release)
  }
  const stop = onInterrupt(release)
  process.once('exit', release)
  return {release}
}

function busy(what: string, file: string, owner?: Owner): BusyError {
  return new BusyError(`Another ${what} is running on this host${owner ? ` (pid ${owner.pid})` : ''}.`, {
    hint: `Wait for it to finish, then re-run. If no claw-mesh is running, remove ${file}.`,
  })
}

/**
 * An exclusive lock: a lock file created with O_EXCL holding the owner's pid and start time. A lock left by a dead
 * process (kill -9) or a recycled pid is taken over; a live owner is waited for, then we fail (BusyError, exit 6).
 */
export async function acquireLock(opts: {
  dir: string
  name: string
  waitMs: number
  clock: Clock
  what: string
}): Promise<Lock> {
  ensurePrivateDirSync(opts.dir)
  const file = path.join(opts.dir, `${opts.name}.lock`)
  const deadline = opts.clock.now().getTime() + opts.waitMs
  for (;;) {
    const r = attempt(file)
    if ('lock' in r) return r.lock
    if (!('owner' in r)) continue
    if (opts.clock.now().getTime() >= deadline) throw busy(opts.what, file, r.owner)
    await opts.clock.sleep(50 + Math.floor(Math.random() * 100))
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4))

/** The same lock for synchronous read-modify-write (the state store), held for milliseconds. */
export function acquireLockSync(opts: {dir: string; name: string; waitMs: number; what: string}): Lock {
  ensurePrivateDirSync(opts.dir)
  const file = path.join(opts.dir, `${opts.name}.lock`)
  const deadline = Date.now() + opts.waitMs
  for (;;) {
    const r = attempt(file)
    if ('lock' in r) return r.lock
    if (!('owner' in r)) continue
    if (Date.now() >= deadline) throw busy(opts.what, file, r.owner)
    Atomics.wait(sleeper, 0, 0, 5 + Math.floor(Math.random() * 20))
  }
}

/** Runs `fn` holding the named lock. */
export async function withLock<T>(
  opts: {dir: string; name: string; waitMs: number; clock: Clock; what: string},
  fn: () => Promise<T>,
): Promise<T> {
  const lock = await acquireLock(opts)
  try {
    return await fn()
  } finally {
    lock.release()
  }
}
