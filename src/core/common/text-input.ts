import {UsageError} from './errors.js'

/**
 * Text from a file or stdin the user handed claw-mesh (keys, invites, secrets, messages), in the encodings people's
 * tools write: UTF-8 with or without a BOM, and UTF-16 LE/BE with a BOM. Windows PowerShell 5.1, the only
 * PowerShell a stock Windows 10/11 has, writes `>` and `Out-File` as UTF-16LE with a BOM (FF FE); Notepad and
 * `Set-Content -Encoding utf8` write UTF-8 with one (EF BB BF). Anything else that does not decode, or a NUL left
 * over (UTF-16 without a BOM, a binary file), is refused naming the input and the way to save it as UTF-8: never
 * passed on as garbage (a key Tailscale calls invalid, an invite that "does not look like" one).
 */

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be'

const SAVE_AS_UTF8 =
  'Save it as UTF-8 (PowerShell: Get-Content IN | Set-Content -Encoding utf8 OUT, or write it with Out-File -Encoding ascii), then pass it again.'

/** The encoding a byte order mark announces, and the BOM's length; UTF-8 without a BOM otherwise. */
export function sniffEncoding(bytes: Uint8Array): {encoding: TextEncoding; bom: number} {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return {encoding: 'utf-8', bom: 3}
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return {encoding: 'utf-16le', bom: 2}
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return {encoding: 'utf-16be', bom: 2}
  return {encoding: 'utf-8', bom: 0}
}

/** Decodes `bytes` from `origin` (e.g. `--peer file:clawd.invite`, `stdin`). Throws a UsageError (exit 2) naming it. */
export function decodeTextInput(bytes: Uint8Array, origin: string): string {
  const {encoding, bom} = sniffEncoding(bytes)
  const body = bytes.subarray(bom)
  if (encoding !== 'utf-8' && body.length % 2 !== 0) {
    throw new UsageError(`${origin}: the input is ${encoding.toUpperCase()} cut short (an odd number of bytes).`, {
      hint: SAVE_AS_UTF8,
    })
  }
  // UTF-16LE of mostly ASCII text without its BOM: a non-zero byte then a zero, pair after pair.
  const looksUtf16 = bom === 0 && body.length >= 4 && utf16Pairs(body) >= 0.75 * Math.floor(body.length / 2)
  let text: string
  try {
    // ignoreBOM: the BOM was already cut off; a second one would be content, and is refused below as such.
    text = new TextDecoder(encoding, {fatal: true, ignoreBOM: true}).decode(body)
  } catch {
    const what = looksUtf16
      ? 'looks like UTF-16 without a byte order mark'
      : bom
        ? `is not valid ${encoding.toUpperCase()} text`
        : 'is not UTF-8 text (nor UTF-16 with a byte order mark)'
    throw new UsageError(`${origin}: the input ${what}.`, {hint: SAVE_AS_UTF8})
  }
  const nul = text.indexOf('\u0000')
  if (nul !== -1) {
    const what = looksUtf16
      ? 'looks like UTF-16 without a byte order mark (it is full of NUL bytes)'
      : `holds a NUL character (at character ${nul}): it is not a text file`
    throw new UsageError(`${origin}: the input ${what}.`, {hint: SAVE_AS_UTF8})
  }
  return text
}

function utf16Pairs(body: Uint8Array): number {
  let n = 0
  for (let i = 0; i + 1 < body.length; i += 2) if (body[i] !== 0 && body[i + 1] === 0) n++
  return n
}
