import {a2aEndpoint} from './a2a-protocol.js'
import {DEFAULT_GATEWAY_PORT} from './gateway-url.js'
import type {TailscaleSummary} from './tailscale-status.js'
import {dnsLabelProblem} from './validate.js'

/**
 * Which tailnet nodes are mesh members. In a mesh-secret fleet every host runs `claw-mesh bootstrap` with the
 * same tag and the `openclaw-<identity>` hostname, so the tailnet's own peer list is the registry: no relay.
 *
 * Membership is the tag alone. A tag can only be put on a node by the tailnet's owners (an ACL `tagOwners` rule
 * or a tagged auth key); a hostname is chosen by whoever runs the node — anyone's machine, shared in or not, can
 * call itself `openclaw-anything`. Members are also pinned to Tailscale's stable node id: a name that moves to
 * another node is not followed.
 */
export const DEFAULT_MESH_TAG = 'tag:claw-mesh'
export const MESH_HOSTNAME_PREFIX = 'openclaw-'

export interface DiscoveredPeer {
  /** The peer's name in claw-mesh: the hostname minus `openclaw-`. */
  name: string
  /** Tailscale's stable node id (absent only with a status that has none). */
  nodeId?: string
  hostname: string
  url: string
  online: boolean
}

export interface SkippedNode {
  hostname: string
  reason: string
}

export interface DiscoveryOptions {
  tag?: string
  port?: number
  /** Node ids already recorded per name: a name now held by another node is skipped, not re-pointed. */
  pinned?: Record<string, string | undefined>
}

export function meshNameOf(hostname: string): string {
  return hostname.startsWith(MESH_HOSTNAME_PREFIX) && hostname.length > MESH_HOSTNAME_PREFIX.length ? hostname.slice(MESH_HOSTNAME_PREFIX.length) : hostname
}

/** The mesh members in a `tailscale status` summary, excluding this node, sorted by name. */
export function discoverMeshPeers(summary: TailscaleSummary, opts: DiscoveryOptions = {}): {peers: DiscoveredPeer[]; skipped: SkippedNode[]} {
  const tag = opts.tag ?? DEFAULT_MESH_TAG
  const port = opts.port ?? DEFAULT_GATEWAY_PORT
  const peers: DiscoveredPeer[] = []
  const skipped: SkippedNode[] = []
  const byName = new Map<string, DiscoveredPeer>()
  for (const node of summary.peers) {
    if (!node.tags.includes(tag)) {
      if (node.hostname.startsWith(MESH_HOSTNAME_PREFIX)) skipped.push({hostname: node.hostname, reason: `is named like a member but does not carry ${tag}: not trusted`})
      continue
    }
    // A node sharing this host's name is this host seen twice (e.g. a stale registration): never a peer.
    if (summary.hostname && node.hostname === summary.hostname) {
      skipped.push({hostname: node.hostname, reason: 'has the same hostname as this machine'})
      continue
    }
    if (!node.ipv4) {
      skipped.push({hostname: node.hostname, reason: 'has no Tailscale IPv4 address'})
      continue
    }
    // OS hostnames may carry capitals; MagicDNS (and claw-mesh names) are lower case.
    const name = meshNameOf(node.hostname.toLowerCase())
    const problem = dnsLabelProblem(name)
    if (problem) {
      skipped.push({hostname: node.hostname, reason: `its name ${JSON.stringify(name)} ${problem}`})
      continue
    }
    const clash = byName.get(name)
    if (clash) {
      skipped.push({hostname: node.hostname, reason: `its name "${name}" is already taken by ${clash.hostname}`})
      continue
    }
    const pinned = opts.pinned?.[name]
    if (pinned && node.id && pinned !== node.id) {
      skipped.push({hostname: node.hostname, reason: `the name "${name}" belongs to node ${pinned}, not ${node.id}: remove the old member first (claw-mesh peer remove ${name})`})
      continue
    }
    const peer: DiscoveredPeer = {name, hostname: node.hostname, url: `http://${node.ipv4}:${port}`, online: node.online, ...(node.id ? {nodeId: node.id} : {})}
    byName.set(name, peer)
    peers.push(peer)
  }
  peers.sort((a, b) => a.name.localeCompare(b.name))
  return {peers, skipped}
}

/** What a peer record needs for this preview (a subset of the state's PeerRecord). */
export interface KnownPeer {
  url: string
  hostname?: string
  messaging: boolean
  source: string
  nodeId?: string
  a2a?: {url: string}
}

/**
 * What discovery would change in the recorded peers, without changing anything: `add NAME` for a new member,
 * `update NAME` when its address, hostname, node id or A2A endpoint moved or messaging was off. Peers added by invite or URL are kept as
 * they are, as discovery keeps them. The same rules as savePeer, so a provisioned fleet previews no change.
 */
export function previewDiscovery(found: DiscoveredPeer[], known: Record<string, KnownPeer>): string[] {
  const changes: string[] = []
  for (const peer of found) {
    const existing = known[peer.name]
    if (!existing) changes.push(`add ${peer.name}`)
    else if (existing.source !== 'discovered') continue
    else if (existing.url !== peer.url || (existing.hostname ?? '') !== peer.hostname || !existing.messaging || existing.a2a?.url !== a2aEndpoint(peer.url) || (peer.nodeId !== undefined && existing.nodeId !== peer.nodeId)) {
      changes.push(`update ${peer.name}`)
    }
  }
  return changes
}
