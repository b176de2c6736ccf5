import {UsageError} from '../../core/common/errors.js'
import {decodeInvite, tokenProblem, validateInvite} from '../../core/pairing/hooks-invite.js'
import {checkPairingLine, type PairingLine} from '../../core/pairing/pairing-line.js'
import {
  assertTailnetResolution,
  INSECURE_URL_FLAG,
  normalizePeerUrl,
  peerHostKind,
  tailnetHostnameOf,
} from '../../core/pairing/peer-url.js'
import type {PeerRecord} from '../../core/common/state-schema.js'
import {peerOf} from '../../core/common/state-schema.js'
import {assertHostname} from '../../core/common/validate.js'
import type {Deps} from '../../deps.js'
import {savePeer, type SaveAction} from './records.js'
import {
  assertPlainAddAllowed,
  pairingLineKind,
  type PairingInvite,
  type PairingReply,
} from '../../core/pairing/a2a-pairing.js'
import {findPairingLine} from '../../core/pairing/pairing-text.js'
import {assertPinKept} from '../../core/pairing/address-pin.js'
import {acceptInvite, completeReply} from '../a2a/pairing.js'
import type {A2aSync} from '../a2a/sync.js'
import {DEFAULT_TRUST, type TrustLevel} from '../../core/pairing/pair-trust.js'
import {addForeignPeer} from './add-foreign.js'
import {magicDnsSuffixSetting} from '../../core/common/settings.js'
import {settingsInput} from '../settings/input.js'

export interface AddPeerOptions {
  /** The invite text (read from a file, stdin or an env var: never argv). */
  invite?: string
  /** `invite`, already decoded (bootstrap's options step): used instead of parsing the text again. */
  line?: PairingLine
  url?: string
  name?: string
  /** The peer's hooks token, for the URL form. Without it the peer is health-only. */
  hooksToken?: string
  allowInsecureUrl?: boolean
  /** The existing peer this may replace (`--replace NAME`): an existing name is otherwise refused or kept. */
  replace?: readonly string[]
  /** The tailnet's MagicDNS suffix: names under it count as tailnet names. Unset: the settings resolver's (recorded at join). */
  magicDNSSuffix?: string
  /** The pair's trust level (A2A pairs); unset: the recorded one, or the invite's, or the default. */
  trust?: TrustLevel
  /** A foreign A2A 1.0 agent's bearer token, for the URL form (see add-foreign.ts). */
  a2aToken?: string
}

export interface AddPeerResult {
  name: string
  hostname?: string
  url: string
  source: PeerRecord['source']
  messaging: boolean
  /** Paired over OpenClaw's A2A channel (ask, send and broadcast get replies). */
  a2a: boolean
  action: SaveAction
  changes: string[]
  /** This machine answered an invite: run this line on the inviter to complete the pair. */
  replyInvite?: string
  /** A reply completed a pair this machine started. */
  completed?: boolean
  sync?: A2aSync
  /** What the peer's messages may do here (A2A pairs). */
  trust?: TrustLevel
  /** A foreign A2A agent (not claw-mesh): its JSON-RPC endpoint. */
  kind?: 'foreign'
  endpoint?: string
}

interface Resolved {
  name: string
  hostname?: string
  url: string
  token?: string
  source: 'invite' | 'url'
}

/** Turns the options into one validated peer, or throws a UsageError before anything is written. */
export function resolvePeerInput(opts: AddPeerOptions): Resolved {
  if (opts.invite !== undefined && opts.url !== undefined) {
    throw new UsageError('Give either an invite (--invite) or a URL, not both.', {
      hint: 'An invite already carries the URL and the hooks token.',
    })
  }
  if (opts.invite === undefined && opts.url === undefined) {
    throw new UsageError('Nothing to add: give an invite or a URL.', {
      hint: 'Run `claw-mesh peer add --invite -` and paste the invite, or `claw-mesh peer add http://100.x.y.z:18789 --name NAME [--hooks-token file:PATH]`.',
    })
  }
  const name = opts.name === undefined ? undefined : assertHostname(opts.name, '--name')
  if (opts.invite !== undefined) {
    if (opts.hooksToken !== undefined) {
      throw new UsageError('--hooks-token cannot be combined with an invite: the invite carries the token.', {
        hint: 'Drop --hooks-token, or add the peer by URL instead.',
      })
    }
    // Decoded already (bootstrap's options step): validated here only if the tailnet had not judged its URL yet.
    const line = opts.line?.kind === 'invite-v1' ? opts.line : undefined
    const urlOpts = {allowInsecureUrl: opts.allowInsecureUrl, magicDNSSuffix: opts.magicDNSSuffix}
    const invite = line
      ? line.checked
        ? line.invite
        : validateInvite(line.invite, urlOpts)
      : decodeInvite(opts.invite, urlOpts)
    return {
      name: name ?? invite.name,
      hostname: invite.hostname,
      url: invite.url,
      token: invite.hooksToken,
      source: 'invite',
    }
  }
  if (name === undefined) {
    throw new UsageError('--name is required when adding a peer by URL.', {
      hint: 'Pass the name you will use with claw-mesh send, e.g. --name nova.',
    })
  }
  const url = normalizePeerUrl(opts.url as string, {
    allowInsecure: opts.allowInsecureUrl,
    magicDNSSuffix: opts.magicDNSSuffix,
  })
  if (opts.hooksToken !== undefined) {
    const problem = tokenProblem(opts.hooksToken)
    if (problem)
      throw new UsageError(`--hooks-token: the token ${problem}.`, {
        hint: "Pass the peer's hooks.token from its openclaw.json (ask the peer for `claw-mesh invite` instead: it carries everything).",
      })
  }
  return {name, hostname: tailnetHostnameOf(url, opts.magicDNSSuffix), url, token: opts.hooksToken, source: 'url'}
}

/** Adds (or updates) a peer from an invite, a pairing reply or a URL. */
export async function addPeer(deps: Deps, opts: AddPeerOptions): Promise<AddPeerResult> {
  if (opts.a2aToken !== undefined) {
    if (opts.invite !== undefined || opts.hooksToken !== undefined || opts.url === undefined) {
      throw new UsageError('--a2a-token goes with a URL only (not with --invite or --hooks-token).', {
        hint: 'claw-mesh peer add https://agent.example/ --name NAME --a2a-token file:PATH adds a foreign A2A agent; claw-mesh peers pair with --invite.',
      })
    }
    const r = await addForeignPeer(deps, {
      url: opts.url,
      name: opts.name,
      token: opts.a2aToken,
      allowInsecureUrl: opts.allowInsecureUrl,
    })
    return {
      name: r.name,
      url: r.url,
      source: 'url',
      messaging: false,
      a2a: true,
      kind: 'foreign',
      endpoint: r.endpoint,
      action: r.action,
      changes: r.changes,
    }
  }
  if (opts.invite !== undefined && !opts.line) opts = {...opts, invite: findPairingLine(opts.invite)}
  // The caller's suffix when it has one (bootstrap's plan observed it), else the resolver's: plan and apply agree.
  const magicDNSSuffix = opts.magicDNSSuffix ?? magicDnsSuffixSetting(settingsInput(deps)).value
  const kind = opts.line?.kind ?? (opts.invite === undefined ? undefined : pairingLineKind(opts.invite))
  // A line bootstrap decoded (and checked against the tailnet): the pairing reads it, never the text again.
  const line =
    opts.line && !opts.line.checked
      ? checkPairingLine(opts.line, {now: deps.clock.now(), allowInsecureUrl: opts.allowInsecureUrl, magicDNSSuffix})
      : opts.line
  if (kind === 'invite-v2' || kind === 'reply') {
    if (opts.url !== undefined)
      throw new UsageError('Give either an invite (--invite) or a URL, not both.', {
        hint: 'An invite already carries the URL.',
      })
    if (opts.hooksToken !== undefined)
      throw new UsageError('--hooks-token cannot be combined with an invite.', {
        hint: 'Drop --hooks-token: A2A pairing makes its own tokens.',
      })
    const pairOpts = {
      name: opts.name,
      allowInsecureUrl: opts.allowInsecureUrl,
      replace: opts.replace,
      trust: opts.trust,
      magicDNSSuffix,
    }
    const given =
      line?.kind === 'reply' ? line.reply : line?.kind === 'invite-v2' ? line.invite : (opts.invite as string)
    const r =
      kind === 'reply'
        ? await completeReply(deps, given as string | PairingReply, pairOpts)
        : await acceptInvite(deps, given as string | PairingInvite, pairOpts)
    const record = peerOf(deps.store.read(), r.name)
    return {
      name: r.name,
      hostname: r.hostname,
      url: r.url,
      source: 'invite',
      messaging: Boolean(record?.messaging),
      a2a: true,
      trust: record?.trust ?? DEFAULT_TRUST,
      action: r.action,
      changes: r.changes,
      completed: r.completed,
      sync: r.sync,
      ...(r.replyInvite ? {replyInvite: r.replyInvite} : {}),
    }
  }
  const peer = resolvePeerInput({...opts, magicDNSSuffix})
  deps.redactor.add(peer.token)
  const addresses = await assertTailnetResolution(peer.url, deps.resolveHost, {
    allowInsecure: opts.allowInsecureUrl,
    label: peer.source === 'invite' ? "The invite's url" : 'URL',
    magicDNSSuffix,
  })
  const state = deps.store.read()
  if (peerOf(state, peer.name)?.a2a?.kind === 'foreign') {
    throw new UsageError(
      `${peer.name} is a foreign A2A agent: adding it by URL without --a2a-token would drop its A2A record.`,
      {
        hint: `Re-add it with its token: claw-mesh peer add URL --name ${peer.name} --a2a-token file:PATH (or remove it first: claw-mesh peer remove ${peer.name}).`,
      },
    )
  }
  if (peer.source === 'invite' && state.identity === peer.name && peer.hostname === state.tailscale?.hostname) {
    throw new UsageError("That is this machine's own invite.", {
      hint: 'Run `claw-mesh peer add` on the other machine, with the invite this one printed.',
    })
  }
  assertPlainAddAllowed(peerOf(state, peer.name), peer.name, peer.url, peer.source, opts.replace)
  assertPinKept(peerOf(state, peer.name), peer.name, peer.url, addresses, opts.replace)
  const url = new URL(peer.url)
  if (opts.allowInsecureUrl && !['tailnet-ip', 'tailnet-name'].includes(peerHostKind(url.hostname, magicDNSSuffix))) {
    deps.io.err(
      `warning: ${INSECURE_URL_FLAG}: ${peer.name} is outside the tailnet (${url.hostname}); ${url.protocol === 'http:' ? 'messages and its hooks token travel unencrypted' : 'its hooks token goes wherever that host is'}.\n`,
    )
  }
  const secrets = await deps.secrets()
  const saved = await savePeer(deps, secrets, {
    name: peer.name,
    hostname: peer.hostname,
    url: peer.url,
    source: peer.source,
    token: peer.token,
    addresses,
  })
  return {
    name: peer.name,
    hostname: peer.hostname,
    url: peer.url,
    source: peer.source,
    messaging: Boolean(peer.token),
    a2a: false,
    ...saved,
  }
}
