// `tailscale status` (JSON and text) and `tailscale ip`, built from the host state and the control
// plane. Field names, order and null-versus-absent follow ipnstate.Status as the real CLI prints it.
import {createHash} from 'node:crypto'
import {statSync} from 'node:fs'
import path from 'node:path'
import {OWNER_USER, TAGGED_USER, openControl} from './control.mjs'
import {out, readJson, rfc3339, SimExit, ZERO_TIME} from './env.mjs'
import {parseFlags} from './flags.mjs'
import {deriveBackendState, hostDaemonUp} from './host.mjs'

const RELAYS = ['ams', 'fra', 'nyc', 'sfo', 'lhr', 'sin']
const PEERAPI_PORT = 41912

/** tailcfg.NodeID: the control server's numeric id, stable for the node (derived from the simulator's string id). */
function numericNodeId(id) {
  let n = 0
  for (const ch of String(id)) n = (n * 31 + ch.charCodeAt(0)) % 1_000_000
  return n + 1
}

/** Whether a `1.102.5`-style version is at least major.minor. */
export function versionAtLeast(version, major, minor) {
  const [a, b] = String(version).split('.').map(Number)
  return a > major || (a === major && b >= minor)
}

export function versionInfo(version) {
  const hash = (s) => createHash('sha1').update(s).digest('hex')
  const commit = hash(`tailscale ${version}`)
  const other = hash(`other ${version}`)
  return {short: version, long: `${version}-t${commit.slice(0, 9)}-g${other.slice(0, 9)}`, commit, other}
}

/** Reads this host and its node: {state, node, backend}. */
export function selfView(host, control) {
  const state = host.load()
  const node = state?.nodeId ? control.getNode(state.nodeId) : null
  return {state, node, backend: deriveBackendState(state, node)}
}

/** Whether another node is online: an override from the control plane, else its host's daemon and state. */
export function peerOnline(node) {
  if (typeof node.online === 'boolean') return node.online
  if (!node.stateDir) return false
  const state = readJson(path.join(node.stateDir, 'state.json'))
  if (!state || state.nodeId !== node.id) return false
  return hostDaemonUp(node.stateDir, state.socket) && deriveBackendState(state, node) === 'Running'
}

function lastSeen(node) {
  if (node.lastSeen) return node.lastSeen
  for (const name of ['daemon-down', 'state.json']) {
    try {
      return rfc3339(statSync(path.join(node.stateDir, name)).mtimeMs)
    } catch {
      // try the next clue
    }
  }
  return rfc3339(Date.now())
}

function pick(list, id) {
  return list[createHash('sha1').update(id).digest()[0] % list.length]
}

function userFor(node) {
  return node.tags?.length ? TAGGED_USER : OWNER_USER
}

const SELF_CAPS = [
  'https://tailscale.com/cap/file-sharing',
  'https://tailscale.com/cap/is-admin',
  'https://tailscale.com/cap/ssh',
]

/** Taildrop goes only to untagged nodes of the same owner (the simulator has one owner a tailnet). */
function taildropOwner(node) {
  return !node.tags?.length
}

/** One PeerStatus (for Self or a peer). */
function nodeStatus(node, tailnet, {online, self, version}) {
  const ips = [node.ipv4, node.ipv6]
  const st = {
    ID: node.id,
    // PeerStatus gained the numeric NodeID (no omitempty) after 1.98; seen in 1.102.5's output.
    ...(versionAtLeast(version, 1, 102) ? {NodeID: numericNodeId(node.id)} : {}),
    PublicKey: node.publicKey,
    HostName: node.hostName,
    DNSName: `${node.name}.${tailnet.suffix}.`,
    OS: node.os,
    UserID: userFor(node).ID,
    TailscaleIPs: ips,
    AllowedIPs: [`${node.ipv4}/32`, `${node.ipv6}/128`],
  }
  if (node.tags?.length) st.Tags = [...node.tags]
  Object.assign(st, {
    Addrs: online && !self ? [`198.51.100.${(node.ipv4.split('.').map(Number)[3] % 200) + 1}:41641`] : null,
    CurAddr: '',
    Relay: pick(RELAYS, node.id),
    PeerRelay: '',
    RxBytes: 0,
    TxBytes: 0,
    Created: node.created,
    LastWrite: ZERO_TIME,
    LastSeen: online ? ZERO_TIME : lastSeen(node),
    LastHandshake: ZERO_TIME,
    Online: online,
    ExitNode: false,
    ExitNodeOption: false,
    Active: false,
    PeerAPIURL: [`http://${node.ipv4}:${PEERAPI_PORT}`, `http://[${node.ipv6}]:${PEERAPI_PORT}`],
    // ipnstate.TaildropTargetStatus: 0 unknown (always for Self), 1 available, 5 offline, 9 owned by another user.
    TaildropTarget: self ? 0 : !online ? 5 : taildropOwner(node) ? 1 : 9,
    NoFileSharingReason: '',
  })
  // The node's own capabilities appear on Self only (as tailscale 1.98 prints them).
  if (self) Object.assign(st, {Capabilities: [...SELF_CAPS], CapMap: Object.fromEntries(SELF_CAPS.map((c) => [c, []]))})
  Object.assign(st, {InNetworkMap: true, InMagicSock: online && !self, InEngine: online && !self})
  // Both omitempty in ipnstate.PeerStatus: Expired only when true, KeyExpiry only when keys expire.
  if (node.keyExpiry && Date.parse(node.keyExpiry) <= Date.now()) st.Expired = true
  if (node.keyExpiry) st.KeyExpiry = node.keyExpiry
  return st
}

function loggedOutSelf(state, cfg) {
  return {
    ID: '',
    ...(versionAtLeast(cfg.version, 1, 102) ? {NodeID: 0} : {}),
    PublicKey: `nodekey:${'0'.repeat(64)}`,
    HostName: state?.prefs?.hostname || cfg.osHostname,
    DNSName: '',
    OS: cfg.os,
    UserID: 0,
    TailscaleIPs: null,
    Addrs: null,
    CurAddr: '',
    Relay: '',
    PeerRelay: '',
    RxBytes: 0,
    TxBytes: 0,
    Created: ZERO_TIME,
    LastWrite: ZERO_TIME,
    LastSeen: ZERO_TIME,
    LastHandshake: ZERO_TIME,
    Online: false,
    ExitNode: false,
    ExitNodeOption: false,
    Active: false,
    PeerAPIURL: null,
    TaildropTarget: 0,
    NoFileSharingReason: '',
    InNetworkMap: false,
    InMagicSock: false,
    InEngine: false,
  }
}

/** The ipnstate.Status object for this host. */
export function buildStatus(host, control, {withPeers = true} = {}) {
  const cfg = host.cfg
  const {state, node, backend} = selfView(host, control)
  const tailnet = control.tailnet()
  const running = backend === 'Running'
  const v = versionInfo(cfg.version)

  let self = loggedOutSelf(state, cfg)
  if (node && state.haveNodeKey) {
    self = nodeStatus(node, tailnet, {online: running, self: true, version: cfg.version})
    if (!running) self.TailscaleIPs = null
  }

  // Machines still waiting for approval are not in anyone's network map.
  const peers = running && withPeers ? control.listNodes().filter((n) => n.id !== node.id && n.authorized) : []
  const peerMap = {}
  for (const peer of peers.sort((a, b) => a.publicKey.localeCompare(b.publicKey))) {
    peerMap[peer.publicKey] = nodeStatus(peer, tailnet, {online: peerOnline(peer), self: false, version: cfg.version})
  }
  const users = {}
  if (running) {
    for (const u of [node, ...peers].map(userFor).sort((a, b) => String(a.ID).localeCompare(String(b.ID)))) {
      users[String(u.ID)] = {...u, ProfilePicURL: '', Roles: []}
    }
  }

  return {
    Version: v.long,
    TUN: state?.tun ?? true,
    BackendState: backend,
    // omitempty in ipnstate.Status: absent until the profile has a node key.
    ...(state?.haveNodeKey ? {HaveNodeKey: true} : {}),
    AuthURL: (backend === 'NeedsLogin' && state?.authURL) || '',
    TailscaleIPs: running ? [node.ipv4, node.ipv6] : null,
    Self: self,
    Health: [],
    MagicDNSSuffix: running ? tailnet.suffix : '',
    CurrentTailnet: running
      ? {Name: tailnet.name, MagicDNSSuffix: tailnet.suffix, MagicDNSEnabled: Boolean(tailnet.magicDNS)}
      : null,
    CertDomains: running && tailnet.https ? [`${node.name}.${tailnet.suffix}`] : null,
    // ipnstate.Status gained ExtraRecords (no omitempty: null when empty) after 1.98; seen in 1.102.5's output.
    ...(versionAtLeast(cfg.version, 1, 102) ? {ExtraRecords: null} : {}),
    Peer: peers.length > 0 ? peerMap : null,
    User: running ? users : null,
    ClientVersion: running ? {RunningLatest: true} : null,
  }
}

/** isRunningOrStarting: the text printed (on stdout, exit 1) when the node is not up. */
export function notRunningText(st) {
  switch (st.BackendState) {
    case 'Running':
    case 'Starting':
      return null
    case 'Stopped':
      return 'Tailscale is stopped.'
    case 'NeedsLogin':
      return st.AuthURL ? `Logged out.\nLog in at: ${st.AuthURL}` : 'Logged out.'
    case 'NeedsMachineAuth':
      return 'Machine is not yet approved by tailnet admin.'
    default:
      return `unexpected state: ${st.BackendState}`
  }
}

export async function runStatus(ctx, args) {
  const {values: f, positional} = parseFlags(
    args,
    {
      json: {type: 'bool'},
      active: {type: 'bool'},
      self: {type: 'bool', default: true},
      peers: {type: 'bool', default: true},
      web: {type: 'bool'},
      browser: {type: 'bool', default: true},
      listen: {type: 'string', default: '127.0.0.1:8384'},
    },
    'tailscale status [--active] [--web] [--json]',
  )
  if (positional.length > 0) throw new SimExit("unexpected non-flag arguments to 'tailscale status'")
  const {host} = ctx
  host.requireDaemon()
  const control = openControl(host.cfg.controlDir)
  const st = buildStatus(host, control, {withPeers: f.peers})
  if (f.json) {
    if (f.active && st.Peer) for (const [k, p] of Object.entries(st.Peer)) if (!p.Active) delete st.Peer[k]
    out(JSON.stringify(st, null, 2)) // no trailing newline, like printf("%s", j)
    return 0
  }
  const down = notRunningText(st)
  if (down) {
    out(`${down}\n`)
    return 1
  }
  let text = ''
  if (st.Health.length > 0) text += `# Health check:\n${st.Health.map((h) => `#     - ${h}\n`).join('')}\n`
  const line = (ps) => {
    const base = ps.DNSName.endsWith(`.${st.MagicDNSSuffix}.`)
      ? ps.DNSName.slice(0, -(st.MagicDNSSuffix.length + 2))
      : `(${JSON.stringify(ps.HostName)})`
    const owner = ownerLogin(st, ps)
    let row = `${pad(ps.TailscaleIPs?.[0] ?? '', 15)} ${pad(base, 20)} ${pad(owner, 12)} ${pad(ps.OS, 7)} `
    row += ps.Online ? '-' : 'offline'
    return `${row}\n`
  }
  if (f.self) text += line(st.Self)
  if (f.peers && st.Peer) {
    const peers = Object.values(st.Peer).sort((a, b) => a.DNSName.localeCompare(b.DNSName))
    for (const ps of peers) if (!f.active || ps.Active) text += line(ps)
  }
  out(text)
  return 0
}

function ownerLogin(st, ps) {
  if (!ps.UserID) return '-'
  const u = st.User?.[String(ps.UserID)]
  if (!u) return String(ps.UserID)
  const at = u.LoginName.indexOf('@')
  return at >= 0 ? u.LoginName.slice(0, at + 1) : u.LoginName
}

const pad = (s, n) => (s.length >= n ? s : s + ' '.repeat(n - s.length))

export async function runIp(ctx, args) {
  const {values: f, positional} = parseFlags(
    args,
    {4: {type: 'bool'}, 6: {type: 'bool'}, 1: {type: 'bool'}},
    'tailscale ip [-1] [-4] [-6] [peer hostname or ip address]',
  )
  if (positional.length > 1) throw new SimExit('too many arguments, expected at most one peer')
  if ([f[4], f[6], f[1]].filter(Boolean).length > 1) throw new SimExit('tailscale ip -4 and -6 are mutually exclusive')
  const {host} = ctx
  host.requireDaemonRaw()
  const control = openControl(host.cfg.controlDir)
  const st = buildStatus(host, control)
  let ips = st.TailscaleIPs ?? []
  if (positional.length === 1) {
    const want = positional[0]
    const peer = Object.values(st.Peer ?? {}).find(
      (p) =>
        p.HostName === want || p.DNSName === want || p.DNSName.split('.')[0] === want || p.TailscaleIPs.includes(want),
    )
    if (!peer) throw new SimExit(`no peer found with hostname or IP ${JSON.stringify(want)}`)
    ips = peer.TailscaleIPs
  }
  if (ips.length === 0) throw new SimExit(`no current Tailscale IPs; state: ${st.BackendState}`)
  let want4 = f[4] || f[1]
  let want6 = f[6]
  if (!want4 && !want6) want4 = want6 = true
  const shown = ips.filter((ip) => (ip.includes(':') ? want6 : want4))
  if (f[1]) shown.splice(1)
  if (shown.length === 0) throw new SimExit(want4 ? 'no Tailscale IPv4 address' : 'no Tailscale IPv6 address')
  out(shown.map((ip) => `${ip}\n`).join(''))
  return 0
}
