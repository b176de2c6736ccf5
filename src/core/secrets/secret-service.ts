import type {SecretServiceProblem} from '../os/keychain-refusal.js'

/**
 * The Linux "keychain" is the Secret Service (org.freedesktop.secrets) on the user's session bus, and nothing else:
 * @napi-rs/keyring would otherwise fall back, silently, to the kernel keyutils keyring, which is volatile (gone at
 * reboot) and per login session (invisible from cron, a service unit or another shell).
 */

export const SECRET_SERVICE = 'org.freedesktop.secrets'
export const SECRET_SERVICE_PATH = '/org/freedesktop/secrets'

/**
 * The session bus a login shell, a systemd user unit and cron all share: `$DBUS_SESSION_BUS_ADDRESS` when set, else
 * the user bus socket (`$XDG_RUNTIME_DIR/bus`, which cron lacks, then `/run/user/<uid>/bus`), so the same user gets
 * the same judgement wherever claw-mesh runs. `isSocket` says whether a path is a socket this user owns.
 */
export function sessionBusAddress(
  env: NodeJS.ProcessEnv,
  uid: number | undefined,
  isSocket: (file: string) => boolean,
): string | undefined {
  if (env.DBUS_SESSION_BUS_ADDRESS) return env.DBUS_SESSION_BUS_ADDRESS
  const candidates = [
    env.XDG_RUNTIME_DIR ? `${env.XDG_RUNTIME_DIR.replace(/\/+$/, '')}/bus` : undefined,
    uid === undefined ? undefined : `/run/user/${uid}/bus`,
  ]
  for (const file of candidates) if (file && isSocket(file)) return `unix:path=${file}`
  return undefined
}

/** The value line of a `dbus-send --print-reply` answer: `object path "/x"` → "/x", `variant boolean true` → "true". */
export function dbusReplyValue(stdout: string): string | undefined {
  const line = stdout.split('\n').find((l) => /^\s+(object path|variant|string|boolean)\s/.test(l))
  const m = line && /(?:object path|boolean|string)\s+"?([^"\n]*?)"?\s*$/.exec(line)
  return m ? m[1] : undefined
}

export interface DbusAnswer {
  exitCode: number
  stdout: string
  stderr: string
}

export type SecretServiceReadiness =
  {usable: true; collection: string} | {usable: false; problem: SecretServiceProblem; detail: string}

/** What a failed call to the bus means: no bus at all, or no Secret Service on it. */
function busFailure(a: DbusAnswer): SecretServiceReadiness {
  const detail = (a.stderr || a.stdout).trim().split('\n')[0] ?? `exit ${a.exitCode}`
  const problem: SecretServiceProblem = /ServiceUnknown|NameHasNoOwner|not provided by any/i.test(detail)
    ? 'no-secret-service'
    : /Failed to open connection|Failed to connect|No such file|autolaunch|DBUS_SESSION_BUS_ADDRESS/i.test(detail)
      ? 'no-bus'
      : 'no-secret-service'
  return {usable: false, problem, detail}
}

/**
 * Judges the Secret Service from two read-only questions (nothing is written, nothing left behind): which collection
 * is the `default` alias (`ReadAlias`; "/" means none, and creating one needs a prompt), and is it `Locked` (an
 * item can then only be written after an unlock prompt, which a headless session cannot show). Both a dry run and a
 * real run ask exactly this, so they decide the same way.
 */
export function judgeSecretService(alias: DbusAnswer, locked?: DbusAnswer): SecretServiceReadiness {
  if (alias.exitCode !== 0) return busFailure(alias)
  const collection = dbusReplyValue(alias.stdout)
  if (!collection || collection === '/')
    return {usable: false, problem: 'no-default-collection', detail: 'ReadAlias("default") returned no collection'}
  if (!locked) return {usable: true, collection}
  if (locked.exitCode !== 0) return busFailure(locked)
  return dbusReplyValue(locked.stdout) === 'false'
    ? {usable: true, collection}
    : {usable: false, problem: 'locked', detail: `${collection} is locked`}
}
