import * as z from 'zod'

// The shapes claw-mesh makes of `tailscale status --json` (src/core/tailscale/tailscale-status.ts), as zod schemas for
// the generated --json docs and the types; nothing parses with them, so a command does not build them at start-up.

export const peerSummarySchema = z.object({
  /** Tailscale's stable node id (`Peer[].ID`): a name can move to another node, the id cannot. */
  id: z.string().nullable(),
  hostname: z.string(),
  /** The node's unique name in the tailnet: the first label of its MagicDNS name (`name-1` after a collision). */
  machineName: z.string().nullable(),
  dnsName: z.string().nullable(),
  ipv4: z.string().nullable(),
  ipv6: z.string().nullable(),
  os: z.string().nullable(),
  tags: z.array(z.string()),
  online: z.boolean(),
  lastSeen: z.string().nullable(),
  keyExpiry: z.string().nullable(),
  relay: z.string().nullable(),
  curAddr: z.string().nullable(),
})
export type PeerSummary = z.infer<typeof peerSummarySchema>

/** The shape of `claw-mesh tailscale status --json` (documented in docs/headscale-and-containers.md). */
export const tailscaleSummarySchema = z.object({
  backendState: z.string(),
  version: z.string().nullable(),
  hostname: z.string().nullable(),
  machineName: z.string().nullable(),
  dnsName: z.string().nullable(),
  ipv4: z.string().nullable(),
  ipv6: z.string().nullable(),
  tailnet: z.string().nullable(),
  magicDNSSuffix: z.string().nullable(),
  magicDNSEnabled: z.boolean(),
  keyExpiry: z.string().nullable(),
  tags: z.array(z.string()),
  certDomains: z.array(z.string()),
  health: z.array(z.string()),
  authURL: z.string().nullable(),
  /** Whether tailscaled uses a kernel TUN device; false = userspace networking; null = not said. */
  tun: z.boolean().nullable().optional(),
  peers: z.array(peerSummarySchema),
})
export type TailscaleSummary = z.infer<typeof tailscaleSummarySchema>
