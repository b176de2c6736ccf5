import {UsageError} from '../common/errors.js'

/** More than any chat message that carries one pairing line: the text is scanned, never stored or echoed. */
export const MAX_PAIRING_TEXT_BYTES = 16 * 1024

const LINE = /claw-mesh-(?:invite|reply):v\d+:[A-Za-z0-9_-]*/g
// Text that starts like a pairing line is one (possibly wrapped or damaged): the decoder judges it as it always did.
const STARTS = /^claw-mesh-(?:invite|reply):/

function kindOf(line: string): string {
  if (line.startsWith('claw-mesh-reply:')) return 'a pairing reply (claw-mesh-reply:…)'
  if (line.startsWith('claw-mesh-invite:v1:')) return 'a v1 invite (claw-mesh-invite:v1:…)'
  return 'an invite (claw-mesh-invite:…)'
}

/**
 * The one pairing line in what the user pasted: the line itself (wrapped over several lines is fine), or a chat
 * message around it (words, quotes, line breaks). Only finds it: the decoder's own size cap and integrity checks
 * still judge the line. Never quotes the text back (a v1 invite holds a token).
 */
export function findPairingLine(text: string): string {
  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes > MAX_PAIRING_TEXT_BYTES) {
    throw new UsageError(
      `The invite text is ${bytes} bytes long; a claw-mesh invite, or a message around one, is well under ${MAX_PAIRING_TEXT_BYTES}.`,
      {hint: 'Pass only the line that starts with claw-mesh-invite: (or claw-mesh-reply:).'},
    )
  }
  const all = text.match(LINE) ?? []
  const found = [...new Set(all)]
  if (all.length <= 1 && STARTS.test(text.replace(/\s+/g, ''))) return text
  if (found.length === 1) return found[0]
  if (found.length === 0) return text
  const kinds = [...new Set(found.map(kindOf))]
  throw new UsageError(
    `The invite text holds ${found.length} different pairing lines (${kinds.length > 1 ? kinds.join(' and ') : `each ${kinds[0]}`}); claw-mesh pairs one at a time.`,
    {
      hint: 'Pass only one line: the one that starts with claw-mesh-invite: or claw-mesh-reply:, each in its own run.',
    },
  )
}
