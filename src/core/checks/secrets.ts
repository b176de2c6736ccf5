import {fail, pass, skip, warn, type CheckOutcome, type FixAction} from './types.js'

/** Pure evaluators for claw-mesh's secret store. */

export type SecretStoreProbe =
  | {ok: true; backend: string; location: string; recorded?: string}
  | {
      ok: false
      error: string
      recorded?: string
      /** The store's own remedy (the keychain's names this OS's cause). */ hint?: string
    }

export function evalSecretBackend(probe: SecretStoreProbe): CheckOutcome {
  if (!probe.ok) {
    return fail(
      `The secret store is not usable: ${probe.error}`,
      probe.hint ??
        (probe.recorded === 'keychain'
          ? 'Unlock or start the OS keychain, or re-run claw-mesh bootstrap --secret-store file'
          : 'claw-mesh doctor --fix, or fix the secret file (see secrets-file)'),
    )
  }
  if (probe.recorded && probe.recorded !== probe.backend) {
    return warn(
      `Secrets are recorded in the ${probe.recorded} store, but the ${probe.backend} store opened (${probe.location}).`,
      `Set CLAW_MESH_SECRET_STORE=${probe.recorded}, or re-run claw-mesh bootstrap --secret-store ${probe.backend}`,
    )
  }
  return pass(`${probe.backend}: ${probe.location}`)
}

export interface SecretPresence {
  name: string
  present: boolean
  /** Where a missing secret can be copied back from (openclaw.json), when it can. */
  restoreFrom?: 'gateway.auth.token' | 'hooks.token'
}

export function evalSecretsPresent(storeOk: boolean, secrets: SecretPresence[], readError?: string): CheckOutcome {
  if (!storeOk) return skip('the secret store is not usable')
  if (readError)
    return fail(
      `The secret store could not be read: ${readError}`,
      'See secrets-file and secrets-store, fix them (claw-mesh doctor --fix), then run doctor again',
    )
  if (secrets.length === 0) return skip('claw-mesh has recorded no secrets yet')
  const missing = secrets.filter((s) => !s.present)
  if (missing.length === 0) return pass(`${secrets.length} secret${secrets.length === 1 ? '' : 's'} present`)
  const names = missing.map((s) => s.name).join(', ')
  const restorable = missing.filter((s) => s.restoreFrom)
  const fix: FixAction | undefined =
    restorable.length > 0
      ? {kind: 'restore-secret', name: restorable[0].name, from: restorable[0].restoreFrom!}
      : undefined
  const rest = missing.filter((s) => !s.restoreFrom)
  const remedy = [
    restorable.length > 0
      ? `claw-mesh doctor --fix (copies ${restorable.map((s) => s.name).join(', ')} back from openclaw.json)`
      : '',
    rest.some((s) => s.name.startsWith('peer/') || s.name === 'mesh-secret')
      ? 'for peer tokens: claw-mesh peer add --invite - (ask the peer for a new invite)'
      : '',
    rest.some((s) => !s.name.startsWith('peer/') && s.name !== 'mesh-secret')
      ? 'claw-mesh bootstrap (creates the missing tokens)'
      : '',
  ]
    .filter(Boolean)
    .join('; ')
  return fail(`Missing from the secret store: ${names}.`, remedy, fix)
}

/** The file store's problems, as `secretFileProblems` words them ("has mode 0644 (must be 0600)", "has 2 hard links"). */
export function evalSecretFile(input: {
  backend?: string
  file: string
  exists: boolean
  problems: string[]
  platform: string
}): CheckOutcome {
  if (input.platform === 'win32') return skip('POSIX modes do not apply on Windows')
  if (!input.exists) return skip(input.backend === 'file' ? 'no secret file yet' : 'secrets are not kept in a file')
  if (input.problems.length === 0) return pass(`${input.file} is private (0600, one link)`)
  const onlyMode = input.problems.every((p) => p.startsWith('has mode'))
  const detail = `The secret file ${input.file} ${input.problems.join(', ')}.`
  if (onlyMode) return fail(detail, `chmod 600 '${input.file}'`, {kind: 'chmod-600', path: input.file})
  // Extra hard links or a symlink may be someone else's file: say what to do, do not touch it.
  return fail(
    detail,
    `Inspect it (ls -li '${input.file}'); remove extra links or the symlink, then chmod 600 '${input.file}'`,
  )
}

/** A claw-mesh secret an earlier version left in the kernel keyutils keyring (through @napi-rs/keyring's fallback). */
export interface VolatileKey {
  /** The key's serial, as /proc/keys prints it (hex). */
  id: string
  /** claw-mesh's name for it (`gateway-token`, `peer/clawd`, `probe-…`). */
  name: string
}

/**
 * The `user` keys in /proc/keys that @napi-rs/keyring's keyutils store wrote for `service`: their description is
 * `keyring:<name>@<service>` (keyring-rs: `keyring-rs:<name>@<service>`). /proc/keys lists every key the user may
 * view, whichever session made it, so doctor finds them from cron or a service unit too.
 */
export function parseVolatileKeys(procKeys: string, service: string): VolatileKey[] {
  const out: VolatileKey[] = []
  for (const line of procKeys.split('\n')) {
    // serial flags usage timeout perm uid gid type description: summary
    const m =
      /^([0-9a-f]+)\s+(\S+)\s+\d+\s+\S+\s+[0-9a-f]+\s+\d+\s+\d+\s+user\s+(?:keyring(?:-rs)?:)(.+)@([^@:\s]+):/.exec(
        line,
      )
    // Revoked, dead, negative or invalidated (deleted, awaiting the collector): nothing left to move.
    if (m && m[4] === service && !/[RDNi]/.test(m[2])) out.push({id: m[1], name: m[3]})
  }
  return out
}

/** A keychain probe entry: the fixed `probe`, or the `probe-<pid>-<ms>` names earlier versions left behind. */
export const isProbeKey = (name: string) => name === 'probe' || /^probe-\d+-\d+$/.test(name)

export function evalVolatileSecrets(input: {keys: VolatileKey[]; error?: string}): CheckOutcome {
  if (input.error) return skip(`the kernel keyring could not be listed: ${input.error}`)
  if (input.keys.length === 0) return pass('no claw-mesh secret in the kernel keyring')
  const names = [...new Set(input.keys.map((k) => k.name))].sort()
  const secrets = names.filter((n) => !isProbeKey(n))
  const fix: FixAction = {kind: 'move-volatile-secrets', names}
  if (secrets.length === 0)
    return warn(
      `${names.length} probe key${names.length === 1 ? '' : 's'} left in the kernel keyring by an earlier claw-mesh (quota: 200 keys a user).`,
      'claw-mesh doctor --fix (deletes them)',
      fix,
    )
  return fail(
    `${secrets.join(', ')} ${secrets.length === 1 ? 'is' : 'are'} kept in the kernel keyring: gone at reboot, and unreadable from cron, service units and other logins (an earlier claw-mesh stored ${secrets.length === 1 ? 'it' : 'them'} there when no Secret Service answered).`,
    'claw-mesh doctor --fix (moves them into the Secret Service, or the 0600 file store where there is none), run from the login session that ran bootstrap',
    fix,
  )
}
