import {readFileSync, readlinkSync, statSync} from 'node:fs'

/**
 * Facts about a process, read from /proc where there is one (Linux). Elsewhere each answer is undefined and callers
 * say what they could not check. Used to tell a pid we recorded from a recycled one, and our gateway from a stranger.
 */
export interface ProcessFacts {
  pid: number
  /** Real uid of the process (owner of /proc/<pid>). */
  uid?: number
  /** Start time in clock ticks since boot (/proc/<pid>/stat field 22): with the pid, unique until the next reboot. */
  startTime?: string
  /** The executable (/proc/<pid>/exe); unreadable for another user's process unless we are root. */
  exe?: string
  /** argv joined by spaces (/proc/<pid>/cmdline). */
  cmdline?: string
}

/** Field 22 of /proc/<pid>/stat. The command name (field 2) may hold spaces and parentheses: parse after the last ')'. */
export function parseStartTime(stat: string): string | undefined {
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  // rest[0] is field 3 (state): field 22 is rest[19].
  return rest[19] && /^\d+$/.test(rest[19]) ? rest[19] : undefined
}

function read(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return undefined
  }
}

export function processStartTime(pid: number): string | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined
  const stat = read(`/proc/${pid}/stat`)
  return stat ? parseStartTime(stat) : undefined
}

export function processFacts(pid: number): ProcessFacts | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined
  let uid: number | undefined
  try {
    uid = statSync(`/proc/${pid}`).uid
  } catch {
    return undefined
  }
  let exe: string | undefined
  try {
    exe = readlinkSync(`/proc/${pid}/exe`)
  } catch {
    exe = undefined
  }
  const cmdline = read(`/proc/${pid}/cmdline`)?.replace(/\0+$/, '').replaceAll('\0', ' ')
  return {pid, uid, startTime: processStartTime(pid), exe, cmdline}
}

/** Whether a process with this pid exists (EPERM: it does, and is someone else's). */
export function pidAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}
