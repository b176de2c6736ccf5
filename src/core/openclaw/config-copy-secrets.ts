/**
 * Which credentials in a copy of openclaw.json (one of OpenClaw's `.bak`, `.last-good`, …) claw-mesh put there: the
 * hooks token, a plain gateway token and every A2A pair token, except the values the user's own openclaw.json held
 * before claw-mesh touched it. It finds tokens claw-mesh no longer stores (rotated away, a peer since removed), which
 * a search for the current values misses. Pure.
 */
type Json = Record<string, unknown>

const obj = (v: unknown): Json | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined)

/** The credential values at the places claw-mesh writes credentials to. */
export function configCredentials(config: unknown): string[] {
  const c = obj(config)
  const found: (string | undefined)[] = [str(obj(c?.hooks)?.token), str(obj(obj(c?.gateway)?.auth)?.token)]
  const peers = obj(obj(obj(c?.channels)?.a2a)?.peers) ?? {}
  for (const peer of Object.values(peers)) found.push(str(obj(peer)?.token), str(obj(peer)?.outboundToken))
  return [...new Set(found.filter((v): v is string => v !== undefined))]
}

/**
 * The credentials in `copy` that are claw-mesh's: every one when there was no openclaw.json before claw-mesh
 * (`original` null), else those the original did not hold.
 */
export function claimedCredentials(copy: unknown, original: unknown): string[] {
  const users = new Set(original === null ? [] : configCredentials(original))
  return configCredentials(copy).filter((v) => !users.has(v))
}
