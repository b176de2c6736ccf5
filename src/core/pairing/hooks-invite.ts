import {createHash} from 'node:crypto'
import {UsageError} from '../common/errors.js'
import {normalizePeerUrl} from './peer-url.js'
import {dnsLabelProblem, truncate} from '../common/validate.js'

/**
 * An invite is one line a user copies to another machine: `claw-mesh-invite:v1:<base64url(JSON)>`.
 * The JSON carries who the host is, where its gateway listens and its hooks token, plus `check`: a truncated
 * SHA-256 of the other fields, so an invite cut short or mangled in a chat window is refused instead of
 * half-working. (It is a checksum, not a signature: the invite is a bearer secret either way.)
 */
export interface Invite {
  /** The host's claw-mesh identity, used as the peer's name. */
  name: string
  /** Its Tailscale hostname (`openclaw-<identity>` by default). */
  hostname: string
  /** The gateway URL peers use. */
  url: string
  /** The host's hooks token (a secret). */
  hooksToken: string
  tailnet?: string
  createdAt: string
}

export const INVITE_PREFIX = 'claw-mesh-invite:'
export const INVITE_VERSION = 1
export const MAX_INVITE_BYTES = 4096
export const MIN_TOKEN_LENGTH = 16

const FIELDS = ['name', 'hostname', 'url', 'hooksToken', 'tailnet', 'createdAt'] as const
const HOW_TO_GET_ONE =
  'Ask the peer to run `claw-mesh invite` again and send you the whole line over a trusted channel.'

function checksum(fields: Record<string, unknown>): string {
  const canonical = JSON.stringify(
    Object.fromEntries(
      Object.entries(fields)
        .filter(([k]) => k !== 'check')
        .sort(([a], [b]) => a.localeCompare(b)),
    ),
  )
  return createHash('sha256').update(canonical).digest('hex').slice(0, 16)
}

/** Why a hooks token is unusable, or undefined when it is fine. Never includes the token. */
export function tokenProblem(token: string): string | undefined {
  if (token.length < MIN_TOKEN_LENGTH) return `is ${token.length} characters long (at least ${MIN_TOKEN_LENGTH})`
  if (token.length > 1024) return 'is longer than 1024 characters'
  if (!/^[\x21-\x7e]+$/.test(token)) return 'contains spaces, control or non-ASCII characters'
  return undefined
}

/** Validates every field (throws UsageError naming the field) and returns the invite with its URL normalised. */
export function validateInvite(
  invite: Invite,
  opts: {allowInsecureUrl?: boolean; label?: string; magicDNSSuffix?: string} = {},
): Invite {
  const label = opts.label ?? "The invite's"
  const bad = (field: string, problem: string, hint = HOW_TO_GET_ONE) =>
    new UsageError(`${label} ${field} ${problem}.`, {hint})
  const labels = {
    name: 'name',
    hostname: 'hostname',
    url: 'url',
    hooksToken: 'hooks token',
    createdAt: 'creation time',
  } as const
  for (const field of Object.keys(labels) as Array<keyof typeof labels>) {
    if (typeof invite[field] !== 'string' || invite[field] === '') throw bad(labels[field], 'is missing')
  }
  const nameProblem = dnsLabelProblem(invite.name)
  if (nameProblem)
    throw bad(
      `name ${JSON.stringify(truncate(invite.name))}`,
      `is not a valid name: it ${nameProblem}`,
      'Add it with another name: --name NAME (lower-case letters, digits, hyphens).',
    )
  const hostProblem = dnsLabelProblem(invite.hostname)
  if (hostProblem)
    throw bad(
      `hostname ${JSON.stringify(truncate(invite.hostname))}`,
      `is not a valid Tailscale hostname: it ${hostProblem}`,
    )
  const token = tokenProblem(invite.hooksToken)
  if (token) throw bad('hooks token', token)
  if (invite.tailnet !== undefined && (typeof invite.tailnet !== 'string' || invite.tailnet.length > 253))
    throw bad('tailnet', 'is not a tailnet name')
  if (Number.isNaN(Date.parse(invite.createdAt)))
    throw bad('creation time', `${JSON.stringify(truncate(invite.createdAt))} is not a date`)
  const url = normalizePeerUrl(invite.url, {
    allowInsecure: opts.allowInsecureUrl,
    tailnetOnly: true,
    label: `${label} url`,
    magicDNSSuffix: opts.magicDNSSuffix,
  })
  const out: Invite = {
    name: invite.name,
    hostname: invite.hostname,
    url,
    hooksToken: invite.hooksToken,
    createdAt: invite.createdAt,
  }
  if (invite.tailnet) out.tailnet = invite.tailnet
  return out
}

export function encodeInvite(invite: Invite): string {
  const valid = validateInvite(invite, {allowInsecureUrl: true, label: "This host's"})
  const fields: Record<string, unknown> = {}
  for (const key of FIELDS) if (valid[key] !== undefined) fields[key] = valid[key]
  const body = Buffer.from(JSON.stringify({...fields, check: checksum(fields)}), 'utf8').toString('base64url')
  return `${INVITE_PREFIX}v${INVITE_VERSION}:${body}`
}

/**
 * Decodes and validates an invite. Whitespace anywhere is ignored (terminals and chat apps wrap long lines).
 * Every failure is a UsageError that never quotes the invite (it holds a token).
 */
export function decodeInvite(raw: string, opts: {allowInsecureUrl?: boolean; magicDNSSuffix?: string} = {}): Invite {
  return validateInvite(readInvite(raw), {allowInsecureUrl: opts.allowInsecureUrl, magicDNSSuffix: opts.magicDNSSuffix})
}

/**
 * Only the decoding half of decodeInvite: size, prefix, version, base64url, JSON and the integrity check. The fields
 * are still unvalidated (validateInvite judges them, and the URL needs the tailnet's MagicDNS suffix).
 */
export function readInvite(raw: string): Invite {
  if (Buffer.byteLength(raw, 'utf8') > MAX_INVITE_BYTES) {
    throw new UsageError(
      `The invite is ${Buffer.byteLength(raw, 'utf8')} bytes long; a claw-mesh invite is well under ${MAX_INVITE_BYTES}.`,
      {
        hint: `Pass only the single line that starts with ${INVITE_PREFIX}. ${HOW_TO_GET_ONE}`,
      },
    )
  }
  const text = raw.replace(/\s+/g, '')
  if (!text.startsWith(INVITE_PREFIX)) {
    throw new UsageError(`That is not a claw-mesh invite (it does not start with ${INVITE_PREFIX}).`, {
      hint: HOW_TO_GET_ONE,
    })
  }
  const match = /^v(\d+):(.*)$/.exec(text.slice(INVITE_PREFIX.length))
  if (!match)
    throw new UsageError('The invite has no version (expected claw-mesh-invite:v1:…).', {hint: HOW_TO_GET_ONE})
  const version = Number(match[1])
  if (version > INVITE_VERSION + 1) {
    throw new UsageError(
      `The invite is version ${version}, made by a newer claw-mesh; this claw-mesh reads versions 1 and 2.`,
      {
        code: 'invite-too-new',
        hint: 'Upgrade claw-mesh on this machine (npm install -g claw-mesh@latest), then add the invite again.',
      },
    )
  }
  if (version === INVITE_VERSION + 1)
    throw new UsageError('That is a v2 (A2A pairing) invite: add it with claw-mesh peer add --invite.', {
      hint: HOW_TO_GET_ONE,
    })
  if (version !== INVITE_VERSION)
    throw new UsageError(`The invite version ${version} is not supported (expected v${INVITE_VERSION}).`, {
      hint: HOW_TO_GET_ONE,
    })
  const body = match[2]
  const damaged = (what: string) =>
    new UsageError(`The invite is ${what}.`, {code: 'invite-damaged', hint: HOW_TO_GET_ONE})
  if (body === '') throw damaged('empty after the version')
  if (!/^[A-Za-z0-9_-]+$/.test(body)) throw damaged('corrupted: it contains characters that never appear in an invite')
  let data: unknown
  try {
    data = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'))
  } catch {
    throw damaged('incomplete or corrupted (was it cut off when copied?)')
  }
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw damaged('corrupted (its content is not an invite)')
  const fields = data as Record<string, unknown>
  if (typeof fields.check !== 'string') throw damaged('corrupted (its integrity check is missing)')
  if (checksum(fields) !== fields.check) throw damaged('damaged or was changed: its integrity check does not match')
  return Object.fromEntries(
    FIELDS.filter((k) => fields[k] !== undefined).map((k) => [k, fields[k]]),
  ) as unknown as Invite
}
