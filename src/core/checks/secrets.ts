import {fail, pass, skip, warn, type CheckOutcome, type FixAction} from './types.js'

/** Pure evaluators for claw-mesh's secret store. */

export type SecretStoreProbe =
  | {ok: true; backend: string; location: string; recorded?: string}
  | {ok: false; error: string; recorded?: string}

export function evalSecretBackend(probe: SecretStoreProbe): CheckOutcome {
  if (!probe.ok) {
    return fail(
      `The secret store is not usable: ${probe.error}`,
      probe.recorded === 'keychain' ? 'Unlock or start the OS keychain (Linux: gnome-keyring on the session bus), or re-run claw-mesh bootstrap --secret-store file' : 'claw-mesh doctor --fix, or fix the secret file (see secrets-file)',
    )
  }
  if (probe.recorded && probe.recorded !== probe.backend) {
    return warn(`Secrets are recorded in the ${probe.recorded} store, but the ${probe.backend} store opened (${probe.location}).`, `Set CLAW_MESH_SECRET_STORE=${probe.recorded}, or re-run claw-mesh bootstrap --secret-store ${probe.backend}`)
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
  if (readError) return fail(`The secret store could not be read: ${readError}`, 'See secrets-file and secrets-store, fix them (claw-mesh doctor --fix), then run doctor again')
  if (secrets.length === 0) return skip('claw-mesh has recorded no secrets yet')
  const missing = secrets.filter((s) => !s.present)
  if (missing.length === 0) return pass(`${secrets.length} secret${secrets.length === 1 ? '' : 's'} present`)
  const names = missing.map((s) => s.name).join(', ')
  const restorable = missing.filter((s) => s.restoreFrom)
  const fix: FixAction | undefined = restorable.length > 0 ? {kind: 'restore-secret', name: restorable[0].name, from: restorable[0].restoreFrom!} : undefined
  const rest = missing.filter((s) => !s.restoreFrom)
  const remedy = [
    restorable.length > 0 ? `claw-mesh doctor --fix (copies ${restorable.map((s) => s.name).join(', ')} back from openclaw.json)` : '',
    rest.some((s) => s.name.startsWith('peer/') || s.name === 'mesh-secret') ? 'for peer tokens: claw-mesh peer add --invite - (ask the peer for a new invite)' : '',
    rest.some((s) => !s.name.startsWith('peer/') && s.name !== 'mesh-secret') ? 'claw-mesh bootstrap (creates the missing tokens)' : '',
  ]
    .filter(Boolean)
    .join('; ')
  return fail(`Missing from the secret store: ${names}.`, remedy, fix)
}

/** The file store's problems, as `secretFileProblems` words them ("has mode 0644 (must be 0600)", "has 2 hard links"). */
export function evalSecretFile(input: {backend?: string; file: string; exists: boolean; problems: string[]; platform: string}): CheckOutcome {
  if (input.platform === 'win32') return skip('POSIX modes do not apply on Windows')
  if (!input.exists) return skip(input.backend === 'file' ? 'no secret file yet' : 'secrets are not kept in a file')
  if (input.problems.length === 0) return pass(`${input.file} is private (0600, one link)`)
  const onlyMode = input.problems.every((p) => p.startsWith('has mode'))
  const detail = `The secret file ${input.file} ${input.problems.join(', ')}.`
  if (onlyMode) return fail(detail, `chmod 600 '${input.file}'`, {kind: 'chmod-600', path: input.file})
  // Extra hard links or a symlink may be someone else's file: say what to do, do not touch it.
  return fail(detail, `Inspect it (ls -li '${input.file}'); remove extra links or the symlink, then chmod 600 '${input.file}'`)
}
