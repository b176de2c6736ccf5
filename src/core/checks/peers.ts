import {peerHostKind} from '../pairing/peer-url.js'
import type {PeerRecord} from '../common/state-schema.js'
import type {PeerSummary, TailscaleSummary} from '../tailscale/tailscale-status.js'
import {fail, pass, skip, warn, type CheckOutcome} from './types.js'

/** Pure evaluators for peer checks: tailnet presence, the path Tailscale uses, stale records. */

/** The tailnet node a peer record points at: by recorded hostname, URL address or MagicDNS name. */
export function findPeerNode(
  summary: TailscaleSummary,
  record: Pick<PeerRecord, 'url' | 'hostname'>,
): PeerSummary | undefined {
  const host = new URL(record.url).hostname.replace(/^\[|\]$/g, '').toLowerCase()
  const wanted = record.hostname?.toLowerCase()
  return summary.peers.find((p) => {
    const name = p.hostname.toLowerCase()
    const label = p.machineName?.toLowerCase()
    return (
      (wanted && (name === wanted || label === wanted)) ||
      p.ipv4 === host ||
      p.ipv6 === host ||
      p.dnsName?.toLowerCase() === host
    )
  })
}

/** Whether a record is supposed to be a tailnet node (so its absence from the tailnet means it is stale). */
export function isTailnetRecord(record: Pick<PeerRecord, 'url' | 'hostname'>, magicDNSSuffix?: string | null): boolean {
  const kind = peerHostKind(new URL(record.url).hostname, magicDNSSuffix ?? undefined)
  if (kind === 'loopback') return false
  return kind === 'tailnet-ip' || kind === 'tailnet-name' || Boolean(record.hostname)
}

export function evalPeerOnline(record: PeerRecord, summary: TailscaleSummary | undefined, why?: string): CheckOutcome {
  if (!summary) return skip(isTailnetRecord(record) ? (why ?? 'tailscale status unavailable') : 'not a tailnet address')
  if (summary.backendState !== 'Running') return skip(`this machine's Tailscale is ${summary.backendState}`)
  const node = findPeerNode(summary, record)
  if (!node)
    return skip(
      isTailnetRecord(record, summary.magicDNSSuffix)
        ? 'gone from the tailnet (see peer-stale)'
        : 'not a tailnet address',
    )
  if (!node.online) {
    return fail(
      `${node.hostname} is offline in the tailnet${node.lastSeen ? ` (last seen ${node.lastSeen})` : ''}.`,
      `Wake ${node.hostname} or start Tailscale on it (tailscale up there)`,
    )
  }
  return pass(`${node.hostname} online (${node.ipv4 ?? node.dnsName ?? 'no IPv4'})`)
}

/** What `tailscale ping -c 1` showed (TailscaleCli.ping's parse): a pong over a direct path or a DERP relay, or none. */
export interface PingView {
  ok: boolean
  path?: 'derp' | 'direct'
  /** `DERP(ams)` or `198.51.100.7:41641`. */
  via?: string
  latencyMs?: number
}

export function evalPeerPath(ping: PingView | undefined, why?: string): CheckOutcome {
  if (!ping) return skip(why ?? 'not pinged')
  if (!ping.ok)
    return fail('tailscale ping: no reply.', 'tailscale status (is the peer online?) and tailscale netcheck')
  if (ping.path === 'direct') return pass(`direct via ${ping.via}, ${ping.latencyMs} ms`)
  return warn(
    `relayed through ${ping.via}, ${ping.latencyMs} ms: it works, but every message takes a detour.`,
    'Allow UDP 41641 in and out on both machines (firewall, router NAT) so Tailscale can connect directly; check with: tailscale netcheck',
  )
}

export interface StaleRecord {
  name: string
  url: string
}

/** Peer records whose machine is no longer in the tailnet (removed, or re-registered under another name). */
export function findStalePeers(records: readonly PeerRecord[], summary: TailscaleSummary): StaleRecord[] {
  return records
    .filter((r) => isTailnetRecord(r, summary.magicDNSSuffix) && !findPeerNode(summary, r))
    .map((r) => ({name: r.name, url: r.url}))
}

export function evalStalePeers(
  records: readonly PeerRecord[],
  summary: TailscaleSummary | undefined,
  why?: string,
): CheckOutcome {
  if (records.length === 0) return skip('no peers recorded')
  if (!summary) return skip(why ?? 'tailscale status unavailable')
  if (summary.backendState !== 'Running') return skip(`this machine's Tailscale is ${summary.backendState}`)
  const stale = findStalePeers(records, summary)
  if (stale.length === 0) return pass(`every tailnet peer record matches a tailnet node`)
  const names = stale.map((s) => s.name)
  return warn(
    `Gone from the tailnet: ${stale.map((s) => `${s.name} (${s.url})`).join(', ')}.`,
    names.map((n) => `claw-mesh peer remove ${n}`).join(' && '),
    {kind: 'remove-stale-peers', names},
  )
}

export interface PeerHttpProbe {
  status: 'ok' | 'warn' | 'fail' | 'skip'
  detail: string
  httpStatus?: number
  latencyMs?: number
}

/** /healthz (live) then /readyz (ready), from the peer service's probes. */
export function evalPeerHealth(
  url: string,
  healthz: PeerHttpProbe,
  readyz: PeerHttpProbe,
  remedy?: string,
): CheckOutcome {
  if (healthz.status === 'fail')
    return fail(
      `${url}/healthz: ${healthz.detail}`,
      remedy ?? `Check the gateway on that machine: claw-mesh doctor there`,
    )
  if (healthz.status !== 'ok') return skip(healthz.detail)
  if (readyz.status === 'fail')
    return warn(`live but ${readyz.detail} (${url}/readyz)`, remedy ?? 'openclaw health (on the peer)')
  return pass(`live and ready${healthz.latencyMs !== undefined ? ` (${healthz.latencyMs} ms)` : ''}`)
}

/** The one authenticated probe per peer: `POST /hooks/wake {}` → 400 means the token was accepted. */
export function evalPeerHooks(
  messaging: boolean,
  hooks: PeerHttpProbe,
  remedy?: string,
  overA2a = false,
): CheckOutcome {
  // An A2A pair needs no hooks token: its messages go over A2A (the peer-a2a check), so nothing is "off".
  if (!messaging)
    return skip(
      overA2a
        ? 'not used: messages to this peer go over A2A (see peer-a2a)'
        : 'messaging off (no hooks token for this peer)',
    )
  if (hooks.status === 'ok') return pass(hooks.detail)
  if (hooks.status === 'skip') return skip(hooks.detail)
  if (hooks.status === 'warn') return warn(hooks.detail, remedy ?? 'Wait a minute before checking again')
  return fail(hooks.detail, remedy ?? 'claw-mesh peer add --invite - (ask the peer for a new invite)')
}
