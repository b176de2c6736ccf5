import type {ReloadOutcome} from '../../core/openclaw/gateway-start-plan.js'
import type {Deps} from '../../deps.js'
import {configureGateway} from '../gateway/configure.js'
import {MESH_PROOF_CONFIG_PATH} from '../../core/pairing/mesh-proof-config.js'

/** The member's proof settings: the plugin reads them live, so a running gateway needs nothing more. */
const MESH_PROOF_DOTTED = MESH_PROOF_CONFIG_PATH.join('.')

export interface A2aSync {
  /** openclaw.json was brought up to date (false: the gateway is not configured on this machine yet). */
  configured: boolean
  changed: boolean
  /** What a running gateway needs to apply the change (A2A peers reload by themselves in ~2.5 s). */
  apply?: ReloadOutcome
  note?: string
}

/**
 * After a peer's A2A tokens changed (paired, re-paired, removed, rotated): rewrites `channels.a2a` in openclaw.json
 * through the one configure path (validated, backed up, atomic), keeping everything else as configured.
 */
export async function syncA2aConfig(deps: Deps): Promise<A2aSync> {
  if (!deps.store.read().gateway?.expose) {
    return {
      configured: false,
      changed: false,
      note: 'The gateway is not configured on this machine yet: claw-mesh bootstrap writes the A2A peers into openclaw.json.',
    }
  }
  const r = await configureGateway(deps, {})
  const peerPaths = new Set(
    r.changes
      .map((c) => c.path)
      .filter(
        (p) => p.startsWith('channels.a2a.peers.') || p.startsWith('tools.toolsBySender.') || p === MESH_PROOF_DOTTED,
      ),
  )
  if (peerPaths.size > 0) {
    // A running gateway reloads channels.a2a.peers and the pairs' tool policies by itself (seen live, ~2.5 s), and a stopped one reads them at
    // start: nothing is left for `gateway start` to apply, so a later bootstrap plans no restart for them.
    deps.store.update((s) => {
      if (s.gateway?.pending) s.gateway.pending = s.gateway.pending.filter((p) => !peerPaths.has(p))
    })
  }
  return {configured: true, changed: r.changed, apply: r.apply}
}
