import {DEFAULT_TRUST, observedTrust, type TrustLevel} from '../pairing/pair-trust.js'
import {isObject} from '../openclaw/openclaw-config.js'
import {fail, pass, skip, warn, type CheckOutcome} from './types.js'

const REMEDY_WRITE = 'claw-mesh gateway configure'

/**
 * One paired peer's trust: openclaw.json's policy for its sender must be the one its record names (a missing or
 * hand-edited one fails: the peer's messages may then do more than the user chose), and a pair that may run
 * commands here is pointed out every time.
 */
export function evalPeerTrust(
  name: string,
  recorded: TrustLevel | undefined,
  paired: boolean,
  config: unknown,
): CheckOutcome {
  if (!paired) return skip('not paired over A2A (a hooks peer starts no run with a sender policy)')
  if (!isObject(config)) return skip('no parseable openclaw.json (see gateway-config)')
  const level = recorded ?? DEFAULT_TRUST
  const seen = observedTrust(config, name)
  if (seen !== level) {
    const what =
      seen === 'missing'
        ? 'has no tools.toolsBySender policy for it (its messages get every tool this agent has, commands included)'
        : seen === 'other'
          ? 'has a tools.toolsBySender policy for it that claw-mesh did not write'
          : `gives it ${seen}`
    return fail(
      `${name} is recorded with trust ${level}, but openclaw.json ${what}.`,
      `${REMEDY_WRITE} (writes ${level}); to keep another level, claw-mesh peer trust ${name} LEVEL`,
      {kind: 'configure-gateway'},
    )
  }
  if (level === 'delegate')
    return warn(
      `${name} has trust delegate: its messages may run commands and change files on this host.`,
      `If that is not meant: claw-mesh peer trust ${name} chat`,
    )
  return pass(`${level}: its messages cannot run commands or change files here`)
}
