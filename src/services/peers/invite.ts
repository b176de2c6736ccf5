import {DEFAULT_INVITE_TTL_MS, encodePairingInvite, newInviteId, newPairingKey} from '../../core/pairing/a2a-pairing.js'
import {ActionNeededError, UsageError} from '../../core/common/errors.js'
import {peerUrlFor} from '../../core/openclaw/gateway-url.js'
import {gatewayPortSetting} from '../../core/common/settings.js'
import type {Deps} from '../../deps.js'
import {SECRET_NAMES} from '../../infra/secrets/types.js'
import {openTailscale} from '../tailscale/cli.js'
import {assertHostname} from '../../core/common/validate.js'
import {DEFAULT_TRUST, type TrustLevel} from '../../core/pairing/pair-trust.js'

export interface CreatedInvite {
  /** The invite line (no credential in it: a public key, a one-time id, an expiry). */
  invite: string
  id: string
  name: string
  hostname: string
  url: string
  expiresAt: string
  tailnet?: string
  /** The only name whose reply completes this invite (`--for`). */
  for?: string
  /** The trust level the pair gets when this invite's reply completes it here. */
  trust: TrustLevel
}

/** How this host appears to peers: its identity, MagicDNS label, gateway URL and tailnet. */
export interface SelfEndpoint {
  name: string
  hostname: string
  url: string
  tailnet?: string
}

const BOOTSTRAP_HINT = 'Run `claw-mesh bootstrap` on this machine first, then try again.'
export const MAX_INVITE_TTL_MS = 30 * 24 * 60 * 60 * 1000

/** This host's name and gateway URL, from claw-mesh's state and the live Tailscale status. */
export async function selfEndpoint(deps: Deps): Promise<SelfEndpoint> {
  const state = deps.store.read()
  if (!state.identity)
    throw new ActionNeededError('This machine has no claw-mesh identity yet.', {
      code: 'not-bootstrapped',
      hint: BOOTSTRAP_HINT,
    })
  const expose = state.gateway?.expose
  if (!expose) {
    throw new ActionNeededError(
      'The gateway is not opened to the tailnet yet, so peers would have no URL to reach it.',
      {code: 'not-bootstrapped', hint: BOOTSTRAP_HINT},
    )
  }
  const ts = await openTailscale(deps).status()
  if (ts.backendState !== 'Running' || !ts.hostname) {
    throw new ActionNeededError(`Tailscale is not connected on this machine (state: ${ts.backendState}).`, {
      code: 'tailscale-not-running',
      hint: 'Check `claw-mesh tailscale status`; run `claw-mesh bootstrap` to join the tailnet.',
    })
  }
  // The MagicDNS label is the node's unique name in the tailnet (a taken HostName silently becomes name-1 there).
  const hostname = ts.dnsName?.split('.')[0] || ts.hostname.toLowerCase()
  const url = peerUrlFor({expose, port: gatewayPortSetting({state}).value, ipv4: ts.ipv4, dnsName: ts.dnsName})
  return {name: state.identity, hostname, url, ...(ts.tailnet ? {tailnet: ts.tailnet} : {})}
}

/**
 * `claw-mesh invite`: a one-time pairing invite. Its X25519 private key goes into the secret store under the
 * invite's id, and the id into state (with the expiry), so that exactly one reply can complete it.
 */
export async function createInvite(
  deps: Deps,
  opts: {ttlMs?: number; for?: string; trust?: TrustLevel} = {},
): Promise<CreatedInvite> {
  const ttlMs = opts.ttlMs ?? DEFAULT_INVITE_TTL_MS
  if (ttlMs < 60_000 || ttlMs > MAX_INVITE_TTL_MS)
    throw new UsageError('--expires must be between 1m and 30d.', {
      hint: 'For example --expires 2h (the default is 24h).',
    })
  const forName = opts.for === undefined ? undefined : assertHostname(opts.for, '--for')
  const self = await selfEndpoint(deps)
  const now = deps.clock.now()
  const id = newInviteId()
  const key = newPairingKey()
  const expiresAt = new Date(now.getTime() + ttlMs).toISOString()
  const invite = encodePairingInvite({
    name: self.name,
    hostname: self.hostname,
    url: self.url,
    id,
    key: key.publicKey,
    createdAt: now.toISOString(),
    expiresAt,
    ...(self.tailnet ? {tailnet: self.tailnet} : {}),
  })
  const secrets = await deps.secrets()
  await secrets.set(SECRET_NAMES.inviteKey(id), key.privateKey)
  deps.store.update((s) => {
    s.invites[id] = {
      createdAt: now.toISOString(),
      expiresAt,
      ...(forName ? {for: forName} : {}),
      ...(opts.trust ? {trust: opts.trust} : {}),
    }
    // Expired invites are kept a day for a clear "expired" answer, then forgotten.
    for (const [old, rec] of Object.entries(s.invites))
      if (Date.parse(rec.expiresAt) < now.getTime() - DEFAULT_INVITE_TTL_MS) delete s.invites[old]
  })
  return {invite, id, ...self, expiresAt, ...(forName ? {for: forName} : {}), trust: opts.trust ?? DEFAULT_TRUST}
}

export interface InviteListEntry {
  id: string
  createdAt: string
  expiresAt: string
  status: 'open' | 'used' | 'expired' | 'revoked'
  usedBy?: string
  for?: string
}

export function listInvites(deps: Pick<Deps, 'store' | 'clock'>): InviteListEntry[] {
  const now = deps.clock.now().getTime()
  return Object.entries(deps.store.read().invites)
    .map(([id, r]): InviteListEntry => ({
      id,
      createdAt: r.createdAt,
      expiresAt: r.expiresAt,
      status: r.revokedAt ? 'revoked' : r.usedBy ? 'used' : Date.parse(r.expiresAt) <= now ? 'expired' : 'open',
      ...(r.usedBy ? {usedBy: r.usedBy} : {}),
      ...(r.for ? {for: r.for} : {}),
    }))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
}

/** Revokes one open invite: its key is deleted, so no reply can complete it. */
export async function revokeInvite(deps: Deps, id: string): Promise<InviteListEntry> {
  const entry = listInvites(deps).find((e) => e.id === id)
  if (!entry)
    throw new UsageError(`There is no invite with id ${JSON.stringify(id.slice(0, 64))}.`, {
      code: 'unknown-invite',
      hint: 'List them with: claw-mesh invite --list',
    })
  const secrets = await deps.secrets()
  await secrets.delete(SECRET_NAMES.inviteKey(id))
  if (entry.status === 'open') deps.store.update((s) => void (s.invites[id].revokedAt = deps.clock.now().toISOString()))
  return {...entry, status: entry.status === 'open' ? 'revoked' : entry.status}
}
