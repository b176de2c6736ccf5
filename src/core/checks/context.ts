import type {AgentFallbackProbe} from './agent-fallback.js'
import type {OutboxSummaryFile} from '../mesh/mesh-audit.js'
import type {MeshPluginProbe} from './mesh-plugin.js'
import type {PlatformId} from '../../platform/types.js'
import type {ListenerVerdict} from '../openclaw/port-holder.js'
import type {PeerRecord, State} from '../common/state-schema.js'
import type {GatewayConfigView} from './gateway-config.js'
import type {
  ConfigFileProbe,
  HandshakeProbe,
  HttpProbe,
  OpenClawProbe,
  ServiceProbe,
  TokenProbe,
  ValidationProbe,
} from './gateway-runtime.js'
import type {PingView} from './peers.js'
import type {AuditProbe} from './a2a.js'
import type {SecretPresence, SecretStoreProbe, VolatileKey} from './secrets.js'
import type {ClockSample, FirewallProbe} from './system.js'
import type {TailscaleProbe} from './tailscale.js'

/**
 * What checks may ask about the machine. Every probe is lazy and memoised by the implementation (the machine view,
 * src/services/machine/view.ts, with doctor's peer probes in src/services/doctor/context.ts): one `tailscale status
 * --json`, one config read, one health probe, however many checks use them. Tests implement it with plain values.
 */
export interface DoctorContext {
  readonly platform: PlatformId
  /** Where claw-mesh keeps openclaw.json backups (`<state dir>/backups`): remedies name it. */
  readonly backupsDir: string
  readonly env: Record<string, string | undefined>
  now(): Date
  /** claw-mesh's state, or why it could not be read (an invalid state file). */
  state(): {ok: true; state: State} | {ok: false; error: string; hint?: string}
  /** Whether claw-mesh has set this machine up (an identity or a gateway it configured). */
  provisioned(): boolean
  /** The command that starts this machine's gateway (for remedies). */
  readonly startCommand: string
  /** A command that shows what listens on a port, on this OS. */
  whoHoldsPort(port: number): string

  tailscaleCli(): Promise<{cli?: string; version?: string; versionError?: string}>
  tailscale(): Promise<TailscaleProbe>
  readonly tailscaleOs: {daemonDownText: string; startHint: string}

  openclaw(): Promise<OpenClawProbe>
  configFile(): Promise<ConfigFileProbe | undefined>
  /** The parsed config's gateway settings; undefined when there is no parseable config. */
  configView(): Promise<GatewayConfigView | undefined>
  validation(): Promise<ValidationProbe>
  /** `openclaw security audit --json` on this config. */
  securityAudit(): Promise<AuditProbe>
  /** GET /healthz and /readyz on 127.0.0.1:port. */
  loopbackHealth(): Promise<{port: number; healthz: HttpProbe; readyz?: HttpProbe}>
  /** GET /healthz where peers reach the gateway (the Tailscale IPv4, or the Serve URL). */
  /** `viaProxy`: userspace networking, probed through tailscaled's proxy (the way peers' packets arrive). */
  tailnetHealth(): Promise<{
    url?: string
    ipv4?: string | null
    ipv4Local?: boolean
    viaProxy?: string
    probe?: HttpProbe
  }>
  /** Userspace networking: the proxy claw-mesh's peer traffic goes through, and whether it accepts a connection. */
  tailscaleProxy(): Promise<{proxy?: string; answers?: boolean; error?: string}>
  service(): Promise<ServiceProbe>
  gatewayToken(): Promise<TokenProbe>
  handshake(): Promise<HandshakeProbe>
  /** Who holds 127.0.0.1:<gateway port>: this user's OpenClaw gateway, nothing, or another process (named). */
  portListener(): Promise<ListenerVerdict>
  /** The hooks token claw-mesh stored (what peers were given). */
  storedHooksToken(): Promise<string | undefined>
  /** The gateway token as the gateway sees it (plain value or resolved SecretRef). */
  effectiveGatewayToken(): Promise<string | undefined>

  secretStore(): Promise<SecretStoreProbe>
  /** Each recorded secret's presence, or why the store could not be read (an insecure secret file). */
  secretsPresence(): Promise<{secrets: SecretPresence[]; error?: string}>
  secretFile(): Promise<{backend?: string; file: string; exists: boolean; problems: string[]}>
  /** claw-mesh keys in the kernel keyutils keyring (/proc/keys), left by an earlier version (Linux). */
  volatileSecrets(): Promise<{keys: VolatileKey[]; error?: string}>

  /** The peers the run looks at (all, or --peer NAME). */
  peerRecords(): PeerRecord[]
  /** checkPeers' probes for one peer (tailnet, /healthz, /readyz, one hooks-token probe). */
  peerProbe(name: string): Promise<PeerProbeView | undefined>
  ping(name: string): Promise<{result?: PingView; why?: string}>
  clockSample(): Promise<{sample?: ClockSample; why?: string}>
  firewall(): Promise<FirewallProbe>
  /** The skill's exec fallback, run as OpenClaw's exec would, and the minimum Node claw-mesh needs. */
  agentFallback(): Promise<{probe: AgentFallbackProbe; minimum: string}>
  /** claw-mesh's OpenClaw plugin (`openclaw plugins inspect claw-mesh --runtime --json`). */
  meshPlugin(): Promise<MeshPluginProbe>
  /** The outbox summary the plugin keeps in claw-mesh's state dir. */
  meshOutbox(): Promise<OutboxSummaryFile | undefined>
}

export type PeerProbeStatus = 'ok' | 'warn' | 'fail' | 'skip'

/** The peer service's per-peer answer, as much of it as the checks read. */
export interface PeerProbeView {
  name: string
  url: string
  messaging: boolean
  probes: Record<
    'tailnet' | 'healthz' | 'readyz' | 'hooks' | 'agentCard' | 'a2a' | 'a2aHere',
    {status: PeerProbeStatus; detail: string; httpStatus?: number; latencyMs?: number}
  >
  remedy?: string
}
