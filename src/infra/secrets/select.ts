import path from 'node:path'
import {BugError, UsageError} from '../../core/errors.js'
import type {IOStreams} from '../io.js'
import {createFileSecretStore} from './file.js'
import {createKeychainSecretStore, KeychainUnavailableError, probeKeychain} from './keychain.js'
import type {SecretStore} from './types.js'

export type SecretStoreChoice = 'auto' | 'keychain' | 'file'

export const KEYCHAIN_SERVICE = 'claw-mesh'

const LABELS: Record<string, string> = {darwin: 'macOS Keychain', win32: 'Windows Credential Manager', linux: 'Secret Service'}

/**
 * Opens the secret store. `auto` probes the keychain and falls back to the file store with a visible warning,
 * never silently. `keychain` fails when the keychain is unusable.
 */
export async function openSecretStore(opts: {
  choice: SecretStoreChoice
  stateDir: string
  platform: string
  io: IOStreams
  service?: string
  timeoutMs?: number
  /** A dry run: the store is read, never written (not even the keychain probe). */
  readOnly?: boolean
}): Promise<SecretStore> {
  const store = await open(opts)
  return opts.readOnly ? readOnlyStore(store) : store
}

/** A dry run that tries to store a secret is a bug: fail loudly instead of changing the machine. */
export function readOnlyStore(store: SecretStore): SecretStore {
  const refuse = (what: string) => Promise.reject(new BugError(`A dry run tried to ${what} in the secret store (${store.location}).`))
  return {backend: store.backend, location: store.location, get: (name) => store.get(name), set: (name) => refuse(`write ${name}`), delete: (name) => refuse(`delete ${name}`)}
}

async function open(opts: Parameters<typeof openSecretStore>[0]): Promise<SecretStore> {
  const file = () => createFileSecretStore(path.join(opts.stateDir, 'secrets.json'), {platform: opts.platform})
  if (opts.choice === 'file') return file()
  if (opts.choice !== 'keychain' && opts.choice !== 'auto') {
    throw new UsageError(`--secret-store "${opts.choice}" is not one of auto, keychain, file.`, {hint: 'Pass --secret-store auto, keychain or file.'})
  }
  try {
    const store = await createKeychainSecretStore({service: opts.service ?? KEYCHAIN_SERVICE, timeoutMs: opts.timeoutMs, platformLabel: LABELS[opts.platform] ?? 'OS keychain'})
    await probeKeychain(store, {readOnly: opts.readOnly})
    return store
  } catch (error) {
    if (opts.choice === 'keychain' || !(error instanceof KeychainUnavailableError)) throw error
    const fallback = file()
    opts.io.err(`warning: the OS keychain is not usable here (${error.message}); secrets will be kept in plain text in ${fallback.file} (mode 0600).\n`)
    return fallback
  }
}
