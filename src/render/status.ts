import {Chalk} from 'chalk'
import type {HealthWord, StatusResult} from '../services/status/status.js'
import {table} from './table.js'

/** `claw-mesh status` for people: this host in a few lines, then one row a peer. */
export function renderMeshStatus(s: StatusResult, color: boolean): string {
  const c = new Chalk({level: color ? 1 : 0})
  const health = (h: HealthWord) =>
    h === 'ok' ? c.green(h) : h === 'not ready' ? c.yellow(h) : h === 'down' ? c.red(h) : c.dim(h)
  const h = s.host
  const ts = h.tailscale === 'Running' ? c.green(h.tailscale) : c.yellow(h.tailscale)
  const lines = [
    c.bold('This host'),
    `  Identity:   ${h.identity ?? c.dim('not set (claw-mesh bootstrap)')}`,
    `  Tailscale:  ${ts}${h.dnsName || h.hostname ? `  ${h.dnsName ?? h.hostname}` : ''}${h.ipv4 ? `  ${h.ipv4}` : ''}`,
    `  Gateway:    ${health(h.gateway)}  ${h.gatewayDetail}`,
    `  Peer URL:   ${h.gatewayUrl ?? c.dim('-')}`,
    '',
  ]
  let out = `${lines.join('\n')}\n`
  if (s.peers.length === 0)
    return `${out}No peers. Add one with: claw-mesh peer add --invite -  (or claw-mesh peer discover)\n${footer(s)}`
  const online = (o: boolean | null) => (o === null ? c.dim('-') : o ? c.green('yes') : c.red('no'))
  out += `${c.bold('Peers')}\n`
  out += table(
    ['PEER', 'ONLINE', 'HEALTH', 'LATENCY', 'LAST SEEN', 'MESSAGING', 'TRUST', 'URL'],
    s.peers.map((p) => [
      p.name,
      online(p.online),
      health(p.health),
      p.latencyMs === undefined ? '-' : `${p.latencyMs} ms`,
      p.lastSeen ?? '-',
      p.kind === 'foreign' ? 'a2a (foreign)' : p.via === 'none' ? 'off' : p.via,
      p.kind === 'foreign' ? '-' : p.trust === 'delegate' ? c.yellow(p.trust) : (p.trust ?? '-'),
      p.url,
    ]),
  )
  const troubled = s.peers.filter((p) => p.detail)
  for (const p of troubled) out += `  ${p.name}: ${p.detail}\n`
  if (troubled.length > 0) out += '  Diagnose with: claw-mesh doctor --group peers\n'
  return `${out}${footer(s)}`
}

function footer(s: StatusResult): string {
  return `\nAs of ${s.at} (${(s.elapsedMs / 1000).toFixed(1)} s).\n`
}
