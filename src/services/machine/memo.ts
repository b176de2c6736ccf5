import type {MachineProbe} from '../../core/checks/machine-view.js'

/** A lazy value computed at most once: the first caller starts it, every caller shares the same promise. */
export function memo<T>(fn: () => T): () => T {
  let done = false
  let value: T
  return () => {
    if (!done) {
      value = fn()
      done = true
    }
    return value
  }
}

/** Memoises by key: one computation per key (a per-peer probe). */
export function memoBy<K, T>(fn: (key: K) => T): (key: K) => T {
  const cache = new Map<K, T>()
  return (key) => {
    if (!cache.has(key)) cache.set(key, fn(key))
    return cache.get(key) as T
  }
}

/**
 * Memos that can be forgotten. Each names the parts of the machine it reads (`tags`); `invalidate('config')` drops
 * every memo that read openclaw.json, so the next caller reads it again. An applier calls it after it changed that
 * part: a value observed before the change must not be served after it.
 */
export interface ProbeCache {
  memo<T>(tags: readonly MachineProbe[], fn: () => T): () => T
  memoBy<K, T>(tags: readonly MachineProbe[], fn: (key: K) => T): (key: K) => T
  /** No names: everything. */
  invalidate(probes?: readonly MachineProbe[]): void
}

export function probeCache(): ProbeCache {
  const entries: {tags: readonly MachineProbe[]; clear: () => void}[] = []
  const forgettable = <K, T>(tags: readonly MachineProbe[], fn: (key: K) => T): ((key: K) => T) => {
    let get = memoBy(fn)
    entries.push({tags, clear: () => (get = memoBy(fn))})
    return (key) => get(key)
  }
  return {
    memo: (tags, fn) => {
      const get = forgettable(tags, () => fn())
      return () => get(undefined)
    },
    memoBy: forgettable,
    invalidate(probes) {
      for (const e of entries) if (!probes || e.tags.some((t) => probes.includes(t))) e.clear()
    },
  }
}

/** At most `limit` tasks at once (tailscale ping spawns one process per peer). */
export function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let active = 0
  const queue: (() => void)[] = []
  const next = () => {
    if (active >= limit) return
    const start = queue.shift()
    if (start) {
      active++
      start()
    }
  }
  return (task) =>
    new Promise((resolve, reject) => {
      queue.push(() => {
        task()
          .then(resolve, reject)
          .finally(() => {
            active--
            next()
          })
      })
      next()
    })
}
