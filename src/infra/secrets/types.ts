export type SecretBackend = 'keychain' | 'file'

/** Where claw-mesh keeps secrets. Names are claw-mesh's own (`gateway-token`, `hooks-token`, `peer/<name>`). */
export interface SecretStore {
  readonly backend: SecretBackend
  /** Human description of where the secrets live (never the values). */
  readonly location: string
  /** Why this store and not the OS keychain, when `auto` fell back to the file store (the keychain's refusal). */
  readonly fallbackReason?: string
  get(name: string): Promise<string | undefined>
  set(name: string, value: string): Promise<void>
  delete(name: string): Promise<boolean>
}

export const SECRET_NAMES = {
  gatewayToken: 'gateway-token',
  hooksToken: 'hooks-token',
  meshSecret: 'mesh-secret',
  /** The watchdog's chat webhook URL (a credential: anyone holding it can post). */
  alertWebhook: 'alert-webhook',
  peer: (name: string) => `peer/${name}`,
  /** The A2A token this peer presents to us, and the one we present to it. */
  a2aIn: (name: string) => `a2a/${name}/in`,
  a2aOut: (name: string) => `a2a/${name}/out`,
  /** The X25519 private key of a pending pairing invite. */
  inviteKey: (id: string) => `invite/${id}`,
} as const

/**
 * A test double for the keychain: same backend (so every code path is the keychain's, none is test-only), values
 * in memory.
 */
export function createMemorySecretStore(
  initial: Record<string, string> = {},
): SecretStore & {values: Map<string, string>} {
  const values = new Map(Object.entries(initial))
  return {
    backend: 'keychain',
    location: 'memory',
    values,
    get: async (name) => values.get(name),
    set: async (name, value) => void values.set(name, value),
    delete: async (name) => values.delete(name),
  }
}
