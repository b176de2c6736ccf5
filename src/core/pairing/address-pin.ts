import {UsageError} from '../common/errors.js'

/**
 * A peer reached by plain http at a MagicDNS name is pinned to the tailnet addresses that name resolved to when it
 * was added: a resolver that later points the name elsewhere (a LAN host, this machine's loopback) must not receive
 * the peer's tokens. Every later connection resolves the name again, must land inside the pinned set, and is then
 * made to the pinned address itself, so nothing can change between the check and the connection.
 */

/** What a peer record contributes: its URLs and the addresses pinned for them. */
export interface PinnedPeer {
  name: string
  url: string
  addresses?: string[]
  a2a?: {url: string}
}

export interface Pin {
  peer: string
  addresses: string[]
}

/** Host name → pin, for every plain-http peer URL with a MagicDNS name that has pinned addresses. */
export function pinsOf(peers: Iterable<PinnedPeer>): Map<string, Pin> {
  const pins = new Map<string, Pin>()
  for (const p of peers) {
    if (!p.addresses?.length) continue
    for (const raw of [p.url, p.a2a?.url]) {
      const url = raw ? safeUrl(raw) : undefined
      if (url?.protocol === 'http:') pins.set(url.hostname, {peer: p.name, addresses: p.addresses})
    }
  }
  return pins
}

export type PinVerdict = {ok: true; connectTo: string} | {ok: false; resolved: string[]}

/**
 * The current answer for a pinned name: every address must be a pinned one (one outside means the name was
 * re-pointed), and the connection goes to a pinned address the name still has, IPv4 first.
 */
export function checkPin(pin: Pin, resolved: string[]): PinVerdict {
  const inside = resolved.filter((a) => pin.addresses.includes(a))
  if (resolved.length === 0 || inside.length !== resolved.length) return {ok: false, resolved}
  return {ok: true, connectTo: inside.find((a) => !a.includes(':')) ?? inside[0]}
}

/** The same URL with its host replaced by an IP address (bracketed for IPv6). */
export function urlAt(url: string, address: string): string {
  const u = new URL(url)
  u.hostname = address.includes(':') ? `[${address}]` : address
  return u.toString().replace(/\/$/, url.endsWith('/') ? '/' : '')
}

function safeUrl(raw: string): URL | undefined {
  try {
    return new URL(raw)
  } catch {
    return undefined
  }
}

/**
 * Adding a peer again at the same URL must not quietly re-pin it: if its name now resolves elsewhere, that is the
 * move the pin exists to catch, and only `--replace NAME` accepts it.
 */
export function assertPinKept(
  existing: {url: string; addresses?: string[]} | undefined,
  name: string,
  url: string,
  addresses: string[] | undefined,
  replace: readonly string[] = [],
): void {
  if (!existing?.addresses?.length || existing.url !== url || !addresses || replace.includes(name)) return
  if (addresses.every((a) => existing.addresses!.includes(a))) return
  throw new UsageError(
    `${name}'s URL ${url} now resolves to ${addresses.join(', ')}, not the tailnet address it was added at (${existing.addresses.join(', ')}).`,
    {
      code: 'peer-address-moved',
      hint: `If ${name} really moved, run it again with --replace ${name}. Otherwise someone changed what the name resolves to: nothing was changed or sent.`,
    },
  )
}
