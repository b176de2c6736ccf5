import type {PeerSummary, TailscaleSummary} from '../tailscale/tailscale-status.js'

/**
 * Who answers at a peer's address, as Tailscale itself says (WireGuard ties each tailnet address to one node key),
 * compared with the node the peer was recorded as: its stable node id (fleet members), else the MagicDNS label it
 * was paired or added under. A peer's own answer ("token accepted") says nothing about who it is; this does.
 */
export type PeerIdentity =
  | {verdict: 'match'; node: PeerSummary; detail: string}
  | {verdict: 'mismatch'; node: PeerSummary; detail: string}
  | {verdict: 'unknown'; node?: PeerSummary; detail: string}

export interface IdentityRecord {
  name: string
  url: string
  hostname?: string
  nodeId?: string
  addresses?: string[]
}

/** The tailnet address a request to this record connects to: the URL's IP, else the address it is pinned to. */
export function connectAddress(record: IdentityRecord): string | undefined {
  const host = new URL(record.url).hostname.replace(/^\[|\]$/g, '')
  if (/^[\d.]+$/.test(host) || host.includes(':')) return host
  return record.addresses?.find((a) => !a.includes(':')) ?? record.addresses?.[0]
}

const label = (n: PeerSummary) => `${n.machineName ?? n.hostname}${n.id ? ` (node ${n.id})` : ''}`

export function peerIdentity(summary: TailscaleSummary | undefined, record: IdentityRecord): PeerIdentity {
  if (!summary || summary.backendState !== 'Running')
    return {verdict: 'unknown', detail: 'tailscale status unavailable'}
  const address = connectAddress(record)
  const host = new URL(record.url).hostname.toLowerCase()
  const node = summary.peers.find(
    (p) =>
      (address !== undefined && (p.ipv4 === address || p.ipv6 === address)) ||
      (address === undefined && p.dnsName?.toLowerCase() === host),
  )
  if (!node) return {verdict: 'unknown', detail: `${address ?? host} is no tailnet node this machine knows`}
  if (record.nodeId) {
    return node.id === record.nodeId
      ? {verdict: 'match', node, detail: `${label(node)}, the node ${record.name} was discovered as`}
      : {
          verdict: 'mismatch',
          node,
          detail: `${address ?? host} is now ${label(node)}, not node ${record.nodeId} that ${record.name} was discovered as`,
        }
  }
  const wanted = record.hostname?.toLowerCase()
  if (!wanted)
    return {
      verdict: 'unknown',
      node,
      detail: `${label(node)} (${record.name} was added by address only: nothing recorded to compare)`,
    }
  return (node.machineName ?? node.hostname).toLowerCase() === wanted
    ? {verdict: 'match', node, detail: `${label(node)}, the node ${record.name} was paired with`}
    : {
        verdict: 'mismatch',
        node,
        detail: `${address ?? host} is ${label(node)}, not ${wanted} that ${record.name} was paired as`,
      }
}

/**
 * "Token accepted" is the answering gateway's word: whoever holds the address can say it. It counts for the peer
 * only when Tailscale says the address is the node the peer was recorded as; otherwise the detail says who it was.
 */
export function acceptedBy(detail: string, identity: PeerIdentity, url: string): string {
  return identity.verdict === 'match'
    ? `${detail} by ${identity.detail}`
    : `${detail} by whatever answers at ${url} (who that is was not proven: ${identity.detail})`
}
