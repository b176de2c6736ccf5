import * as z from 'zod/mini'
import '../common/zod-messages.js'
import {stripControlValue} from '../common/terminal-text.js'
import {ONE_SHOT_PARSE} from '../common/state-schema.js'
import {byCodeUnit} from '../common/order.js'
import type {PeerSummary, TailscaleSummary} from './tailscale-summary-schema.js'

export type {PeerSummary, TailscaleSummary} from './tailscale-summary-schema.js'

// One instance per field type, shared by every field: a zod schema is immutable, and each instance costs start-up time.
const optString = z.nullish(z.string())
const optBoolean = z.nullish(z.boolean())
const optStrings = z.nullish(z.array(z.string()))

/**
 * `tailscale status --json`, read tolerantly: unknown fields are ignored, every field may be absent or null
 * (the format changes between releases).
 */
const nodeSchema = z.looseObject({
  ID: optString,
  PublicKey: optString,
  HostName: optString,
  DNSName: optString,
  OS: optString,
  TailscaleIPs: optStrings,
  Tags: optStrings,
  Online: optBoolean,
  LastSeen: optString,
  KeyExpiry: optString,
  Expired: optBoolean,
  CurAddr: optString,
  Relay: optString,
})

export const rawStatusSchema = z.looseObject({
  Version: optString,
  BackendState: optString,
  AuthURL: optString,
  TailscaleIPs: optStrings,
  Self: z.nullish(nodeSchema),
  Health: optStrings,
  MagicDNSSuffix: optString,
  CurrentTailnet: z.nullish(
    z.looseObject({
      Name: optString,
      MagicDNSSuffix: optString,
      MagicDNSEnabled: optBoolean,
    }),
  ),
  CertDomains: optStrings,
  /** false: userspace networking (netstack), no tailnet interface on this machine. */
  TUN: optBoolean,
  Peer: z.nullish(z.record(z.string(), nodeSchema)),
})
export type RawStatus = z.infer<typeof rawStatusSchema>

const ZERO_TIME = '0001-01-01T00:00:00Z'

export function stripDot(name: string | null | undefined): string | null {
  if (!name) return null
  return name.endsWith('.') ? name.slice(0, -1) : name
}

/** First label of a MagicDNS name: what Tailscale actually calls the node (HostName keeps what was asked). */
export function machineNameOf(dnsName: string | null | undefined): string | null {
  const name = stripDot(dnsName)
  return name ? name.split('.')[0] : null
}

function splitIps(ips: string[] | null | undefined): {ipv4: string | null; ipv6: string | null} {
  const list = ips ?? []
  return {ipv4: list.find((ip) => !ip.includes(':')) ?? null, ipv6: list.find((ip) => ip.includes(':')) ?? null}
}

/** Parses the JSON text of `tailscale status --json`. Throws a plain Error with the reason on garbage. */
export function parseStatusJson(text: string): RawStatus {
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    throw new Error(`tailscale status --json printed something that is not JSON: ${(error as Error).message}`, {
      cause: error,
    })
  }
  const result = rawStatusSchema.safeParse(data, ONE_SHOT_PARSE)
  if (!result.success)
    throw new Error(`tailscale status --json has an unexpected shape: ${result.error.issues[0]?.message}`)
  // Host names, OS and health lines are chosen by other nodes (and the control server): no terminal controls.
  return stripControlValue(result.data)
}

export function summarizeStatus(raw: RawStatus): TailscaleSummary {
  const self = raw.Self ?? {}
  const ips = splitIps(raw.TailscaleIPs ?? self.TailscaleIPs)
  const peers: PeerSummary[] = Object.values(raw.Peer ?? {}).map((p) => {
    const pips = splitIps(p.TailscaleIPs)
    return {
      id: typeof p.ID === 'string' && p.ID !== '' ? p.ID : null,
      hostname: p.HostName ?? '',
      machineName: machineNameOf(p.DNSName),
      dnsName: stripDot(p.DNSName),
      ipv4: pips.ipv4,
      ipv6: pips.ipv6,
      os: p.OS ?? null,
      tags: p.Tags ?? [],
      online: Boolean(p.Online),
      lastSeen: p.LastSeen && p.LastSeen !== ZERO_TIME ? p.LastSeen : null,
      keyExpiry: p.KeyExpiry ?? null,
      relay: p.Relay || null,
      curAddr: p.CurAddr || null,
    }
  })
  peers.sort((a, b) => byCodeUnit(a.hostname, b.hostname))
  return {
    backendState: raw.BackendState ?? 'NoState',
    version: raw.Version ?? null,
    hostname: self.HostName || null,
    machineName: machineNameOf(self.DNSName),
    dnsName: stripDot(self.DNSName),
    ipv4: ips.ipv4,
    ipv6: ips.ipv6,
    tailnet: raw.CurrentTailnet?.Name ?? null,
    magicDNSSuffix: raw.CurrentTailnet?.MagicDNSSuffix ?? raw.MagicDNSSuffix ?? null,
    magicDNSEnabled: Boolean(raw.CurrentTailnet?.MagicDNSEnabled),
    keyExpiry: self.KeyExpiry ?? null,
    tags: self.Tags ?? [],
    certDomains: raw.CertDomains ?? [],
    health: raw.Health ?? [],
    authURL: raw.AuthURL || null,
    tun: typeof raw.TUN === 'boolean' ? raw.TUN : null,
    peers,
  }
}
