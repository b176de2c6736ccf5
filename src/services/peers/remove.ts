import type {Deps} from '../../deps.js'
import {SECRET_NAMES} from '../../infra/secrets/types.js'
import {noteSecretName, requirePeer} from './records.js'

export interface RemovePeerResult {
  name: string
  url: string
  /** Whether a per-peer hooks token was deleted from the secret store. */
  tokenDeleted: boolean
  /** Discovered peers come back on the next `peer discover` while they stay in the tailnet. */
  rediscoverable: boolean
}

/** Removes a peer and its own hooks token. The shared mesh secret stays: other discovered peers use it. */
export async function removePeer(deps: Deps, name: string): Promise<RemovePeerResult> {
  const record = requirePeer(deps.store.read(), name)
  const secrets = await deps.secrets()
  const tokenDeleted = await secrets.delete(SECRET_NAMES.peer(name))
  deps.store.update((state) => {
    delete state.peers[name]
    noteSecretName(state, SECRET_NAMES.peer(name), false)
  })
  return {name, url: record.url, tokenDeleted, rediscoverable: record.source === 'discovered'}
}
