import {inviteOf, peerOf} from '../../core/common/state-schema.js'
import {assertTailnetResolution} from '../../core/pairing/peer-url.js'
import {
  assertInviteUnexpired,
  assertPairingNameFree,
  decodePairingInvite,
  decodePairingReply,
  type PairingInvite,
  type PairingReply,
  encodePairingReply,
  newPairingKey,
  pairSecrets,
  replyMacValid,
} from '../../core/pairing/a2a-pairing.js'
import {a2aEndpoint} from '../../core/a2a/a2a-protocol.js'
import {ActionNeededError, UsageError} from '../../core/common/errors.js'
import {tailnetHostnameOf} from '../../core/pairing/peer-url.js'
import {assertHostname} from '../../core/common/validate.js'
import type {Deps} from '../../deps.js'
import {SECRET_NAMES, type SecretStore} from '../../infra/secrets/types.js'
import {savePeer, type SaveAction} from '../peers/records.js'
import {selfEndpoint} from '../peers/invite.js'
import {syncA2aConfig, type A2aSync} from './sync.js'
import {writePairTokens} from './tokens.js'
import type {TrustLevel} from '../../core/pairing/pair-trust.js'
import {magicDnsSuffixSetting} from '../../core/common/settings.js'
import {settingsInput} from '../settings/input.js'

export interface PairingResult {
  name: string
  hostname?: string
  url: string
  action: SaveAction
  changes: string[]
  /** B's half: the reply line to run on A (`claw-mesh peer add --invite -` there). */
  replyInvite?: string
  /** A's half: the pair is complete. */
  completed: boolean
  sync: A2aSync
}

export interface PairingOptions {
  name?: string
  allowInsecureUrl?: boolean
  /** The pair's trust level; unset keeps the recorded one (a new pair: the invite's, else the default). */
  trust?: TrustLevel
}

/**
 * A hooks token the peer already had here (from a v1 invite or --hooks-token) keeps working for --wake — at the same
 * URL only: a token never follows a name to another address.
 */
async function keptHooksToken(
  deps: Deps,
  secrets: SecretStore,
  name: string,
  url: string,
): Promise<string | undefined> {
  const existing = peerOf(deps.store.read(), name)
  return existing?.messaging && existing.source !== 'discovered' && existing.url === url
    ? secrets.get(SECRET_NAMES.peer(name))
    : undefined
}

/** An invite pairs once: the refusal for a reply to one already used (seen before the claim, or lost the race for it). */
function inviteUsed(replier: string, record: {usedBy?: string; usedAt?: string} | undefined): UsageError {
  const by = record?.usedBy ? `, by ${record.usedBy} at ${record.usedAt}` : ''
  return new UsageError(`The invite this reply answers was already used${by}: an invite pairs once.`, {
    code: 'reply-used',
    hint: `To pair again with ${replier}, make a new invite here: claw-mesh invite`,
  })
}

export interface PairingOptions {
  name?: string
  allowInsecureUrl?: boolean
  /** The existing peer this line may replace (`--replace NAME`): without it an existing name is refused. */
  replace?: readonly string[]
  /** The tailnet's MagicDNS suffix as the caller resolved it (bootstrap's plan); unset: the settings resolver's. */
  magicDNSSuffix?: string
}

/** An invite made with `--for NAME` is completed only by a reply that names NAME. */
function assertReplyFromIntended(record: {for?: string}, replier: string): void {
  if (record.for === undefined || record.for === replier) return
  throw new UsageError(
    `This reply comes from "${replier}", but the invite it answers was made for "${record.for}" (claw-mesh invite --for ${record.for}).`,
    {
      code: 'reply-not-intended',
      hint: `Nothing was changed and the invite is still open for ${record.for}. If ${replier} should pair too, make an invite for it: claw-mesh invite --for ${replier}`,
    },
  )
}

const NEW_INVITE = (who: string) =>
  `Ask ${who} for a new invite (claw-mesh invite there), add it here, and send the reply back.`

/**
 * B's half: pair with the host that printed `raw` (a v2 invite). Mints the pair's two tokens from an X25519
 * exchange, stores and configures them, and returns the reply line for the inviter.
 */
export async function acceptInvite(
  deps: Deps,
  raw: string | PairingInvite,
  opts: PairingOptions = {},
): Promise<PairingResult> {
  const magicDNSSuffix = opts.magicDNSSuffix ?? magicDnsSuffixSetting(settingsInput(deps)).value
  // Decoded and checked already (bootstrap's --peer): only the expiry is judged again, at the moment of pairing.
  const invite =
    typeof raw === 'string'
      ? decodePairingInvite(raw, {now: deps.clock.now(), allowInsecureUrl: opts.allowInsecureUrl, magicDNSSuffix})
      : raw
  if (typeof raw !== 'string') assertInviteUnexpired(invite, deps.clock.now())
  // Plain http to a MagicDNS name only when it resolves into the tailnet (as for every peer URL).
  const addresses = await assertTailnetResolution(invite.url, deps.resolveHost, {
    allowInsecure: opts.allowInsecureUrl,
    label: "The invite's url",
    magicDNSSuffix,
  })
  const name = opts.name === undefined ? invite.name : assertHostname(opts.name, '--name')
  const self = await selfEndpoint(deps)
  if (invite.name === self.name && invite.hostname === self.hostname) {
    throw new UsageError("That is this machine's own invite.", {
      hint: 'Run `claw-mesh peer add --invite -` on the other machine, with the invite this one printed.',
    })
  }
  const existing = peerOf(deps.store.read(), name)
  if (existing?.a2a?.invite === invite.id && existing.a2a.reply && existing.url === invite.url) {
    // Answered already (a re-run of the same bootstrap): nothing changes, and the same reply is shown again.
    // Once the inviter was seen accepting our token the reply is spent there: printing it again invites a refusal.
    const reply = existing.a2a.awaitingReply ? {replyInvite: existing.a2a.reply} : {}
    return {
      name,
      hostname: invite.hostname,
      url: invite.url,
      action: 'unchanged',
      changes: [],
      ...reply,
      completed: false,
      sync: {configured: true, changed: false},
    }
  }
  assertPairingNameFree(existing, name, invite.url, opts.replace)
  const key = newPairingKey()
  const pair = pairSecrets({
    privateKey: key.privateKey,
    peerPublicKey: invite.key,
    inviteId: invite.id,
    inviter: invite.name,
    replier: self.name,
  })
  const secrets = await deps.secrets()
  // What the inviter presents to us is our inbound token; what we present to it, our outbound one.
  const extraChanges = existing ? ['A2A tokens replaced (paired again)'] : []
  const replyInvite = encodePairingReply(
    {
      name: self.name,
      hostname: self.hostname,
      url: self.url,
      invite: invite.id,
      to: invite.name,
      key: key.publicKey,
      createdAt: deps.clock.now().toISOString(),
    },
    pair.macKey,
  )
  await writePairTokens(secrets, name, {inbound: pair.inviterToReplier, outbound: pair.replierToInviter})
  const hooksToken = await keptHooksToken(deps, secrets, name, invite.url)
  const a2a = {
    url: a2aEndpoint(invite.url),
    pairedBy: 'invite' as const,
    invite: invite.id,
    reply: replyInvite,
    awaitingReply: true,
  }
  const saved = await savePeer(deps, secrets, {
    name,
    hostname: invite.hostname,
    url: invite.url,
    source: 'invite',
    token: hooksToken,
    a2a,
    extraChanges,
    addresses,
    trust: opts.trust,
  })
  const sync = await syncA2aConfig(deps)
  return {name, hostname: invite.hostname, url: invite.url, ...saved, replyInvite, completed: false, sync}
}

/** A's half: completes the pair from B's reply to one of this machine's invites. */
export async function completeReply(
  deps: Deps,
  raw: string | PairingReply,
  opts: PairingOptions = {},
): Promise<PairingResult> {
  const magicDNSSuffix = opts.magicDNSSuffix ?? magicDnsSuffixSetting(settingsInput(deps)).value
  const reply =
    typeof raw === 'string' ? decodePairingReply(raw, {allowInsecureUrl: opts.allowInsecureUrl, magicDNSSuffix}) : raw
  const addresses = await assertTailnetResolution(reply.url, deps.resolveHost, {
    allowInsecure: opts.allowInsecureUrl,
    label: "The reply's url",
    magicDNSSuffix,
  })
  const state = deps.store.read()
  const record = inviteOf(state, reply.invite)
  if (!record || reply.to !== state.identity) {
    throw new UsageError(
      `This reply from ${reply.name} answers an invite this machine did not make${reply.to !== state.identity ? ` (it is for "${reply.to}")` : ''}.`,
      {
        code: 'reply-foreign',
        hint: `Run it on the machine that printed the invite, or: ${NEW_INVITE(reply.name)}`,
      },
    )
  }
  if (record.usedBy) throw inviteUsed(reply.name, record)
  assertReplyFromIntended(record, reply.name)
  if (record.revokedAt)
    throw new UsageError(`The invite this reply answers was revoked at ${record.revokedAt}.`, {
      code: 'reply-revoked',
      hint: `Make a new invite: claw-mesh invite, and give it to ${reply.name}.`,
    })
  if (Date.parse(record.expiresAt) <= deps.clock.now().getTime()) {
    throw new UsageError(`The invite this reply answers expired at ${record.expiresAt}.`, {
      code: 'reply-expired',
      hint: `Make a new invite (claw-mesh invite) and give it to ${reply.name}; its reply must come back within the invite's lifetime.`,
    })
  }
  const secrets = await deps.secrets()
  const privateKey = await secrets.get(SECRET_NAMES.inviteKey(reply.invite))
  if (!privateKey) {
    throw new ActionNeededError(
      `The key of the invite this reply answers is missing from the secret store (${secrets.location}).`,
      {code: 'invite-key-missing', hint: `Make a new invite: claw-mesh invite, and give it to ${reply.name}.`},
    )
  }
  const pair = pairSecrets({
    privateKey,
    peerPublicKey: reply.key,
    inviteId: reply.invite,
    inviter: state.identity,
    replier: reply.name,
  })
  if (!replyMacValid(reply, pair.macKey)) {
    throw new UsageError(
      `The reply claiming to come from ${reply.name} is forged or was altered: it was not made from this machine's invite.`,
      {
        code: 'reply-forged',
        hint: `Nothing was changed. Ask ${reply.name} to run claw-mesh peer add with your invite again and send you exactly the line it prints.`,
      },
    )
  }
  const name = opts.name === undefined ? reply.name : assertHostname(opts.name, '--name')
  const known = peerOf(state, name)
  assertPairingNameFree(known, name, reply.url, opts.replace)
  // Claim the invite under the state lock before anything is written: of two replies to one invite racing here,
  // exactly one pairs (the check above read the state before any await).
  let claimed = false
  deps.store.update((s) => {
    const rec = inviteOf(s, reply.invite)
    if (rec && !rec.usedBy) {
      Object.assign(rec, {usedBy: name, usedAt: deps.clock.now().toISOString()})
      claimed = true
    }
  })
  if (!claimed) throw inviteUsed(reply.name, inviteOf(deps.store.read(), reply.invite))
  try {
    const extraChanges = known ? ['A2A tokens replaced (paired again)'] : []
    await writePairTokens(secrets, name, {inbound: pair.replierToInviter, outbound: pair.inviterToReplier})
    const hooksToken = await keptHooksToken(deps, secrets, name, reply.url)
    const saved = await savePeer(deps, secrets, {
      name,
      hostname: reply.hostname || tailnetHostnameOf(reply.url, magicDNSSuffix),
      url: reply.url,
      source: 'invite',
      token: hooksToken,
      a2a: {url: a2aEndpoint(reply.url), pairedBy: 'invite'},
      extraChanges,
      addresses,
      trust: opts.trust ?? record.trust,
    })
    await secrets.delete(SECRET_NAMES.inviteKey(reply.invite))
    const sync = await syncA2aConfig(deps)
    return {name, hostname: reply.hostname, url: reply.url, ...saved, completed: true, sync}
  } catch (error) {
    // Not paired after all: the invite is open again for the reply that failed here.
    deps.store.update((s) => {
      const rec = inviteOf(s, reply.invite)
      if (rec?.usedBy === name) Object.assign(rec, {usedBy: undefined, usedAt: undefined})
    })
    throw error
  }
}
