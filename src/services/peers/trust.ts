import {UsageError} from '../../core/common/errors.js'
import {DEFAULT_TRUST, type TrustLevel} from '../../core/pairing/pair-trust.js'
import type {Deps} from '../../deps.js'
import {syncA2aConfig, type A2aSync} from '../a2a/sync.js'
import {requirePeer} from './records.js'

export interface PeerTrustResult {
  name: string
  from: TrustLevel
  to: TrustLevel
  /** The record changed (false: it already said so; openclaw.json is brought in line either way). */
  changed: boolean
  sync: A2aSync
}

/**
 * `claw-mesh peer trust NAME LEVEL`: records the pair's level and writes it into openclaw.json through the one
 * configure path. Re-running with the same level changes nothing, but still repairs a policy edited by hand.
 */
export async function setPeerTrust(deps: Deps, name: string, level: TrustLevel): Promise<PeerTrustResult> {
  const record = requirePeer(deps.store.read(), name)
  if (!record.a2a) {
    throw new UsageError(
      `${name} is not paired over A2A: a trust level applies to what a paired peer's messages may do here.`,
      {
        code: 'not-a2a',
        hint: `Pair with it first (claw-mesh invite here, claw-mesh peer add --invite - there, its reply here), then run claw-mesh peer trust ${name} ${level}.`,
      },
    )
  }
  const from = record.trust ?? DEFAULT_TRUST
  const changed = from !== level
  // A pair from an older version gets its level written down even when it is the default it already had.
  if (record.trust !== level) {
    deps.store.update((s) => {
      const peer = s.peers[name]
      if (peer) peer.trust = level
    })
  }
  let sync: A2aSync
  try {
    sync = await syncA2aConfig(deps)
  } catch (error) {
    // openclaw.json still says the old level: the record must not claim otherwise.
    if (record.trust !== level) deps.store.update((s) => void (s.peers[name] && (s.peers[name].trust = record.trust)))
    throw error
  }
  return {name, from, to: level, changed, sync}
}
