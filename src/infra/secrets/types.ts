export type SecretBackend = 'keychain' | 'file' | 'memory'

/** Where claw-mesh keeps secrets. Names are claw-mesh's own (`gateway-token`, `hooks-token`, `peer/<name>`). */
export interface SecretStore {
  readonly backend: SecretBackend
  /** Human description of where the secrets live (never the values). */
  readonly location: string
  get(name: string): Promise<string | undefined>
  set(name: string, value: string): Promise<void>
  delete(name: string): Promise<boolean>
}

export const SECRET_NAMES = {
  gatewayToken: 'gateway-token',
  hooksToken: 'hooks-token',
  meshSecret: 'mesh-secret',
  peer: (name: string) => `peer/${name}`,
} as const

export function createMemorySecretStore(initial: Record<string, string> = {}): SecretStore & {values: Map<string, string>} {
  const values = new Map(Object.entries(initial))
  return {
    backend: 'memory',
    location: 'memory',
    values,
    get: async (name) => values.get(name),
    set: async (name, value) => void values.set(name, value),
    delete: async (name) => values.delete(name),
  }
}
