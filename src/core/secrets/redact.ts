/**
 * One redaction function for everything claw-mesh prints. Tailscale keys are matched by shape; every
 * other secret is registered by value when claw-mesh reads or creates it.
 *
 * A registered secret is also found in the forms other programs print it in: JSON-escaped (inside a JSON
 * string), URL-encoded (percent-encoding in either case, `+` for space) and split over lines (a wrapped log
 * line, a JSON "\n"). Text must be redacted BEFORE it is cut to a length: `head`/`tail` do both, in that order,
 * so no part of a secret survives at the cut.
 */
const TAILSCALE_KEY = /tskey-[A-Za-z0-9_-]+(?:\?[A-Za-z0-9=&_.-]*)?/g
// Headscale keys: `hskey-auth-…` (pre-auth, v0.28+) and `hskey-api-…` (API).
const HEADSCALE_KEY = /hskey-(auth|api)-[A-Za-z0-9_-]+/g
const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi
// Only v1 invites carry a token; v2 invites and pairing replies hold public keys and one-time ids.
const INVITE = /claw-mesh-invite:v1:[A-Za-z0-9_.~-]+/g
const MIN_SECRET_LENGTH = 6
const MASK = '[REDACTED]'
/** Secrets longer than this are not looked for split over lines (the pattern would grow with the secret). */
const MAX_SPLIT_LENGTH = 512
/** What a line break looks like between two characters of a split secret: raw or JSON-escaped, then indentation. */
const LINE_BREAK = String.raw`(?:\r?\n|(?:\\r)?\\n|\\\r?\n)[ \t]*`

/** LINE_BREAK at one place (sticky): the scanner below steps over a line break with it. */
const LINE_BREAK_AT = new RegExp(LINE_BREAK, 'y')
/**
 * Secrets splitRanges can find: printable ASCII without space or backslash (no character a line break starts or ends
 * with). Any other secret is found by its regular expression.
 */
const SCANNABLE = /^[!-[\]-~]+$/

/**
 * Where `secret` occurs in `text` with line breaks (LINE_BREAK) between any of its characters: the ranges the
 * pattern `c1(?:LINE_BREAK)?c2…` finds, left to right and not overlapping, as a global replace would. For a secret
 * with no character a line break starts or ends with, at each step either the next character or a line break can
 * follow, never both, so one pass decides each match. A regular expression with a group between every two
 * characters cost V8 ~3 ms to compile for each secret, on every run that printed a line break.
 */
export function splitRanges(text: string, secret: string): Array<[number, number]> {
  const ranges: Array<[number, number]> = []
  let from = 0
  for (;;) {
    const start = text.indexOf(secret[0], from)
    if (start < 0) return ranges
    let at = start + 1
    let i = 1
    while (i < secret.length) {
      if (text[at] === secret[i]) {
        at++
        i++
        continue
      }
      LINE_BREAK_AT.lastIndex = at
      if (!LINE_BREAK_AT.test(text) || text[LINE_BREAK_AT.lastIndex] !== secret[i]) break
      at = LINE_BREAK_AT.lastIndex + 1
      i++
    }
    if (i === secret.length) {
      ranges.push([start, at])
      from = at
    } else from = start + 1
  }
}

function maskRanges(text: string, ranges: Array<[number, number]>): string {
  let out = ''
  let last = 0
  for (const [start, end] of ranges) {
    out += `${text.slice(last, start)}${MASK}`
    last = end
  }
  return out + text.slice(last)
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** The forms a secret takes when another program quotes it: as it is, JSON-escaped, URL-encoded. */
export function secretForms(secret: string): string[] {
  const forms = new Set([secret, JSON.stringify(secret).slice(1, -1)])
  const encoded = encodeURIComponent(secret)
  forms.add(encoded)
  forms.add(encoded.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()))
  forms.add(new URLSearchParams({s: secret}).toString().slice(2))
  return [...forms]
}

export class Redactor {
  /** Every form of every secret, longest first once sorted. */
  private readonly forms = new Set<string>()
  private readonly known = new Set<string>()
  /** Per secret: the pattern that finds it split over lines, made when first needed; `scan` when splitRanges can. */
  private readonly splitPatterns = new Map<string, RegExp | 'scan' | (() => RegExp)>()
  private sorted: string[] | undefined

  /** Registers a secret value so it never appears in output. Short values are ignored (they would mask ordinary text). */
  add(secret: string | undefined | null): void {
    if (!secret) return
    const trimmed = secret.trim()
    if (trimmed.length < MIN_SECRET_LENGTH || this.known.has(trimmed)) return
    this.known.add(trimmed)
    for (const form of secretForms(trimmed)) this.forms.add(form)
    // Any character boundary may carry a line break (as it is, or inside a JSON string): one pattern per form.
    // Tokens are tens of characters; a long value (an invite) is masked by shape and whole, not split.
    if (trimmed.length > MAX_SPLIT_LENGTH) {
      this.sorted = undefined
      return
    }
    const split = (form: string) => [...form].map(escapeRegExp).join(`(?:${LINE_BREAK})?`)
    const json = JSON.stringify(trimmed).slice(1, -1)
    this.splitPatterns.set(
      trimmed,
      json === trimmed && SCANNABLE.test(trimmed)
        ? 'scan'
        : () => new RegExp(json === trimmed ? split(trimmed) : `${split(trimmed)}|${split(json)}`, 'g'),
    )
    this.sorted = undefined
  }

  redact(text: string): string {
    let out = text
    // Longest first so a secret that contains another is masked whole.
    this.sorted ??= [...this.forms].sort((a, b) => b.length - a.length)
    for (const form of this.sorted) {
      if (out.includes(form)) out = out.split(form).join(MASK)
    }
    if (out.includes('\n') || out.includes('\\n') || out.includes('\\r')) {
      for (const [secret, pattern] of this.splitPatterns) {
        if (pattern === 'scan') {
          const ranges = splitRanges(out, secret)
          if (ranges.length > 0) out = maskRanges(out, ranges)
          continue
        }
        const regex = typeof pattern === 'function' ? pattern() : pattern
        this.splitPatterns.set(secret, regex)
        out = out.replace(regex, MASK)
      }
    }
    return out
      .replace(TAILSCALE_KEY, (m) => (m.startsWith('tskey-client-') ? 'tskey-client-XXXX' : 'tskey-XXXX'))
      .replace(HEADSCALE_KEY, 'hskey-$1-XXXX')
      .replace(BEARER, `$1${MASK}`)
      .replace(INVITE, (m) => `${m.slice(0, m.indexOf(':v') + 4)}${MASK}`)
  }

  /** Redacts, then keeps the first `max` characters (with … when cut). */
  head(text: string, max: number): string {
    const clean = this.redact(text)
    return clean.length > max ? `${clean.slice(0, max)}…` : clean
  }

  /** Redacts, then keeps the last `max` characters: a command's stderr tail. */
  tail(text: string, max: number): string {
    return this.redact(text).slice(-max)
  }

  /** Deeply redacts strings inside a JSON-able value. */
  redactValue<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T
    if (Array.isArray(value)) return (value as unknown[]).map((v) => this.redactValue(v)) as T
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {}
      for (const [k, v] of Object.entries(value)) out[k] = this.redactValue(v)
      return out as T
    }
    return value
  }
}

/** Shape-only redaction, for places with no Redactor at hand (crash reports). */
export function redactKnownShapes(text: string): string {
  return new Redactor().redact(text)
}
