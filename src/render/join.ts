import type {JoinResult} from '../services/tailscale/join.js'

export function renderJoin(r: JoinResult): string {
  if (r.dryRun) {
    const what = r.action === 'none' ? 'nothing to do' : `would run tailscale ${r.action === 'set' ? 'set' : 'up'}`
    return `Dry run: ${what} (${r.reason}).\n`
  }
  const head = r.changed
    ? `Joined the tailnet (${r.action}: ${r.reason}).`
    : `Already joined: nothing changed, no key sent (${r.reason}).`
  return [
    head,
    `Hostname:  ${r.hostname ?? '-'}${r.renamed ? `  (asked for ${r.requestedHostname})` : ''}`,
    `MagicDNS:  ${r.dnsName ?? '-'}`,
    `IPv4:      ${r.ipv4 ?? '-'}`,
    `IPv6:      ${r.ipv6 ?? '-'}`,
    `Tailnet:   ${r.tailnet ?? '-'}`,
    '',
  ].join('\n')
}
