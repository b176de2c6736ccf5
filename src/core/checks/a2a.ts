import type {PeerProbeView} from './context.js'
import {isRecord} from './gateway-config.js'
import {fail, pass, REMEDY_CONFIGURE, skip, warn, type CheckOutcome} from './types.js'

/** What the A2A checks read of openclaw.json (never a token value). */
export interface A2aConfigView {
  enabled: boolean
  advertisedUrl?: string
  hooksAllowedAgentIds?: unknown
}

export function viewA2aConfig(config: unknown): A2aConfigView {
  const root = isRecord(config) ? config : {}
  const channels = isRecord(root.channels) ? root.channels : {}
  const a2a = isRecord(channels.a2a) ? channels.a2a : {}
  const hooks = isRecord(root.hooks) ? root.hooks : {}
  return {
    enabled: a2a.enabled === true,
    advertisedUrl: typeof a2a.advertisedUrl === 'string' ? a2a.advertisedUrl : undefined,
    hooksAllowedAgentIds: hooks.allowedAgentIds,
  }
}

/** The A2A channel is on and advertises the URL peers really use (`expected`: the tailnet URL or the Serve origin). */
export function evalA2aChannel(view: A2aConfigView, expected: string | undefined): CheckOutcome {
  if (!view.enabled)
    return fail(
      'channels.a2a is off: peers cannot ask this agent anything, and it gets no replies.',
      REMEDY_CONFIGURE,
      {kind: 'configure-gateway', advertisedUrl: expected},
    )
  if (!expected)
    return pass(
      `on${view.advertisedUrl ? `, advertising ${view.advertisedUrl}` : ''} (the URL peers use is unknown: Tailscale not running)`,
    )
  if (view.advertisedUrl && view.advertisedUrl.replace(/\/+$/, '') !== expected) {
    return warn(
      `channels.a2a.advertisedUrl is ${view.advertisedUrl}, but peers reach this gateway at ${expected}: its Agent Card sends them elsewhere.`,
      REMEDY_CONFIGURE,
      {kind: 'configure-gateway', advertisedUrl: expected},
    )
  }
  if (!view.advertisedUrl)
    return warn(
      `channels.a2a.advertisedUrl is unset: the Agent Card names whatever host a caller used, not ${expected}.`,
      REMEDY_CONFIGURE,
      {kind: 'configure-gateway', advertisedUrl: expected},
    )
  return pass(`on, advertising ${view.advertisedUrl}`)
}

/** hooks.allowedAgentIds restricted: a hooks token then starts runs of the chosen agents only. */
export function evalHooksAgents(view: A2aConfigView): CheckOutcome {
  const ids = view.hooksAllowedAgentIds
  if (Array.isArray(ids) && ids.length > 0 && !ids.includes('*')) return pass(`hooks may start ${ids.join(', ')}`)
  if (Array.isArray(ids) && ids.length === 0) return pass('hooks may start no agent')
  return warn(
    'hooks.allowedAgentIds is unrestricted: whoever holds the hooks token can start a run of any agent here.',
    REMEDY_CONFIGURE,
    {kind: 'configure-gateway'},
  )
}

/** One paired peer over A2A: its Agent Card, our token accepted there, its token configured here. */
export function evalPeerA2a(p: PeerProbeView, paired: boolean): CheckOutcome {
  if (!paired) return skip('not paired over A2A (hooks only)')
  const {agentCard, a2a, a2aHere} = p.probes
  const parts = [`card: ${agentCard.detail}`, `our token: ${a2a.detail}`, `its token here: ${a2aHere.detail}`].join(
    '; ',
  )
  if (a2aHere.status === 'fail' && !a2aHere.detail.startsWith('half-paired'))
    return fail(parts, REMEDY_CONFIGURE, {kind: 'configure-gateway'})
  if ([agentCard, a2a, a2aHere].some((x) => x.status === 'fail'))
    return fail(
      parts,
      p.remedy ??
        `Pair again with ${p.name}: claw-mesh invite --for ${p.name} here, claw-mesh peer add --invite - --replace <this host> there, its reply here with --replace ${p.name}.`,
    )
  if ([agentCard, a2a, a2aHere].some((x) => x.status === 'warn'))
    return warn(parts, p.remedy ?? `Check again in a minute: claw-mesh peer check ${p.name}`)
  return pass(parts)
}

/** OpenClaw's own `security audit` findings (critical and warn; info is left out). */
export type AuditProbe =
  | {ran: false; reason: string}
  | {ran: true; findings: {checkId: string; severity: string; title: string; remediation?: string}[]}

/** Audit findings a claw-mesh gateway keeps by design, and why (docs/security.md says so too). */
const KEPT_ON_PURPOSE: Record<string, string> = {
  'hooks.default_session_key_unset': 'kept on purpose: each hook run gets a fresh session',
}
const keptOnPurpose = (checkId: string): string | undefined =>
  Object.hasOwn(KEPT_ON_PURPOSE, checkId) ? KEPT_ON_PURPOSE[checkId] : undefined

/**
 * OpenClaw's findings are listed beside doctor's own, as warnings: its "critical" ones judge the whole machine and
 * its choices (file modes, a user's own exposure), so they inform the user rather than fail the mesh's health
 * verdict. What the tailnet bind itself raised on 2026.9.6 (allowed_origins_required, auth_no_rate_limit) is
 * provisioned away by the gateway phase (exposureHardening).
 */
export function evalSecurityAudit(probe: AuditProbe): CheckOutcome {
  if (!probe.ran) return skip(probe.reason)
  const critical = probe.findings.filter((f) => f.severity === 'critical')
  const warned = probe.findings.filter((f) => f.severity === 'warn')
  const list = (fs: typeof critical) =>
    fs
      .map((f) => `${f.checkId} (${f.title})${keptOnPurpose(f.checkId) ? ` — ${keptOnPurpose(f.checkId)}` : ''}`)
      .join('; ')
  // A finding claw-mesh leaves on purpose is listed, but its remediation is never offered as the fix.
  const remedy = [...critical, ...warned].find((f) => f.remediation && !keptOnPurpose(f.checkId))?.remediation
  const onlyKept = [...critical, ...warned].every((f) => keptOnPurpose(f.checkId))
  const how = remedy
    ? `${remedy} (openclaw security audit for details)`
    : onlyKept
      ? 'Nothing to change: claw-mesh leaves this on purpose.'
      : 'Run openclaw security audit for details.'
  if (critical.length > 0)
    return warn(
      `openclaw security audit: ${critical.length} critical: ${list(critical)}${warned.length ? `; ${warned.length} warning${warned.length === 1 ? '' : 's'}: ${list(warned)}` : ''}`,
      how,
    )
  if (warned.length > 0) return warn(`openclaw security audit: ${list(warned)}`, how)
  return pass(`openclaw security audit: no critical finding, no warning (${probe.findings.length} informational)`)
}
