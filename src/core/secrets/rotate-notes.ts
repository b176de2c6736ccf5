import type {PeerRecord} from '../common/state-schema.js'

/**
 * What each kind of peer needs after this machine's hooks token changed. A2A pairs have tokens of their own, and an
 * invite carries no hooks token, so only the peers that post to /hooks with it (hooks-only peers) need anything: the new
 * token itself.
 */
export function hooksRotationNotes(peers: Pick<PeerRecord, 'name' | 'url' | 'messaging' | 'a2a'>[]): string[] {
  const hooks = peers.filter((p) => p.messaging && !p.a2a)
  const a2a = peers.filter((p) => p.a2a)
  const notes: string[] = []
  if (a2a.length > 0)
    notes.push(`A2A peers need nothing (their pairs have their own tokens): ${a2a.map((p) => p.name).join(', ')}.`)
  if (hooks.length > 0) {
    notes.push(
      `Hooks-only peers need the new hooks token (hooks.token in this machine's openclaw.json; an invite does not carry it): ${hooks.map((p) => p.name).join(', ')}. ` +
        'On each, run: claw-mesh peer add URL_OF_THIS_MACHINE --name NAME_OF_THIS_MACHINE --hooks-token file:PATH',
    )
  }
  if (notes.length === 0) notes.push('No peer uses the hooks token: nothing else to do.')
  return notes
}
