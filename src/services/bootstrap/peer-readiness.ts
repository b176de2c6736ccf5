import {pairingLineTarget} from '../../core/pairing/pairing-line.js'
import {discoverMeshPeers} from '../../core/pairing/mesh-discovery.js'
import {
  classifyPeer,
  readinessVerdict,
  waitForPeers,
  type PeerProbe,
  type PeerTarget,
  type ReadinessVerdict,
  type WaitResult,
} from '../../core/pairing/peer-readiness.js'
import {peerHostKind} from '../../core/pairing/peer-url.js'
import {summarizeStatus, type PeerSummary, type TailscaleSummary} from '../../core/tailscale/tailscale-status.js'
import type {Deps} from '../../deps.js'
import {resolvePeerInput, type AddPeerOptions} from '../peers/add.js'
import {openTailscale, type TailscaleCli} from '../tailscale/cli.js'

export interface PeerReadinessOptions {
  /** The --peer inputs, named (observe.ts). */
  peers: AddPeerOptions[]
  /** Fleet mode: the tagged members on the tailnet are peers too. */
  fleet?: {tag: string; port: number}
  timeoutMs: number
  /** --wait-for-peers: a named peer still missing (or a fleet with none ready) fails the run. */
  strict: boolean
  socket?: string
  progress: (text: string) => void
}

export interface PeerReadiness extends WaitResult {
  verdict: ReadinessVerdict
}

/** Each round's probes of one peer are bounded well under the wait, so a slow peer cannot stretch a round. */
const PROBE_MS = 2500

/** The --peer inputs as targets: their name and the URL they will be reached at. Only tailnet hosts are waited for. */
export function namedTargets(peers: AddPeerOptions[]): PeerTarget[] {
  const out: PeerTarget[] = []
  for (const input of peers) {
    // A pairing line was decoded once, by the options step: its name and URL are read, not parsed again.
    const parsed = input.line ? pairingLineTarget(input.line) : resolvePeerInput(input)
    if (peerHostKind(new URL(parsed.url).hostname) === 'other') continue
    out.push({name: input.name ?? parsed.name, url: parsed.url, kind: 'named'})
  }
  return out
}

function nodeOf(summary: TailscaleSummary, url: string): PeerSummary | undefined {
  const host = new URL(url).hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase()
  return summary.peers.find((p) => p.ipv4 === host || p.ipv6 === host || p.dnsName?.toLowerCase() === host)
}

async function gatewayAnswers(deps: Deps, url: string): Promise<boolean> {
  // Any HTTP answer means the port is open over the tailnet; deps.http goes through tailscaled's proxy in userspace
  // networking, where this host has no tailnet interface to connect from.
  return deps.http.request({url: `${new URL(url).origin}/healthz`, timeoutMs: PROBE_MS, maxBodyBytes: 4096}).then(
    () => true,
    () => false,
  )
}

/**
 * How this host resolves the name. With a TUN the system resolver must know MagicDNS (that is what users and agents
 * use). In userspace networking the system resolver never knows it: names are resolved by tailscaled (its proxy,
 * `tailscale ip`) from the netmap, so a node that `tailscale status` lists under that name resolves.
 */
async function resolveName(deps: Deps, node: PeerSummary, summary: TailscaleSummary): Promise<string[]> {
  const userspace = summary.tun === false || deps.tailscaleProxy() !== undefined
  if (userspace) return [node.ipv4, node.ipv6].filter((a): a is string => Boolean(a))
  return deps.resolveHost(node.dnsName!).catch(() => [])
}

async function probe(deps: Deps, ts: TailscaleCli, summary: TailscaleSummary, target: PeerTarget): Promise<PeerProbe> {
  const node = nodeOf(summary, target.url)
  if (!node) return classifyPeer(target.name, {gatewayAnswers: false, magicDNS: summary.magicDNSEnabled})
  const answers = await gatewayAnswers(deps, target.url)
  const pingAnswers =
    !answers && node.online && node.ipv4
      ? (await ts.ping(node.ipv4, PROBE_MS).catch(() => ({ok: false}))).ok
      : undefined
  const resolved =
    answers && summary.magicDNSEnabled && node.dnsName ? await resolveName(deps, node, summary) : undefined
  return classifyPeer(target.name, {
    node,
    gatewayAnswers: answers,
    pingAnswers,
    magicDNS: summary.magicDNSEnabled,
    resolved,
  })
}

/**
 * Waits, bounded by `timeoutMs`, until every peer this run will use is reachable over the tailnet (listed, online,
 * its gateway port open) and, where MagicDNS is on, its name resolves here. One `tailscale status` a round; the
 * probes of a round run side by side.
 */
export async function awaitPeerReadiness(deps: Deps, opts: PeerReadinessOptions): Promise<PeerReadiness | undefined> {
  const named = namedTargets(opts.peers)
  if (named.length === 0 && !opts.fleet) return undefined
  const ts = openTailscale(deps, opts.socket)
  let userspace = deps.tailscaleProxy() !== undefined
  const result = await waitForPeers({
    timeoutMs: opts.timeoutMs,
    clock: deps.clock,
    progress: opts.progress,
    async round(ready) {
      const summary = summarizeStatus(await ts.statusRaw())
      userspace ||= summary.tun === false
      const fleet = opts.fleet
        ? discoverMeshPeers(summary, {tag: opts.fleet.tag, port: opts.fleet.port}).peers.filter(
            (p) => !named.some((n) => n.name === p.name),
          )
        : []
      const targets = [...named, ...fleet.map((p): PeerTarget => ({name: p.name, url: p.url, kind: 'fleet'}))]
      const probes = await Promise.all(
        targets.filter((t) => !ready.has(t.name)).map((t) => probe(deps, ts, summary, t)),
      )
      return {targets, probes}
    },
  })
  if (result.targets.length === 0) return undefined
  return {...result, verdict: readinessVerdict(result, {strict: opts.strict, userspace})}
}
