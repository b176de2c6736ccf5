import {mintToken} from '../../core/pairing/a2a-pairing.js'
import {UsageError} from '../../core/common/errors.js'
import type {Deps} from '../../deps.js'
import {SECRET_NAMES} from '../../infra/secrets/types.js'
import {syncA2aConfig, type A2aSync} from '../a2a/sync.js'
import {requirePeer} from '../peers/records.js'

export interface PeerRotateResult {
  peer: string
  /** The token the peer presented is refused from now on (once the running gateway reloaded, ~2.5 s). */
  revoked: true
  sync: A2aSync
  next: string
}

/**
 * `claw-mesh token rotate --peer NAME`: ends the pair's current A2A tokens. The inbound token becomes a fresh random
 * one nobody holds (so the peer's copy is refused) and the outbound one is deleted; pairing again with a new invite
 * gives both sides new tokens. A fleet member's tokens are derived from the mesh secret: that is rotated fleet-wide.
 */
export async function rotatePeerTokens(deps: Deps, name: string): Promise<PeerRotateResult> {
  const record = requirePeer(deps.store.read(), name)
  if (!record.a2a)
    throw new UsageError(`${name} is not paired over A2A: it has no A2A tokens to rotate.`, {
      hint: "Rotate this machine's hooks token instead: claw-mesh token rotate --hooks.",
    })
  if (record.a2a.pairedBy === 'fleet') {
    throw new UsageError(
      `${name}'s A2A tokens are derived from the fleet's mesh secret: they cannot be rotated for one peer.`,
      {
        hint: 'Rotate the mesh secret: re-run claw-mesh bootstrap with a new --mesh-secret on every host of the fleet (or remove this peer: claw-mesh peer remove NAME).',
      },
    )
  }
  const secrets = await deps.secrets()
  await secrets.set(SECRET_NAMES.a2aIn(name), mintToken())
  await secrets.delete(SECRET_NAMES.a2aOut(name))
  const sync = await syncA2aConfig(deps)
  return {
    peer: name,
    revoked: true,
    sync,
    next: `Pair again (both sides already know each other, so each replaces its record): claw-mesh invite --for ${name} here, claw-mesh peer add --invite - --replace ${deps.store.read().identity ?? 'THIS-HOST'} on ${name}, then run the reply it prints here with claw-mesh peer add --invite - --replace ${name}.`,
  }
}
