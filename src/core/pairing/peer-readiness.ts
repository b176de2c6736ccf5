/**
 * Right after a join the tailnet is not ready at once: the netmap arrives, paths to peers are set up, and the host's
 * resolver learns MagicDNS a little later (the complaint behind every "DNS does not resolve right after tailscale
 * up" report). Bootstrap waits, bounded, until the peers it will use are ready. Pure: the probing is a parameter
 * (one round checks every peer not yet ready) and time comes from the clock, so tests drive it with a fake one.
 */

/** What still stands between this host and a peer; checked in this order, the first that fails is reported. */
export type PeerGap =
  /** No node of this tailnet has the peer's address or name (not joined yet, another tailnet, or hidden by ACLs). */
  | 'not-in-tailnet'
  /** Tailscale lists the node, offline. */
  | 'offline'
  /** Online, but neither its gateway port nor `tailscale ping` answers: no path yet (ACLs, firewall, DERP). */
  | 'no-path'
  /** `tailscale ping` answers, its gateway port does not: the gateway there is not running (yet). */
  | 'gateway-closed'
  /** Reachable, but its MagicDNS name does not resolve on this host (yet). */
  | 'name-unresolved'

/** Time, as the caller's clock gives it (a fake one in tests). */
export interface WaitClock {
  now(): Date
  sleep(ms: number): Promise<void>
}

/** What one round saw of one peer. */
export interface PeerObservation {
  /** Its node in `tailscale status` (by address or MagicDNS name); undefined when none matches. */
  node?: {online: boolean; dnsName: string | null; ipv4: string | null; ipv6: string | null}
  /** Its gateway port answered (any HTTP answer: the port is open over the tailnet). */
  gatewayAnswers: boolean
  /** `tailscale ping` answered; asked only when the gateway did not. */
  pingAnswers?: boolean
  /** MagicDNS is on in this tailnet. */
  magicDNS: boolean
  /** What its MagicDNS name resolved to on this host ([] when it did not); undefined when not asked. */
  resolved?: string[]
}

/** The first gap in the order a user would fix them, or none. Pure. */
export function classifyPeer(name: string, o: PeerObservation): PeerProbe {
  const node = o.node
  const dnsName = node?.dnsName ?? undefined
  const at = node ? [node.ipv4 ?? node.ipv6, dnsName].filter(Boolean).join(', ') : undefined
  if (!node) return {name, gap: 'not-in-tailnet', detail: 'tailscale status lists no node with its address'}
  // Online is what the control server last said; a gateway that answers settles it.
  if (!o.gatewayAnswers) {
    if (!node.online) return {name, gap: 'offline', detail: at, dnsName}
    return {name, gap: o.pingAnswers ? 'gateway-closed' : 'no-path', detail: at, dnsName}
  }
  if (o.magicDNS && dnsName) {
    const own = [node.ipv4, node.ipv6].filter((a): a is string => Boolean(a))
    const resolved = o.resolved ?? []
    if (!resolved.some((a) => own.includes(a))) {
      return {
        name,
        gap: 'name-unresolved',
        detail:
          resolved.length > 0
            ? `${dnsName} resolves to ${resolved.join(', ')}, not ${own.join(', ')}`
            : `${dnsName} does not resolve`,
        dnsName,
      }
    }
  }
  return {name, dnsName}
}

/** A peer bootstrap will use: a --peer (named: the pipeline depends on it) or a fleet member found on the tailnet. */
export interface PeerTarget {
  name: string
  url: string
  kind: 'named' | 'fleet'
}

/** One peer's state in one round. */
export interface PeerProbe {
  name: string
  /** Undefined: ready. */
  gap?: PeerGap
  /** Facts for the message: the address, the MagicDNS name, what the name resolved to. */
  detail?: string
  /** MagicDNS name, when known (for the remedy). */
  dnsName?: string
}

export interface WaitResult {
  /** Every peer this run will use, in order (fleet members as last seen). */
  targets: PeerTarget[]
  ready: string[]
  missing: PeerProbe[]
  elapsedMs: number
  rounds: number
}

/** How long between rounds: quick at first (most peers are ready within a second or two), then every 2 s. */
export function roundDelay(round: number): number {
  return Math.min(2000, 250 * 2 ** Math.max(0, round - 1))
}

const GAP_TEXT: Record<PeerGap, string> = {
  'not-in-tailnet': 'not on this tailnet',
  offline: 'offline',
  'no-path': 'not reachable over the tailnet',
  'gateway-closed': 'its gateway port does not answer',
  'name-unresolved': 'its MagicDNS name does not resolve here',
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)}s`
}

/** The progress line between rounds (stderr). */
export function progressText(
  ready: number,
  total: number,
  missing: PeerProbe[],
  elapsedMs: number,
  timeoutMs: number,
): string {
  const still = missing.map((m) => `${m.name} (${GAP_TEXT[m.gap!]})`).join(', ')
  return `waiting for peers on the tailnet: ${ready} of ${total} ready; still missing ${still} — ${seconds(elapsedMs)} of ${seconds(timeoutMs)}`
}

/**
 * Runs rounds until every peer is ready or the bound passes. `round(ready)` probes the current targets, skipping the
 * names in `ready` (a peer seen ready stays ready: the wait is for the first moment each one is usable). It returns
 * the targets as now known (fleet members may appear as the netmap fills in) and a probe for each not skipped.
 */
export async function waitForPeers(opts: {
  timeoutMs: number
  clock: WaitClock
  round: (ready: ReadonlySet<string>) => Promise<{targets: PeerTarget[]; probes: PeerProbe[]}>
  progress: (text: string) => void
}): Promise<WaitResult> {
  const start = opts.clock.now().getTime()
  const ready = new Set<string>()
  for (let rounds = 1; ; rounds++) {
    const {targets, probes} = await opts.round(ready)
    for (const p of probes) if (!p.gap) ready.add(p.name)
    const missing = probes.filter((p) => p.gap && targets.some((t) => t.name === p.name))
    const elapsedMs = opts.clock.now().getTime() - start
    const inTargets = targets.filter((t) => ready.has(t.name)).map((t) => t.name)
    if (missing.length === 0 || elapsedMs >= opts.timeoutMs)
      return {targets, ready: inTargets, missing, elapsedMs, rounds}
    opts.progress(progressText(inTargets.length, targets.length, missing, elapsedMs, opts.timeoutMs))
    await opts.clock.sleep(Math.min(roundDelay(rounds), opts.timeoutMs - elapsedMs))
  }
}

/** What to do about a gap; `userspace`: this host's tailscaled runs without a TUN (names resolve through it). */
export function gapRemedy(p: PeerProbe, opts: {userspace: boolean}): string {
  switch (p.gap) {
    case 'not-in-tailnet':
      return `check that ${p.name} joined this tailnet (claw-mesh status there) and that its ACLs let this node see it`
    case 'offline':
      return `start ${p.name} or its tailscaled (tailscale up there); messages to it wait in the outbox meanwhile`
    case 'no-path':
      return `check that the tailnet's ACLs let this node reach ${p.name}, then: tailscale ping ${p.dnsName ?? p.name}`
    case 'gateway-closed':
      return `start its gateway: claw-mesh gateway start (on ${p.name}), or check the port in its URL`
    case 'name-unresolved':
      return opts.userspace
        ? `tailscaled does not know ${p.dnsName ?? 'the name'} yet: check tailscale status lists it`
        : `let this host use Tailscale's DNS: tailscale set --accept-dns=true (and check that /etc/resolv.conf or systemd-resolved uses 100.100.100.100); use ${p.name}'s tailnet IP meanwhile`
    default:
      return ''
  }
}

export interface ReadinessVerdict {
  /** One line per missing peer: who, what is missing, what to do. */
  warnings: string[]
  /** --wait-for-peers only: a named peer still missing, or a fleet with no member ready. */
  failure?: string
}

/**
 * The outcome. Without `strict` a missing peer is a warning (its messages wait in the outbox; the peer check that
 * follows reports it). With `strict` (--wait-for-peers, for pipelines whose next step uses the peers) the run fails
 * when a --peer is still missing, or when there are fleet members and none of them is ready; an offline fleet member
 * among ready ones stays a warning, since a fleet keeps retired nodes listed until they expire.
 */
export function readinessVerdict(r: WaitResult, opts: {strict: boolean; userspace: boolean}): ReadinessVerdict {
  const kindOf = (name: string) => r.targets.find((t) => t.name === name)?.kind ?? 'fleet'
  const warnings = r.missing.map(
    (m) =>
      `${m.name} not ready after ${seconds(r.elapsedMs)}: ${GAP_TEXT[m.gap!]}${m.detail ? ` (${m.detail})` : ''}; ${gapRemedy(m, opts)}.`,
  )
  if (!opts.strict) return {warnings}
  const named = r.missing.filter((m) => kindOf(m.name) === 'named').map((m) => m.name)
  const fleet = r.targets.filter((t) => t.kind === 'fleet')
  const noFleet = fleet.length > 0 && !fleet.some((t) => r.ready.includes(t.name))
  if (named.length === 0 && !noFleet) return {warnings}
  const what = [
    ...(named.length > 0 ? [`--peer ${named.join(', ')}`] : []),
    ...(noFleet ? [`every fleet member (${fleet.map((t) => t.name).join(', ')})`] : []),
  ]
  return {warnings, failure: `Peers not ready after ${seconds(r.elapsedMs)} (--wait-for-peers): ${what.join(' and ')}.`}
}
