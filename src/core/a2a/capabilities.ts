import {UsageError} from '../common/errors.js'
import {stripControl} from '../common/terminal-text.js'

/**
 * What a host says it offers (`--caps gpu,macos,imessage`) and a line about it (`--description`). Pure. The same
 * rules judge this host's own flags (a bad one is a usage error naming the flag) and a peer's card (untrusted: a bad
 * capability is dropped, not fatal).
 */
export const CAP_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/
export const MAX_CAPS = 16
export const MAX_DESCRIPTION = 200

/** This host's self-description as recorded in state and in the plugin's config. */
export interface SelfDescription {
  caps: string[]
  description?: string
}

/** Newlines, tabs and every terminal control out; whitespace runs folded into one space (a description is one line). */
export function cleanDescription(text: string): string {
  return stripControl(text).replace(/\s+/g, ' ').trim()
}

/**
 * `--caps` → the sorted, deduplicated list. Empty string clears. Strict: one bad name, too many, and nothing is
 * changed (the caller has not written anything yet).
 */
export function parseCapsFlag(raw: string, flag = '--caps'): string[] {
  const names = raw
    .split(',')
    .map((c) => c.trim())
    .filter((c) => c !== '')
  const bad = names.find((c) => !CAP_PATTERN.test(c))
  if (bad !== undefined) {
    throw new UsageError(`${flag} ${JSON.stringify(stripControl(bad).slice(0, 40))} is not a capability name.`, {
      hint: `Capabilities are lowercase letters, digits and dashes, starting with a letter or digit, at most 32 characters (e.g. ${flag} gpu,macos,imessage); ${flag} '' clears them.`,
    })
  }
  const caps = [...new Set(names)].sort()
  if (caps.length > MAX_CAPS)
    throw new UsageError(`${flag} names ${caps.length} capabilities; at most ${MAX_CAPS} are allowed.`, {
      hint: 'Keep the ones peers choose a host by (e.g. gpu, macos).',
    })
  return caps
}

/** `--description`: control characters stripped, at most 200 characters (refused, not cut: the user would not see it cut). */
export function parseDescriptionFlag(raw: string, flag = '--description'): string | undefined {
  const text = cleanDescription(raw)
  if (text.length > MAX_DESCRIPTION)
    throw new UsageError(`${flag} is ${text.length} characters long; at most ${MAX_DESCRIPTION} are allowed.`, {
      hint: 'Say in one line what this host is (e.g. "Mac Studio with the GPU").',
    })
  return text === '' ? undefined : text
}

/** `--caps` and `--description` as validated: absent = keep what is recorded; `[]` / `''` = clear. */
export interface SelfFlags {
  caps?: string[]
  description?: string
}

/** The two flags → validated values, or a usage error naming the flag (before anything is read or written). */
export function parseSelfFlags(flags: {caps?: string; description?: string}): SelfFlags {
  const out: SelfFlags = {}
  if (flags.caps !== undefined) out.caps = parseCapsFlag(flags.caps)
  if (flags.description !== undefined) out.description = parseDescriptionFlag(flags.description) ?? ''
  return out
}

/**
 * What a run wants recorded: a flag given overrides, a flag not given keeps what was recorded (a bootstrap re-run
 * without --caps must not wipe them). Undefined: nothing given and nothing recorded.
 */
export function mergeSelf(
  flags: SelfFlags | undefined,
  recorded: SelfDescription | undefined,
): SelfDescription | undefined {
  if (flags?.caps === undefined && flags?.description === undefined) return recorded
  const caps = flags.caps ?? recorded?.caps ?? []
  const description = flags.description === undefined ? recorded?.description : flags.description || undefined
  return description === undefined ? {caps} : {caps, description}
}

export function sameSelf(a: SelfDescription | undefined, b: SelfDescription | undefined): boolean {
  const caps = (s?: SelfDescription) => (s?.caps ?? []).join(',')
  return caps(a) === caps(b) && (a?.description ?? '') === (b?.description ?? '')
}

/** A peer's capabilities as its card gave them: each checked alone, the bad ones dropped, at most 16 kept. */
export function sanitizeCaps(raw: readonly unknown[]): string[] {
  const ok = raw.filter((c): c is string => typeof c === 'string' && CAP_PATTERN.test(c))
  return [...new Set(ok)].sort().slice(0, MAX_CAPS)
}

/** A peer's description: stripped, one line, cut to 200 characters (a peer's text is cut, never trusted to be short). */
export function sanitizeDescription(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined
  const text = cleanDescription(raw.slice(0, 4 * MAX_DESCRIPTION)).slice(0, MAX_DESCRIPTION)
  return text === '' ? undefined : text
}

/** One peer considered for `ask --capability`: what was recorded, and what the probe just now found. */
export interface CapabilityCandidate {
  name: string
  /** The caps recorded for it (from its last card). */
  recordedCaps: string[]
  /**
   * `card`: its claw-mesh card answered, with these caps. `up`: no card (a claw-mesh or plugin too old to serve one,
   * the plugin off) but the gateway answers; its recorded caps stand. `down`: nothing answered.
   */
  probe: {state: 'card'; caps: string[]} | {state: 'up'} | {state: 'down'}
}

export interface CapabilityChoice {
  chosen?: string
  /** Online peers with the capability, in choice order. */
  online: string[]
  /** Peers recorded with the capability that did not answer. */
  offline: string[]
}

/**
 * Who answers `ask --capability CAP`: an online peer with CAP; first those whose card answered just now and lists
 * it, then those that answer without a card but were recorded with it; by name within each. A card that answered
 * without CAP wins over the record (the peer no longer offers it). Deterministic: the same probes, the same choice.
 */
export function chooseCapablePeer(cap: string, candidates: readonly CapabilityCandidate[]): CapabilityChoice {
  const byName = [...candidates].sort((a, b) => a.name.localeCompare(b.name))
  const live = byName.filter((c) => c.probe.state === 'card' && c.probe.caps.includes(cap)).map((c) => c.name)
  const recorded = byName.filter((c) => c.probe.state === 'up' && c.recordedCaps.includes(cap)).map((c) => c.name)
  const offline = byName.filter((c) => c.probe.state === 'down' && c.recordedCaps.includes(cap)).map((c) => c.name)
  const online = [...live, ...recorded]
  return {chosen: online[0], online, offline}
}

/**
 * The plugin's config entry with this host's name and self-description in it (the card route reads them there).
 * Keys keep their place when they already exist: the caller compares serialisations to decide whether to write.
 */
export function withSelfConfig(
  base: Record<string, unknown>,
  identity: string | undefined,
  self: SelfDescription | undefined,
): Record<string, unknown> {
  const out = {...base}
  const put = (key: string, value: unknown) => {
    if (value === undefined) delete out[key]
    else out[key] = value
  }
  put('meshName', identity)
  put('caps', self && self.caps.length > 0 ? self.caps : undefined)
  put('description', self?.description)
  return out
}
