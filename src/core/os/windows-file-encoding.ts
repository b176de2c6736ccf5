/**
 * The bytes of files Windows programs read: Task Scheduler's task XML (`schtasks /Create /XML`) and wscript's `.vbs`
 * launchers are UTF-16LE with a byte-order mark, the way OpenClaw writes its own (`writeTaskXmlTempFile`,
 * `encodeWindowsLauncherScript`); a UTF-8 file declared UTF-16 — or the reverse — is refused ("unable to switch the
 * encoding"), and wscript reads a BOM-less file in the ANSI code page, garbling a non-ASCII profile path. Pure.
 */
const BOM_UTF16LE = [0xff, 0xfe] as const
const BOM_UTF8 = [0xef, 0xbb, 0xbf] as const

export type FileEncoding = 'utf-8' | 'utf-16le'

/** The text as it goes to disk (line ends as they are): UTF-16LE files start with the BOM. */
export function encodeFile(text: string, encoding: FileEncoding = 'utf-8'): Buffer {
  if (encoding === 'utf-8') return Buffer.from(text, 'utf8')
  return Buffer.concat([Buffer.from(BOM_UTF16LE), Buffer.from(text, 'utf16le')])
}

/** The text of a file written by `encodeFile` (or by hand, in UTF-8 with or without a BOM), for comparing contents. */
export function decodeFile(bytes: Uint8Array): string {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (b[0] === BOM_UTF16LE[0] && b[1] === BOM_UTF16LE[1]) return b.subarray(2).toString('utf16le')
  if (b[0] === BOM_UTF8[0] && b[1] === BOM_UTF8[1] && b[2] === BOM_UTF8[2]) return b.subarray(3).toString('utf8')
  return b.toString('utf8')
}
