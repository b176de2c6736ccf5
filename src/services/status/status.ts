import {DEFAULT_TRUST, type TrustLevel} from '../../core/pairing/pair-trust.js'
import type {DoctorContext} from '../../core/checks/context.js'
import {looksLikeOpenClawHealth} from '../../core/checks/gateway-runtime.js'
import {findPeerNode} from '../../core/checks/peers.js'
import {ClawMeshError, UsageError} from '../../core/common/errors.js'
import {peerUrlFor} from '../../core/openclaw/gateway-url.js'
import {appliedGatewayPortSetting} from '../../core/common/settings.js'
import type {Deps} from '../../deps.js'
import {createDoctorContext, type DoctorContextOptions} from '../doctor/context.js'
import {monotonicMs} from '../../core/common/duration.js'

export type HealthWord = 'ok' | 'not ready' | 'down' | 'unknown'

export interface HostStatus {
  identity?: string
  /** Tailscale: Running, NeedsLogin, …, or `not installed` / `daemon down`. */
  tailscale: string
  hostname?: string
  dnsName?: string
  ipv4?: string
  /** The URL peers use to reach this gateway. */
  gatewayUrl?: string
  gatewayPort?: number
  gateway: HealthWord
  gatewayDetail: string
}

export interface PeerStatusLine {
  name: string
  url: string
  /** Online in the tailnet; null when not a tailnet peer or Tailscale is not readable. */
  online: boolean | null
  health: HealthWord
  /** /healthz round trip. */
  latencyMs?: number
  /** `now` when online, else Tailscale's LastSeen, else the last successful claw-mesh check. */
  lastSeen?: string
  /** Whether this host can message the peer's agent: over A2A (`via: a2a`) or with its hooks token (`via: hooks`). */
  messaging: boolean
  via: 'a2a' | 'hooks' | 'none'
  /** A paired peer's trust level: what its messages may do here. */
  trust?: TrustLevel
  /** A foreign A2A agent: its health is its A2A answer (it has no /healthz). */
  kind?: 'foreign'
  detail?: string
}

export interface StatusResult {
  at: string
  host: HostStatus
  peers: PeerStatusLine[]
  elapsedMs: number
}

/**
 * The mesh at a glance: this host and every peer. Built on the doctor's context over the machine view, so it runs
 * the same probes (one `tailscale status`, one read of openclaw.json, one health probe, one peer sweep through the
 * peer service, which reads the same view) and nothing else.
 */
export async function meshStatus(
  deps: Deps,
  opts: {peerTimeoutMs: number; socket?: string; context?: (deps: Deps, opts: DoctorContextOptions) => DoctorContext},
): Promise<StatusResult> {
  const started = monotonicMs()
  const ctx = (opts.context ?? createDoctorContext)(deps, {peerTimeoutMs: opts.peerTimeoutMs, socket: opts.socket})
  const stateRead = ctx.state()
  // A state file that cannot be read is not "no identity yet": say which file and field, exit 2.
  if (!stateRead.ok) throw new UsageError(stateRead.error, {hint: stateRead.hint})
  const state = stateRead.state
  const records = ctx.peerRecords()
  // Without an openclaw.json there is no gateway of claw-mesh's to ask (the answer is "unknown" whatever listens on
  // the port): no health probe, and no HTTP client loaded for one (~50 ms CPU of start-up).
  const hostProbe = ctx
    .configFile()
    .then(async (file) => ({file, health: file?.exists ? await ctx.loopbackHealth() : undefined}))
  const [ts, {file, health}] = await Promise.all([ctx.tailscale(), hostProbe])
  const summary = ts.kind === 'ok' ? ts.summary : undefined

  const host: HostStatus = {
    identity: state?.identity,
    tailscale:
      ts.kind === 'missing'
        ? 'not installed'
        : ts.kind === 'daemon-down'
          ? 'daemon down'
          : ts.kind === 'error'
            ? 'error'
            : ts.summary.backendState,
    hostname: summary?.machineName ?? summary?.hostname ?? state?.tailscale?.hostname,
    dnsName: summary?.dnsName ?? undefined,
    ipv4: summary?.ipv4 ?? undefined,
    gatewayPort: health?.port ?? appliedGatewayPortSetting({state}).value,
    gateway: 'unknown',
    gatewayDetail: '',
  }
  if (!file?.exists || !health) {
    host.gateway = 'unknown'
    host.gatewayDetail = 'no openclaw.json (claw-mesh bootstrap)'
  } else if (looksLikeOpenClawHealth(health.healthz)) {
    const ready = health.readyz?.ok && health.readyz.status === 200
    host.gateway = ready ? 'ok' : 'not ready'
    host.gatewayDetail = `127.0.0.1:${health.port}${ready ? '' : ' (live, /readyz not 200)'}`
  } else {
    host.gateway = 'down'
    host.gatewayDetail = health.healthz.ok
      ? `127.0.0.1:${health.port} answered HTTP ${health.healthz.status}`
      : `127.0.0.1:${health.port}: ${health.healthz.message}`
  }
  const expose = state?.gateway?.expose
  if (expose) {
    try {
      host.gatewayUrl = peerUrlFor({
        expose,
        port: state?.gateway?.port ?? host.gatewayPort,
        ipv4: summary?.ipv4,
        dnsName: summary?.dnsName,
      })
    } catch (error) {
      if (!(error instanceof ClawMeshError)) throw error
    }
  }

  const probes = await Promise.all(records.map((r) => ctx.peerProbe(r.name)))
  const peers = records.map((record, i): PeerStatusLine => {
    const probe = probes[i]
    const node = summary ? findPeerNode(summary, record) : undefined
    const healthz = probe?.probes.healthz
    const readyz = probe?.probes.readyz
    const foreign = record.a2a?.kind === 'foreign'
    const a2aProbe = probe?.probes.a2a
    const healthWord: HealthWord = foreign
      ? !a2aProbe
        ? 'unknown'
        : a2aProbe.status === 'ok'
          ? 'ok'
          : a2aProbe.status === 'fail'
            ? 'down'
            : 'unknown'
      : !healthz
        ? 'unknown'
        : healthz.status === 'ok'
          ? readyz?.status === 'fail'
            ? 'not ready'
            : 'ok'
          : healthz.status === 'skip'
            ? 'unknown'
            : 'down'
    const online = node
      ? node.online
      : summary && summary.backendState === 'Running' && probe?.probes.tailnet.status === 'fail'
        ? false
        : null
    const lastSeen = node?.online
      ? 'now'
      : (node?.lastSeen ?? (record.lastCheck?.status === 'ok' ? record.lastCheck.at : undefined))
    const problems = probe
      ? Object.entries(probe.probes).filter(([, p]) => p.status === 'fail' || p.status === 'warn')
      : []
    return {
      name: record.name,
      url: record.url,
      online,
      health: healthWord,
      latencyMs: foreign ? a2aProbe?.latencyMs : healthz?.latencyMs,
      lastSeen,
      messaging: Boolean(record.a2a) || record.messaging,
      via: record.a2a ? ('a2a' as const) : record.messaging ? ('hooks' as const) : ('none' as const),
      ...(record.a2a && !foreign ? {trust: record.trust ?? DEFAULT_TRUST} : {}),
      ...(foreign ? {kind: 'foreign' as const} : {}),
      ...(problems.length > 0 ? {detail: problems.map(([id, p]) => `${id}: ${p.detail}`).join('; ')} : {}),
    }
  })
  return {at: deps.clock.now().toISOString(), host, peers, elapsedMs: Math.round(monotonicMs() - started)}
}
