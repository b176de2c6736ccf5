import {DEFAULT_TRUST} from '../../core/pairing/pair-trust.js'
import {peerUrlFor} from '../../core/openclaw/gateway-url.js'
import type {PeerRecord} from '../../core/common/state-schema.js'
import {parseStatusJson, summarizeStatus} from '../../core/tailscale/tailscale-status.js'
import {gatewayPortSetting} from '../../core/common/settings.js'
import type {Deps} from '../../deps.js'
import {openTailscale} from '../tailscale/cli.js'
import {byName} from '../../core/common/order.js'

export interface SelfView {
  name?: string
  hostname?: string
  ip?: string
  url?: string
}

export interface PeerListResult {
  peers: PeerRecord[]
  self?: SelfView
}

/** The peer records (no tokens: those never leave the secret store), sorted by name. */
export function listPeers(deps: Pick<Deps, 'store'>): PeerListResult {
  // A pair recorded before trust levels has the default (configure writes it into openclaw.json).
  const peers = Object.values(deps.store.read().peers).map((p) =>
    p.a2a && !p.trust ? {...p, trust: DEFAULT_TRUST} : p,
  )
  return {peers: peers.sort(byName)}
}

/**
 * This host as peers see it, for the peer sheet. Best effort: Tailscale may be down or absent, and a sheet
 * without this host's address is still useful.
 */
export async function describeSelf(deps: Deps, timeoutMs = 5000): Promise<SelfView> {
  const state = deps.store.read()
  const self: SelfView = {name: state.identity, hostname: state.tailscale?.hostname}
  try {
    const result = await openTailscale(deps).checked('status', ['status', '--json'], timeoutMs)
    const ts = summarizeStatus(parseStatusJson(result.stdout))
    if (ts.backendState !== 'Running') return self
    self.hostname = ts.dnsName?.split('.')[0] || ts.hostname || self.hostname
    self.ip = ts.ipv4 ?? undefined
    if (state.gateway?.expose)
      self.url = peerUrlFor({
        expose: state.gateway.expose,
        port: gatewayPortSetting({state}).value,
        ipv4: ts.ipv4,
        dnsName: ts.dnsName,
      })
  } catch {
    // Leave the address fields empty; the template says how to find them.
  }
  return self
}
