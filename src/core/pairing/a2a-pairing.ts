import {
  createHash,
  createHmac,
  createPrivateKey,
  createPublicKey,
  diffieHellman,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto'
import {UsageError} from '../common/errors.js'
import {normalizePeerUrl} from './peer-url.js'
import {dnsLabelProblem, truncate} from '../common/validate.js'

/**
 * Pairing two hosts for OpenClaw's A2A channel in two one-line messages, neither of which is a credential:
 *
 * 1. A prints an invite (`claw-mesh-invite:v2:…`): its name, gateway URL, a one-time invite id, an expiry and an
 *    ephemeral X25519 public key. A keeps the private key in its secret store under the invite id.
 * 2. B reads it, makes its own X25519 key pair, derives the shared secret, and from it the pair's two tokens
 *    (what A presents to B, what B presents to A) with HKDF, bound to both names and the invite id. B configures
 *    itself and prints a reply (`claw-mesh-reply:v1:…`): its name, URL and public key, plus a MAC under a key
 *    derived from the same secret.
 * 3. A reads the reply, checks the invite id is its own, unused, unrevoked and unexpired, derives the same secret
 *    with its private key, checks the MAC (a forged or altered reply fails here), and configures itself.
 *
 * Someone who copies both lines learns two public keys: no token. (An attacker who can *replace* the invite in
 * transit could pair with A as B: the invite must still travel over a channel the user trusts for integrity.)
 */
export const INVITE_V2_PREFIX = 'claw-mesh-invite:v2:'
export const REPLY_PREFIX = 'claw-mesh-reply:v1:'
export const DEFAULT_INVITE_TTL_MS = 24 * 60 * 60 * 1000
export const MAX_PAIRING_LINE_BYTES = 4096
/** Every token claw-mesh mints or derives: 32 random or HKDF bytes, base64url (43 characters, 256 bits). */
export const TOKEN_BYTES = 32

export interface PairingInvite {
  name: string
  hostname: string
  /** The gateway origin peers use (http://100.x.y.z:18789 or https://<magicdns>). */
  url: string
  /** One-time id of this invite (also the HKDF salt). */
  id: string
  /** X25519 public key, raw 32 bytes base64url. */
  key: string
  createdAt: string
  expiresAt: string
  tailnet?: string
}

export interface PairingReply {
  /** The replying host (B). */
  name: string
  hostname: string
  url: string
  /** The invite this answers (A's id) and whom it is for. */
  invite: string
  to: string
  key: string
  createdAt: string
  mac: string
}

export interface PairTokens {
  /** What the inviter (A) presents to the replier (B): B's inbound token for A, A's outbound token to B. */
  inviterToReplier: string
  /** What B presents to A. */
  replierToInviter: string
}

const HOW_TO_GET_ONE = 'Ask the peer to run `claw-mesh invite` again and send you the whole line.'
const ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/
const KEY_PATTERN = /^[A-Za-z0-9_-]{43}$/

const b64u = (buf: Buffer) => buf.toString('base64url')

/** A fresh random token (256 bits). */
export function mintToken(random: (n: number) => Buffer = randomBytes): string {
  return b64u(random(TOKEN_BYTES))
}

export function newInviteId(random: (n: number) => Buffer = randomBytes): string {
  return b64u(random(16))
}

/** An ephemeral X25519 key pair: the public key raw (base64url), the private key PKCS#8 DER (base64url, a secret). */
export function newPairingKey(): {publicKey: string; privateKey: string} {
  const {publicKey, privateKey} = generateKeyPairSync('x25519')
  return {
    publicKey: publicKey.export({format: 'jwk'}).x as string,
    privateKey: b64u(privateKey.export({format: 'der', type: 'pkcs8'})),
  }
}

function sharedSecret(privateKey: string, publicKey: string): Buffer {
  const priv = createPrivateKey({key: Buffer.from(privateKey, 'base64url'), format: 'der', type: 'pkcs8'})
  const pub = createPublicKey({key: {kty: 'OKP', crv: 'X25519', x: publicKey}, format: 'jwk'})
  return diffieHellman({privateKey: priv, publicKey: pub})
}

function derive(secret: Buffer, salt: string, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, Buffer.from(salt, 'utf8'), Buffer.from(info, 'utf8'), TOKEN_BYTES))
}

/** The pair's tokens and MAC key from one side's private key and the other's public key. */
export function pairSecrets(input: {
  privateKey: string
  peerPublicKey: string
  inviteId: string
  inviter: string
  replier: string
}): PairTokens & {macKey: Buffer} {
  const secret = sharedSecret(input.privateKey, input.peerPublicKey)
  const base = `claw-mesh a2a pair v1|${input.inviter}|${input.replier}`
  return {
    inviterToReplier: b64u(derive(secret, input.inviteId, `${base}|inviter>replier`)),
    replierToInviter: b64u(derive(secret, input.inviteId, `${base}|replier>inviter`)),
    macKey: derive(secret, input.inviteId, `${base}|reply-mac`),
  }
}

/**
 * Fleet mode: the token `from` presents to `to`, derived from the mesh secret and the ordered pair of names. Every
 * member can compute every pair's tokens (that is what a leaked mesh secret gives away), but a token sent to one
 * node works only as that sender, toward that receiver.
 */
export function fleetToken(meshSecret: string, from: string, to: string): string {
  return b64u(derive(Buffer.from(meshSecret, 'utf8'), 'claw-mesh fleet v1', `a2a|${from}>${to}`))
}

/** Fleet mode: a host's own hooks token, so the mesh secret itself never travels. */
export function fleetHooksToken(meshSecret: string, host: string): string {
  return b64u(derive(Buffer.from(meshSecret, 'utf8'), 'claw-mesh fleet v1', `hooks|${host}`))
}

function canonical(fields: Record<string, unknown>, skip: string): string {
  return JSON.stringify(
    Object.fromEntries(
      Object.entries(fields)
        .filter(([k, v]) => k !== skip && v !== undefined)
        .sort(([a], [b]) => a.localeCompare(b)),
    ),
  )
}

function checksum(fields: Record<string, unknown>): string {
  return createHash('sha256').update(canonical(fields, 'check')).digest('hex').slice(0, 16)
}

function replyMac(reply: Omit<PairingReply, 'mac'> | PairingReply, macKey: Buffer): string {
  return createHmac('sha256', macKey)
    .update(canonical(reply as unknown as Record<string, unknown>, 'mac'))
    .digest('base64url')
}

function encodeLine(prefix: string, fields: Record<string, unknown>): string {
  return `${prefix}${b64u(Buffer.from(JSON.stringify(fields), 'utf8'))}`
}

/** Which kind of pairing line this is, by prefix (whitespace ignored), or undefined. */
export function pairingLineKind(raw: string): 'invite-v2' | 'reply' | 'invite-v1' | undefined {
  const text = raw.replace(/\s+/g, '')
  if (text.startsWith(INVITE_V2_PREFIX)) return 'invite-v2'
  if (text.startsWith(REPLY_PREFIX)) return 'reply'
  if (text.startsWith('claw-mesh-invite:v1:')) return 'invite-v1'
  return undefined
}

function decodeLine(raw: string, prefix: string, what: string): Record<string, unknown> {
  if (Buffer.byteLength(raw, 'utf8') > MAX_PAIRING_LINE_BYTES) {
    throw new UsageError(
      `The ${what} is ${Buffer.byteLength(raw, 'utf8')} bytes long; a claw-mesh ${what} is well under ${MAX_PAIRING_LINE_BYTES}.`,
      {hint: `Pass only the single line that starts with ${prefix}`},
    )
  }
  const body = raw.replace(/\s+/g, '').slice(prefix.length)
  const damaged = (why: string) =>
    new UsageError(`The ${what} is ${why}.`, {code: `${what}-damaged`, hint: HOW_TO_GET_ONE})
  if (!/^[A-Za-z0-9_-]+$/.test(body)) throw damaged('corrupted: it contains characters that never appear in one')
  let data: unknown
  try {
    data = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
  } catch {
    throw damaged('incomplete or corrupted (was it cut off when copied?)')
  }
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw damaged('corrupted (its content is not a claw-mesh pairing line)')
  return data as Record<string, unknown>
}

function requireString(fields: Record<string, unknown>, key: string, what: string, max = 512): string {
  const v = fields[key]
  if (typeof v !== 'string' || v === '')
    throw new UsageError(`The ${what}'s ${key} is missing.`, {code: `${what}-damaged`, hint: HOW_TO_GET_ONE})
  if (v.length > max)
    throw new UsageError(`The ${what}'s ${key} is longer than ${max} characters.`, {
      code: `${what}-damaged`,
      hint: HOW_TO_GET_ONE,
    })
  return v
}

function checkName(value: string, what: string, field: string): void {
  const problem = dnsLabelProblem(value)
  if (problem)
    throw new UsageError(
      `The ${what}'s ${field} ${JSON.stringify(truncate(value))} is not a valid name: it ${problem}.`,
      {code: `${what}-damaged`, hint: HOW_TO_GET_ONE},
    )
}

function checkDate(value: string, what: string, field: string): void {
  if (Number.isNaN(Date.parse(value)))
    throw new UsageError(`The ${what}'s ${field} is not a date.`, {code: `${what}-damaged`, hint: HOW_TO_GET_ONE})
}

export function encodePairingInvite(invite: PairingInvite): string {
  const fields: Record<string, unknown> = {...invite}
  return encodeLine(INVITE_V2_PREFIX, {...fields, check: checksum(fields)})
}

/** Decodes and validates an invite line; `now` decides expiry. Never quotes the line. */
export function decodePairingInvite(
  raw: string,
  opts: {now: Date; allowInsecureUrl?: boolean; magicDNSSuffix?: string},
): PairingInvite {
  return checkPairingInvite(readPairingInvite(raw), opts)
}

/**
 * The decoding half of decodePairingInvite: size, base64url, JSON, integrity and every field but the URL, which is
 * judged with the tailnet's MagicDNS suffix (checkPairingInvite), known only once the tailnet is observed.
 */
export function readPairingInvite(raw: string): PairingInvite {
  const fields = decodeLine(raw, INVITE_V2_PREFIX, 'invite')
  if (typeof fields.check !== 'string' || checksum(fields) !== fields.check) {
    throw new UsageError('The invite is damaged or was changed: its integrity check does not match.', {
      code: 'invite-damaged',
      hint: HOW_TO_GET_ONE,
    })
  }
  const invite: PairingInvite = {
    name: requireString(fields, 'name', 'invite', 63),
    hostname: requireString(fields, 'hostname', 'invite', 63),
    url: requireString(fields, 'url', 'invite'),
    id: requireString(fields, 'id', 'invite', 64),
    key: requireString(fields, 'key', 'invite', 43),
    createdAt: requireString(fields, 'createdAt', 'invite', 40),
    expiresAt: requireString(fields, 'expiresAt', 'invite', 40),
  }
  if (typeof fields.tailnet === 'string' && fields.tailnet.length <= 253) invite.tailnet = fields.tailnet
  checkName(invite.name, 'invite', 'name')
  checkName(invite.hostname, 'invite', 'hostname')
  if (!ID_PATTERN.test(invite.id))
    throw new UsageError("The invite's id is malformed.", {code: 'invite-damaged', hint: HOW_TO_GET_ONE})
  if (!KEY_PATTERN.test(invite.key))
    throw new UsageError("The invite's pairing key is malformed.", {code: 'invite-damaged', hint: HOW_TO_GET_ONE})
  checkDate(invite.createdAt, 'invite', 'creation time')
  checkDate(invite.expiresAt, 'invite', 'expiry')
  return invite
}

/** The checking half: the URL against the tailnet (normalised), and expiry at `now`. */
export function checkPairingInvite(
  invite: PairingInvite,
  opts: {now: Date; allowInsecureUrl?: boolean; magicDNSSuffix?: string},
): PairingInvite {
  const url = normalizePeerUrl(invite.url, {
    allowInsecure: opts.allowInsecureUrl,
    tailnetOnly: true,
    label: "The invite's url",
    magicDNSSuffix: opts.magicDNSSuffix,
  })
  assertInviteUnexpired(invite, opts.now)
  return {...invite, url}
}

export function assertInviteUnexpired(invite: PairingInvite, now: Date): void {
  if (Date.parse(invite.expiresAt) <= now.getTime()) {
    throw new UsageError(`The invite from ${invite.name} expired at ${invite.expiresAt}.`, {
      code: 'invite-expired',
      hint: `Ask ${invite.name} for a new one: claw-mesh invite (it is valid for 24 h; --expires sets another lifetime).`,
    })
  }
}

export function encodePairingReply(reply: Omit<PairingReply, 'mac'>, macKey: Buffer): string {
  return encodeLine(REPLY_PREFIX, {...reply, mac: replyMac(reply, macKey)})
}

/** Parses a reply line's fields (no MAC check: that needs the inviter's private key, see verifyPairingReply). */
export function decodePairingReply(
  raw: string,
  opts: {allowInsecureUrl?: boolean; magicDNSSuffix?: string},
): PairingReply {
  return checkPairingReply(readPairingReply(raw), opts)
}

/** The decoding half of decodePairingReply: every field but the URL (checkPairingReply judges it). */
export function readPairingReply(raw: string): PairingReply {
  const fields = decodeLine(raw, REPLY_PREFIX, 'reply')
  const reply: PairingReply = {
    name: requireString(fields, 'name', 'reply', 63),
    hostname: requireString(fields, 'hostname', 'reply', 63),
    url: requireString(fields, 'url', 'reply'),
    invite: requireString(fields, 'invite', 'reply', 64),
    to: requireString(fields, 'to', 'reply', 63),
    key: requireString(fields, 'key', 'reply', 43),
    createdAt: requireString(fields, 'createdAt', 'reply', 40),
    mac: requireString(fields, 'mac', 'reply', 64),
  }
  checkName(reply.name, 'reply', 'name')
  checkName(reply.hostname, 'reply', 'hostname')
  checkDate(reply.createdAt, 'reply', 'creation time')
  if (!KEY_PATTERN.test(reply.key))
    throw new UsageError("The reply's pairing key is malformed.", {code: 'reply-damaged', hint: HOW_TO_GET_ONE})
  return reply
}

/** The checking half: the reply's URL against the tailnet, normalised. */
export function checkPairingReply(
  reply: PairingReply,
  opts: {allowInsecureUrl?: boolean; magicDNSSuffix?: string},
): PairingReply {
  return {
    ...reply,
    url: normalizePeerUrl(reply.url, {
      allowInsecure: opts.allowInsecureUrl,
      tailnetOnly: true,
      label: "The reply's url",
      magicDNSSuffix: opts.magicDNSSuffix,
    }),
  }
}

/** True when the reply's MAC matches the secret this side derives: the reply was made from our invite's key. */
export function replyMacValid(reply: PairingReply, macKey: Buffer): boolean {
  const want = Buffer.from(replyMac(reply, macKey), 'utf8')
  const got = Buffer.from(reply.mac, 'utf8')
  return want.length === got.length && timingSafeEqual(want, got)
}

/**
 * A pairing line (invite or reply) names its sender, and anyone who saw the invite can make one. A line that carries
 * the name of a peer already recorded here would replace that peer's tokens — and, at another URL, re-point its
 * `ask`s there. Refused unless the user named that peer with `--replace NAME`.
 */
export function assertPairingNameFree(
  existing: {url: string} | undefined,
  name: string,
  url: string,
  replace: readonly string[] = [],
): void {
  if (!existing || replace.includes(name)) return
  const moved = existing.url === url ? '' : `, not ${url}`
  throw new UsageError(
    `A pairing line names "${name}", but the peer ${name} here is at ${existing.url}${moved}: pairing would replace its tokens${moved ? ' and re-point it to another address' : ''}.`,
    {
      code: 'peer-name-taken',
      hint: `If this line really comes from ${name}, run it again with --replace ${name} (url ${existing.url} → ${url}); or give the new peer another name with --name, or remove the old record first (claw-mesh peer remove ${name}). Nothing was changed.`,
    },
  )
}

/**
 * Adding by URL or with a v1 invite: a peer already recorded at another URL is re-pointed only with `--replace NAME`,
 * and a peer paired over A2A is never turned into a hooks-only one (its A2A pair would stay half-configured).
 */
export function assertPlainAddAllowed(
  existing: {url: string; a2a?: unknown} | undefined,
  name: string,
  url: string,
  how: 'url' | 'invite',
  replace: readonly string[] = [],
): void {
  if (!existing) return
  if (existing.a2a) {
    throw new UsageError(
      `The peer ${name} is paired over A2A: ${how === 'invite' ? 'an old (v1) invite' : 'adding it by URL'} would turn that pair off and leave it half-configured.`,
      {
        code: 'peer-downgrade',
        hint: `Nothing was changed. To pair again, ask ${name} for a new invite (claw-mesh invite there); to really replace it, remove it first: claw-mesh peer remove ${name}.`,
      },
    )
  }
  if (existing.url === url || replace.includes(name)) return
  throw new UsageError(
    `The peer ${name} here is at ${existing.url}, not ${url}: adding it again would re-point it (and its messages) to another address.`,
    {
      code: 'peer-name-taken',
      hint: `If ${name} really moved, run it again with --replace ${name}; or give the new peer another name with --name. Nothing was changed.`,
    },
  )
}
