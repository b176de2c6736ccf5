import {
  CAP_PATTERN,
  chooseCapablePeer,
  type CapabilityCandidate,
  type CapabilityChoice,
} from '../../core/a2a/capabilities.js'
import {ClawMeshError, ExitCode, UsageError} from '../../core/common/errors.js'
import type {PeerRecord} from '../../core/common/state-schema.js'
import {stripControl} from '../../core/common/terminal-text.js'
import type {Deps} from '../../deps.js'
import {cardPeer, fetchPeerCards, recordCards, CARD_TIMEOUT_MS, type CardFetch} from '../peers/cards.js'

/** `ask --capability CAP`: no online peer offers it. Exit 9. */
export class NoCapablePeerError extends ClawMeshError {
  override readonly exitCode = ExitCode.NO_CAPABLE_PEER
  constructor(message: string, hint: string) {
    super(message, {code: 'no-capable-peer', hint})
  }
}

/** `--capability`'s value, or a usage error naming the flag. */
export function assertCapability(raw: string): string {
  const cap = raw.trim()
  if (!CAP_PATTERN.test(cap)) {
    throw new UsageError(`--capability ${JSON.stringify(stripControl(cap).slice(0, 40))} is not a capability name.`, {
      hint: 'Capabilities are lowercase letters, digits and dashes (e.g. --capability gpu); claw-mesh peer list shows what each peer offers.',
    })
  }
  return cap
}

export interface CapablePeer {
  peer: string
  choice: CapabilityChoice
}

function candidateOf(record: PeerRecord, fetched: CardFetch): CapabilityCandidate {
  const probe =
    fetched.state === 'card'
      ? {state: 'card' as const, caps: fetched.card.caps}
      : fetched.state === 'no-card'
        ? {state: 'up' as const}
        : {state: 'down' as const}
  return {name: record.name, recordedCaps: record.card?.caps ?? [], probe}
}

/**
 * Probes every peer that can be asked (A2A-paired OpenClaw gateways) concurrently, records the cards that answered,
 * and chooses (chooseCapablePeer). No online peer with the capability: NoCapablePeerError naming the offline ones.
 */
export async function pickCapablePeer(
  deps: Pick<Deps, 'http' | 'store' | 'clock'>,
  capability: string,
  timeoutMs = CARD_TIMEOUT_MS,
): Promise<CapablePeer> {
  const records = Object.values(deps.store.read().peers).filter((r) => r.a2a && cardPeer(r))
  const fetched = await fetchPeerCards(deps, records, timeoutMs)
  const cards = records.map((r, i) => ({name: r.name, url: r.url, fetch: fetched[i]}))
  const at = deps.clock.now().toISOString()
  if (recordCards(deps.store.read(), cards, at)) deps.store.update((s) => void recordCards(s, cards, at))
  const choice = chooseCapablePeer(
    capability,
    records.map((r, i) => candidateOf(r, fetched[i])),
  )
  if (choice.chosen) return {peer: choice.chosen, choice}
  if (choice.offline.length > 0) {
    const byName = new Map(records.map((r, i) => [r.name, fetched[i]]))
    const why = choice.offline.map((n) => {
      const f = byName.get(n)
      return `${n} (${f && 'detail' in f ? f.detail : 'no answer'})`
    })
    throw new NoCapablePeerError(
      `No online peer offers ${capability}: ${choice.offline.length === 1 ? 'the one that does is' : 'the ones that do are'} offline: ${why.join(', ')}.`,
      `Start the gateway there (claw-mesh peer check ${choice.offline[0]}), or ask another peer by name.`,
    )
  }
  throw new NoCapablePeerError(
    `No peer offers ${capability}${records.length === 0 ? ' (no peer is paired over A2A)' : ''}.`,
    'claw-mesh peer list shows what each peer offers; a host publishes its capabilities with claw-mesh bootstrap --caps.',
  )
}
