import {isProbeKey} from '../../core/checks/secrets.js'
import {secretBackendSetting} from '../../core/common/settings.js'
import type {Deps} from '../../deps.js'
import {openVolatileStore, type VolatileStore} from '../../infra/secrets/keyutils.js'
import {KEYCHAIN_SERVICE, openSecretStore} from '../../infra/secrets/select.js'
import type {SecretStore} from '../../infra/secrets/types.js'
import {settingsInput} from '../settings/input.js'

/**
 * `doctor --fix` for secrets an earlier claw-mesh kept in the kernel keyring: each is copied into the durable store
 * (the Secret Service where one is usable, else the 0600 file store: `auto`, since the recorded "keychain" was this
 * volatile keyring in name only), then removed from the kernel keyring; leftover probe keys are removed. A value the
 * durable store already holds is kept (it is the newer one). `seams` are for tests: the keyring and the target.
 */
export async function moveVolatileSecrets(
  deps: Deps,
  names: string[],
  seams: {volatile?: VolatileStore; target?: SecretStore} = {},
): Promise<{status: 'applied' | 'failed'; note: string}> {
  const volatile = seams.volatile ?? (await openVolatileStore(KEYCHAIN_SERVICE))
  const secrets = names.filter((n) => !isProbeKey(n))
  const target =
    secrets.length === 0
      ? undefined
      : (seams.target ??
        (await openSecretStore({
          choice: secretBackendSetting(settingsInput(deps, {state: undefined})).value,
          stateDir: deps.stateDir,
          platform: deps.platform.id,
          io: deps.io,
          runner: deps.runner,
          env: deps.env,
        })))
  const moved: string[] = []
  const kept: string[] = []
  const unreadable: string[] = []
  for (const name of names.filter(isProbeKey)) await volatile.remove(name).catch(() => undefined)
  for (const name of secrets) {
    const value = await volatile.read(name).catch(() => undefined)
    if (value === undefined || value === '') {
      unreadable.push(name)
      continue
    }
    deps.redactor.add(value)
    if ((await target!.get(name)) === undefined) {
      await target!.set(name, value)
      moved.push(name)
    } else kept.push(name)
    await volatile.remove(name)
  }
  const previous = deps.store.read().secrets?.backend
  if (target && moved.length + kept.length > 0)
    deps.store.update((s) => void (s.secrets = {...s.secrets, names: s.secrets?.names ?? [], backend: target.backend}))
  const parts = [
    moved.length > 0 ? `moved ${moved.join(', ')} into ${target!.location}` : '',
    kept.length > 0 ? `${kept.join(', ')} already there (kept; the kernel copy removed)` : '',
    names.some(isProbeKey) ? 'removed the probe keys' : '',
    // The gateway's SecretRef still names the old store: rewiring it is configure's job.
    target && previous !== target.backend && moved.length + kept.length > 0
      ? `then run: claw-mesh gateway configure --secret-store ${target.backend} && claw-mesh gateway start`
      : '',
  ].filter(Boolean)
  if (unreadable.length > 0) {
    const why = `cannot read ${unreadable.join(', ')} from the kernel keyring in this session: run claw-mesh doctor --fix in the login session that ran bootstrap (before a reboot), or create new ones with claw-mesh bootstrap`
    return {status: parts.length > 0 ? 'applied' : 'failed', note: [...parts, why].join('; ')}
  }
  return {status: 'applied', note: parts.join('; ')}
}
