import {chmodSync, lstatSync, mkdirSync, statSync, type Stats} from 'node:fs'
import {ActionNeededError} from '../core/common/errors.js'

/**
 * claw-mesh's state is private: its directory 0700 and its files 0600 whatever the umask, and never trusted when
 * someone else could have written it (another owner, group/other write). A state file is not only data: it names
 * paths claw-mesh writes and deletes, and an alert command the watchdog runs.
 */

const myUid = (): number | undefined => (typeof process.getuid === 'function' ? process.getuid() : undefined)

export class InsecureStateError extends ActionNeededError {
  constructor(message: string, hint: string) {
    super(message, {code: 'insecure-state', hint})
  }
}

function mode(st: Stats): string {
  return (st.mode & 0o777).toString(8).padStart(4, '0')
}

/** Refuses a state directory that is not ours or that others can write; tightens one that others can only read. */
export function assertPrivateDir(dir: string): void {
  const st = statSync(dir)
  const uid = myUid()
  if (!st.isDirectory())
    throw new InsecureStateError(
      `The claw-mesh state directory ${dir} is not a directory.`,
      'Point CLAW_MESH_HOME at a directory of your own (or unset it).',
    )
  if (uid !== undefined && st.uid !== uid) {
    throw new InsecureStateError(
      `The claw-mesh state directory ${dir} belongs to uid ${st.uid}, not to you (uid ${uid}): claw-mesh will not use state someone else controls.`,
      'Use a directory of your own: unset CLAW_MESH_HOME, or point it at a new directory you own (claw-mesh creates it, mode 0700).',
    )
  }
  if (uid === undefined) return
  if ((st.mode & 0o022) !== 0) {
    throw new InsecureStateError(
      `The claw-mesh state directory ${dir} is writable by others (mode ${mode(st)}): its files could have been planted.`,
      `Check its contents, then run: chmod 700 ${JSON.stringify(dir)}`,
    )
  }
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700)
}

/** Creates the state directory 0700 (whatever the umask) and checks it is private. */
export function ensurePrivateDirSync(dir: string): void {
  mkdirSync(dir, {recursive: true, mode: 0o700})
  assertPrivateDir(dir)
}

/**
 * Refuses a state file that is a symlink, not a regular file, not ours, or writable by others; tightens one that
 * others can only read. Returns false when it does not exist.
 */
export function assertPrivateFile(file: string, what = 'claw-mesh state file'): boolean {
  let st: Stats
  try {
    st = lstatSync(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
    throw error
  }
  const uid = myUid()
  if (st.isSymbolicLink() || !st.isFile())
    throw new InsecureStateError(
      `The ${what} ${file} is ${st.isSymbolicLink() ? 'a symlink' : 'not a regular file'}: claw-mesh will not follow it.`,
      `Move it away (claw-mesh rebuilds its state on the next bootstrap).`,
    )
  if (uid === undefined) return true
  if (st.uid !== uid) {
    throw new InsecureStateError(
      `The ${what} ${file} belongs to uid ${st.uid}, not to you (uid ${uid}): claw-mesh will not act on a file someone else wrote.`,
      `Check it, then remove it (claw-mesh rebuilds its state on the next bootstrap), or take it over: chown ${uid} ${JSON.stringify(file)} && chmod 600 ${JSON.stringify(file)}`,
    )
  }
  if ((st.mode & 0o022) !== 0) {
    throw new InsecureStateError(
      `The ${what} ${file} is writable by others (mode ${mode(st)}): it could have been changed by someone else.`,
      `Check it, then run: chmod 600 ${JSON.stringify(file)}`,
    )
  }
  if ((st.mode & 0o077) !== 0) chmodSync(file, 0o600)
  return true
}
