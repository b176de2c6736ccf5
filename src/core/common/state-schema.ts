import * as z from 'zod'
import {TRUST_LEVELS} from '../pairing/pair-trust.js'

/** claw-mesh's own state (never inside openclaw.json). Every section optional so old files keep loading. */
export const peerRecordSchema = z.object({
  name: z.string(),
  hostname: z.string().optional(),
  url: z.string(),
  addedAt: z.string(),
  source: z.enum(['invite', 'url', 'discovered']).default('url'),
  messaging: z.boolean().default(false),
  /** Tailscale's stable node id, when the peer came from the tailnet's own list (fleet discovery). */
  nodeId: z.string().optional(),
  /** Plain http to a MagicDNS name: the tailnet addresses it resolved to when added; every connection must match. */
  addresses: z.array(z.string()).optional(),
  /** The peer's A2A endpoint and how the pair's tokens came about (`a2a/<name>/in|out` in the secret store). */
  a2a: z
    .object({
      url: z.string(),
      /** `token`: a foreign A2A agent added with the bearer token its operator issued (outbound only). */
      pairedBy: z.enum(['invite', 'fleet', 'token']),
      pairedAt: z.string(),
      /** What answers there: another host's OpenClaw gateway (absent: older records), or any other A2A 1.0 agent. */
      kind: z.enum(['openclaw', 'foreign']).optional(),
      /** The peer's invite this host answered, and the reply it printed (public: re-printed on a re-run). */
      invite: z.string().optional(),
      reply: z.string().optional(),
      /** This host answered an invite and the inviter has not been seen accepting our token yet. */
      awaitingReply: z.boolean().optional(),
    })
    .optional(),
  /** What this peer's messages may do here (`tools.toolsBySender`); absent on pairs older than trust levels: `chat`. */
  trust: z.enum(TRUST_LEVELS).optional(),
  lastCheck: z
    .object({
      at: z.string(),
      status: z.enum(['ok', 'degraded', 'down']),
      latencyMs: z.number().optional(),
      detail: z.string().optional(),
    })
    .optional(),
  /** What the peer's claw-mesh card said it offers, when last fetched (pairing, peer check, ask --capability). */
  card: z.object({at: z.string(), caps: z.array(z.string()), description: z.string().optional()}).optional(),
})
export type PeerRecord = z.infer<typeof peerRecordSchema>

export const stateSchema = z.object({
  version: z.literal(1).default(1),
  identity: z.string().optional(),
  tailscale: z
    .object({
      /** The name the node has in the tailnet (Tailscale's, which may be `name-1` after a collision). */
      hostname: z.string().optional(),
      /** The name claw-mesh asked for: doctor compares the node's name with it to see a rename. */
      requestedHostname: z.string().optional(),
      socket: z.string().optional(),
      /** pid of the tailscaled claw-mesh started (containers/CI without systemd). */
      daemonPid: z.number().optional(),
      /** How that tailscaled reaches the tailnet: a kernel TUN, or userspace networking (no 100.x interface). */
      networking: z.enum(['kernel', 'userspace']).optional(),
      /** Userspace mode: tailscaled's HTTP proxy on loopback, which claw-mesh's own peer traffic goes through. */
      proxy: z.string().optional(),
      tags: z.array(z.string()).optional(),
      cli: z.string().optional(),
      /** Self-hosted control server (Headscale) the node logged in to; repeated on every `tailscale up`. */
      loginServer: z.string().optional(),
      /** The tailnet's MagicDNS suffix from the node's own status (`*.ts.net`, or a Headscale base domain). */
      magicDNSSuffix: z.string().optional(),
    })
    .optional(),
  gateway: z
    .object({
      configPath: z.string().optional(),
      port: z.number().optional(),
      expose: z.enum(['tailnet', 'serve', 'lan']).optional(),
      backupPath: z.string().optional(),
      /** Hash of openclaw.json before claw-mesh first changed it, and the exact bytes' backup. */
      originalBackupPath: z.string().optional(),
      originalExisted: z.boolean().optional(),
      runner: z.enum(['service', 'background', 'external']).optional(),
      pid: z.number().optional(),
      /** OpenClaw profile (`--profile`) the gateway belongs to. */
      profile: z.string().optional(),
      /** openclaw.json paths configure changed that no gateway has started with yet. */
      pending: z.array(z.string()).optional(),
      /** What `gateway start` restores when the gateway rejects the pending changes. */
      rollback: z
        .object({
          backupPath: z.string().optional(),
          existed: z.boolean(),
          port: z.number().optional(),
          expose: z.enum(['tailnet', 'serve', 'lan']).optional(),
        })
        .optional(),
      /** The port the running gateway was started with (it is on its command line). */
      appliedPort: z.number().optional(),
      /** The `channels.a2a.peers` entries claw-mesh wrote (a removed peer's entry is deleted; others are the user's). */
      a2aPeers: z.array(z.string()).optional(),
    })
    .passthrough()
    .optional(),
  secrets: z
    .object({
      backend: z.enum(['keychain', 'file']).optional(),
      names: z.array(z.string()).default([]),
    })
    .optional(),
  mesh: z
    .object({
      enabled: z.boolean().default(false),
      tag: z.string().default('tag:claw-mesh'),
    })
    .optional(),
  alert: z.string().optional(),
  /** What this host offers the mesh (bootstrap --caps/--description); published on its claw-mesh card. */
  capabilities: z.object({caps: z.array(z.string()), description: z.string().optional()}).optional(),
  /** Pairing invites this host printed: one-time, expiring, revocable. The private key is in the secret store. */
  invites: z
    .record(
      z.string(),
      z.object({
        createdAt: z.string(),
        expiresAt: z.string(),
        for: z.string().optional(),
        trust: z.enum(TRUST_LEVELS).optional(),
        usedBy: z.string().optional(),
        usedAt: z.string().optional(),
        revokedAt: z.string().optional(),
      }),
    )
    .default({}),
  peers: z.record(z.string(), peerRecordSchema).default({}),
})
export type State = z.infer<typeof stateSchema>

/**
 * How the CLI parses: without zod's compiled fast path. zod compiles one for each object schema the first time it
 * parses it (new Function); a command parses state.json and a tool's output once or twice, where compiling costs more
 * than it saves (peer list with ten peers: ~11 M instructions, ~4 ms). The results are the same.
 */
export const ONE_SHOT_PARSE = {jitless: true} as const

/**
 * The peer recorded under `name`, or undefined: an own property only. `state.peers[name]` for a peer called
 * "constructor" or "toString" (valid host names) would read Object.prototype's function instead.
 */
export function peerOf(state: Pick<State, 'peers'>, name: string): PeerRecord | undefined {
  return Object.hasOwn(state.peers, name) ? state.peers[name] : undefined
}

/** The invite recorded under `id`, or undefined: an own property only (an id comes from a peer's reply line). */
export function inviteOf(state: Pick<State, 'invites'>, id: string): State['invites'][string] | undefined {
  return Object.hasOwn(state.invites, id) ? state.invites[id] : undefined
}
