import * as z from 'zod/mini'
import '../common/zod-messages.js'
import {A2A_PATH, A2A_PROTOCOL_VERSION} from '../a2a/a2a-protocol.js'
import {sanitizeCaps, sanitizeDescription, type SelfDescription} from '../a2a/capabilities.js'
import {stripControl} from '../common/terminal-text.js'

/**
 * claw-mesh's own card: what a host offers, served by the claw-mesh plugin at `/claw-mesh/v1/card` on the gateway
 * port. OpenClaw's Agent Card (`/.well-known/agent-card.json`) has a fixed description and one skill per agent
 * with fixed text, and its config can only filter agents, so capabilities cannot go there. This card has the A2A
 * AgentCard shape (any A2A client can read it; its interface is the gateway's own `/a2a/v1`) plus a `clawMesh`
 * object claw-mesh reads. It holds no secret and no peer list: anyone who reaches the gateway may read it.
 */
export const MESH_CARD_PATH = '/claw-mesh/v1/card'
/** A card is a few hundred bytes; anything past this is not read. */
export const MAX_MESH_CARD_BYTES = 16 * 1024

export interface MeshCardInput {
  /** This host's mesh name (its identity). */
  name: string
  self: SelfDescription
  pluginVersion: string
  /** The OpenClaw release the plugin runs in (`api.runtime.version`), when it says. */
  openclawVersion?: string
  /** The gateway's base URL as peers reach it (channels.a2a.advertisedUrl, else the request's origin). */
  baseUrl: string
}

export interface MeshCard {
  name: string
  description: string
  version: string
  supportedInterfaces: Array<{url: string; protocolBinding: 'JSONRPC'; protocolVersion: string}>
  capabilities: {streaming: false; pushNotifications: false}
  defaultInputModes: string[]
  defaultOutputModes: string[]
  skills: Array<{id: string; name: string; description: string; tags: string[]}>
  clawMesh: {caps: string[]; description?: string; pluginVersion: string; openclawVersion?: string}
}

export function buildMeshCard(input: MeshCardInput): MeshCard {
  const {name, self} = input
  return {
    name,
    description: self.description ?? `claw-mesh host ${name} (an OpenClaw gateway).`,
    version: input.pluginVersion,
    supportedInterfaces: [
      {
        url: `${input.baseUrl.replace(/\/+$/, '')}${A2A_PATH}`,
        protocolBinding: 'JSONRPC',
        protocolVersion: A2A_PROTOCOL_VERSION,
      },
    ],
    capabilities: {streaming: false, pushNotifications: false},
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: self.caps.map((cap) => ({
      id: cap,
      name: cap,
      description: `${name} offers ${cap}.`,
      tags: ['claw-mesh', cap],
    })),
    clawMesh: {
      caps: self.caps,
      ...(self.description ? {description: self.description} : {}),
      pluginVersion: input.pluginVersion,
      ...(input.openclawVersion ? {openclawVersion: input.openclawVersion} : {}),
    },
  }
}

/** What claw-mesh keeps of a peer's card. */
export interface PeerCard {
  name: string
  caps: string[]
  description?: string
  pluginVersion?: string
  /** The OpenClaw release serving the card (cards from plugins before 0.2 do not say). */
  openclawVersion?: string
}

const cardSchema = z.object({
  name: z.string(),
  clawMesh: z.object({
    caps: z.array(z.unknown()),
    description: z.optional(z.unknown()),
    pluginVersion: z.optional(z.unknown()),
    openclawVersion: z.optional(z.unknown()),
  }),
})

/**
 * A peer's card, untrusted: not JSON, not a claw-mesh card, or over 16 KiB → undefined. Invalid capabilities are
 * dropped one by one (a peer's typo costs that capability, not the card); text is stripped of controls and cut.
 */
export function parseMeshCard(body: string): PeerCard | undefined {
  if (Buffer.byteLength(body, 'utf8') > MAX_MESH_CARD_BYTES) return undefined
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return undefined
  }
  const parsed = z.safeParse(cardSchema, json)
  if (!parsed.success) return undefined
  const {name, clawMesh} = parsed.data
  const out: PeerCard = {name: stripControl(name).slice(0, 64), caps: sanitizeCaps(clawMesh.caps.slice(0, 64))}
  const description = sanitizeDescription(clawMesh.description)
  if (description) out.description = description
  if (typeof clawMesh.pluginVersion === 'string') out.pluginVersion = stripControl(clawMesh.pluginVersion).slice(0, 32)
  if (typeof clawMesh.openclawVersion === 'string')
    out.openclawVersion = stripControl(clawMesh.openclawVersion).slice(0, 32)
  return out
}
