/**
 * Finds one of this host's own secrets in outgoing text (a message body, a file about to be sent). Pure: the caller
 * gathers the secrets from the store. Only the secret's name ever leaves here, never its value.
 *
 * What is found: the secret as it is (case-sensitive), the same with every whitespace removed from the text (a
 * token wrapped or split over lines or spaces), its JSON-escaped and URL-encoded forms, and its base64 and base64url
 * encodings at any alignment (a token inside an encoded blob). Tailscale and Headscale keys are found by their shape:
 * claw-mesh does not keep them, but one in a message is a key leaving the host. Secrets shorter than
 * MIN_SECRET_LENGTH are not looked for: they would match ordinary words, and claw-mesh's own are 32+ characters.
 */
export const MIN_SECRET_LENGTH = 16

export interface NamedSecret {
  /** The store's name (`hooks-token`, `a2a/nova/in`, …): safe to print. */
  name: string
  value: string
}

export interface SecretNeedle {
  name: string
  needle: string
}

const KEY_SHAPE = /\b(?:tskey-[A-Za-z0-9]+-[A-Za-z0-9_-]{10,}|hskey-(?:auth|api)-[A-Za-z0-9_-]{10,})/

/**
 * The base64 text that must appear when `value` is encoded inside a longer byte string: for each of the three
 * alignments, the characters that depend on the secret's bytes alone (the first and last partial groups dropped).
 */
function base64Cores(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8')
  const cores: string[] = []
  for (let pad = 0; pad < 3; pad++) {
    // Character i covers bits [6i, 6i + 6): it depends on the secret alone when those bits lie inside it.
    const text = Buffer.concat([Buffer.alloc(pad), bytes]).toString('base64')
    const core = text.slice(Math.ceil((8 * pad) / 6), Math.floor((8 * (pad + bytes.length)) / 6))
    if (core.length >= MIN_SECRET_LENGTH) cores.push(core)
  }
  return cores
}

/** Every form each secret is looked for in, with the secret's name. */
export function secretNeedles(secrets: readonly NamedSecret[]): SecretNeedle[] {
  const out = new Map<string, string>()
  for (const {name, value} of secrets) {
    if (value.length < MIN_SECRET_LENGTH) continue
    const forms = [value, JSON.stringify(value).slice(1, -1), encodeURIComponent(value)]
    for (const core of base64Cores(value)) forms.push(core, core.replaceAll('+', '-').replaceAll('/', '_'))
    for (const form of forms) if (!out.has(form)) out.set(form, name)
  }
  return [...out].map(([needle, name]) => ({name, needle}))
}

/** The name of the first secret found in `text`, or undefined. */
export function findSecret(text: string, needles: readonly SecretNeedle[]): string | undefined {
  const squeezed = text.replace(/\s+/g, '')
  for (const {name, needle} of needles) if (text.includes(needle) || squeezed.includes(needle)) return name
  if (KEY_SHAPE.test(text)) return 'tailscale-key'
  return undefined
}

/** The longest needle: how much of the previous chunk a streamed scan must keep so no secret is cut in two. */
export function needleOverlap(needles: readonly SecretNeedle[]): number {
  return Math.max(64, ...needles.map((n) => n.needle.length))
}

/** A secret's store name in words for an error message. */
export function describeSecret(name: string): string {
  if (name === 'gateway-token') return "this host's gateway token"
  if (name === 'hooks-token') return "this host's hooks token"
  if (name === 'mesh-secret') return "the fleet's mesh secret"
  if (name === 'alert-webhook') return 'the alert webhook URL'
  if (name === 'tailscale-key') return 'a Tailscale/Headscale auth key'
  const a2a = /^a2a\/(.+)\/(in|out)$/.exec(name)
  if (a2a)
    return `the A2A pair token ${a2a[2] === 'in' ? `${a2a[1]} presents to this host` : `this host presents to ${a2a[1]}`}`
  const peer = /^peer\/(.+)$/.exec(name)
  if (peer) return `the hooks token of peer ${peer[1]}`
  if (name.startsWith('invite/')) return "a pairing invite's private key"
  return `the secret ${name}`
}
