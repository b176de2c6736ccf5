import type {Deps} from '../../deps.js'
import {syncA2aConfig, type A2aSync} from '../a2a/sync.js'
import {deletePairTokens} from '../a2a/tokens.js'
import {SECRET_NAMES} from '../../infra/secrets/types.js'
import {noteSecretName, requirePeer} from './records.js'

export interface RemovePeerResult {
  name: string
  url: string
  /** Whether a per-peer hooks token was deleted from the secret store. */
  tokenDeleted: boolean
  /** Discovered peers come back on the next `peer discover` while they stay in the tailnet. */
  rediscoverable: boolean
  /** The peer's entry left channels.a2a.peers in openclaw.json (its A2A tokens stop working at once). */
  a2a?: A2aSync
}

/**
 * Removes a peer, its own hooks token and the pair's A2A tokens, and takes its entry out of channels.a2a.peers
 * (the running gateway reloads it: the peer's token is refused from then on). The mesh secret stays.
 */
export async function removePeer(deps: Deps, name: string): Promise<RemovePeerResult> {
  const record = requirePeer(deps.store.read(), name)
  const secrets = await deps.secrets()
  const tokenDeleted = await secrets.delete(SECRET_NAMES.peer(name))
  await deletePairTokens(secrets, name)
  deps.store.update((state) => {
    delete state.peers[name]
    noteSecretName(state, SECRET_NAMES.peer(name), false)
  })
  const a2a = record.a2a ? await syncA2aConfig(deps) : undefined
  return {name, url: record.url, tokenDeleted, rediscoverable: record.source === 'discovered', ...(a2a ? {a2a} : {})}
}
