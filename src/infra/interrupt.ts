/** Cleanups to run synchronously when a signal interrupts us (release a lock, remove a temp file). */
const cleanups = new Set<() => void>()

export function onInterrupt(fn: () => void): () => void {
  cleanups.add(fn)
  return () => cleanups.delete(fn)
}

export function runInterruptCleanups(): void {
  for (const fn of cleanups) {
    try {
      fn()
    } catch {
      // best effort: we are exiting
    }
  }
}
