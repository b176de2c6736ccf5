import {closeSync, existsSync, openSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {humanAccounts, loginDefsUidMin} from '../core/lifecycle/root-warning.js'
import type {HostProbe, PlatformAdapter} from './types.js'

/** Finds an executable on PATH the way the OS would. */
export function findOnPath(
  name: string,
  env: NodeJS.ProcessEnv,
  adapter: PlatformAdapter,
  exists: (p: string) => boolean = existsSync,
): string | undefined {
  const dirs = (env.PATH ?? env.Path ?? '').split(adapter.pathDelimiter).filter(Boolean)
  const join = (...parts: string[]) => (adapter.id === 'win32' ? path.win32.join(...parts) : path.posix.join(...parts))
  for (const dir of dirs) {
    for (const file of adapter.executableNames(name)) {
      const candidate = join(dir, file)
      if (exists(candidate)) return candidate
    }
  }
  return undefined
}

export function parseOsRelease(text: string): HostProbe['osRelease'] {
  const values: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const m = /^([A-Z_]+)=(.*)$/.exec(line.trim())
    if (m) values[m[1]] = m[2].replace(/^["']|["']$/g, '')
  }
  return {
    id: values.ID ?? 'unknown',
    idLike: (values.ID_LIKE ?? '').split(/\s+/).filter(Boolean),
    versionId: values.VERSION_ID,
  }
}

/** Where the Tailscale GUI app (App Store or standalone) lives on a Mac. */
export const MACOS_TAILSCALE_APP = '/Applications/Tailscale.app'

/** Reads the facts an install plan needs from this machine. `exists` is the file-system seam (tests pass a fake). */
export function probeHost(
  adapter: PlatformAdapter,
  env: NodeJS.ProcessEnv,
  exists: (p: string) => boolean = existsSync,
): HostProbe {
  const commands: Record<string, string | undefined> = {}
  for (const name of [
    'tailscale',
    'tailscaled',
    'brew',
    'winget',
    'sudo',
    'curl',
    'systemctl',
    'openclaw',
    'loginctl',
  ]) {
    commands[name] = findOnPath(name, env, adapter, exists)
  }
  let osRelease: HostProbe['osRelease']
  let hasSystemd = false
  let inContainer = false
  if (adapter.id === 'linux') {
    try {
      osRelease = parseOsRelease(readFileSync('/etc/os-release', 'utf8'))
    } catch {
      osRelease = {id: 'unknown', idLike: []}
    }
    // systemd is PID 1 only when /run/systemd/system exists (what sd_booted() checks).
    hasSystemd = existsSync('/run/systemd/system')
    inContainer = existsSync('/.dockerenv') || existsSync('/run/.containerenv') || Boolean(env.container)
  }
  const isRoot = typeof process.getuid === 'function' ? process.getuid() === 0 : false
  const probe: HostProbe = {
    platform: adapter.id,
    isRoot,
    osRelease,
    hasSystemd,
    inContainer,
    commands,
    tun: adapter.id === 'linux' && tunOpens(),
  }
  if (adapter.id === 'linux' && isRoot)
    probe.humanUsers = humanAccounts(readOr('/etc/passwd'), loginDefsUidMin(readOr('/etc/login.defs')))
  if (adapter.id === 'darwin') {
    probe.tailscaleApp = exists(MACOS_TAILSCALE_APP)
    // `brew list --formula tailscale` answers from the keg in <prefix>/Cellar; brew lives in <prefix>/bin.
    probe.tailscaleFormula =
      commands.brew !== undefined &&
      exists(path.posix.join(path.posix.dirname(path.posix.dirname(commands.brew)), 'Cellar', 'tailscale'))
  }
  return probe
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8')
  } catch {
    return ''
  }
}

/** Whether /dev/net/tun opens read-write (what tailscaled needs before it can create tailscale0). */
function tunOpens(): boolean {
  try {
    closeSync(openSync('/dev/net/tun', 'r+'))
    return true
  } catch {
    return false
  }
}
