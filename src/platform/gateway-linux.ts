import path from 'node:path'
import {linuxLoopbackListeners} from './listeners-linux.js'
import {isOwnOpenClawProcess, posixSecretLauncher} from './gateway-common.js'
import {processFacts} from './process-info.js'
import type {GatewayPlatform} from './types.js'
import {serviceProfile} from '../core/openclaw/openclaw-service-name.js'

const unitName = (profile?: string) => {
  const p = serviceProfile(profile)
  return p ? `openclaw-gateway-${p}.service` : 'openclaw-gateway.service'
}

/** systemd user units. A container or CI runner usually has no user manager: then claw-mesh runs the gateway itself. */
export const linuxGateway: GatewayPlatform = {
  serviceManager: 'systemd --user',
  async probeServiceManager(run) {
    // `is-system-running` prints "degraded" (exit 1) on many healthy desktops; `show-environment` only needs the
    // manager to answer on the user bus.
    const r = await run('systemctl', ['--user', 'show-environment'])
    if (r.notFound) return {usable: false, detail: 'systemctl is not installed'}
    if (r.exitCode === 0) return {usable: true, detail: 'systemd user manager answers'}
    return {
      usable: false,
      detail: `no systemd user session (${(r.stderr || r.stdout).trim().split('\n')[0] || `exit ${r.exitCode}`})`,
    }
  },
  serviceLocation(home, profile) {
    return path.posix.join(home, '.config', 'systemd', 'user', unitName(profile))
  },
  async serviceInstalled(_home, profile, run) {
    const r = await run('systemctl', ['--user', 'cat', unitName(profile)])
    return r.exitCode === 0
  },
  async serviceNotes(run, env) {
    const user = env.USER || env.LOGNAME
    if (!user) return []
    const r = await run('loginctl', ['show-user', user, '--property=Linger'])
    if (r.exitCode === 0 && /Linger=no/.test(r.stdout)) {
      return [`Linger is off for ${user}: the gateway stops when you log out. Run: loginctl enable-linger ${user}`]
    }
    return []
  },
  async isGatewayProcess(pid) {
    return isOwnOpenClawProcess(processFacts(pid), process.getuid?.())
  },
  loopbackListeners: async (port) => linuxLoopbackListeners(port),
  secretLauncher: posixSecretLauncher,
  secretResolverPassEnv: ['HOME', 'USER', 'LOGNAME', 'DBUS_SESSION_BUS_ADDRESS', 'XDG_RUNTIME_DIR'],
}
