import * as z from 'zod/mini'
import './zod-messages.js'
import {TRUST_LEVELS} from '../pairing/pair-trust.js'

// One instance per field type, shared by every field: a zod schema is immutable, and each instance costs start-up
// time (this file built ~200 of them, most the same optional string).
const string = z.string()
const strings = z.array(string)
const optString = z.optional(string)
const optStrings = z.optional(strings)
const optNumber = z.optional(z.number())
const optBoolean = z.optional(z.boolean())

/** claw-mesh's own state (never inside openclaw.json). Every section optional so old files keep loading. */
export const peerRecordSchema = z.object({
  name: string,
  hostname: optString,
  url: string,
  addedAt: string,
  source: z._default(z.enum(['invite', 'url', 'discovered']), 'url'),
  messaging: z._default(z.boolean(), false),
  /** Tailscale's stable node id, when the peer came from the tailnet's own list (fleet discovery). */
  nodeId: optString,
  /** Plain http to a MagicDNS name: the tailnet addresses it resolved to when added; every connection must match. */
  addresses: optStrings,
  /** The peer's A2A endpoint and how the pair's tokens came about (`a2a/<name>/in|out` in the secret store). */
  a2a: z.optional(
    z.object({
      url: string,
      /** `token`: a foreign A2A agent added with the bearer token its operator issued (outbound only). */
      pairedBy: z.enum(['invite', 'fleet', 'token']),
      pairedAt: string,
      /** What answers there: another host's OpenClaw gateway (absent: older records), or any other A2A 1.0 agent. */
      kind: z.optional(z.enum(['openclaw', 'foreign'])),
      /** The peer's invite this host answered, and the reply it printed (public: re-printed on a re-run). */
      invite: optString,
      reply: optString,
      /** This host answered an invite and the inviter has not been seen accepting our token yet. */
      awaitingReply: optBoolean,
    }),
  ),
  /** What this peer's messages may do here (`tools.toolsBySender`); absent on pairs older than trust levels: `chat`. */
  trust: z.optional(z.enum(TRUST_LEVELS)),
  lastCheck: z.optional(
    z.object({
      at: string,
      status: z.enum(['ok', 'degraded', 'down']),
      latencyMs: optNumber,
      detail: optString,
    }),
  ),
  /** What the peer's claw-mesh card said it offers, when last fetched (pairing, peer check, ask --capability). */
  card: z.optional(z.object({at: string, caps: strings, description: optString})),
})
export type PeerRecord = z.infer<typeof peerRecordSchema>

export const stateSchema = z.object({
  version: z._default(z.literal(1), 1),
  identity: optString,
  tailscale: z.optional(
    z.object({
      /** The name the node has in the tailnet (Tailscale's, which may be `name-1` after a collision). */
      hostname: optString,
      /** The name claw-mesh asked for: doctor compares the node's name with it to see a rename. */
      requestedHostname: optString,
      socket: optString,
      /** pid of the tailscaled claw-mesh started (containers/CI without systemd). */
      daemonPid: optNumber,
      /** How that tailscaled reaches the tailnet: a kernel TUN, or userspace networking (no 100.x interface). */
      networking: z.optional(z.enum(['kernel', 'userspace'])),
      /** Userspace mode: tailscaled's HTTP proxy on loopback, which claw-mesh's own peer traffic goes through. */
      proxy: optString,
      tags: optStrings,
      cli: optString,
      /** Self-hosted control server (Headscale) the node logged in to; repeated on every `tailscale up`. */
      loginServer: optString,
      /** The tailnet's MagicDNS suffix from the node's own status (`*.ts.net`, or a Headscale base domain). */
      magicDNSSuffix: optString,
    }),
  ),
  gateway: z.optional(
    z.looseObject({
      configPath: optString,
      port: optNumber,
      expose: z.optional(z.enum(['tailnet', 'serve', 'lan'])),
      backupPath: optString,
      /** Hash of openclaw.json before claw-mesh first changed it, and the exact bytes' backup. */
      originalBackupPath: optString,
      originalExisted: optBoolean,
      runner: z.optional(z.enum(['service', 'background', 'external'])),
      pid: optNumber,
      /** OpenClaw profile (`--profile`) the gateway belongs to. */
      profile: optString,
      /** openclaw.json paths configure changed that no gateway has started with yet. */
      pending: optStrings,
      /** What `gateway start` restores when the gateway rejects the pending changes. */
      rollback: z.optional(
        z.object({
          backupPath: optString,
          existed: z.boolean(),
          port: optNumber,
          expose: z.optional(z.enum(['tailnet', 'serve', 'lan'])),
        }),
      ),
      /** The port the running gateway was started with (it is on its command line). */
      appliedPort: optNumber,
      /** The `channels.a2a.peers` entries claw-mesh wrote (a removed peer's entry is deleted; others are the user's). */
      a2aPeers: optStrings,
    }),
  ),
  secrets: z.optional(
    z.object({
      backend: z.optional(z.enum(['keychain', 'file'])),
      names: z._default(strings, []),
    }),
  ),
  mesh: z.optional(
    z.object({
      enabled: z._default(z.boolean(), false),
      tag: z._default(string, 'tag:claw-mesh'),
    }),
  ),
  alert: optString,
  /** What this host offers the mesh (bootstrap --caps/--description); published on its claw-mesh card. */
  capabilities: z.optional(z.object({caps: strings, description: optString})),
  /** Pairing invites this host printed: one-time, expiring, revocable. The private key is in the secret store. */
  invites: z._default(
    z.record(
      string,
      z.object({
        createdAt: string,
        expiresAt: string,
        for: optString,
        trust: z.optional(z.enum(TRUST_LEVELS)),
        usedBy: optString,
        usedAt: optString,
        revokedAt: optString,
      }),
    ),
    {},
  ),
  peers: z._default(z.record(string, peerRecordSchema), {}),
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
