import type {A2aPeerEntry} from '../../core/a2a/a2a-config.js'
import type {PeerRecord, State} from '../../core/common/state-schema.js'
import type {SecretStore} from '../../infra/secrets/types.js'
import {SECRET_NAMES} from '../../infra/secrets/types.js'

/** The pair's two tokens as stored (either may be missing on a half-paired or damaged peer). */
export interface PairTokensStored {
  inbound?: string
  outbound?: string
}

export async function readPairTokens(secrets: SecretStore, name: string): Promise<PairTokensStored> {
  const [inbound, outbound] = await Promise.all([
    secrets.get(SECRET_NAMES.a2aIn(name)),
    secrets.get(SECRET_NAMES.a2aOut(name)),
  ])
  return {inbound, outbound}
}

export async function writePairTokens(
  secrets: SecretStore,
  name: string,
  tokens: {inbound: string; outbound: string},
): Promise<void> {
  await secrets.set(SECRET_NAMES.a2aIn(name), tokens.inbound)
  await secrets.set(SECRET_NAMES.a2aOut(name), tokens.outbound)
}

export async function deletePairTokens(secrets: SecretStore, name: string): Promise<void> {
  await secrets.delete(SECRET_NAMES.a2aIn(name))
  await secrets.delete(SECRET_NAMES.a2aOut(name))
}

export function a2aPeers(state: State): PeerRecord[] {
  return Object.values(state.peers)
    .filter((p) => p.a2a)
    .sort((a, b) => a.name.localeCompare(b.name))
}

/** What `channels.a2a.peers` must say for every paired peer whose inbound token is in the store. */
export async function a2aPeerEntries(state: State, secrets: SecretStore): Promise<A2aPeerEntry[]> {
  const entries: A2aPeerEntry[] = []
  for (const peer of a2aPeers(state)) {
    const tokens = await readPairTokens(secrets, peer.name)
    if (!tokens.inbound) continue
    entries.push({name: peer.name, inbound: tokens.inbound, url: peer.a2a?.url, outbound: tokens.outbound})
  }
  return entries
}
