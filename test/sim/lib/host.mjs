// One simulated host: its state file, its daemon (up or down), its fault knobs, and the backend
// state derived from the state file plus the control plane (so an admin-side change, like approving
// the machine or expiring its key, shows up without the host doing anything).
import path from 'node:path'
import {exists, readJson, SimExit, writeJson} from './env.mjs'

export const DEFAULT_CONTROL_URL = 'https://controlplane.tailscale.com'

const DAEMON_DOWN_TEXT = {
  linux: "failed to connect to local tailscaled; it doesn't appear to be running (sudo systemctl start tailscaled ?)",
  macOS: 'failed to connect to local Tailscale service; is Tailscale running?',
  windows: 'failed to connect to local tailscaled process; is the Tailscale service running?',
}

const DEFAULT_SOCKET = {
  linux: '/var/run/tailscale/tailscaled.sock',
  macOS: '/var/run/tailscaled.socket',
  windows: '\\\\.\\pipe\\ProtectedPrefix\\Administrators\\Tailscale\\tailscaled',
}

export function defaultPrefs() {
  return {
    controlURL: '',
    hostname: '',
    advertiseTags: [],
    routeAll: false,
    corpDNS: true,
    runSSH: false,
    operatorUser: '',
    forceDaemon: false,
  }
}

export function freshState() {
  return {
    haveNodeKey: false,
    nodeId: null,
    wantRunning: false,
    authURL: '',
    prefs: defaultPrefs(),
    upCount: 0,
    setCount: 0,
    socket: null,
    tun: true,
    memState: false,
    loginAt: null,
  }
}

export function openHost(cfg, socketFlag) {
  const file = (name) => path.join(cfg.stateDir, name)
  const host = {
    cfg,
    socketFlag,
    /** null on a fresh host (backend state NoState). */
    load: () => readJson(file('state.json')),
    save: (state) => writeJson(file('state.json'), state),
    faults: () => readJson(file('faults.json'), {}),
    daemonUp: () => hostDaemonUp(cfg.stateDir, socketFlag),
    socketPath: () => socketFlag || DEFAULT_SOCKET[cfg.os],

    /** What status/up print when the daemon is down (fixTailscaledConnectError). */
    requireDaemon() {
      if (host.daemonUp()) return
      // macOS, App Store app running but unreachable from this process (sudo, another user, no lsof): diag.go names it.
      const pid = cfg.os === 'macOS' ? host.faults().ipnExtensionPid : undefined
      if (pid) {
        throw new SimExit(
          `failed to connect to local tailscaled (which appears to be running as IPNExtension, pid ${pid}). Got error: Failed to connect to local Tailscale daemon for /localapi/v0/status; not running? Error: dial unix ${host.socketPath()}: connect: no such file or directory`,
        )
      }
      throw new SimExit(DAEMON_DOWN_TEXT[cfg.os])
    },

    /** The raw LocalAPI error `ip`, `set`, `logout` print when the daemon is down. */
    requireDaemonRaw(prefix = '') {
      if (host.daemonUp()) return
      const sock = host.socketPath()
      const cause =
        cfg.os === 'windows'
          ? `open ${sock}: The system cannot find the file specified.`
          : `dial unix ${sock}: connect: no such file or directory`
      throw new SimExit(
        `${prefix}Failed to connect to local Tailscale daemon for /localapi/v0/status; not running? Error: ${cause}`,
      )
    },

    markDaemonDown: () => writeJson(file('daemon-down'), {since: new Date().toISOString()}),
  }
  return host
}

/** Up unless daemon-down exists; via --socket only when that file exists; via the default socket unless no-system-daemon exists. */
export function hostDaemonUp(stateDir, socket) {
  if (exists(path.join(stateDir, 'daemon-down'))) return false
  if (socket) return exists(socket)
  return !exists(path.join(stateDir, 'no-system-daemon'))
}

export function deriveBackendState(state, node, now = Date.now()) {
  if (!state) return 'NoState'
  if (!state.haveNodeKey || !node) return 'NeedsLogin'
  if (node.keyExpiry && Date.parse(node.keyExpiry) <= now) return 'NeedsLogin'
  if (!node.authorized) return 'NeedsMachineAuth'
  if (!state.wantRunning) return 'Stopped'
  return 'Running'
}
