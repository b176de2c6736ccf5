// `set`, `down`, `logout` and `wait`: the commands that change or watch a node without logging in.
import {openControl} from './control.mjs'
import {err, rfc3339, SimExit, sleep} from './env.mjs'
import {goQuote, parseFlags} from './flags.mjs'
import {deriveBackendState, freshState} from './host.mjs'
import {setNodeHostname} from './login.mjs'
import {accessDenied, TIMEOUT_TEXT} from './up.mjs'

function setFlagSpec(os) {
  const spec = {
    hostname: {type: 'string'},
    'accept-routes': {type: 'bool'},
    'accept-dns': {type: 'bool', default: true},
    ssh: {type: 'bool'},
  }
  if (os !== 'windows') spec.operator = {type: 'string'}
  if (os === 'windows') spec.unattended = {type: 'bool'}
  return spec
}

const SET_PREFS = {
  hostname: 'hostname',
  'accept-routes': 'routeAll',
  'accept-dns': 'corpDNS',
  ssh: 'runSSH',
  operator: 'operatorUser',
  unattended: 'forceDaemon',
}

/** `tailscale set`: changes only the settings it names (no key, tags or login-server flags). */
export async function runSet(ctx, args) {
  const {host, allArgs} = ctx
  const parsed = parseFlags(args, setFlagSpec(host.cfg.os), 'tailscale set [flags]')
  if (parsed.positional.length > 0)
    throw new SimExit(`too many non-flag arguments: [${parsed.positional.map(goQuote).join(' ')}]`)
  if (parsed.set.size === 0) throw new SimExit('USAGE\n  tailscale set [flags]\n', 0, {raw: true})
  host.requireDaemonRaw()
  if (parsed.values.hostname.length > 256)
    throw new SimExit(`hostname too long: ${parsed.values.hostname.length} bytes (max 256)`)
  if (host.faults().needsRoot) throw accessDenied('prefs access denied', allArgs)
  const control = openControl(host.cfg.controlDir)
  const state = host.load() ?? freshState()
  for (const name of parsed.set) state.prefs[SET_PREFS[name]] = parsed.values[name]
  const node = state.nodeId ? control.getNode(state.nodeId) : null
  if (node && parsed.set.has('hostname')) setNodeHostname(control, node, state.prefs.hostname || host.cfg.osHostname)
  state.setCount = (state.setCount ?? 0) + 1
  host.save(state)
  return 0
}

export async function runDown(ctx, args) {
  const {host} = ctx
  const parsed = parseFlags(args, {'accept-risk': {type: 'string'}}, 'tailscale down')
  if (parsed.positional.length > 0)
    throw new SimExit(`too many non-flag arguments: [${parsed.positional.map(goQuote).join(' ')}]`)
  host.requireDaemonRaw('error fetching current status: ')
  const control = openControl(host.cfg.controlDir)
  const state = host.load()
  const node = state?.nodeId ? control.getNode(state.nodeId) : null
  if (deriveBackendState(state, node) === 'Stopped') {
    err('Tailscale was already stopped.\n')
    return 0
  }
  if (!state) return 0
  state.wantRunning = false
  host.save(state)
  if (node) control.saveNode({...node, lastSeen: rfc3339(Date.now())})
  return 0
}

export async function runLogout(ctx, args) {
  const {host} = ctx
  const parsed = parseFlags(args, {reason: {type: 'string'}}, 'tailscale logout')
  if (parsed.positional.length > 0)
    throw new SimExit(`too many non-flag arguments: [${parsed.positional.map(goQuote).join(' ')}]`)
  host.requireDaemonRaw()
  const control = openControl(host.cfg.controlDir)
  const state = host.load()
  if (!state) return 0
  if (state.nodeId) control.removeNode(state.nodeId)
  Object.assign(state, {haveNodeKey: false, nodeId: null, wantRunning: false, authURL: ''})
  host.save(state)
  return 0
}

/** `tailscale wait`: blocks until Running with an IP (watching the daemon come up too). */
export async function runWait(ctx, args) {
  const {host} = ctx
  const {values: f} = parseFlags(
    args,
    {timeout: {type: 'duration', default: 0}},
    'tailscale wait [--timeout=<duration>]',
  )
  const control = openControl(host.cfg.controlDir)
  const deadline = f.timeout > 0 ? Date.now() + f.timeout : Infinity
  for (;;) {
    if (host.daemonUp()) {
      const state = host.load()
      const node = state?.nodeId ? control.getNode(state.nodeId) : null
      if (deriveBackendState(state, node) === 'Running' && node.ipv4) return 0
    }
    const left = deadline - Date.now()
    if (left <= 0) throw new SimExit(TIMEOUT_TEXT)
    await sleep(Math.min(100, left))
  }
}
