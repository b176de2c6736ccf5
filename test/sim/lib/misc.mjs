// `version`, `ping` and `file cp|get`.
import {copyFileSync, mkdirSync, readdirSync, renameSync, rmSync, statSync} from 'node:fs'
import path from 'node:path'
import {openControl} from './control.mjs'
import {err, exists, out, SimExit, sleep} from './env.mjs'
import {goQuote, parseFlags} from './flags.mjs'
import {buildStatus, notRunningText, versionInfo} from './status.mjs'

/** `tailscale version` needs no daemon: it prints the client's own version. */
export async function runVersion(ctx, args) {
  const {values: f} = parseFlags(
    args,
    {json: {type: 'bool'}, daemon: {type: 'bool'}, upstream: {type: 'bool'}},
    'tailscale version [flags]',
  )
  if (f.daemon) ctx.host.requireDaemon()
  const v = versionInfo(ctx.host.cfg.version)
  if (f.json) {
    const meta = {
      majorMinorPatch: v.short.split('-')[0],
      short: v.short,
      long: v.long,
      gitCommit: v.commit,
      extraGitCommit: v.other,
      cap: 116,
    }
    out(`${JSON.stringify(meta, null, '\t')}\n`)
    return 0
  }
  out(`${v.short}\n  tailscale commit: ${v.commit}\n  other commit: ${v.other}\n  go version: go1.24.4\n`)
  return 0
}

/** Finds a peer by IP, MagicDNS label or FQDN (tailscaleIPFromArg). Returns {ip, peer, self}. */
function resolveTarget(st, target) {
  const match = (ps) =>
    ps &&
    (ps.DNSName.split('.')[0].toLowerCase() === target.toLowerCase() ||
      ps.DNSName === target ||
      ps.TailscaleIPs?.includes(target))
  const peer = Object.values(st.Peer ?? {}).find(match)
  if (peer) return {ip: peer.TailscaleIPs.includes(target) ? target : peer.TailscaleIPs[0], peer}
  if (st.TailscaleIPs && match(st.Self)) return {ip: st.Self.TailscaleIPs[0], self: true}
  if (/^[\d.]+$/.test(target) || target.includes(':')) return {ip: target}
  throw new SimExit(`error looking up IP of ${goQuote(target)}: lookup ${target}: no such host`)
}

export async function runPing(ctx, args) {
  const {host} = ctx
  const {values: f, positional} = parseFlags(
    args,
    {
      c: {type: 'int', default: 10},
      timeout: {type: 'duration', default: 5000},
      'until-direct': {type: 'bool', default: true},
      verbose: {type: 'bool'},
      tsmp: {type: 'bool'},
      icmp: {type: 'bool'},
      peerapi: {type: 'bool'},
    },
    'tailscale ping <hostname-or-IP>',
  )
  host.requireDaemon()
  const st = buildStatus(host, openControl(host.cfg.controlDir))
  const down = notRunningText(st)
  if (down) {
    out(`${down}\n`)
    return 1
  }
  if (positional.length !== 1 || positional[0] === '') throw new SimExit('usage: tailscale ping <hostname-or-IP>')
  const {ip, peer, self} = resolveTarget(st, positional[0])
  if (self) {
    out(`${ip} is local Tailscale IP\n`)
    return 0
  }
  const faults = host.faults()
  const latency = faults.pingLatencyMs ?? 38
  const via = faults.pingVia ?? `DERP(${peer?.Relay || 'ams'})`
  const direct = !via.startsWith('DERP(')
  // Real pings wait up to --timeout per attempt and 1 s between attempts; the simulator keeps the whole
  // run under about a second so tests stay fast.
  const wait = Math.min(f.timeout || 5000, 1000 / Math.max(1, f.c))
  const name = peer ? peer.DNSName.split('.')[0] : ip
  let anyPong = false
  for (let n = 1; ; n++) {
    if (peer?.Online) {
      anyPong = true
      out(`pong from ${name} (${ip}) via ${via} in ${latency}ms\n`)
      // Without a direct path, `ping` keeps trying and then fails: -c 1 over DERP exits 1.
      if (f.tsmp || f.icmp || (direct && f['until-direct'])) return 0
      await sleep(Math.min(wait, 100))
      if (n >= f.c) {
        if (f['until-direct']) throw new SimExit('direct connection not established')
        return 0
      }
    } else {
      await sleep(wait)
      out(`ping ${goQuote(ip)} timed out\n`)
      if (n >= f.c) {
        if (!anyPong) throw new SimExit('no reply')
        return 0
      }
    }
  }
}

export async function runFile(ctx, args) {
  const [verb, ...rest] = args
  if (verb === 'cp') return fileCp(ctx, rest)
  if (verb === 'get') return fileGet(ctx, rest)
  throw new SimExit(`tailscale file: unknown subcommand: ${verb ?? ''}`)
}

export const MACOS_SANDBOX_TEXT = "the GUI version of Tailscale on macOS runs in a macOS sandbox that can't read files"

async function fileCp(ctx, args) {
  const {host} = ctx
  const {positional} = parseFlags(
    args,
    {name: {type: 'string'}, verbose: {type: 'bool'}, targets: {type: 'bool'}},
    'tailscale file cp <files...> <target>:',
  )
  if (positional.length < 2) throw new SimExit('usage: tailscale file cp <files...> <target>:')
  const targetArg = positional.at(-1)
  if (!targetArg.endsWith(':')) throw new SimExit("final argument to 'tailscale file cp' must end in colon")
  const target = targetArg.slice(0, -1)
  host.requireDaemonRaw()
  const control = openControl(host.cfg.controlDir)
  const st = buildStatus(host, control)
  const {peer, self} = resolveTarget(st, target)
  if (self || !peer) throw new SimExit(`can't send to ${target}: unknown target; not in your Tailnet`)
  if (!peer.Online) {
    err(`# warning: ${target} is offline\n`)
    throw new SimExit(`can't send to ${target}: peer is offline`)
  }
  // As seen live (tailscale 1.98): a tagged receiver has no user login, so no Taildrop storage; a peer of another
  // owner is refused before anything is sent.
  if (peer.Tags?.length) throw new SimExit('Access denied: Taildrop disabled; no storage directory')
  if (st.Self && peer.UserID !== st.Self.UserID)
    throw new SimExit('cannot send files: peer is owned by a different user')
  const inbox = control.inboxDir(peer.ID)
  mkdirSync(inbox, {recursive: true})
  for (const file of positional.slice(0, -1)) {
    // The App Store variant's CLI is sandboxed (version.IsSandboxedMacOS): its open of the file fails (file.go).
    if (host.cfg.os === 'macOS' && host.faults().macVariant === 'appstore') throw new SimExit(MACOS_SANDBOX_TEXT)
    let info
    try {
      info = statSync(file)
    } catch {
      throw new SimExit(`open ${file}: no such file or directory`)
    }
    if (info.isDirectory()) throw new SimExit('directories not supported')
    const partial = path.join(inbox, `.${path.basename(file)}.${process.pid}.partial`)
    copyFileSync(file, partial)
    renameSync(partial, uniqueName(inbox, path.basename(file)))
  }
  return 0
}

/** Taildrop keeps both copies on a name clash: "a.txt", "a (1).txt", "a (2).txt"… */
function uniqueName(dir, name) {
  const ext = path.extname(name)
  const stem = name.slice(0, name.length - ext.length)
  for (let n = 0; ; n++) {
    const candidate = path.join(dir, n === 0 ? name : `${stem} (${n})${ext}`)
    if (!exists(candidate)) return candidate
  }
}

async function fileGet(ctx, args) {
  const {host} = ctx
  const {values: f, positional} = parseFlags(
    args,
    {wait: {type: 'bool'}, loop: {type: 'bool'}, verbose: {type: 'bool'}, conflict: {type: 'string', default: 'skip'}},
    'tailscale file get [--wait] [--verbose] [--conflict=(skip|overwrite|rename)] <target-directory>',
  )
  if (positional.length !== 1)
    throw new SimExit(
      'usage: tailscale file get [--wait] [--verbose] [--conflict=(skip|overwrite|rename)] <target-directory>',
    )
  if (!['skip', 'overwrite', 'rename'].includes(f.conflict))
    throw new SimExit(
      `invalid value ${goQuote(f.conflict)} for flag -conflict: must be one of skip, overwrite, rename`,
      2,
    )
  const dir = positional[0]
  if (!exists(dir) || !statSync(dir).isDirectory()) throw new SimExit(`${dir} is not a directory`)
  host.requireDaemonRaw()
  const control = openControl(host.cfg.controlDir)
  const state = host.load()
  if (!state?.nodeId) throw new SimExit('no current Tailscale IPs; state: NeedsLogin')
  const inbox = control.inboxDir(state.nodeId)
  const waiting = () => (exists(inbox) ? readdirSync(inbox).filter((n) => !n.startsWith('.')) : [])
  let names = waiting()
  while (names.length === 0 && (f.wait || f.loop)) {
    await sleep(100)
    names = waiting()
  }
  for (const name of names) {
    const from = path.join(inbox, name)
    let to = path.join(dir, name)
    if (exists(to)) {
      if (f.conflict === 'skip') {
        err(`Skipping ${name}: file already exists\n`)
        continue
      }
      if (f.conflict === 'rename') to = uniqueName(dir, name)
    }
    try {
      renameSync(from, to)
    } catch (error) {
      if (error.code !== 'EXDEV') throw error
      copyFileSync(from, to)
      rmSync(from)
    }
  }
  return 0
}
