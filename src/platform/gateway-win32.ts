import {existsSync} from 'node:fs'
import path from 'node:path'
import {serviceProfile} from '../core/openclaw/openclaw-service-name.js'
import type {GatewayPlatform} from './types.js'

// "default" in any case (and a blank name) means no profile, as OpenClaw's normalizeGatewayProfile reads it.
const taskName = (profile?: string) => {
  const p = serviceProfile(profile)
  return p ? `OpenClaw Gateway (${p})` : 'OpenClaw Gateway'
}

/**
 * Where OpenClaw puts its per-user login item when Task Scheduler refuses to create the task (common for standard
 * users; docs/gateway/index.md): `<Startup folder>\<task name>.vbs` (hidden launcher) or `.cmd`. The rule follows
 * OpenClaw's resolveStartupEntryPaths — the task name from OPENCLAW_WINDOWS_TASK_NAME or the profile, the Startup
 * folder under APPDATA (else the profile's AppData\Roaming) — and joins with this host's path rules, as OpenClaw
 * does, because the files are looked for on this machine.
 */
export function startupEntryPaths(
  env: NodeJS.ProcessEnv,
  profile: string | undefined,
  home: string,
  join = (...parts: string[]) => path.join(...parts),
): string[] {
  const name = env.OPENCLAW_WINDOWS_TASK_NAME?.trim() || taskName(profile ?? env.OPENCLAW_PROFILE)
  const appData = env.APPDATA?.trim()
  const roaming = appData || join(env.USERPROFILE?.trim() || env.HOME?.trim() || home, 'AppData', 'Roaming')
  const dir = join(roaming, 'Microsoft', 'Windows', 'Start Menu', 'Programs', 'Startup')
  // eslint-disable-next-line no-control-regex
  const file = name.replace(/[<>:"/\\|?*]/g, '_').replace(/[\u0000-\u001f\u007f-\u009f]/g, '_')
  return [join(dir, `${file}.cmd`), join(dir, `${file}.vbs`)]
}

/** Task Scheduler. */
export const win32Gateway: GatewayPlatform = {
  serviceManager: 'Task Scheduler',
  async probeServiceManager(run) {
    const r = await run('schtasks', ['/Query', '/FO', 'CSV', '/NH'])
    if (r.notFound) return {usable: false, detail: 'schtasks not found'}
    return r.exitCode === 0
      ? {usable: true, detail: 'Task Scheduler answers'}
      : {usable: false, detail: 'Task Scheduler did not answer'}
  },
  serviceLocation(_home, profile) {
    return taskName(profile)
  },
  // A Scheduled Task, or OpenClaw's Startup-folder fallback: without the latter every `gateway start` re-ran
  // `openclaw gateway install --force` and status and doctor reported no service (W9).
  async serviceInstalled(home, profile, run, env) {
    if ((await run('schtasks', ['/Query', '/TN', taskName(profile)])).exitCode === 0) return true
    return startupEntryPaths(env, profile, home).some((p) => existsSync(p))
  },
  async serviceNotes() {
    return []
  },
  async isGatewayProcess(pid, run) {
    const r = await run('powershell', [
      '-NoProfile',
      '-Command',
      `(Get-CimInstance Win32_Process -Filter "ProcessId=${pid}").CommandLine`,
    ])
    return r.exitCode === 0 && r.stdout.includes('openclaw')
  },
  // Windows has no shebang scripts OpenClaw could run without a shell: it runs node itself, with claw-mesh's
  // entry as the first argument and the store settings in the provider's fixed env.
  // Loaded when asked: the netstat parser is Windows-only.
  loopbackListeners: async (port, run) => (await import('./listeners-win32.js')).win32LoopbackListeners(port, run),
  secretLauncher(opts) {
    return {
      command: opts.nodePath,
      args: [opts.cliEntry, 'secrets', 'resolve'],
      env: {
        CLAW_MESH_HOME: opts.stateDir,
        CLAW_MESH_SECRET_STORE: opts.backend,
        CLAW_MESH_SKIP_NEW_VERSION_CHECK: 'true',
      },
    }
  },
  secretResolverPassEnv: ['USERPROFILE', 'APPDATA', 'LOCALAPPDATA', 'SystemRoot', 'USERNAME', 'TEMP'],
}
