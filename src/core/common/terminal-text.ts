/**
 * Text from outside (peer answers, gateway errors, run ids, tailnet host names, discovered peer names) must not
 * drive the terminal it is printed on: an escape sequence can retitle the window, move the cursor, repaint lines
 * ("All peers ok" in green) or hide text; a bidi override reorders what is shown. These functions are the one
 * place that knows what is dangerous. Newlines and tabs are kept; everything else that is not printable goes.
 */

/* eslint-disable no-control-regex */
/**
 * ESC-introduced sequences: CSI (`ESC [` params final), OSC (`ESC ]` … BEL or ST, or unterminated), DCS/SOS/PM/APC
 * strings (`ESC P|X|^|_` … ST) and two-character escapes. Matched whole so their parameters go with them.
 */
const ESCAPE_SEQUENCE =
  /\x1b(?:\[[0-?]*[ -/]*[@-~]?|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[PX^_][^\x1b]*(?:\x1b\\)?|[ -/]*[0-~]?)/g
/** C0 controls except \t and \n, DEL, and C1 controls (0x80–0x9f: 0x9b is a one-byte CSI on some terminals). */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g
/* eslint-enable no-control-regex */
/** Bidirectional overrides, embeddings, isolates and marks (Trojan Source): they reorder the text around them. */
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g
/** The only sequence claw-mesh itself writes through its output streams: SGR colour (`ESC [ … m`). */
const SGR = /^\x1b\[[0-9;]*m$/ // eslint-disable-line no-control-regex

/** Strips every terminal control from untrusted text: escape sequences, C0 (but \n and \t), C1, bidi controls. */
export function stripControl(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROL, '').replace(BIDI, '')
}

/**
 * The output streams' safety net: the same stripping, except that SGR colour sequences survive (claw-mesh's own
 * colours are written with them). Untrusted values are stripped whole with `stripControl` before they are
 * rendered, so a colour sequence from outside never gets this far.
 */
export function stripControlKeepColor(text: string): string {
  return text
    .replace(ESCAPE_SEQUENCE, (seq) => (SGR.test(seq) ? seq : ''))
    .replace(CONTROL, (c) => (c === '\x1b' ? c : ''))
    .replace(BIDI, '')
}

function plainObject(value: unknown): value is Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return false
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

/**
 * `stripControl` over every string in a JSON-like value (keys too: a peer's JSON answer chooses them). Arrays
 * and plain objects are copied; anything else (Date, class instances, numbers) is returned as it is.
 */
export function stripControlValue<T>(value: T): T {
  if (typeof value === 'string') return stripControl(value) as T
  if (Array.isArray(value)) return (value as unknown[]).map((v) => stripControlValue(v)) as T
  if (plainObject(value)) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value)) out[stripControl(k)] = stripControlValue(v)
    return out as T
  }
  return value
}
