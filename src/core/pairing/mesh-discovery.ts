import {a2aEndpoint} from '../a2a/a2a-protocol.js'
import {DEFAULT_GATEWAY_PORT} from '../openclaw/gateway-url.js'
import type {TailscaleSummary} from '../tailscale/tailscale-status.js'
import {dnsLabelProblem} from '../common/validate.js'

/**
 * Which tailnet nodes are mesh members. In a mesh-secret fleet every host runs `claw-mesh bootstrap` with the
 * same tag and the `openclaw-<identity>` hostname, so the tailnet's own peer list is the registry: no relay.
 *
 * Membership is the tag alone. A tag can only be put on a node by the tailnet's owners (an ACL `tagOwners` rule
 * or a tagged auth key); a hostname is chosen by whoever runs the node — anyone's machine, shared in or not, can
 * call itself `openclaw-anything`. So a member's name is its MagicDNS label (unique in the tailnet) minus
 * `openclaw-`, a name two nodes claim is given to neither, and members are pinned to Tailscale's stable node id: a
 * name that moves to another node is not followed.
 */
export const DEFAULT_MESH_TAG = 'tag:claw-mesh'
export const MESH_HOSTNAME_PREFIX = 'openclaw-'

export interface DiscoveredPeer {
  /** The peer's name in claw-mesh: its MagicDNS label minus `openclaw-`. */
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
  return hostname.startsWith(MESH_HOSTNAME_PREFIX) && hostname.length > MESH_HOSTNAME_PREFIX.length
    ? hostname.slice(MESH_HOSTNAME_PREFIX.length)
    : hostname
}

/** The name a node asks for (its HostName) and the name the tailnet gave it (its unique MagicDNS label). */
interface Claim {
  node: TailscaleSummary['peers'][number]
  /** From the MagicDNS label, unique in the tailnet: the member's name. */
  name: string
  /** From the self-chosen HostName: differs from `name` when the tailnet had to rename the node (`openclaw-nova-1`). */
  wanted: string
}

/**
 * The name of a tagged node, or why it has none. The name comes from the node's MagicDNS label, which the control
 * server keeps unique, never from the HostName alone, which any node chooses for itself; and it must carry the
 * `openclaw-` prefix, so a node calling itself plain `nova` is not the member `nova`.
 */
function claimOf(node: TailscaleSummary['peers'][number]): Claim | {reason: string} {
  const label = (node.machineName ?? '').toLowerCase()
  if (!label) return {reason: 'has no MagicDNS name, so its unique tailnet name is unknown'}
  if (!label.startsWith(MESH_HOSTNAME_PREFIX) || label.length === MESH_HOSTNAME_PREFIX.length) {
    return {
      reason: `its tailnet name "${label}" does not start with ${MESH_HOSTNAME_PREFIX}: members are named ${MESH_HOSTNAME_PREFIX}<identity>`,
    }
  }
  // OS hostnames may carry capitals; MagicDNS (and claw-mesh names) are lower case.
  const name = meshNameOf(label)
  const host = node.hostname.toLowerCase()
  return {node, name, wanted: host.startsWith(MESH_HOSTNAME_PREFIX) ? meshNameOf(host) : name}
}

/** The mesh members in a `tailscale status` summary, excluding this node, sorted by name. */
export function discoverMeshPeers(
  summary: TailscaleSummary,
  opts: DiscoveryOptions = {},
): {peers: DiscoveredPeer[]; skipped: SkippedNode[]} {
  const tag = opts.tag ?? DEFAULT_MESH_TAG
  const port = opts.port ?? DEFAULT_GATEWAY_PORT
  const skipped: SkippedNode[] = []
  const selfName = summary.machineName ? meshNameOf(summary.machineName.toLowerCase()) : undefined
  const claims: Claim[] = []
  for (const node of summary.peers) {
    if (!node.tags.includes(tag)) {
      if (node.hostname.toLowerCase().startsWith(MESH_HOSTNAME_PREFIX))
        skipped.push({hostname: node.hostname, reason: `is named like a member but does not carry ${tag}: not trusted`})
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
    const claim = claimOf(node)
    if ('reason' in claim) {
      skipped.push({hostname: node.hostname, reason: claim.reason})
      continue
    }
    const problem = dnsLabelProblem(claim.name)
    if (problem) {
      skipped.push({hostname: node.hostname, reason: `its name ${JSON.stringify(claim.name)} ${problem}`})
      continue
    }
    if (claim.wanted === selfName) {
      skipped.push({hostname: node.hostname, reason: `asks for this machine's own name "${selfName}": not trusted`})
      continue
    }
    claims.push(claim)
  }
  const peers = settleClaims(claims, opts.pinned ?? {}, skipped).map(({node, name}): DiscoveredPeer => ({
    name,
    hostname: node.hostname,
    url: `http://${node.ipv4}:${port}`,
    online: node.online,
    ...(node.id ? {nodeId: node.id} : {}),
  }))
  peers.sort((a, b) => a.name.localeCompare(b.name))
  return {peers, skipped}
}

/**
 * One node per name. A name is disputed when a second node holds it or asks for it (a HostName `openclaw-nova`
 * renamed `openclaw-nova-1` by the tailnet still asks for `nova`). Which claimant is genuine cannot be told from the
 * tailnet, so every claimant is skipped, unless the name is already pinned to one of them, which keeps it.
 */
function settleClaims(claims: Claim[], pinned: Record<string, string | undefined>, skipped: SkippedNode[]): Claim[] {
  const byName = new Map<string, Claim[]>()
  const claimants = (name: string) => byName.get(name) ?? (byName.set(name, []), byName.get(name)!)
  for (const c of claims) {
    claimants(c.name).push(c)
    if (c.wanted !== c.name) claimants(c.wanted).push(c)
  }
  const kept: Claim[] = []
  for (const c of claims) {
    const pin = Object.hasOwn(pinned, c.name) ? pinned[c.name] : undefined
    if (pin && c.node.id && pin !== c.node.id) {
      skipped.push({
        hostname: c.node.hostname,
        reason: `the name "${c.name}" belongs to node ${pin}, not ${c.node.id}: remove the old member first (claw-mesh peer remove ${c.name})`,
      })
      continue
    }
    const rivals = [...new Set([...claimants(c.name), ...claimants(c.wanted)])].filter((o) => o !== c)
    if (rivals.length === 0 || (pin && pin === c.node.id)) {
      if (c.wanted === c.name) kept.push(c)
      else
        skipped.push({
          hostname: c.node.hostname,
          reason: `asks for the name "${c.wanted}", which the tailnet gave to another node (it is ${MESH_HOSTNAME_PREFIX}${c.name} there): disputed, not added`,
        })
      continue
    }
    const others = rivals.map((o) => `${o.node.hostname} (${o.node.dnsName ?? o.node.id ?? 'no name'})`).join(', ')
    skipped.push({
      hostname: c.node.hostname,
      reason: `the name "${c.wanted}" is disputed with ${others}: no claimant is added; remove the node that is not a member from the tailnet`,
    })
  }
  return kept
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
    else if (
      existing.url !== peer.url ||
      (existing.hostname ?? '') !== peer.hostname ||
      !existing.messaging ||
      existing.a2a?.url !== a2aEndpoint(peer.url) ||
      (peer.nodeId !== undefined && existing.nodeId !== peer.nodeId)
    ) {
      changes.push(`update ${peer.name}`)
    }
  }
  return changes
}
