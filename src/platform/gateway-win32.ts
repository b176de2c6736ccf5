import type {GatewayPlatform} from './types.js'
import {win32LoopbackListeners} from './listeners-win32.js'

const taskName = (profile?: string) => (profile && profile !== 'default' ? `OpenClaw Gateway (${profile})` : 'OpenClaw Gateway')

/** Task Scheduler. */
export const win32Gateway: GatewayPlatform = {
  serviceManager: 'Task Scheduler',
  async probeServiceManager(run) {
    const r = await run('schtasks', ['/Query', '/FO', 'CSV', '/NH'])
    if (r.notFound) return {usable: false, detail: 'schtasks not found'}
    return r.exitCode === 0 ? {usable: true, detail: 'Task Scheduler answers'} : {usable: false, detail: 'Task Scheduler did not answer'}
  },
  serviceLocation(_home, profile) {
    return taskName(profile)
  },
  async serviceInstalled(_home, profile, run) {
    return (await run('schtasks', ['/Query', '/TN', taskName(profile)])).exitCode === 0
  },
  async serviceNotes() {
    return []
  },
  async isGatewayProcess(pid, run) {
    const r = await run('powershell', ['-NoProfile', '-Command', `(Get-CimInstance Win32_Process -Filter "ProcessId=${pid}").CommandLine`])
    return r.exitCode === 0 && r.stdout.includes('openclaw')
  },
  // Windows has no shebang scripts OpenClaw could run without a shell: it runs node itself, with claw-mesh's
  // entry as the first argument and the store settings in the provider's fixed env.
  loopbackListeners: win32LoopbackListeners,
  secretLauncher(opts) {
    return {command: opts.nodePath, args: [opts.cliEntry, 'secrets', 'resolve'], env: {CLAW_MESH_HOME: opts.stateDir, CLAW_MESH_SECRET_STORE: opts.backend, CLAW_MESH_SKIP_NEW_VERSION_CHECK: 'true'}}
  },
  secretResolverPassEnv: ['USERPROFILE', 'APPDATA', 'LOCALAPPDATA', 'SystemRoot', 'USERNAME', 'TEMP'],
}
