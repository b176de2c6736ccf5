import {A2A_PROTOCOL_VERSION} from './a2a-protocol.js'
import {stripControl} from '../common/terminal-text.js'

/** One entry of a card's `supportedInterfaces`. */
export interface CardInterface {
  url: string
  binding: string
  version: string
}

/** What an Agent Card says that claw-mesh checks. */
export interface AgentCardFacts {
  name: string
  /** The JSON-RPC endpoint claw-mesh can call (binding JSONRPC, protocol 1.x), when the card offers one. */
  url?: string
  version?: string
  skills: string[]
  interfaces: CardInterface[]
  /** Why no interface fits, when none does. */
  unusable?: string
}

function major(version: string): string {
  return version.trim().split('.')[0]
}

/**
 * The interface claw-mesh speaks: JSON-RPC over HTTP at protocol 1.x. Spec §8: a card lists its interfaces in the
 * agent's order of preference, so the first that fits wins; a REST, gRPC or 0.3 interface is never called with
 * 1.0 JSON-RPC bodies.
 */
export function chooseInterface(interfaces: readonly CardInterface[]): {url?: string; unusable?: string} {
  const fit = interfaces.find(
    (i) => i.binding.toUpperCase() === 'JSONRPC' && major(i.version) === major(A2A_PROTOCOL_VERSION),
  )
  if (fit) return {url: fit.url}
  if (interfaces.length === 0)
    return {unusable: 'the card lists no interfaces (an A2A 0.3 card, or not an A2A 1.0 agent)'}
  const offered = interfaces.map((i) => `${i.binding || '?'} ${i.version || '?'}`).join(', ')
  return {unusable: `the card offers no JSONRPC ${A2A_PROTOCOL_VERSION} interface (only ${offered})`}
}

export function parseAgentCard(body: string): AgentCardFacts | undefined {
  let json: {name?: unknown; version?: unknown; supportedInterfaces?: unknown; skills?: Array<{id?: unknown}>}
  try {
    json = JSON.parse(body) as typeof json
  } catch {
    return undefined
  }
  if (!json || typeof json !== 'object' || typeof json.name !== 'string') return undefined
  const raw = Array.isArray(json.supportedInterfaces)
    ? (json.supportedInterfaces as Array<{url?: unknown; protocolBinding?: unknown; protocolVersion?: unknown}>).slice(
        0,
        20,
      )
    : []
  const str = (v: unknown, max: number) => (typeof v === 'string' ? stripControl(v).slice(0, max) : '')
  const interfaces = raw
    .filter((i) => i && typeof i.url === 'string')
    .map((i) => ({url: str(i.url, 500), binding: str(i.protocolBinding, 32), version: str(i.protocolVersion, 16)}))
  const chosen = chooseInterface(interfaces)
  const skills = Array.isArray(json.skills)
    ? json.skills
        .slice(0, 100)
        .map((s) => s?.id)
        .filter((id): id is string => typeof id === 'string')
        .map((id) => stripControl(id).slice(0, 64))
    : []
  const facts: AgentCardFacts = {
    name: stripControl(json.name).slice(0, 200),
    version: typeof json.version === 'string' ? stripControl(json.version).slice(0, 64) : undefined,
    skills,
    interfaces,
  }
  if (chosen.url) facts.url = chosen.url
  if (chosen.unusable) facts.unusable = chosen.unusable
  return facts
}
