import {isIPv4, isIPv6} from 'node:net'
import {UsageError} from '../common/errors.js'
import {truncate} from '../common/validate.js'

/**
 * Rules for a peer's gateway URL. Plain http is fine only where the path is already private and encrypted: a
 * tailnet address (WireGuard), or a MagicDNS name that resolves to one (checked by the caller, which can resolve:
 * `assertTailnetResolution`). Loopback and link-local hosts are refused: a peer is another machine, and a URL that
 * points back at this one (or at a cloud metadata service) would hand our token to whatever listens there. An
 * invite must point into the tailnet, as every `claw-mesh invite` does. Each rule gives way to one explicit flag,
 * `--allow-insecure-url` ("I know this URL is outside the tailnet's protection": SSH tunnels, tests).
 */
export type PeerHostKind = 'tailnet-ip' | 'tailnet-name' | 'loopback' | 'link-local' | 'other'

export interface PeerUrlOptions {
  /** The user accepted a URL outside the tailnet's protection (`--allow-insecure-url`). */
  allowInsecure?: boolean
  /** An invite's URL: it must point into the tailnet (tailnet address or *.ts.net) unless allowInsecure. */
  tailnetOnly?: boolean
  /** How the URL was given, for messages (`URL`, `the invite's url`). */
  label?: string
  /** This tailnet's MagicDNS suffix (from the node's status): names under it are tailnet names (Headscale's base domain). */
  magicDNSSuffix?: string
}

export const INSECURE_URL_FLAG = '--allow-insecure-url'

/** Expands an IPv6 address (no brackets, no zone) into its 8 hextets as numbers; undefined when malformed. */
export function ipv6Hextets(address: string): number[] | undefined {
  if (!isIPv6(address)) return undefined
  let text = address
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (v4) {
    const [a, b, c, d] = v4[1].split('.').map(Number)
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined]
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const missing = 8 - left.length - right.length
  const groups = tail === undefined ? left : [...left, ...Array<string>(missing).fill('0'), ...right]
  if (groups.length !== 8) return undefined
  return groups.map((g) => Number.parseInt(g, 16))
}

function ipv4Octets(address: string): number[] | undefined {
  return isIPv4(address) ? address.split('.').map(Number) : undefined
}

/** Classifies a URL host (as `new URL().hostname` gives it: lower case, IPv6 in brackets). */
export function peerHostKind(hostname: string, magicDNSSuffix?: string): PeerHostKind {
  const host = hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase()
  const v4 = ipv4Octets(host)
  if (v4) {
    if (v4[0] === 127) return 'loopback'
    // 169.254.0.0/16: link-local, where cloud metadata services answer.
    if (v4[0] === 169 && v4[1] === 254) return 'link-local'
    // 100.64.0.0/10: Tailscale's CGNAT range.
    if (v4[0] === 100 && (v4[1] & 0xc0) === 64) return 'tailnet-ip'
    return 'other'
  }
  const v6 = ipv6Hextets(host)
  if (v6) {
    if (v6.slice(0, 7).every((g) => g === 0) && v6[7] === 1) return 'loopback'
    // fe80::/10: link-local.
    if ((v6[0] & 0xffc0) === 0xfe80) return 'link-local'
    // fd7a:115c:a1e0::/48: Tailscale's ULA range.
    if (v6[0] === 0xfd7a && v6[1] === 0x115c && v6[2] === 0xa1e0) return 'tailnet-ip'
    // IPv4-mapped (::ffff:a.b.c.d) follows the IPv4 rules.
    if (v6.slice(0, 5).every((g) => g === 0) && v6[5] === 0xffff) {
      return peerHostKind(`${v6[6] >> 8}.${v6[6] & 0xff}.${v6[7] >> 8}.${v6[7] & 0xff}`)
    }
    return 'other'
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return 'loopback'
  if (host.endsWith('.ts.net')) return 'tailnet-name'
  const suffix = magicDNSSuffix?.replace(/^\.+|\.+$/g, '').toLowerCase()
  if (suffix && host.endsWith(`.${suffix}`)) return 'tailnet-name'
  return 'other'
}

/**
 * Validates and normalises a peer gateway URL: http(s) only, no credentials, query or fragment, no trailing
 * slash (the root path becomes empty). Throws a UsageError naming the URL and the fix.
 */
export function normalizePeerUrl(raw: string, opts: PeerUrlOptions = {}): string {
  const label = opts.label ?? 'URL'
  const shown = JSON.stringify(truncate(raw.trim()))
  const text = raw.trim()
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UsageError(`${label} ${shown} is not a URL.`, {
      hint: 'Give the peer gateway URL with its scheme, e.g. http://100.88.12.7:18789 or https://openclaw-nova.tail4f3a2.ts.net.',
    })
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(
      `${label} ${shown} uses ${url.protocol.replace(/:$/, '')}: a peer gateway URL must be http or https.`,
      {
        hint: 'Use the http(s) address of the gateway, e.g. http://100.88.12.7:18789 (claw-mesh speaks HTTP to /hooks and /healthz).',
      },
    )
  }
  if (url.username || url.password) {
    // Do not echo the URL: its userinfo may be a password.
    throw new UsageError(`${label} contains a user name or password (user:pass@host).`, {
      hint: 'Remove the credentials from the URL; give the peer hooks token with --hooks-token file:PATH or - (stdin).',
    })
  }
  if (url.search || url.hash || text.endsWith('?') || text.endsWith('#')) {
    // A query may hold a token (OpenClaw refuses ?token= anyway): do not echo it.
    throw new UsageError(`${label} has a query (?…) or fragment (#…); a peer gateway URL has neither.`, {
      hint: `Pass only scheme, host, port and path (e.g. ${url.origin}), and the token with --hooks-token file:PATH or -.`,
    })
  }
  if (url.hostname === '0.0.0.0' || url.hostname === '[::]') {
    throw new UsageError(
      `${label} ${shown} uses ${url.hostname}, which is a bind address, not an address a peer can be reached at.`,
      {
        hint: "Use the peer's Tailscale IP (tailscale ip -4 on the peer) or its MagicDNS name.",
      },
    )
  }
  const badLabel = url.hostname.startsWith('[')
    ? undefined
    : url.hostname.split('.').find((l) => l.length === 0 || l.length > 63)
  if (url.hostname.length > 253 || badLabel !== undefined) {
    throw new UsageError(
      `${label} ${shown} has a host name that is not valid DNS (labels of 1–63 characters, 253 in all).`,
      {
        hint: "Use the peer's Tailscale IP or its MagicDNS name (e.g. openclaw-nova.tail4f3a2.ts.net).",
      },
    )
  }
  const kind = peerHostKind(url.hostname, opts.magicDNSSuffix)
  if ((kind === 'loopback' || kind === 'link-local') && !opts.allowInsecure) {
    throw new UsageError(
      `${label} ${shown} points at a ${kind} address (${url.hostname}): a peer is another machine, reached over the tailnet.`,
      {
        hint: `Use the peer's Tailscale address or MagicDNS name; if this really is a tunnel to a peer on this machine, add ${INSECURE_URL_FLAG}.`,
      },
    )
  }
  if (opts.tailnetOnly && kind === 'other' && !opts.allowInsecure) {
    throw new UsageError(
      `${label} ${shown} is outside the tailnet (neither 100.64.0.0/10, fd7a:115c:a1e0::/48 nor *.ts.net): claw-mesh invites always point at the peer's tailnet address.`,
      {
        hint: `Ask the peer for a new invite (claw-mesh invite there); if you trust this URL, add ${INSECURE_URL_FLAG}.`,
      },
    )
  }
  if (url.protocol === 'http:' && kind === 'other' && !opts.allowInsecure) {
    throw new UsageError(
      `${label} ${shown} is plain http to ${url.hostname}, which is not a tailnet address (100.64.0.0/10, fd7a:115c:a1e0::/48, *.ts.net): the hooks token would cross the network unencrypted.`,
      {hint: `Use the peer's Tailscale address or an https URL; or, if you accept the risk, add ${INSECURE_URL_FLAG}.`},
    )
  }
  const path = url.pathname.replace(/\/+$/, '')
  return `${url.protocol}//${url.host}${path}`
}

/** A MagicDNS host name's first label (`openclaw-nova.tail4f3a2.ts.net` → `openclaw-nova`), else undefined. */
export function tailnetHostnameOf(url: string, magicDNSSuffix?: string): string | undefined {
  const host = new URL(url).hostname
  return peerHostKind(host, magicDNSSuffix) === 'tailnet-name' ? host.split('.')[0] : undefined
}

/** Resolves a host name to its addresses (the seam: dns.lookup in production, a table in tests). */
export type HostResolver = (host: string) => Promise<string[]>

/**
 * Plain http to a MagicDNS name is only as private as the address it resolves to: every address must be a tailnet
 * address, else the token could go in clear to wherever a hostile resolver points the name. Throws a UsageError;
 * https URLs, IP URLs and `allowInsecure` pass without a lookup. Returns the addresses checked, for the peer's
 * record to pin (core/pairing/address-pin).
 */
export async function assertTailnetResolution(
  url: string,
  resolve: HostResolver,
  opts: {allowInsecure?: boolean; label?: string; magicDNSSuffix?: string} = {},
): Promise<string[] | undefined> {
  const parsed = new URL(url)
  if (
    parsed.protocol !== 'http:' ||
    opts.allowInsecure ||
    peerHostKind(parsed.hostname, opts.magicDNSSuffix) !== 'tailnet-name'
  )
    return undefined
  const host = parsed.hostname.replace(/\.$/, '')
  const addresses = await resolve(host).catch(() => [] as string[])
  const outside = addresses.filter((a) => peerHostKind(a) !== 'tailnet-ip')
  if (addresses.length > 0 && outside.length === 0) return [...new Set(addresses)].sort()
  const label = opts.label ?? 'URL'
  throw new UsageError(
    addresses.length === 0
      ? `${label} ${url} is plain http to ${host}, which does not resolve here: claw-mesh cannot check that it is a tailnet address.`
      : `${label} ${url} is plain http to ${host}, which resolves to ${outside.join(', ')}: not a tailnet address, so the hooks token would cross the network unencrypted.`,
    {
      hint: `Use the peer's Tailscale IP (tailscale ip -4 on the peer), turn on MagicDNS on this machine (tailscale set --accept-dns), or add ${INSECURE_URL_FLAG}.`,
    },
  )
}
