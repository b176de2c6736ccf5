import type {BootstrapStep} from '../../core/lifecycle/bootstrap-plan.js'
import {peerUrlFor} from '../../core/openclaw/gateway-url.js'
import type {State} from '../../core/common/state-schema.js'
import {peerOf} from '../../core/common/state-schema.js'
import type {Deps} from '../../deps.js'
import type {SecretStore} from '../../infra/secrets/types.js'
import type {CheckPeersResult} from '../peers/check.js'
import type {JoinResult} from '../tailscale/join.js'
import type {Observation} from './observe.js'
import type {PeerReadiness} from './peer-readiness.js'
import {rebootRecoveryFor} from './reboot.js'
import type {BootstrapOptions, BootstrapResult, BootstrapStepResult} from './types.js'

/** What applying the plan produced, for the summary. */
export interface Applied {
  changed: boolean
  warnings: string[]
  join?: JoinResult
  /** Set when the gateway-start step ran. */
  healthy?: boolean
  checked?: CheckPeersResult
  /** The wait for the peers (peer-readiness.ts), when there was one. */
  readiness?: PeerReadiness
  /** Replies this host made to --peer A2A invites in this run. */
  replyInvites: {peer: string; replyInvite: string}[]
}

const MARK: Record<BootstrapStep['action'], string> = {run: '→', ok: '✓', blocked: '✗'}

/** The plan as printed on stderr before anything is applied (and with a refusal). */
export function planText(identity: string, steps: BootstrapStep[]): string {
  const lines = steps.map(
    (s) => `  ${MARK[s.action]} ${s.title}: ${s.detail}${s.block ? `\n      → ${s.block.hint}` : ''}`,
  )
  return `Plan for ${identity}:\n${lines.join('\n')}\n`
}

const NEXT = [
  'Next machine: run `claw-mesh invite` here, pass the line it prints to `claw-mesh bootstrap --peer file:INVITE` there, and run the reply it prints here with `claw-mesh peer add --invite -`.',
  'Check the mesh any time: claw-mesh doctor',
]

/**
 * The replies to show: made in this run, else kept from an earlier run for the same --peer invites while the inviter
 * has not run them yet (a re-run shows the same reply again, and applies nothing).
 */
function replyInvitesOf(
  deps: Deps,
  applied: Applied,
  observation: Observation,
  state: State,
): {replyInvites: BootstrapResult['replyInvites']; complete: string[]} {
  if (applied.replyInvites.length > 0) return {replyInvites: applied.replyInvites, complete: []}
  const replyInvites: BootstrapResult['replyInvites'] = []
  const complete: string[] = []
  for (const input of observation.peers) {
    if (input.line?.kind !== 'invite-v2') continue
    const invite = input.line.invite
    const record = peerOf(state, input.name ?? invite.name)
    if (record?.a2a?.invite !== invite.id || !record.a2a.reply) continue
    // The inviter was seen accepting our token: its reply is spent there, and showing it again invites a refusal.
    if (record.a2a.awaitingReply) replyInvites.push({peer: record.name, replyInvite: record.a2a.reply})
    else complete.push(record.name)
  }
  return {replyInvites, complete}
}

/**
 * The result document, for a dry run and a real one alike. A new section of the summary (and of `--json`) goes
 * here and into BootstrapResult (types.ts); the human rendering is render/bootstrap.ts.
 */
export function bootstrapResult(
  deps: Deps,
  r: {
    opts: BootstrapOptions
    steps: BootstrapStepResult[]
    observation: Observation
    store: SecretStore
    applied: Applied
    state: State
  },
): BootstrapResult {
  const {observation, applied, state} = r
  const ts = applied.join ?? observation.tailscale.summary
  const tailnet = {
    hostname: applied.join ? applied.join.hostname : ts && 'machineName' in ts ? (ts.machineName ?? ts.hostname) : null,
    dnsName: ts?.dnsName ?? null,
    ipv4: ts?.ipv4 ?? null,
    tailnet: ts?.tailnet ?? null,
  }
  const g = r.opts.dryRun ? undefined : state.gateway
  const expose = g?.expose ?? observation.configure.expose
  const port = g?.port ?? observation.configure.port
  const {replyInvites, complete} = r.opts.dryRun
    ? {replyInvites: [], complete: []}
    : replyInvitesOf(deps, applied, observation, state)
  const url = r.opts.dryRun ? null : peerUrlFor({expose, port, ipv4: tailnet.ipv4, dnsName: tailnet.dnsName})
  return {
    identity: r.opts.identity,
    dryRun: r.opts.dryRun,
    changed: applied.changed,
    steps: r.steps,
    tailnet,
    gateway: {
      configPath: g?.configPath ?? observation.configure.configPath,
      expose,
      port,
      url,
      healthy: applied.healthy ?? observation.observed.gatewayHealthy,
    },
    peers: (applied.checked?.peers ?? []).map((p) => ({
      name: p.name,
      url: p.url,
      messaging: p.messaging,
      a2a: Boolean(peerOf(state, p.name)?.a2a),
      status: p.status,
      latencyMs: p.latencyMs,
      detail: p.detail,
    })),
    replyInvites,
    secrets: {
      backend: r.store.backend,
      location: r.store.location,
      ...(r.store.fallbackReason ? {reason: `the OS keychain cannot be used here: ${r.store.fallbackReason}`} : {}),
    },
    stateDir: deps.stateDir,
    reboot: rebootRecoveryFor(deps, state),
    next: r.opts.dryRun
      ? ['Run without --dry-run to apply this plan.']
      : [
          ...replyInvites.map(
            (x) =>
              `To finish pairing with ${x.peer}, run on ${x.peer}: claw-mesh peer add --invite -   and paste the reply line shown above.`,
          ),
          ...complete.map(
            (name) =>
              `The pair with ${name} is complete: ${name} accepted this host's reply, nothing is left to run there.`,
          ),
          ...NEXT,
        ],
    warnings: applied.warnings,
    ...(applied.readiness ? {readiness: readinessOf(applied.readiness)} : {}),
  }
}

function readinessOf(r: PeerReadiness): NonNullable<BootstrapResult['readiness']> {
  return {
    waitedMs: r.elapsedMs,
    ready: r.ready,
    missing: r.missing.map((m) => ({name: m.name, gap: m.gap!, ...(m.detail ? {detail: m.detail} : {})})),
    failed: Boolean(r.verdict.failure),
    ...(r.verdict.failure ? {failure: r.verdict.failure} : {}),
  }
}
