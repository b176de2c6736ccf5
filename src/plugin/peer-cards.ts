import {mapBounded} from '../core/common/bounded.js'
import {
  CAP_PATTERN,
  chooseCapablePeer,
  type CapabilityCandidate,
  type CapabilityChoice,
} from '../core/a2a/capabilities.js'
import {MAX_MESH_CARD_BYTES, MESH_CARD_PATH, parseMeshCard, type PeerCard} from '../core/mesh/mesh-card.js'
import {probe} from './a2a.js'
import type {MeshPeer} from './host.js'

/**
 * Peers' claw-mesh cards as the plugin reads them (inside the gateway: global fetch). Untrusted: 3 s, 16 KiB, the
 * same validation as the CLI's; at most 8 peers are asked at once.
 */
const CARD_TIMEOUT_MS = 3000
const CONCURRENCY = 8

/** Reads at most `max` bytes of a body; past that the answer is dropped unread (a card is a few hundred bytes). */
async function cappedText(res: Response, max: number): Promise<string | undefined> {
  if (!res.body) return ''
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const {done, value} = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > max) {
      await reader.cancel().catch(() => undefined)
      return undefined
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

export type PluginCardFetch = {state: 'card'; card: PeerCard} | {state: 'no-card'} | {state: 'down'}

/** The card at the peer's gateway (the origin of its A2A URL). */
export async function fetchMeshCard(peer: MeshPeer, timeoutMs = CARD_TIMEOUT_MS): Promise<PluginCardFetch> {
  if (!peer.url) return {state: 'down'}
  try {
    const res = await fetch(`${new URL(peer.url).origin}${MESH_CARD_PATH}`, {
      headers: {accept: 'application/json'},
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    })
    const text = await cappedText(res, MAX_MESH_CARD_BYTES)
    if (res.status === 503) return {state: 'down'}
    const card = res.status === 200 && text !== undefined ? parseMeshCard(text) : undefined
    return card ? {state: 'card', card} : {state: 'no-card'}
  } catch {
    return {state: 'down'}
  }
}

/** mesh_peers' rows: online state (OpenClaw's own Agent Card), and what each peer offers (its claw-mesh card). */
export async function peerRows(peers: readonly MeshPeer[], notes: Record<string, string> | undefined) {
  return mapBounded(peers, CONCURRENCY, async (p) => {
    const [online, card] = await Promise.all([probe(p), fetchMeshCard(p)])
    const row: Record<string, unknown> = {name: p.name, callable: Boolean(p.url && p.outboundToken), ...online}
    if (card.state === 'card') {
      row.online = true
      row.caps = card.card.caps
      if (card.card.description) row.description = card.card.description
    }
    if (notes?.[p.name]) row.note = notes[p.name]
    return row
  })
}

/**
 * mesh_ask's `capability`: the callable peers' cards, asked concurrently, and the same choice as the CLI's (online
 * with the capability, by name). The plugin keeps no record of past cards, so only a card that answers counts.
 */
export async function choosePeerFor(
  capability: string,
  peers: readonly MeshPeer[],
): Promise<CapabilityChoice & {problem?: string}> {
  if (!CAP_PATTERN.test(capability))
    return {
      online: [],
      offline: [],
      problem: `capability ${JSON.stringify(capability.slice(0, 40))} is not a capability name (lowercase letters, digits and dashes)`,
    }
  const callable = peers.filter((p) => p.url && p.outboundToken)
  const cards = await mapBounded(callable, CONCURRENCY, (p) => fetchMeshCard(p))
  const candidates: CapabilityCandidate[] = callable.map((p, i) => {
    const c = cards[i]
    return {
      name: p.name,
      recordedCaps: [],
      probe:
        c.state === 'card'
          ? {state: 'card', caps: c.card.caps}
          : c.state === 'no-card'
            ? {state: 'up'}
            : {state: 'down'},
    }
  })
  return chooseCapablePeer(capability, candidates)
}
