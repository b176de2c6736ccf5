import {mergeSelf, sameSelf, type SelfFlags} from '../../core/a2a/capabilities.js'
import type {Deps} from '../../deps.js'

/**
 * Records this host's self-description (--caps/--description) in state: only what the flags changed, nothing when
 * they change nothing (a re-run with the same flags, or without them, writes no file). Returns whether it wrote.
 */
export function recordSelf(deps: Pick<Deps, 'store'>, flags: SelfFlags | undefined): boolean {
  const recorded = deps.store.read().capabilities
  const next = mergeSelf(flags, recorded)
  if (sameSelf(next, recorded)) return false
  deps.store.update((s) => {
    s.capabilities = next
  })
  return true
}
