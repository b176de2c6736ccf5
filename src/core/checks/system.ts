import {fail, pass, skip, warn, type CheckOutcome} from './types.js'

/** Pure evaluators for the host: clock skew against a peer, and firewall rules that drop the gateway port. */

export const SKEW_WARN_MS = 30_000
export const SKEW_FAIL_MS = 5 * 60_000

export interface ClockSample {
  peer: string
  /** The peer's `Date` header (RFC 7231, one-second resolution). */
  date: string
  /** Local clock when the request was sent and when the answer came. */
  sentAt: number
  receivedAt: number
}

const TIME_SYNC: Record<string, string> = {
  linux: 'sudo timedatectl set-ntp true (or start chronyd/ntpd)',
  darwin: 'sudo sntp -sS time.apple.com (and enable "Set time and date automatically")',
  win32: 'w32tm /resync (as Administrator)',
}

/** Skew = the peer's clock minus ours at the midpoint of the request; the header's rounding allows ±1 s. */
export function clockSkewMs(sample: ClockSample): number | undefined {
  const peer = Date.parse(sample.date)
  if (Number.isNaN(peer)) return undefined
  const midpoint = (sample.sentAt + sample.receivedAt) / 2
  // The header truncates to the second: compare with the middle of that second.
  return peer + 500 - midpoint
}

export function evalClockSkew(sample: ClockSample | undefined, platform: string, why?: string): CheckOutcome {
  if (!sample) return skip(why ?? 'no peer answered to compare clocks with')
  const skew = clockSkewMs(sample)
  if (skew === undefined) return skip(`${sample.peer} sent an unreadable Date header (${JSON.stringify(sample.date)})`)
  const abs = Math.abs(skew)
  const direction = skew > 0 ? 'behind' : 'ahead of'
  const text = `this clock is ${formatSkew(abs)} ${direction} ${sample.peer}'s`
  const remedy = `Sync the clock on whichever machine is wrong: ${TIME_SYNC[platform] ?? 'enable NTP'}`
  if (abs > SKEW_FAIL_MS) return fail(`${text}: tokens and TLS certificates start failing at this skew.`, remedy)
  if (abs > SKEW_WARN_MS) return warn(`${text}.`, remedy)
  return pass(`within ${formatSkew(Math.max(abs, 1000))} of ${sample.peer}`)
}

function formatSkew(ms: number): string {
  const s = Math.round(ms / 1000)
  if (s < 120) return `${s} s`
  if (s < 7200) return `${Math.round(s / 60)} min`
  return `${(s / 3600).toFixed(1)} h`
}

/** What a firewall rule dump says about the gateway port on the tailscale interface. */
export interface FirewallFinding {
  /** Rules that drop or reject tailnet traffic to the gateway. */
  blocking: string[]
  /** A default-drop policy with nothing visibly letting tailscale0 or the port in. */
  policyDrop?: string
  /** The tool's output could not be read (a translated netsh): neither pass nor fail, say so. */
  unreadable?: string
}

const TS_IFACE = 'tailscale0'

function portMatches(spec: string, port: number): boolean {
  // nft: `18789`, `{ 22, 18789 }`, `18000-19000`; iptables: `18789`, `18000:19000`, `22,18789`.
  for (const part of spec
    .replace(/[{}]/g, '')
    .split(/[\s,]+/)
    .filter(Boolean)) {
    const range = /^(\d+)[-:](\d+)$/.exec(part)
    if (range && port >= Number(range[1]) && port <= Number(range[2])) return true
    if (/^\d+$/.test(part) && Number(part) === port) return true
  }
  return false
}

/** Whether a rule with this interface and port match drops tailnet traffic to the gateway port. */
function blocksGateway(m: {ifaceIsTs: boolean; ifaceOther: boolean; hasPort: boolean; portHit: boolean}): boolean {
  if (m.ifaceOther) return false // another interface (eth0, or `!= tailscale0`: Tailscale's own anti-spoofing rules)
  if (m.hasPort) return m.portHit
  return m.ifaceIsTs // everything on tailscale0
}

/** Parses `nft list ruleset`: rules in input-hooked chains and in regular chains (jump targets such as ts-input). */
export function parseNftRuleset(text: string, port: number): FirewallFinding {
  const blocking: string[] = []
  let policyDrop: string | undefined
  let acceptsTailnet = false
  let chain = ''
  let hook: string | undefined
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    const chainStart = /^chain (\S+) \{/.exec(line)
    if (chainStart) {
      chain = chainStart[1]
      hook = undefined
      continue
    }
    const hookLine = /type filter hook (\w+)/.exec(line)
    if (hookLine) {
      hook = hookLine[1]
      if (hook === 'input' && /policy drop/.test(line)) policyDrop = `chain ${chain}: policy drop`
      continue
    }
    if (hook !== undefined && hook !== 'input') continue
    const verdict = /\b(drop|reject)\b/.test(line)
    const accept = /\baccept\b/.test(line)
    if (!verdict && !accept) continue
    const iface = /\biifname (!= )?"?([\w.*+-]+)"?/.exec(line)
    const ifaceIsTs = Boolean(iface && !iface[1] && (iface[2] === TS_IFACE || iface[2] === 'tailscale*'))
    const dport = /\bdport (!= )?(\{[^}]*\}|[\d:-]+)/.exec(line)
    const portHit = Boolean(dport && !dport[1] && portMatches(dport[2], port))
    const match = {ifaceIsTs, ifaceOther: Boolean(iface) && !ifaceIsTs, hasPort: Boolean(dport), portHit}
    if (accept && (ifaceIsTs || portHit)) acceptsTailnet = true
    if (verdict && blocksGateway(match)) blocking.push(`${chain}: ${line}`)
  }
  return {blocking, policyDrop: acceptsTailnet ? undefined : policyDrop}
}

/** Parses `iptables -S` (one rule a line, `-P INPUT DROP` for the policy). */
export function parseIptablesRules(text: string, port: number): FirewallFinding {
  const blocking: string[] = []
  let policyDrop: string | undefined
  let acceptsTailnet = false
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (/^-P INPUT (DROP|REJECT)$/.test(line)) {
      policyDrop = line
      continue
    }
    const tokens = line.split(/\s+/)
    if (tokens[0] !== '-A' || tokens[1] === 'FORWARD' || tokens[1] === 'OUTPUT') continue
    const target = tokens[tokens.indexOf('-j') + 1]
    const iIdx = tokens.indexOf('-i')
    const iface = iIdx >= 0 ? tokens[iIdx + 1] : undefined
    const ifaceIsTs = iface !== undefined && tokens[iIdx - 1] !== '!' && (iface === TS_IFACE || iface === 'tailscale+')
    const portIdx = tokens.findIndex((t) => t === '--dport' || t === '--dports' || t === '--destination-port')
    const portHit = portIdx >= 0 && tokens[portIdx - 1] !== '!' && portMatches(tokens[portIdx + 1] ?? '', port)
    const match = {ifaceIsTs, ifaceOther: iface !== undefined && !ifaceIsTs, hasPort: portIdx >= 0, portHit}
    if (target === 'ACCEPT' && (ifaceIsTs || portHit)) acceptsTailnet = true
    if ((target === 'DROP' || target === 'REJECT') && blocksGateway(match)) blocking.push(line)
  }
  return {blocking, policyDrop: acceptsTailnet ? undefined : policyDrop}
}

/** `socketfilterfw --getglobalstate` / `--getblockall` / `--getappblocked <node>` on macOS. */
export function parseMacFirewall(input: {
  globalState: string
  blockAll?: string
  appBlocked?: string
  node?: string
}): FirewallFinding & {enabled: boolean} {
  const enabled = /enabled|State = [12]/i.test(input.globalState) && !/disabled|State = 0/i.test(input.globalState)
  const blocking: string[] = []
  if (enabled && input.blockAll && /ENABLED/.test(input.blockAll) && !/DISABLED/.test(input.blockAll))
    blocking.push('Block all incoming connections: enabled')
  if (enabled && input.appBlocked && /is blocked/i.test(input.appBlocked))
    blocking.push(`incoming connections to ${input.node ?? 'node'} are blocked`)
  return {enabled, blocking}
}

/**
 * `netsh advfirewall firewall show rule name=all dir=in`: blocks of `Key: value` lines. Enabled inbound Block rules
 * whose LocalPort covers the gateway port (or Any, for TCP) are findings. Windows Firewall blocks inbound connections
 * unless a rule allows them, so no Block rule is not a pass: without an enabled inbound Allow rule for the port (or
 * any port) the finding is the default-drop policy. netsh translates its field names (`Regelname`, `Nom de la
 * règle`): output it cannot read is reported as such, never as "nothing blocks".
 */
export function parseNetshRules(text: string, port: number): FirewallFinding {
  const blocking: string[] = []
  let rules = 0
  let allowed = false
  for (const block of text.split(/\r?\n\s*\r?\n/)) {
    const fields: Record<string, string> = {}
    for (const line of block.split(/\r?\n/)) {
      const m = /^([A-Za-z ]+):\s*(.*)$/.exec(line.trim())
      if (m) fields[m[1].trim().toLowerCase()] = m[2].trim()
    }
    if (!fields['rule name']) continue
    rules++
    if (!/^yes$/i.test(fields.enabled ?? '') || !/^in$/i.test(fields.direction ?? '')) continue
    const proto = (fields.protocol ?? 'Any').toLowerCase()
    if (proto !== 'tcp' && proto !== 'any') continue
    const localPort = fields.localport ?? 'Any'
    if (/^allow$/i.test(fields.action ?? '') && (/^any$/i.test(localPort) || portMatches(localPort, port)))
      allowed = true
    if (!/^block$/i.test(fields.action ?? '')) continue
    if (
      /^any$/i.test(localPort)
        ? proto === 'tcp' || /100\.64\.0\.0/.test(fields.remoteip ?? '')
        : portMatches(localPort, port)
    )
      blocking.push(`rule "${fields['rule name']}" (LocalPort ${localPort}, ${fields.protocol ?? 'Any'})`)
  }
  const none = /No rules match the specified criteria/i.test(text)
  if (rules === 0 && !none && text.trim() !== '')
    return {
      blocking,
      unreadable: 'its rules are printed in a language claw-mesh does not read (netsh translates its field names)',
    }
  return allowed
    ? {blocking}
    : {
        blocking,
        policyDrop:
          'Windows Firewall, when on, blocks inbound connections no rule allows, and no enabled inbound Allow rule covers the port',
      }
}

export type FirewallProbe =
  {tool: 'none'; reason: string} | {tool: 'nft' | 'iptables' | 'socketfilterfw' | 'netsh'; finding: FirewallFinding}

export function evalFirewall(probe: FirewallProbe, port: number): CheckOutcome {
  if (probe.tool === 'none') return skip(probe.reason)
  const {blocking, policyDrop, unreadable} = probe.finding
  if (unreadable)
    return warn(
      `${probe.tool}: cannot tell whether port ${port} is open: ${unreadable}.`,
      `Check it yourself: Windows Defender Firewall → Advanced settings → Inbound Rules (an Allow rule for TCP ${port}, or for node.exe). ${REMEDY[probe.tool](port)}`,
    )
  // Report, never disable: the firewall is the user's.
  if (blocking.length > 0) {
    return fail(
      `${probe.tool}: ${blocking.length} rule${blocking.length === 1 ? '' : 's'} drop the gateway port ${port} or the tailscale interface: ${blocking.slice(0, 3).join(' | ')}${blocking.length > 3 ? ' | …' : ''}`,
      REMEDY[probe.tool](port),
    )
  }
  if (policyDrop)
    return warn(
      `${probe.tool}: the input policy drops by default (${policyDrop}) and no rule visibly accepts tailscale0 or port ${port}.`,
      REMEDY[probe.tool](port),
    )
  return pass(`${probe.tool}: nothing drops port ${port} on ${TS_IFACE}`)
}

const REMEDY: Record<'nft' | 'iptables' | 'socketfilterfw' | 'netsh', (port: number) => string> = {
  nft: (port) =>
    `Allow it (as root): nft add rule inet filter input iifname "${TS_IFACE}" tcp dport ${port} accept (adapt table/chain to your ruleset)`,
  iptables: (port) => `Allow it (as root): iptables -I INPUT -i ${TS_IFACE} -p tcp --dport ${port} -j ACCEPT`,
  // The real binary (realpath), as the firewall keys its rules: Homebrew's bin/node is a symlink into the Cellar.
  socketfilterfw: () =>
    'Allow node: N="$(realpath "$(command -v node)")"; sudo /usr/libexec/ApplicationFirewall/socketfilterfw --add "$N" --unblockapp "$N" (and turn off "Block all incoming connections"); again after a node upgrade',
  netsh: (port) =>
    `Allow it (as Administrator): netsh advfirewall firewall add rule name="claw-mesh gateway" dir=in action=allow protocol=TCP localport=${port} remoteip=100.64.0.0/10`,
}
