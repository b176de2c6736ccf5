import {Chalk} from 'chalk'
import type {BootstrapResult} from '../services/bootstrap/types.js'
import {table} from './table.js'

export function renderBootstrap(r: BootstrapResult, color: boolean): string {
  const c = new Chalk({level: color ? 1 : 0})
  const lines: string[] = []
  if (r.dryRun) {
    lines.push(c.bold(`Plan for ${r.identity} (dry run: nothing was changed)`))
    for (const s of r.steps) {
      const mark = s.action === 'run' ? c.cyan('→') : s.action === 'ok' ? c.green('✓') : c.red('✗')
      lines.push(`  ${mark} ${s.title}: ${s.detail}`)
    }
    if (!r.changed) lines.push('', 'Already provisioned: a real run would change nothing.')
    lines.push(
      '',
      `Secrets: ${r.secrets.backend} (${r.secrets.location})${r.secrets.reason ? ` because ${r.secrets.reason}` : ''}`,
      `openclaw.json: ${r.gateway.configPath}`,
    )
    return lines.join('\n') + '\n'
  }
  // A peer that did not answer makes the run partial (exit 4): the headline must not claim a complete mesh.
  const down = r.peers.filter((p) => p.status !== 'ok')
  if (r.readiness?.failed) {
    lines.push(
      c.red(`${r.identity} is set up, but the peers it needs are not ready. ${r.readiness.failure ?? ''}`.trim()),
      c.yellow(
        'The warnings below say what is missing for each and what to do; run the same command again once they are up.',
      ),
      '',
    )
  } else if (down.length > 0) {
    const names = down.map((p) => `${p.name} (${p.status})`).join(', ')
    lines.push(
      c.yellow(
        `${r.identity} is set up, but ${down.length} of ${r.peers.length} peer${r.peers.length === 1 ? '' : 's'} did not answer: ${names}.`,
      ),
      c.yellow(
        `Check ${down.length === 1 ? 'it' : 'them'} with: claw-mesh peer check${down.length === 1 ? ` ${down[0].name}` : ''}`,
      ),
      '',
    )
  } else
    lines.push(
      c.bold(r.changed ? `${r.identity} is in the mesh.` : `${r.identity} was already provisioned: nothing changed.`),
      '',
    )
  lines.push(`Identity:     ${r.identity}`)
  lines.push(
    `Tailnet:      ${r.tailnet.hostname ?? '-'} (${r.tailnet.dnsName ?? '-'}) ${r.tailnet.ipv4 ?? ''}`.trimEnd(),
  )
  lines.push(`Gateway URL:  ${r.gateway.url ?? '-'}  ${r.gateway.healthy ? c.green('healthy') : c.red('not healthy')}`)
  lines.push(`Config:       ${r.gateway.configPath} (expose ${r.gateway.expose}, port ${r.gateway.port})`)
  lines.push(
    `Secrets:      ${r.secrets.backend} — ${r.secrets.location}${r.secrets.reason ? ` (${r.secrets.reason})` : ''}`,
  )
  lines.push(`State:        ${r.stateDir}`)
  lines.push(
    `After reboot: ${r.reboot.survives === false ? c.yellow('not restarted by anything (see below)') : r.reboot.detail}`,
  )
  if (r.peers.length > 0) {
    lines.push(
      '',
      table(
        ['PEER', 'URL', 'STATUS', 'LATENCY', 'VIA', 'DETAIL'],
        r.peers.map((p) => [
          p.name,
          p.url,
          p.status === 'ok' ? c.green('ok') : c.red(p.status),
          p.latencyMs === undefined ? '-' : `${p.latencyMs} ms`,
          p.a2a ? 'a2a' : p.messaging ? 'hooks' : 'health',
          p.detail || '',
        ]),
      ).trimEnd(),
    )
  }
  for (const w of r.warnings) lines.push(c.yellow(`warning: ${w}`))
  if (r.reboot.survives === false) lines.push(c.yellow(`warning: ${r.reboot.detail}`))
  for (const reply of r.replyInvites)
    lines.push(
      '',
      `Reply for ${reply.peer} (run it there: claw-mesh peer add --invite -; it holds no token):`,
      reply.replyInvite,
    )
  lines.push('', ...r.next)
  return lines.join('\n') + '\n'
}
