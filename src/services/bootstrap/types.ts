import type {SelfFlags} from '../../core/a2a/capabilities.js'
import type {TrustLevel} from '../../core/pairing/pair-trust.js'
import type {PeerGap} from '../../core/pairing/peer-readiness.js'
import type {RebootRecovery} from './reboot.js'
import type {BootstrapStep} from '../../core/lifecycle/bootstrap-plan.js'
import type {SecretSource} from '../../infra/secret-input.js'
import type {SecretStoreChoice} from '../../infra/secrets/select.js'
import type {AddPeerOptions} from '../peers/add.js'
import type {PeerStatus} from '../peers/check.js'
import type {JoinOptions} from '../tailscale/join.js'

/** What the user asked for, from flags and environment only (never what was observed on the machine). */
export interface BootstrapOptions {
  identity: string
  hostname: string
  /** False when hostname is the default openclaw-<identity>: a running node's own name is not silently replaced. */
  hostnameGiven: boolean
  tags: string[]
  /** Re-register the node (a tag change needs it); needs a key. */
  forceReauth: boolean
  key?: SecretSource
  /** A workload identity (tailscale.com) instead of a key: checked like the key, sent only by `tailscale up`. */
  wif?: JoinOptions['wif']
  ephemeral: boolean
  expose?: string
  port?: number
  acceptRisk: string[]
  /** URL peers may still lack a name: they are named after the observed tailnet node. */
  peers: AddPeerOptions[]
  meshSecret?: SecretSource
  /** --trust: the level for the pairs this run makes (invites and fleet members); unset keeps recorded ones. */
  trust?: TrustLevel
  /** Undefined: the tag recorded by an earlier discovery, else tag:claw-mesh. */
  meshTag?: string
  alert?: string
  secretStore?: SecretStoreChoice
  /** `allowed` (--install/--yes), `ask` on a terminal first, `forbidden` (--no-install). */
  install: 'allowed' | 'ask' | 'forbidden'
  dryRun: boolean
  timeoutMs: number
  peerTimeoutMs: number
  /** --peer-wait: the bound on waiting for the peers after a join (0 or absent: no wait). */
  peerWaitMs?: number
  /** --wait-for-peers: wait even without a join, and fail (exit 9) when the peers are not ready. */
  waitForPeers?: boolean
  socket?: string
  /** Self-hosted control server (Headscale), from --login-server or $CLAW_MESH_LOGIN_SERVER. */
  loginServer?: string
  /** --caps/--description as given (validated); a flag not given keeps what was recorded. */
  self?: SelfFlags
}

export interface BootstrapPeerSummary {
  name: string
  url: string
  messaging: boolean
  /** Paired over A2A (ask and broadcast --wait get replies). */
  a2a: boolean
  status: PeerStatus
  latencyMs?: number
  detail: string
}

export type BootstrapStepResult = BootstrapStep & {outcome?: string; durationMs?: number}

/**
 * The `--json` document of `claw-mesh bootstrap` (documented in docs/bootstrap.md). Never a secret in it. New sections
 * (e.g. reply invites for peers) are added here and filled in `bootstrapResult` (result.ts), for both dry and real runs.
 */
export interface BootstrapResult {
  identity: string
  dryRun: boolean
  changed: boolean
  /** With what each step did and how long it took (ms) in a real run. */
  steps: BootstrapStepResult[]
  tailnet: {hostname: string | null; dnsName: string | null; ipv4: string | null; tailnet: string | null}
  gateway: {configPath: string; expose: string; port: number; url: string | null; healthy: boolean}
  peers: BootstrapPeerSummary[]
  /** `--peer` invites this host answered: run each line on that peer (`claw-mesh peer add --invite -`) to finish. */
  replyInvites: {peer: string; replyInvite: string}[]
  /** `reason`: why the file store and not the OS keychain (`auto` fell back). */
  secrets: {backend: string; location: string; reason?: string}
  stateDir: string
  /** Whether the host comes back into the mesh by itself after a reboot, and the exact way back where it does not. */
  reboot: RebootRecovery
  /** How the next machine joins: the command that prints this host's invite (the invite is a secret). */
  next: string[]
  warnings: string[]
  /** The wait for the peers this run uses (after a join, or with --wait-for-peers); absent when there was none. */
  readiness?: BootstrapReadiness
}

export interface BootstrapReadiness {
  waitedMs: number
  ready: string[]
  missing: {name: string; gap: PeerGap; detail?: string}[]
  /** --wait-for-peers and a named peer (or every fleet member) still missing: exit 9. */
  failed: boolean
  /** Why it failed, for the headline. */
  failure?: string
}
