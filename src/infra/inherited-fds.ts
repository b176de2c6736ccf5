import {readdirSync, readFileSync} from 'node:fs'

const O_CLOEXEC = 0o2000000

/**
 * Descriptors above stderr that this process inherited open and that a child would inherit too. Node marks only
 * the low ones close-on-exec at start-up, so one the shell handed us (`bootstrap > >(tee log)` passes the pipe as
 * fd 63) reaches a detached gateway, which then holds the caller's pipe open for as long as it runs.
 * Linux says which ones lack close-on-exec (/proc/self/fdinfo); elsewhere /dev/fd lists every open one (mapping a
 * close-on-exec one to /dev/null in the child is harmless); with neither (Windows), handles are not inherited.
 */
export function inheritedDescriptors(): number[] {
  try {
    return readdirSync('/proc/self/fdinfo')
      .map(Number)
      .filter((fd) => fd > 2 && !(fdFlags(fd) & O_CLOEXEC))
  } catch {
    try {
      return readdirSync('/dev/fd')
        .map(Number)
        .filter((fd) => fd > 2)
    } catch {
      return []
    }
  }
}

/** The open flags of `fd`, or close-on-exec when it is gone (the directory's own descriptor was listed too). */
function fdFlags(fd: number): number {
  try {
    const m = /^flags:\s*([0-7]+)/m.exec(readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'))
    return m ? parseInt(m[1], 8) : O_CLOEXEC
  } catch {
    return O_CLOEXEC
  }
}

/**
 * A spawn `stdio` array that gives the child only stdin from /dev/null, stdout and stderr into `log`, and /dev/null
 * in place of every descriptor it would otherwise inherit from us.
 */
export function detachedStdio(
  log: number,
  devNull: number,
  inherited: readonly number[] = inheritedDescriptors(),
): (number | 'ignore')[] {
  const stdio: (number | 'ignore')[] = [devNull, log, log]
  for (const fd of inherited) {
    if (fd === log || fd === devNull) continue
    while (stdio.length < fd) stdio.push('ignore')
    stdio[fd] = devNull
  }
  return stdio
}
