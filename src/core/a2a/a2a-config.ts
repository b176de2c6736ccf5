import {getPath, isObject, type OpenClawConfig} from '../openclaw/openclaw-config.js'
import type {Assignment} from '../openclaw/openclaw-config-patch.js'

/**
 * What claw-mesh writes under `channels.a2a` (OpenClaw's bundled A2A channel) and the hooks lockdown that goes
 * with it. Pure: the caller gathers the peers' tokens from the secret store.
 *
 * claw-mesh owns `enabled`, `advertisedUrl`, and the `peers.<name>` entries of the peers it paired (their names
 * are recorded, so a removed peer's entry is deleted and a peer the user configured by hand is never touched).
 * `exposeAgents` is set to the default agent unless the user chose a list; `hooks.allowedAgentIds` likewise.
 */
export interface A2aPeerEntry {
  name: string
  /** The token this peer presents to us (`peers.<name>.token`). */
  inbound: string
  /** Its `/a2a/v1` endpoint and the token we present there; absent for a peer we only accept calls from. */
  url?: string
  outbound?: string
}

export interface DesiredA2a {
  /** The origin peers use to reach this gateway; unset lets OpenClaw derive it from each request. */
  advertisedUrl?: string
  peers: A2aPeerEntry[]
  /** Peer names claw-mesh wrote before: those no longer in `peers` are removed. */
  owned: readonly string[]
}

export const A2A_BASE = ['channels', 'a2a'] as const

/**
 * The agent OpenClaw routes to when nothing says otherwise: with one configured agent (`agents.entries.<id>`) that
 * one; with several, `main` if present, else the first by name; with none, OpenClaw's built-in `main`.
 */
export function defaultAgentId(config: OpenClawConfig): string {
  const entries = getPath(config, ['agents', 'entries'])
  const ids = isObject(entries) ? Object.keys(entries).sort() : []
  if (ids.length === 1) return ids[0]
  return ids.length === 0 || ids.includes('main') ? 'main' : ids[0]
}

function chosenList(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0 && !value.includes('*')
}

export function a2aAssignments(current: OpenClawConfig, desired: DesiredA2a): Assignment[] {
  const base = [...A2A_BASE]
  const out: Assignment[] = [{path: [...base, 'enabled'], value: true}]
  if (desired.advertisedUrl) out.push({path: [...base, 'advertisedUrl'], value: desired.advertisedUrl})
  const agent = defaultAgentId(current)
  if (!chosenList(getPath(current, [...base, 'exposeAgents'])))
    out.push({path: [...base, 'exposeAgents'], value: [agent]})
  const wanted = new Set(desired.peers.map((p) => p.name))
  for (const peer of [...desired.peers].sort((a, b) => a.name.localeCompare(b.name))) {
    const at = [...base, 'peers', peer.name]
    out.push({path: [...at, 'token'], value: peer.inbound})
    out.push({path: [...at, 'url'], value: peer.url && peer.outbound ? peer.url : undefined})
    out.push({path: [...at, 'outboundToken'], value: peer.url && peer.outbound ? peer.outbound : undefined})
  }
  for (const name of [...desired.owned].sort()) {
    if (!wanted.has(name)) out.push({path: [...base, 'peers', name], value: undefined})
  }
  // OpenClaw's heartbeat goes to the "owner": the first commands.ownerAllowFrom entry, else a channel's allowFrom —
  // which for the A2A channel is the peers. Without an owner of their own, agents would ping each other every cycle.
  if (
    getPath(current, ['agents', 'defaults', 'heartbeat', 'target']) === undefined &&
    getPath(current, ['commands', 'ownerAllowFrom']) === undefined
  ) {
    out.push({path: ['agents', 'defaults', 'heartbeat', 'target'], value: 'none'})
  }
  // Hooks stay for /hooks/wake and older peers: only the default agent, and no caller-chosen session keys.
  if (!chosenList(getPath(current, ['hooks', 'allowedAgentIds'])))
    out.push({path: ['hooks', 'allowedAgentIds'], value: [agent]})
  if (getPath(current, ['hooks', 'allowRequestSessionKey']) === undefined)
    out.push({path: ['hooks', 'allowRequestSessionKey'], value: false})
  return out
}

/** What openclaw.json says about the A2A channel (for doctor and peer check; never a token value). */
export interface A2aSettings {
  enabled: boolean
  advertisedUrl?: string
  exposeAgents?: string[]
  /** Per configured peer: which of token / url / outboundToken are set. */
  peers: Record<string, {token: boolean; url?: string; outboundToken: boolean}>
  /** The inbound tokens, to compare with the secret store (callers never print them). */
  inboundTokens: Record<string, string>
  outboundTokens: Record<string, string>
}

export function readA2aSettings(config: OpenClawConfig): A2aSettings {
  const a2a = getPath(config, [...A2A_BASE])
  const settings: A2aSettings = {enabled: false, peers: {}, inboundTokens: {}, outboundTokens: {}}
  if (!isObject(a2a)) return settings
  settings.enabled = a2a.enabled === true
  if (typeof a2a.advertisedUrl === 'string') settings.advertisedUrl = a2a.advertisedUrl
  if (Array.isArray(a2a.exposeAgents))
    settings.exposeAgents = a2a.exposeAgents.filter((x): x is string => typeof x === 'string')
  if (isObject(a2a.peers)) {
    for (const [name, peer] of Object.entries(a2a.peers)) {
      if (!isObject(peer)) continue
      settings.peers[name] = {
        token: typeof peer.token === 'string' && peer.token !== '',
        url: typeof peer.url === 'string' ? peer.url : undefined,
        outboundToken: typeof peer.outboundToken === 'string' && peer.outboundToken !== '',
      }
      if (typeof peer.token === 'string') settings.inboundTokens[name] = peer.token
      if (typeof peer.outboundToken === 'string') settings.outboundTokens[name] = peer.outboundToken
    }
  }
  return settings
}
