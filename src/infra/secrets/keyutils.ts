import {promises as fs} from 'node:fs'
import {parseVolatileKeys, type VolatileKey} from '../../core/checks/secrets.js'

/**
 * The kernel keyutils keyring, only to find and move out what an earlier claw-mesh left there: @napi-rs/keyring fell
 * back to it, silently, when no Secret Service answered. claw-mesh never stores anything in it.
 */

/** claw-mesh's keys in /proc/keys (every key this user may view, whichever session made it). */
export async function listVolatileSecrets(
  service: string,
  procKeys = '/proc/keys',
): Promise<{keys: VolatileKey[]; error?: string}> {
  try {
    return {keys: parseVolatileKeys(await fs.readFile(procKeys, 'utf8'), service)}
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    // No keyutils in this kernel (or no /proc): nothing can have been kept there.
    if (code === 'ENOENT') return {keys: []}
    return {keys: [], error: (error as Error).message}
  }
}

export interface VolatileStore {
  read(name: string): Promise<string | undefined>
  remove(name: string): Promise<void>
}

/**
 * Reads and removes keys through the library's own keyutils store, exactly where it wrote them: the session keyring
 * and the user's persistent keyring it links in (which is why another login of the same user may still reach them,
 * until the persistent keyring expires or the machine reboots).
 */
export async function openVolatileStore(service: string): Promise<VolatileStore> {
  const {AsyncEntry} = await import('@napi-rs/keyring')
  const entry = (name: string) => new AsyncEntry(service, name, {linux: {store: 'keyutils'}})
  return {
    read: async (name) => (await entry(name).getPassword()) ?? undefined,
    remove: async (name) => void (await entry(name).deleteCredential()),
  }
}
