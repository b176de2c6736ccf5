import type {BootstrapObserved, BootstrapStep} from '../../core/bootstrap-plan.js'
import type {SecretSource} from '../../infra/secret-input.js'
import type {SecretStoreChoice} from '../../infra/secrets/select.js'
import type {AddPeerOptions} from '../peers/add.js'
import type {PeerStatus} from '../peers/check.js'

export interface BootstrapOptions {
  identity: string
  hostname: string
  /** False when hostname is the default openclaw-<identity>: a running node's own name is not silently replaced. */
  hostnameGiven: boolean
  tags: string[]
  key?: SecretSource
  ephemeral: boolean
  expose?: string
  port?: number
  acceptRisk: string[]
  peers: AddPeerOptions[]
  meshSecret?: SecretSource
  meshTag?: string
  alert?: string
  secretStore?: SecretStoreChoice
  install: boolean
  dryRun: boolean
  timeoutMs: number
  peerTimeoutMs: number
  socket?: string
  /** Self-hosted control server (Headscale), from --login-server or $CLAW_MESH_LOGIN_SERVER. */
  loginServer?: string
  /** Tailscale as the caller already read it (the command needs it to name peers): not read twice. */
  observedTailscale?: BootstrapObserved['tailscale']
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

/** The `--json` document of `claw-mesh bootstrap` (documented in the README). Never a secret in it. */
export interface BootstrapResult {
  identity: string
  dryRun: boolean
  changed: boolean
  /** With what each step did and how long it took (ms) in a real run. */
  steps: (BootstrapStep & {outcome?: string; durationMs?: number})[]
  tailnet: {hostname: string | null; dnsName: string | null; ipv4: string | null; tailnet: string | null}
  gateway: {configPath: string; expose: string; port: number; url: string | null; healthy: boolean}
  peers: BootstrapPeerSummary[]
  /** `--peer` invites this host answered: run each line on that peer (`claw-mesh peer add --invite -`) to finish. */
  replyInvites: {peer: string; replyInvite: string}[]
  secrets: {backend: string; location: string}
  stateDir: string
  /** How the next machine joins: the command that prints this host's invite (the invite is a secret). */
  next: string[]
  warnings: string[]
}
