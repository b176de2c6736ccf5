/**
 * How strong a token is, estimated from its text: bits = length × log2(alphabet), where the alphabet is the
 * smallest usual one the token fits (hex 16, base64/base64url 64, printable ASCII 94). A token with fewer than ten
 * distinct characters (`aaaa…`, `abab…`) counts only log2(distinct) bits a character. An estimate, not a proof:
 * it flags the short and the obviously patterned, and passes every token claw-mesh or a CSPRNG makes at 256 bits.
 */
export const MIN_TOKEN_BITS = 256

/** The named risk that keeps a weak token (`--accept-risk weak-tokens`). */
export const RISK_WEAK_TOKENS = 'weak-tokens'

export function tokenStrengthBits(token: string): number {
  const chars = [...token]
  if (chars.length === 0) return 0
  const distinct = new Set(chars).size
  if (distinct < 10) return Math.floor(chars.length * Math.log2(Math.max(distinct, 1)))
  const alphabet = /^[0-9a-f]+$/i.test(token) ? 16 : /^[A-Za-z0-9_+/=-]+$/.test(token) ? 64 : 94
  return Math.floor(chars.length * Math.log2(alphabet))
}

export function isWeakToken(token: string): boolean {
  return tokenStrengthBits(token) < MIN_TOKEN_BITS
}
