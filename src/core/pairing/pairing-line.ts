import {
  checkPairingInvite,
  checkPairingReply,
  pairingLineKind,
  readPairingInvite,
  readPairingReply,
  type PairingInvite,
  type PairingReply,
} from './a2a-pairing.js'
import {readInvite, validateInvite, type Invite} from './hooks-invite.js'

/**
 * A `--peer` pairing line, decoded once (bootstrap's options step) and then used by the plan, the readiness wait,
 * the apply step and the summary alike: none of them parses the text again, so they cannot disagree about it.
 * `checked` is false until the URL was judged against the tailnet's MagicDNS suffix (known once it is observed).
 */
export type PairingLine = (
  | {kind: 'invite-v2'; invite: PairingInvite}
  | {kind: 'reply'; reply: PairingReply}
  | {kind: 'invite-v1'; invite: Invite}
) & {checked: boolean}

/** Decodes the text (size, base64url, JSON, integrity, field shapes). Throws the decoders' UsageErrors. */
export function decodePairingLine(raw: string): PairingLine {
  const kind = pairingLineKind(raw)
  if (kind === 'invite-v2') return {kind, invite: readPairingInvite(raw), checked: false}
  if (kind === 'reply') return {kind, reply: readPairingReply(raw), checked: false}
  // v1, and whatever else starts like an invite: the v1 decoder names the problem (a newer version, no version…).
  return {kind: 'invite-v1', invite: readInvite(raw), checked: false}
}

/** Judges the line's URL against the tailnet (and a v2 invite's expiry at `now`): what the old one-step decoders did. */
export function checkPairingLine(
  line: PairingLine,
  opts: {now: Date; allowInsecureUrl?: boolean; magicDNSSuffix?: string},
): PairingLine {
  if (line.kind === 'invite-v2') return {kind: line.kind, invite: checkPairingInvite(line.invite, opts), checked: true}
  if (line.kind === 'reply') return {kind: line.kind, reply: checkPairingReply(line.reply, opts), checked: true}
  return {
    kind: line.kind,
    invite: validateInvite(line.invite, {allowInsecureUrl: opts.allowInsecureUrl, magicDNSSuffix: opts.magicDNSSuffix}),
    checked: true,
  }
}

/** Who the line names and where it points. */
export function pairingLineTarget(line: PairingLine): {name: string; url: string} {
  const fields = line.kind === 'reply' ? line.reply : line.invite
  return {name: fields.name, url: fields.url}
}
