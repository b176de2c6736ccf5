import {ClawMeshError} from '../../core/common/errors.js'
import type {KeychainProblem} from '../../core/os/keychain-refusal.js'
import {
  parseFoundPassword,
  SECURITY,
  SECURITY_MAX_LINE,
  securityAddLine,
  securityOutcome,
} from '../../core/os/macos-security.js'
import type {RunResult, Runner} from '../runner.js'
import type {SecretStore} from './types.js'

type Unavailable = (message: string, problem?: KeychainProblem) => Error

/**
 * The macOS Keychain through Apple's `/usr/bin/security`, never through node: every item claw-mesh writes trusts that
 * one Apple-signed program (`-T /usr/bin/security`), so the gateway's secret resolver, the skill's `claw-mesh ask`
 * and the watchdog read it silently whichever node binary runs them, before and after a node upgrade. (Through
 * @napi-rs/keyring, keyring-rs' legacy SecKeychain calls gave each item the default access list: only the node that
 * wrote it, so any other node made macOS ask, and under launchd or SSH nobody can answer.)
 *
 * The value travels on security's stdin as hex (`security -i`, `add-generic-password … -X <hex>`), never in argv; it
 * comes back on stderr (`find-generic-password -g`, see parseFoundPassword). All through the one Runner: its
 * allow-listed child environment and its timeout apply.
 */
export function createMacKeychainStore(opts: {
  service: string
  runner: Runner
  timeoutMs: number
  platformLabel: string
  unavailable: Unavailable
}): SecretStore {
  const {service, runner, timeoutMs, unavailable} = opts
  const run = (args: string[], input?: string) => runner.run(SECURITY, args, {input, timeoutMs})

  /** A refusal in claw-mesh's words. `security` prints nothing when a read is refused, so its exit status is the evidence. */
  const refused = async (what: string, r: RunResult, value?: string): Promise<Error> => {
    if (r.notFound) return unavailable(`${SECURITY} could not be run (${what}).`)
    if (r.timedOut)
      return unavailable(`The keychain did not answer within ${timeoutMs} ms (${what}).`, 'prompt-pending')
    const outcome = securityOutcome(r.exitCode)
    if (outcome === 'interaction-not-allowed') {
      // Locked keychain or an item that does not trust security: SecKeychainCopySettings needs only the unlocked
      // keychain, so `show-keychain-info` tells the two apart (it too answers 36 while the keychain is locked).
      const info = await run(['show-keychain-info'])
      const itemOnly = info.exitCode === 0
      return unavailable(
        `The keychain refused ${what}: User interaction is not allowed.${itemOnly ? ' The login keychain is unlocked, but this item does not trust /usr/bin/security.' : ''}`,
        itemOnly ? 'item-not-trusted' : undefined,
      )
    }
    if (outcome === 'denied')
      return unavailable(
        `The keychain refused ${what}: the prompt was denied or cancelled (security exit ${r.exitCode}).`,
      )
    // The first line of security's own complaint: never the value (it is only ever on stdin, hex), stripped anyway.
    let said = r.stderr.split('\n').find((l) => l.trim() !== '') ?? ''
    if (value)
      said = said.split(Buffer.from(value, 'utf8').toString('hex')).join('<value>').split(value).join('<value>')
    return unavailable(
      `The keychain refused ${what}: security exited ${r.exitCode}${said ? ` (${said.slice(0, 200)})` : ''}.`,
    )
  }

  return {
    backend: 'keychain',
    location: `${opts.platformLabel} (service "${service}", through ${SECURITY})`,
    async get(name) {
      const r = await run(['find-generic-password', '-s', service, '-a', name, '-g'])
      const outcome = securityOutcome(r.exitCode)
      if (outcome === 'not-found' && !r.timedOut) return undefined
      if (outcome !== 'ok' || r.timedOut || r.notFound) throw await refused(`reading ${name}`, r)
      const value = parseFoundPassword(r.stderr)
      if (value === undefined)
        throw unavailable(`The keychain answered reading ${name}, but security printed no password line.`)
      return value
    },
    async set(name, value) {
      const line = securityAddLine(service, name, value)
      if (Buffer.byteLength(line) - 1 > SECURITY_MAX_LINE) {
        throw new ClawMeshError(
          `The secret ${name} is too long for the macOS Keychain through ${SECURITY} (${Buffer.byteLength(value)} bytes; about 2000 fit).`,
          {
            code: 'secret-too-long',
            hint: 'Use a shorter value, or --secret-store file.',
          },
        )
      }
      const r = await run(['-i'], line)
      if (r.exitCode !== 0 || r.timedOut || r.notFound) throw await refused(`writing ${name}`, r, value)
    },
    async delete(name) {
      const r = await run(['delete-generic-password', '-s', service, '-a', name])
      const outcome = securityOutcome(r.exitCode)
      if (outcome === 'not-found' && !r.timedOut) return false
      if (outcome !== 'ok' || r.timedOut || r.notFound) throw await refused(`deleting ${name}`, r)
      return true
    },
  }
}
