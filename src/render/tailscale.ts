import {Chalk} from 'chalk'
import type {TailscaleSummary} from '../core/tailscale/tailscale-status.js'
import {table} from './table.js'

export function renderTailscaleStatus(s: TailscaleSummary, color: boolean): string {
  const c = new Chalk({level: color ? 1 : 0})
  const state = s.backendState === 'Running' ? c.green(s.backendState) : c.yellow(s.backendState)
  const lines = [
    `State:     ${state}`,
    `Hostname:  ${s.hostname ?? '-'}`,
    `MagicDNS:  ${s.dnsName ?? '-'}${s.magicDNSEnabled ? '' : ' (MagicDNS off)'}`,
    `IPv4:      ${s.ipv4 ?? '-'}`,
    `IPv6:      ${s.ipv6 ?? '-'}`,
    `Tailnet:   ${s.tailnet ?? '-'}`,
    `Key expiry: ${s.keyExpiry ?? 'never'}`,
    `Tags:      ${s.tags.length ? s.tags.join(',') : '-'}`,
    `Version:   ${s.version ?? '-'}`,
  ]
  for (const h of s.health) lines.push(c.yellow(`Health:    ${h}`))
  let out = lines.join('\n') + '\n'
  if (s.peers.length === 0) return out + '\nNo peers.\n'
  out += '\n'
  out += table(
    ['PEER', 'DNS NAME', 'IPV4', 'OS', 'TAGS', 'ONLINE', 'LAST SEEN'],
    s.peers.map((p) => [
      p.hostname,
      p.dnsName ?? '-',
      p.ipv4 ?? '-',
      p.os ?? '-',
      p.tags.join(',') || '-',
      p.online ? c.green('yes') : c.red('no'),
      p.online ? 'now' : (p.lastSeen ?? '-'),
    ]),
  )
  return out
}
