/**
 * One redaction function for everything claw-mesh prints. Tailscale keys are matched by shape; every
 * other secret is registered by value when claw-mesh reads or creates it.
 */
const TAILSCALE_KEY = /tskey-[A-Za-z0-9_-]+(?:\?[A-Za-z0-9=&_.-]*)?/g
// Headscale keys: `hskey-auth-…` (pre-auth, v0.28+) and `hskey-api-…` (API).
const HEADSCALE_KEY = /hskey-(auth|api)-[A-Za-z0-9_-]+/g
const BEARER = /(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi
// Only v1 invites carry a token; v2 invites and pairing replies hold public keys and one-time ids.
const INVITE = /claw-mesh-invite:v1:[A-Za-z0-9_.~-]+/g
const MIN_SECRET_LENGTH = 6

export class Redactor {
  private readonly secrets = new Set<string>()

  /** Registers a secret value so it never appears in output. Short values are ignored (they would mask ordinary text). */
  add(secret: string | undefined | null): void {
    if (!secret) return
    const trimmed = secret.trim()
    if (trimmed.length >= MIN_SECRET_LENGTH) this.secrets.add(trimmed)
  }

  redact(text: string): string {
    let out = text
    // Longest first so a secret that contains another is masked whole.
    for (const secret of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(secret)) out = out.split(secret).join('[REDACTED]')
    }
    return out
      .replace(TAILSCALE_KEY, (m) => (m.startsWith('tskey-client-') ? 'tskey-client-XXXX' : 'tskey-XXXX'))
      .replace(HEADSCALE_KEY, 'hskey-$1-XXXX')
      .replace(BEARER, '$1[REDACTED]')
      .replace(INVITE, (m) => `${m.slice(0, m.indexOf(':v') + 4)}[REDACTED]`)
  }

  /** Deeply redacts strings inside a JSON-able value. */
  redactValue<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T
    if (Array.isArray(value)) return value.map((v) => this.redactValue(v)) as T
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
