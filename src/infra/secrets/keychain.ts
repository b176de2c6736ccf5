import {ClawMeshError} from '../../core/errors.js'
import type {SecretStore} from './types.js'

export class KeychainUnavailableError extends ClawMeshError {
  constructor(message: string) {
    super(message, {code: 'keychain-unavailable', hint: 'Use --secret-store file, or unlock/start the OS keychain (Linux: a Secret Service such as gnome-keyring on the session bus).'})
  }
}

const DEFAULT_TIMEOUT_MS = 5000

/**
 * The OS keychain through @napi-rs/keyring: macOS Keychain, Windows Credential Manager, Linux Secret Service.
 * Every call runs off the main thread and is abandoned after a timeout (a locked keychain can block forever).
 */
export async function createKeychainSecretStore(opts: {service: string; timeoutMs?: number; platformLabel: string}): Promise<SecretStore> {
  let mod: typeof import('@napi-rs/keyring')
  try {
    mod = await import('@napi-rs/keyring')
  } catch (error) {
    throw new KeychainUnavailableError(`The keychain module could not be loaded: ${(error as Error).message}`)
  }
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const withTimeout = async <T>(what: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const controller = new AbortController()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort()
        reject(new KeychainUnavailableError(`The keychain did not answer within ${timeoutMs} ms (${what}).`))
      }, timeoutMs)
      timer.unref()
    })
    try {
      return await Promise.race([fn(controller.signal), timeout])
    } catch (error) {
      if (error instanceof KeychainUnavailableError) throw error
      throw new KeychainUnavailableError(`The keychain refused ${what}: ${(error as Error).message}`)
    } finally {
      clearTimeout(timer)
    }
  }
  const entry = (name: string) => new mod.AsyncEntry(opts.service, name)
  return {
    backend: 'keychain',
    location: `${opts.platformLabel} (service "${opts.service}")`,
    get: (name) => withTimeout(`reading ${name}`, async (signal) => (await entry(name).getPassword(signal)) ?? undefined),
    set: (name, value) => withTimeout(`writing ${name}`, (signal) => entry(name).setPassword(value, signal)),
    delete: (name) => withTimeout(`deleting ${name}`, (signal) => entry(name).deleteCredential(signal)),
  }
}

/**
 * Writes, reads back and deletes a probe entry: proves the keychain works here, now. Read-only (a dry run), it only
 * reads one: that proves the keychain answers, and leaves no trace in it.
 */
export async function probeKeychain(store: SecretStore, opts: {readOnly?: boolean} = {}): Promise<void> {
  if (opts.readOnly) {
    await store.get('probe')
    return
  }
  const name = `probe-${process.pid}-${Date.now()}`
  await store.set(name, 'claw-mesh-probe')
  const back = await store.get(name)
  await store.delete(name)
  if (back !== 'claw-mesh-probe') throw new KeychainUnavailableError('The keychain accepted a value but did not return it.')
}
