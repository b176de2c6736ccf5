import {existsSync} from 'node:fs'
import {darwinLoopbackListeners} from './listeners-other.js'
import path from 'node:path'
import {posixSecretLauncher} from './gateway-common.js'
import {serviceProfile} from '../core/openclaw/openclaw-service-name.js'
import type {GatewayPlatform} from './types.js'

const label = (profile?: string) => {
  const p = serviceProfile(profile)
  return p ? `ai.openclaw.${p}` : 'ai.openclaw.gateway'
}
// `home` is the OS home ($HOME), never OPENCLAW_HOME: OpenClaw's resolveDaemonHomeDir puts the plist in the login
// user's ~/Library/LaunchAgents whatever OPENCLAW_HOME says (issue 17, M10).
const plist = (home: string, profile?: string) =>
  path.posix.join(home, 'Library', 'LaunchAgents', `${label(profile)}.plist`)

/** launchd LaunchAgents in the user's GUI session. */
export const darwinGateway: GatewayPlatform = {
  serviceManager: 'launchd',
  async probeServiceManager(run) {
    const uid = typeof process.getuid === 'function' ? process.getuid() : undefined
    if (uid === undefined) return {usable: false, detail: 'no user id'}
    const r = await run('launchctl', ['print', `gui/${uid}`])
    if (r.notFound) return {usable: false, detail: 'launchctl not found'}
    return r.exitCode === 0
      ? {usable: true, detail: 'launchd GUI session answers'}
      : {usable: false, detail: 'no launchd GUI session (logged in over SSH only?)'}
  },
  serviceLocation: plist,
  async serviceInstalled(home, profile) {
    return existsSync(plist(home, profile))
  },
  // What a headless Mac needs after a reboot: automatic login (ruled out by FileVault), since every LaunchAgent lives
  // in the desktop session (issue 17, M5).
  async serviceNotes(run, env) {
    const [autoLogin, fileVault] = await Promise.all([
      run('defaults', ['read', '/Library/Preferences/com.apple.loginwindow', 'autoLoginUser']),
      run('fdesetup', ['status']),
    ])
    const {macSessionNotes} = await import('../core/os/macos-session.js')
    return macSessionNotes({
      user: env.USER || env.LOGNAME,
      autoLogin,
      fileVault: fileVault.exitCode === 0 ? fileVault.stdout : undefined,
    })
  },
  async isGatewayProcess(pid, run) {
    // The owner too: another user's process named openclaw is never ours to signal.
    const r = await run('ps', ['-p', String(pid), '-o', 'uid=,command='])
    const m = /^\s*(\d+)\s+(.*)$/s.exec(r.stdout)
    return r.exitCode === 0 && m !== null && Number(m[1]) === process.getuid?.() && m[2].includes('openclaw')
  },
  loopbackListeners: darwinLoopbackListeners,
  secretLauncher: posixSecretLauncher,
  secretResolverPassEnv: ['HOME', 'USER', 'LOGNAME', 'TMPDIR'],
}
