import {statSync} from 'node:fs'
import {
  judgeSecretService,
  SECRET_SERVICE,
  SECRET_SERVICE_PATH,
  sessionBusAddress,
  type SecretServiceReadiness,
} from '../../core/secrets/secret-service.js'
import type {Runner} from '../runner.js'

/** Whether `file` is a socket owned by this user (a bus someone else runs is not ours to talk to). */
export function isOwnSocket(file: string): boolean {
  try {
    const st = statSync(file)
    return st.isSocket() && (typeof process.getuid !== 'function' || st.uid === process.getuid())
  } catch {
    return false
  }
}

/** The session bus this user's claw-mesh talks to, wherever it runs (login shell, systemd unit, cron). */
export function userSessionBus(env: NodeJS.ProcessEnv): string | undefined {
  return sessionBusAddress(env, typeof process.getuid === 'function' ? process.getuid() : undefined, isOwnSocket)
}

/**
 * Asks the session bus, read-only, whether the Secret Service can keep a secret now (see judgeSecretService).
 * `undefined` when `dbus-send` is not installed: the keyring library's own connection then decides.
 */
export async function secretServiceReadiness(
  runner: Runner,
  busAddress: string | undefined,
  timeoutMs: number,
): Promise<SecretServiceReadiness | undefined> {
  if (!busAddress)
    return {
      usable: false,
      problem: 'no-bus',
      detail: 'no session bus address ($DBUS_SESSION_BUS_ADDRESS unset, no $XDG_RUNTIME_DIR/bus)',
    }
  const ask = async (path: string, ...call: string[]) => {
    // `--dest` auto-starts an activatable Secret Service (gnome-keyring, KeePassXC), as the keyring library would.
    const r = await runner.run(
      'dbus-send',
      ['--session', '--print-reply', `--reply-timeout=${timeoutMs}`, `--dest=${SECRET_SERVICE}`, path, ...call],
      {env: {DBUS_SESSION_BUS_ADDRESS: busAddress}, timeoutMs: timeoutMs + 1000},
    )
    return r
  }
  const alias = await ask(SECRET_SERVICE_PATH, 'org.freedesktop.Secret.Service.ReadAlias', 'string:default')
  if (alias.notFound) return undefined
  const first = judgeSecretService(alias)
  if (!first.usable) return first
  const locked = await ask(
    first.collection,
    'org.freedesktop.DBus.Properties.Get',
    'string:org.freedesktop.Secret.Collection',
    'string:Locked',
  )
  return judgeSecretService(alias, locked)
}
