import {mapBounded} from '../../core/common/bounded.js'
import {MAX_MESH_CARD_BYTES, MESH_CARD_PATH, parseMeshCard, type PeerCard} from '../../core/mesh/mesh-card.js'
import type {PeerRecord, State} from '../../core/common/state-schema.js'
import {peerOf} from '../../core/common/state-schema.js'
import type {Deps} from '../../deps.js'
import {describeFailure, HttpFailure} from '../../infra/http.js'

/**
 * Peers' claw-mesh cards (`/claw-mesh/v1/card` on their gateway port): untrusted input, read with a short timeout
 * and a 16 KiB cap, validated, and cached per peer in state (`peers.<name>.card`).
 */
export const CARD_TIMEOUT_MS = 3000
/** At most this many cards are fetched at once (a large fleet is not hit all at the same instant). */
const CONCURRENCY = 8
/** The HTTP client's own timeout plus this, and a probe is given up whatever the client does. */
const GRACE_MS = 250

export type CardFetch =
  | {state: 'card'; card: PeerCard}
  | {state: 'no-card'; detail: string; status?: number}
  | {state: 'down'; detail: string}

/** Whether a peer can have a claw-mesh card: an OpenClaw gateway (a foreign A2A agent has none). */
export function cardPeer(record: PeerRecord): boolean {
  return record.a2a?.kind !== 'foreign'
}

async function get(deps: Pick<Deps, 'http'>, url: string, timeoutMs: number) {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HttpFailure('timeout', url, 'timeout')), timeoutMs + GRACE_MS)
  })
  try {
    return await Promise.race([
      deps.http.request({url, headers: {accept: 'application/json'}, timeoutMs, maxBodyBytes: MAX_MESH_CARD_BYTES}),
      deadline,
    ])
  } finally {
    clearTimeout(timer)
  }
}

/**
 * One peer's card. Without one (404: the gateway answers but serves no card: an older claw-mesh, or its plugin off),
 * `/healthz` says whether the gateway is up at all, so `ask --capability` can still fall back on recorded caps.
 */
export async function fetchPeerCard(
  deps: Pick<Deps, 'http'>,
  record: PeerRecord,
  timeoutMs = CARD_TIMEOUT_MS,
): Promise<CardFetch> {
  return fetchMeshCard(deps, record.url, timeoutMs)
}

/** The claw-mesh card served under a gateway's base URL (a peer's, or this host's own on loopback). */
export async function fetchMeshCard(
  deps: Pick<Deps, 'http'>,
  baseUrl: string,
  timeoutMs = CARD_TIMEOUT_MS,
): Promise<CardFetch> {
  const base = baseUrl.replace(/\/+$/, '')
  try {
    const res = await get(deps, `${base}${MESH_CARD_PATH}`, timeoutMs)
    const card = res.status === 200 ? parseMeshCard(res.body) : undefined
    if (card) return {state: 'card', card}
    const detail = res.status === 200 ? 'the answer is not a claw-mesh card' : `no claw-mesh card (HTTP ${res.status})`
    // A gateway that answered at all is up; a 503 is one still starting (no caps to trust yet).
    return res.status === 503
      ? {state: 'down', detail: 'its gateway is starting (503)'}
      : {state: 'no-card', detail, status: res.status}
  } catch (error) {
    if (error instanceof HttpFailure && error.kind === 'too-large')
      return {state: 'no-card', detail: `the card is larger than ${MAX_MESH_CARD_BYTES / 1024} KiB: not read`}
    return {
      state: 'down',
      detail:
        error instanceof HttpFailure
          ? describeFailure(error.kind)
          : String((error as Error)?.message ?? error).slice(0, 200),
    }
  }
}

/** Fetches many cards, at most CONCURRENCY at a time; the answers come back in the records' order. */
export async function fetchPeerCards(
  deps: Pick<Deps, 'http'>,
  records: readonly PeerRecord[],
  timeoutMs = CARD_TIMEOUT_MS,
): Promise<CardFetch[]> {
  return mapBounded(records, CONCURRENCY, (r) => fetchPeerCard(deps, r, timeoutMs))
}

/**
 * Writes the cards that answered into the records (a peer that did not answer keeps what was recorded). Mutates
 * `state`; for use inside `store.update`. Returns whether anything changed, so a caller can skip the write.
 */
export function recordCards(
  state: State,
  cards: ReadonlyArray<{name: string; url: string; fetch: CardFetch}>,
  at: string,
): boolean {
  let changed = false
  for (const {name, url, fetch} of cards) {
    const record = peerOf(state, name)
    // The record may have moved on meanwhile (re-paired at another URL): a card from the old address is not its.
    if (!record || record.url !== url || fetch.state !== 'card') continue
    const next = {at, caps: fetch.card.caps, ...(fetch.card.description ? {description: fetch.card.description} : {})}
    const same =
      record.card && record.card.caps.join(',') === next.caps.join(',') && record.card.description === next.description
    if (same) continue
    record.card = next
    changed = true
  }
  return changed
}

/** Fetches the named peers' cards and records what changed. Best effort: a failure here never fails the caller. */
export async function refreshPeerCards(
  deps: Pick<Deps, 'http' | 'store' | 'clock'>,
  names: readonly string[],
  timeoutMs = CARD_TIMEOUT_MS,
): Promise<void> {
  const records = names
    .map((n) => peerOf(deps.store.read(), n))
    .filter((r): r is PeerRecord => Boolean(r && cardPeer(r)))
  if (records.length === 0) return
  const fetched = await fetchPeerCards(deps, records, timeoutMs)
  const at = deps.clock.now().toISOString()
  const cards = records.map((r, i) => ({name: r.name, url: r.url, fetch: fetched[i]}))
  // Only a change is written (store.read returns a copy, so trying it there costs nothing).
  if (!recordCards(deps.store.read(), cards, at)) return
  deps.store.update((s) => void recordCards(s, cards, at))
}
