import {Chalk} from 'chalk'
import {describeChange} from '../core/openclaw/openclaw-config-patch.js'
import type {ConfigureResult} from '../services/gateway/configure.js'
import type {StartResult} from '../services/gateway/start.js'
import type {GatewayStatus} from '../services/gateway/status.js'
import type {TokenCheck} from '../services/gateway/token-check.js'

const APPLY: Record<ConfigureResult['apply'], string> = {
  none: 'nothing to apply',
  hot: 'a running gateway applies it without a restart',
  restart: 'the gateway restarts to apply it',
  'process-restart': 'the gateway process must be restarted (the port changed)',
}

const PLUGIN: Record<string, string> = {
  installed: 'installed',
  updated: 'updated',
  enabled: 'enabled',
  configured: 'settings updated',
  unchanged: 'unchanged',
  unsupported: 'skipped',
}

export function renderConfigure(
  r: ConfigureResult & {meshPlugin?: {action: string; detail: string}},
  color: boolean,
): string {
  const c = new Chalk({level: color ? 1 : 0})
  const lines = [
    `Config:   ${r.configPath}${r.created ? ' (new file)' : ''}  [${r.configPathSource}]`,
    `Expose:   ${r.expose} on port ${r.port}`,
    `Secrets:  ${r.secretStore.backend} — ${r.secretStore.location}`,
  ]
  if (!r.changed) lines.push(c.green('No change: openclaw.json already says what the mesh needs (nothing written).'))
  else {
    lines.push(r.dryRun ? c.yellow('Would change (dry run, nothing written):') : 'Changed:')
    for (const ch of r.changes) lines.push(`  ${describeChange(ch)}`)
    if (!r.dryRun)
      lines.push(
        `Validated: ${r.validated ? 'yes (openclaw config validate)' : 'no'}`,
        `Backup:   ${r.backupPath ?? '(no previous file)'}`,
        `Apply:    ${APPLY[r.apply]}`,
      )
  }
  const p = r.meshPlugin
  if (p && p.action !== 'unsupported')
    lines.push(
      `Mesh plugin: ${r.dryRun && p.action !== 'unchanged' ? `would be ${PLUGIN[p.action]} — ` : `${PLUGIN[p.action]} — `}${p.detail}`,
    )
  for (const n of r.notes) lines.push(c.dim(`note: ${n}`))
  return `${lines.join('\n')}\n`
}

function verdict(c: InstanceType<typeof Chalk>, t: TokenCheck): string {
  return t.verdict === 'accepted' ? c.green(`accepted — ${t.detail}`) : c.red(`${t.verdict} — ${t.detail}`)
}

export function renderStart(r: StartResult, color: boolean): string {
  const c = new Chalk({level: color ? 1 : 0})
  const lines = [
    `Gateway:       ${c.green('running')} at ${r.url} (${r.runner}${r.pid ? `, pid ${r.pid}` : ''})`,
    `Action:        ${r.action} — ${r.reason}${r.startMs !== undefined ? ` (healthy after ${(r.startMs / 1000).toFixed(1)} s)` : ''}`,
    `/healthz:      ${r.healthz.detail}`,
    `/readyz:       ${r.readyz.detail}`,
    `Gateway token: ${verdict(c, r.gatewayToken)}`,
    `Hooks token:   ${verdict(c, r.hooksToken)}`,
  ]
  for (const n of r.notes) lines.push(c.dim(`note: ${n}`))
  return `${lines.join('\n')}\n`
}

/** The advice follows the cause, as doctor's tailnet-listen check does: a restart helps only when nothing answered. */
function tailnetLine(t: NonNullable<GatewayStatus['tailnet']>, c: InstanceType<typeof Chalk>): string {
  if (!t.ipv4) return c.yellow('no tailnet address on this machine: listening on loopback only')
  if (t.onInterface === false && !t.viaProxy)
    return c.yellow(
      `${t.ipv4} is on no network interface here (userspace networking?): nothing can listen on it, and a restart does not change that; see claw-mesh doctor --only gateway-tailnet-reachable`,
    )
  if (t.healthz?.ok)
    return c.green(`answers on ${t.ipv4}${t.viaProxy ? " (userspace networking: through tailscaled's proxy)" : ''}`)
  if (t.viaProxy && t.healthz?.status === undefined)
    return c.yellow(
      `not reached at ${t.ipv4} through tailscaled's proxy ${t.viaProxy} (${t.healthz?.detail ?? '-'}): see claw-mesh doctor --only tailscale-proxy`,
    )
  if (t.healthz?.status !== undefined)
    return c.yellow(
      `${t.ipv4} answered HTTP ${t.healthz.status}, not like this gateway: something else holds that address and port`,
    )
  return c.yellow(
    `not answering on ${t.ipv4} (${t.healthz?.detail ?? '-'}): restart the gateway after Tailscale is up (claw-mesh gateway start)`,
  )
}

export function renderGatewayStatus(s: GatewayStatus, color: boolean): string {
  const c = new Chalk({level: color ? 1 : 0})
  const health = s.local.healthz.ok ? c.green(s.local.healthz.detail) : c.red(s.local.healthz.detail)
  const lines = [
    `Config:     ${s.configPath}${s.configExists ? '' : c.red(' (missing)')}${s.configured ? '' : c.yellow(' (not configured by claw-mesh)')}`,
    `OpenClaw:   ${s.openclaw.bin ?? c.red('not found')}`,
    `Expose:     ${s.expose ?? '-'} (bind ${s.bind ?? 'loopback'}, port ${s.port}, tailscale ${s.tailscaleMode ?? 'off'})`,
    `Auth:       ${s.authMode ?? '-'}; token: ${s.token}`,
    `Hooks:      ${s.hooks.enabled ? `enabled at ${s.hooks.path}` : 'disabled'}${s.hooks.tokenSet ? '' : ' (no token)'}`,
    `Runner:     ${s.runner.kind} — ${s.runner.detail}`,
    `Health:     ${s.local.url}/healthz ${health}; /readyz ${s.local.readyz.detail}`,
  ]
  if (s.tailnet) {
    const t = s.tailnet
    lines.push(`Tailnet:    ${tailnetLine(t, c)}`)
  }
  lines.push(`Peer URL:   ${s.peerUrl ?? c.yellow(s.peerUrlProblem ?? '-')}`)
  if (s.pending.length > 0) lines.push(c.yellow(`Pending:    ${s.pending.join(', ')} (run claw-mesh gateway start)`))
  return `${lines.join('\n')}\n`
}
