import {Chalk} from 'chalk'
import {DEFAULT_TRUST} from '../core/pairing/pair-trust.js'
import type {PeerRecord} from '../core/common/state-schema.js'
import type {CheckPeersResult, PeerStatus, ProbeResult} from '../services/peers/check.js'
import type {SelfView} from '../services/peers/list.js'
import {table} from './table.js'
import {renderTemplate} from '../infra/template-files.js'

const SOURCE_TEXT: Record<PeerRecord['source'], string> = {
  invite: 'from an invite',
  url: 'by URL',
  discovered: 'discovered in the tailnet',
}

function lastCheckText(p: PeerRecord): string {
  if (!p.lastCheck) return 'never (run claw-mesh peer check)'
  const latency = p.lastCheck.latencyMs === undefined ? '' : `, ${p.lastCheck.latencyMs} ms`
  return `${p.lastCheck.status} at ${p.lastCheck.at}${latency}${p.lastCheck.detail ? ` (${p.lastCheck.detail})` : ''}`
}

/** A paired peer's trust level; delegate stands out (its messages may run commands here). */
function trustCell(p: PeerRecord, c: InstanceType<typeof Chalk>): string {
  if (!p.a2a || p.a2a.kind === 'foreign') return '-'
  const level = p.trust ?? DEFAULT_TRUST
  return level === 'delegate' ? c.yellow(level) : level
}

export function renderPeerTable(peers: PeerRecord[], color: boolean): string {
  if (peers.length === 0)
    return 'No peers. Add one with: claw-mesh peer add --invite -  (or claw-mesh peer discover in a mesh-secret fleet)\n'
  const c = new Chalk({level: color ? 1 : 0})
  const status = (s?: PeerStatus) =>
    s === 'ok' ? c.green(s) : s === 'degraded' ? c.yellow(s) : s === 'down' ? c.red(s) : '-'
  return table(
    ['NAME', 'HOSTNAME', 'URL', 'VIA', 'TRUST', 'CAPS', 'SOURCE', 'LAST CHECK'],
    peers.map((p) => [
      p.name,
      p.hostname ?? '-',
      p.url,
      p.a2a ? (p.a2a.kind === 'foreign' ? 'a2a (foreign)' : 'a2a') : p.messaging ? 'hooks' : 'health',
      trustCell(p, c),
      p.card?.caps.join(',') || '-',
      p.source,
      p.lastCheck ? `${status(p.lastCheck.status)} ${p.lastCheck.at}` : '-',
    ]),
  )
}

/** The seed's hand-written peer sheet, generated, without any token. */
export function renderPeerSheet(peers: PeerRecord[], self: SelfView, now: Date): string {
  const unknown = 'unknown (run claw-mesh bootstrap)'
  return renderTemplate('peer-config.md', {
    generatedAt: now.toISOString(),
    count: peers.length,
    self: {
      name: self.name ?? unknown,
      hostname: self.hostname ?? unknown,
      ip: self.ip ?? 'unknown (Tailscale not running?)',
      url: self.url ?? 'unknown (run claw-mesh invite)',
    },
    peers: peers.map((p) => ({
      name: p.name,
      hostname: p.hostname ?? '-',
      url: p.url,
      addedAt: p.addedAt,
      sourceText: SOURCE_TEXT[p.source],
      messagingText:
        p.a2a?.kind === 'foreign'
          ? 'A2A to a foreign agent (not claw-mesh; outbound only: it cannot call this machine)'
          : p.a2a
            ? `A2A (${p.a2a.pairedBy === 'fleet' ? 'fleet tokens' : 'paired by invite'})${p.messaging ? ', and hooks' : ''}`
            : p.messaging
              ? 'hooks only'
              : 'off (health checks only: no hooks token)',
      howToSend: p.a2a
        ? `\`claw-mesh ask ${p.name} "…"\` (reply comes back), \`claw-mesh send ${p.name} "…"\``
        : p.messaging
          ? `\`claw-mesh send ${p.name} "…"\` (hooks: no reply)`
          : `not possible yet: pair with it (\`claw-mesh invite\`, then \`claw-mesh peer add --invite -\`)`,
      lastCheckText: lastCheckText(p),
    })),
  })
}

function probeCell(p: ProbeResult, c: InstanceType<typeof Chalk>): string {
  const mark = {ok: c.green('ok'), warn: c.yellow('warn'), fail: c.red('fail'), skip: c.dim('skip')}[p.status]
  return p.httpStatus === undefined ? mark : `${mark} ${p.httpStatus}`
}

/** One cell for the three A2A probes: the worst of them (skip when the peer is not paired over A2A). */
function a2aCell(p: CheckPeersResult['peers'][number], c: InstanceType<typeof Chalk>): string {
  const probes = [p.probes.agentCard, p.probes.a2a, p.probes.a2aHere]
  const worst =
    probes.find((x) => x.status === 'fail') ??
    probes.find((x) => x.status === 'warn') ??
    probes.find((x) => x.status === 'ok') ??
    probes[0]
  return probeCell({...worst, httpStatus: undefined}, c)
}

export function renderPeerCheck(result: CheckPeersResult, color: boolean): string {
  if (result.peers.length === 0) return 'No peers to check. Add one with: claw-mesh peer add --invite -\n'
  const c = new Chalk({level: color ? 1 : 0})
  const status = (s: PeerStatus) => (s === 'ok' ? c.green(s) : s === 'degraded' ? c.yellow(s) : c.red(s))
  let out = table(
    ['PEER', 'STATUS', 'TAILNET', 'HEALTHZ', 'READYZ', 'HOOKS', 'A2A', 'LATENCY'],
    result.peers.map((p) => [
      p.name,
      status(p.status),
      probeCell(p.probes.tailnet, c),
      probeCell(p.probes.healthz, c),
      probeCell(p.probes.readyz, c),
      probeCell(p.probes.hooks, c),
      a2aCell(p, c),
      p.latencyMs === undefined ? '-' : `${p.latencyMs} ms`,
    ]),
  )
  for (const p of result.peers.filter((x) => x.status !== 'ok')) {
    out += `\n${p.name} (${p.url}): ${p.detail}\n`
    if (p.remedy) out += `  → ${p.remedy}\n`
  }
  const {ok, degraded, down} = result.summary
  out += `\n${ok} ok, ${degraded} degraded, ${down} down (${result.peers.length} peer${result.peers.length === 1 ? '' : 's'} in ${(result.elapsedMs / 1000).toFixed(1)} s, timeout ${result.timeoutMs / 1000} s each).\n`
  if (result.tailscale.note) out += `note: ${result.tailscale.note}\n`
  return out
}
