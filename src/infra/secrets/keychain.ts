import {BugError, ClawMeshError} from '../../core/common/errors.js'
import {keychainRefusal, type KeychainProblem} from '../../core/os/keychain-refusal.js'
import type {Runner} from '../runner.js'
import type {SecretStore} from './types.js'

export class KeychainUnavailableError extends ClawMeshError {
  /** The platform's own reason, for "the keychain cannot be used here: <cause>". */
  readonly reason: string
  constructor(message: string, opts: {platform: string; problem?: KeychainProblem}) {
    const refusal = keychainRefusal(opts.platform, message, opts.problem)
    super(message, {code: 'keychain-unavailable', hint: refusal.hint})
    this.reason = refusal.cause
  }
}

const DEFAULT_TIMEOUT_MS = 5000

/**
 * The OS keychain. On macOS through Apple's /usr/bin/security (macos-keychain.ts: items that survive node upgrades),
 * with the Runner given here. Elsewhere through @napi-rs/keyring: Windows Credential Manager, and on Linux the Secret
 * Service only. Left to itself the library falls back, silently, to the kernel keyutils keyring when there is no
 * Secret Service: in memory, gone at reboot, and tied to the login session (cron and service units cannot read it).
 * Pinning the store makes it fail instead, and claw-mesh then says so and uses the file store.
 * Every call runs off the main thread and is abandoned after a timeout (a locked keychain can block forever).
 */
export async function createKeychainSecretStore(opts: {
  service: string
  timeoutMs?: number
  platformLabel: string
  platform: string
  busAddress?: string
  runner?: Runner
}): Promise<SecretStore> {
  const unavailable = (message: string, problem?: KeychainProblem) =>
    new KeychainUnavailableError(message, {platform: opts.platform, problem})
  if (opts.platform === 'darwin') {
    if (!opts.runner)
      throw new BugError(
        'The macOS keychain is reached through /usr/bin/security: createKeychainSecretStore needs the Runner.',
      )
    // Loaded only on macOS: the other platforms never pay for it at start-up.
    const {createMacKeychainStore} = await import('./macos-keychain.js')
    return createMacKeychainStore({
      service: opts.service,
      runner: opts.runner,
      timeoutMs: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      platformLabel: opts.platformLabel,
      unavailable,
    })
  }
  let mod: typeof import('@napi-rs/keyring')
  try {
    mod = await import('@napi-rs/keyring')
  } catch (error) {
    throw unavailable(`The keychain module could not be loaded: ${(error as Error).message}`)
  }
  // libdbus (inside the library) reads the bus address from the process environment only: the bus found for a
  // cron job or a service unit (the user bus socket) has to be put there for it to see the same Secret Service.
  if (opts.platform === 'linux' && opts.busAddress && !process.env.DBUS_SESSION_BUS_ADDRESS)
    process.env.DBUS_SESSION_BUS_ADDRESS = opts.busAddress
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
  const withTimeout = async <T>(what: string, fn: (signal: AbortSignal) => Promise<T>): Promise<T> => {
    const controller = new AbortController()
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        controller.abort()
        reject(unavailable(`The keychain did not answer within ${timeoutMs} ms (${what}).`))
      }, timeoutMs)
      timer.unref()
    })
    try {
      return await Promise.race([fn(controller.signal), timeout])
    } catch (error) {
      if (error instanceof KeychainUnavailableError) throw error
      throw unavailable(`The keychain refused ${what}: ${(error as Error).message}`)
    } finally {
      clearTimeout(timer)
    }
  }
  const options = opts.platform === 'linux' ? {linux: {store: 'secret-service' as const}} : undefined
  // Inside the timed call: with the store pinned, the constructor itself throws when there is no Secret Service.
  const entry = (name: string) => new mod.AsyncEntry(opts.service, name, options)
  return {
    backend: 'keychain',
    location: `${opts.platformLabel} (service "${opts.service}")`,
    get: (name) =>
      withTimeout(`reading ${name}`, async (signal) => (await entry(name).getPassword(signal)) ?? undefined),
    set: (name, value) => withTimeout(`writing ${name}`, async (signal) => entry(name).setPassword(value, signal)),
    delete: (name) => withTimeout(`deleting ${name}`, async (signal) => entry(name).deleteCredential(signal)),
  }
}

/** The one name a probe ever uses: a crash mid-probe leaves at most this entry, and the next probe removes it. */
export const PROBE_NAME = 'probe'

/**
 * Proves the keychain answers here, now: a read of the probe entry (a dry run stops there). A real run also writes,
 * reads back and deletes it, since a locked macOS keychain can answer reads; the delete runs whatever happened, so
 * no probe leaves anything behind.
 */
export async function probeKeychain(store: SecretStore, opts: {readOnly?: boolean; platform: string}): Promise<void> {
  await store.get(PROBE_NAME)
  if (opts.readOnly) return
  let back: string | undefined
  try {
    await store.set(PROBE_NAME, 'claw-mesh-probe')
    back = await store.get(PROBE_NAME)
  } finally {
    await store.delete(PROBE_NAME).catch(() => false)
  }
  if (back !== 'claw-mesh-probe')
    throw new KeychainUnavailableError('The keychain accepted a value but did not return it.', {
      platform: opts.platform,
    })
}
