/**
 * Small facts about the local gateway shared by configure, start, status and bootstrap's observation, kept apart
 * from start.ts so that reading them does not load the whole start machinery (a bootstrap re-run never starts).
 */

/** The gateway's loopback URL on this machine. */
export function localUrl(port: number): string {
  return `http://127.0.0.1:${port}`
}

/** How long a second configure/start waits for the first before giving up (BusyError, exit 6). */
export const LOCK_WAIT_MS = 15_000
