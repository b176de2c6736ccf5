import path from 'node:path'
import {BugError, UsageError} from '../../core/common/errors.js'
import type {IOStreams} from '../io.js'
import type {Runner} from '../runner.js'
import {createFileSecretStore} from './file.js'
import {createKeychainSecretStore, KeychainUnavailableError, probeKeychain} from './keychain.js'
import type {SecretStore} from './types.js'

export type SecretStoreChoice = 'auto' | 'keychain' | 'file'

export const KEYCHAIN_SERVICE = 'claw-mesh'

export const KEYCHAIN_LABELS: Record<string, string> = {
  darwin: 'macOS Keychain',
  win32: 'Windows Credential Manager',
  linux: 'Secret Service',
}

export interface OpenSecretStoreOptions {
  choice: SecretStoreChoice
  stateDir: string
  platform: string
  io: IOStreams
  /** Asks the session bus about the Secret Service (Linux), read-only; runs /usr/bin/security (macOS). */
  runner: Runner
  env: NodeJS.ProcessEnv
  service?: string
  timeoutMs?: number
  /** A dry run: the store is read, never written (not even the keychain probe). */
  readOnly?: boolean
  /** The keychain adapter (the real one by default; tests give one that refuses the way an OS does). */
  keychain?: typeof createKeychainSecretStore
}

/**
 * Opens the secret store. `auto` checks the keychain and falls back to the file store with a visible warning,
 * never silently. `keychain` fails when the keychain is unusable. A dry run decides exactly as the real run: the
 * same read-only checks, and the plan names the file store it would use and why.
 */
export async function openSecretStore(opts: OpenSecretStoreOptions): Promise<SecretStore> {
  const store = await open(opts)
  return opts.readOnly ? readOnlyStore(store) : store
}

/** A dry run that tries to store a secret is a bug: fail loudly instead of changing the machine. */
export function readOnlyStore(store: SecretStore): SecretStore {
  const refuse = (what: string) =>
    Promise.reject(new BugError(`A dry run tried to ${what} in the secret store (${store.location}).`))
  return {
    backend: store.backend,
    location: store.location,
    fallbackReason: store.fallbackReason,
    get: (name) => store.get(name),
    set: (name) => refuse(`write ${name}`),
    delete: (name) => refuse(`delete ${name}`),
  }
}

/** The OS keychain, checked (read-only first, so a dry run decides like the real run). Throws KeychainUnavailableError. */
export async function openKeychain(opts: OpenSecretStoreOptions): Promise<SecretStore> {
  const timeoutMs = opts.timeoutMs ?? 5000
  // The D-Bus questions are Linux's only, and only for a command that opens the keychain: loaded then.
  const secretService = opts.platform === 'linux' ? await import('./secret-service.js') : undefined
  const busAddress = secretService?.userSessionBus(opts.env)
  if (secretService) {
    const ready = await secretService.secretServiceReadiness(opts.runner, busAddress, timeoutMs)
    if (ready && !ready.usable)
      throw new KeychainUnavailableError(`The Secret Service cannot keep secrets here: ${ready.detail}.`, {
        platform: 'linux',
        problem: ready.problem,
      })
  }
  const create = opts.keychain ?? createKeychainSecretStore
  const store = await create({
    service: opts.service ?? KEYCHAIN_SERVICE,
    timeoutMs,
    platformLabel: KEYCHAIN_LABELS[opts.platform] ?? 'OS keychain',
    platform: opts.platform,
    busAddress,
    runner: opts.runner,
  })
  await probeKeychain(store, {readOnly: opts.readOnly, platform: opts.platform})
  return store
}

async function open(opts: OpenSecretStoreOptions): Promise<SecretStore> {
  const file = () => createFileSecretStore(path.join(opts.stateDir, 'secrets.json'), {platform: opts.platform})
  if (opts.choice === 'file') return file()
  if (opts.choice !== 'keychain' && opts.choice !== 'auto') {
    const choice: unknown = opts.choice // typed as the three, but it comes from the user
    throw new UsageError(`--secret-store "${String(choice)}" is not one of auto, keychain, file.`, {
      hint: 'Pass --secret-store auto, keychain or file.',
    })
  }
  try {
    return await openKeychain(opts)
  } catch (error) {
    if (opts.choice === 'keychain' || !(error instanceof KeychainUnavailableError)) throw error
    const fallback = file()
    const verb = opts.readOnly ? 'would be kept' : 'will be kept'
    opts.io.err(
      `warning: the OS keychain cannot be used here: ${error.reason}. Secrets ${verb} in plain text in ${fallback.file} (mode 0600). ${error.hint}\n`,
    )
    return {...fallback, fallbackReason: error.reason}
  }
}
