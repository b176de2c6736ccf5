// `tailscaled`: a stand-in daemon that creates its socket after a short delay (the start race CI
// scripts trip on), stays up until SIGTERM/SIGINT, then removes the socket. With --state=mem: the
// node is ephemeral: it leaves the tailnet when the daemon stops.
import {rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {openControl} from './control.mjs'
import {err, rfc3339, writeJson} from './env.mjs'
import {parseFlags} from './flags.mjs'
import {freshState} from './host.mjs'
import {versionInfo} from './status.mjs'

export const SOCKET_DELAY_MS = 300

export async function runTailscaled(ctx, args) {
  const {host} = ctx
  const cfg = host.cfg
  const {values: f} = parseFlags(
    args,
    {
      tun: {type: 'string', default: 'tailscale0'},
      state: {type: 'string'},
      statedir: {type: 'string'},
      socket: {type: 'string'},
      port: {type: 'int'},
      verbose: {type: 'int'},
      'no-logs-no-support': {type: 'bool'},
      'socks5-server': {type: 'string'},
      'outbound-http-proxy-listen': {type: 'string'},
      cleanup: {type: 'bool'},
    },
    'tailscaled [flags]',
  )
  if (f.cleanup) return 0
  err(`Program starting: v${versionInfo(cfg.version).long}, Go 1.24.4: ${JSON.stringify(['tailscaled', ...args])}\n`)

  const memState = f.state === 'mem:'
  const prior = host.load()
  const state = memState || !prior ? freshState() : prior
  Object.assign(state, {memState, tun: f.tun !== 'userspace-networking', socket: f.socket || null})
  host.save(state)

  const downMarker = path.join(cfg.stateDir, 'daemon-down')
  const timer = setTimeout(() => {
    if (f.socket) writeFileSync(f.socket, `tailscaled-sim ${process.pid}\n`)
    else rmSync(downMarker, {force: true})
    err(`tailscaled: listening on ${f.socket || 'the default socket'}\n`)
  }, SOCKET_DELAY_MS)
  const keepAlive = setInterval(() => {}, 60_000)

  return new Promise((resolve) => {
    const stop = (signal) => {
      clearTimeout(timer)
      clearInterval(keepAlive)
      err(`tailscaled got signal ${signal}; shutting down\n`)
      if (f.socket) rmSync(f.socket, {force: true})
      else writeJson(downMarker, {since: new Date().toISOString()})
      leaveTailnet(host, memState)
      resolve(0)
    }
    process.once('SIGTERM', () => stop('terminated'))
    process.once('SIGINT', () => stop('interrupt'))
  })
}

function leaveTailnet(host, memState) {
  const control = openControl(host.cfg.controlDir)
  const state = host.load()
  const node = state?.nodeId ? control.getNode(state.nodeId) : null
  if (node && (memState || node.ephemeral)) control.removeNode(node.id)
  else if (node) control.saveNode({...node, lastSeen: rfc3339(Date.now())})
  // In-memory state dies with the process.
  if (memState) host.save({...freshState(), memState: true})
}
