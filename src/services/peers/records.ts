import {fleetHooksToken} from '../../core/pairing/a2a-pairing.js'
import {UsageError} from '../../core/common/errors.js'
import type {PeerRecord, State} from '../../core/common/state-schema.js'
import {peerOf} from '../../core/common/state-schema.js'
import {DEFAULT_TRUST, type TrustLevel} from '../../core/pairing/pair-trust.js'
import type {Deps} from '../../deps.js'
import {SECRET_NAMES, type SecretStore} from '../../infra/secrets/types.js'

/**
 * Peer records live in claw-mesh's state (`state.peers`), their hooks tokens in the secret store. Discovered
 * peers (mesh-secret fleets) all share one token, stored once as `mesh-secret`; every other peer has its own
 * under `peer/<name>`.
 */
export function peerTokenName(record: Pick<PeerRecord, 'name' | 'source'>): string {
  return record.source === 'discovered' ? SECRET_NAMES.meshSecret : SECRET_NAMES.peer(record.name)
}

/**
 * The hooks token for a peer, registered with the redactor; undefined when messaging is off or it is missing.
 * A fleet member's is derived from the mesh secret and its name: the mesh secret itself is never sent.
 */
export async function peerToken(
  deps: Pick<Deps, 'redactor'>,
  secrets: SecretStore,
  record: PeerRecord,
): Promise<string | undefined> {
  if (!record.messaging) return undefined
  const stored = await secrets.get(peerTokenName(record))
  const token = stored && record.source === 'discovered' ? fleetHooksToken(stored, record.name) : stored
  deps.redactor.add(token)
  return token
}

export function requirePeer(state: State, name: string): PeerRecord {
  const record = peerOf(state, name)
  if (!record) {
    const known = Object.keys(state.peers).sort()
    throw new UsageError(`There is no peer named ${JSON.stringify(name)}.`, {
      code: 'unknown-peer',
      hint:
        known.length > 0
          ? `Known peers: ${known.join(', ')} (claw-mesh peer list).`
          : 'No peers yet: add one with claw-mesh peer add --invite -.',
    })
  }
  return record
}

/** Records which secret names claw-mesh owns, so uninstall and doctor can find them. */
export function noteSecretName(state: State, name: string, present: boolean): void {
  const names = new Set(state.secrets?.names ?? [])
  if (present) names.add(name)
  else names.delete(name)
  state.secrets = {...state.secrets, names: [...names].sort()}
}

export type SaveAction = 'added' | 'updated' | 'unchanged'

export interface SavePeerInput {
  name: string
  hostname?: string
  url: string
  source: PeerRecord['source']
  /** The peer's own hooks token; ignored for discovered peers (they use the mesh secret). */
  token?: string
  /** Discovered peers: whether the shared mesh secret is known (messaging on). */
  messaging?: boolean
  /** The peer's A2A endpoint (its tokens are written by the caller, under a2a/<name>/in|out). */
  a2a?: {
    url: string
    pairedBy: 'invite' | 'fleet' | 'token'
    kind?: 'openclaw' | 'foreign'
    invite?: string
    reply?: string
    awaitingReply?: boolean
  }
  /** Tailscale's stable node id (discovered peers). */
  nodeId?: string
  /** The tailnet addresses a plain-http MagicDNS URL resolved to (pinned: see core/pairing/address-pin). */
  addresses?: string[]
  /** The pair's trust level; unset keeps the recorded one (a new peer gets the default). */
  trust?: TrustLevel
  /** Changes the caller made itself (new A2A tokens): reported, and the record counts as updated. */
  extraChanges?: string[]
}

/**
 * Adds or updates one peer: nothing happens when the data is the same; otherwise the changes are listed.
 * The secret is written before the state so a failure never leaves a record pointing at a missing token.
 */
export async function savePeer(
  deps: Pick<Deps, 'store' | 'clock'>,
  secrets: SecretStore,
  input: SavePeerInput,
): Promise<{action: SaveAction; changes: string[]}> {
  const existing = peerOf(deps.store.read(), input.name)
  const discovered = input.source === 'discovered'
  const messaging = discovered ? Boolean(input.messaging) : Boolean(input.token)
  const ownTokenName = SECRET_NAMES.peer(input.name)
  const oldToken = existing && existing.source !== 'discovered' ? await secrets.get(ownTokenName) : undefined
  const changes: string[] = []
  if (existing) {
    if (existing.url !== input.url) changes.push(`url ${existing.url} → ${input.url}`)
    if ((existing.hostname ?? '') !== (input.hostname ?? ''))
      changes.push(`hostname ${existing.hostname ?? '-'} → ${input.hostname ?? '-'}`)
    if (existing.messaging !== messaging)
      changes.push(`messaging ${existing.messaging ? 'on' : 'off'} → ${messaging ? 'on' : 'off'}`)
    if (!discovered && oldToken !== input.token)
      changes.push(input.token ? (oldToken ? 'hooks token replaced' : 'hooks token added') : 'hooks token removed')
    if (existing.source !== input.source && (existing.source === 'discovered' || discovered))
      changes.push(`source ${existing.source} → ${input.source}`)
    if ((existing.a2a?.url ?? '') !== (input.a2a?.url ?? ''))
      changes.push(input.a2a ? (existing.a2a ? `A2A url ${existing.a2a.url} → ${input.a2a.url}` : 'A2A on') : 'A2A off')
    if ((existing.addresses ?? []).join(',') !== (input.addresses ?? []).join(','))
      changes.push(`pinned address ${existing.addresses?.join(', ') || '-'} → ${input.addresses?.join(', ') || '-'}`)
    if ((existing.nodeId ?? '') !== (input.nodeId ?? '') && input.nodeId)
      changes.push(`node ${existing.nodeId ?? '-'} → ${input.nodeId}`)
    if (input.trust && input.trust !== (existing.trust ?? DEFAULT_TRUST))
      changes.push(`trust ${existing.trust ?? DEFAULT_TRUST} → ${input.trust}`)
    changes.push(...(input.extraChanges ?? []))
    if (changes.length === 0) return {action: 'unchanged', changes}
  }
  const keepOwnToken = !discovered && input.token
  if (keepOwnToken) await secrets.set(ownTokenName, input.token as string)
  else await secrets.delete(ownTokenName)
  const now = deps.clock.now().toISOString()
  deps.store.update((state) => {
    const urlSame = existing?.url === input.url
    const record: PeerRecord = {
      name: input.name,
      url: input.url,
      addedAt: existing?.addedAt ?? now,
      source: input.source,
      messaging,
    }
    if (input.hostname) record.hostname = input.hostname
    if (input.nodeId) record.nodeId = input.nodeId
    if (input.addresses?.length) record.addresses = input.addresses
    const trust = input.trust ?? existing?.trust ?? (existing ? undefined : DEFAULT_TRUST)
    if (trust) record.trust = trust
    if (input.a2a)
      record.a2a = {
        ...input.a2a,
        pairedAt:
          existing?.a2a && existing.a2a.url === input.a2a.url && !input.extraChanges?.length
            ? existing.a2a.pairedAt
            : now,
      }
    // A check of the old URL says nothing about the new one.
    if (existing?.lastCheck && urlSame) record.lastCheck = existing.lastCheck
    state.peers[input.name] = record
    noteSecretName(state, ownTokenName, Boolean(keepOwnToken))
  })
  return {action: existing ? 'updated' : 'added', changes}
}
