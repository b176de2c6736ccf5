import {UsageError} from '../common/errors.js'
import {getPath, isObject, jsonEqual, type OpenClawConfig} from '../openclaw/openclaw-config.js'
import type {Assignment} from '../openclaw/openclaw-config-patch.js'

/**
 * How much a paired peer's text may do on this host. A peer's message starts a run of this host's agent; what that
 * run may call is set per pair in OpenClaw's per-sender tool policy (`tools.toolsBySender`), keyed by the sender the
 * A2A channel authenticated (the `channels.a2a.peers` entry whose token the request carried), never by message text.
 *
 * - `chat` (the default): talk only. No commands, no file reads or writes, no browser, devices, automation or config,
 *   no subagents or sends into other sessions: nothing that reaches this machine's OS, files or network for the peer.
 * - `delegate`: the peer's runs get the tools this host's own policy gives its agent (commands included, no
 *   approval): for peers trusted to say "run the test suite". Whoever controls that peer can do what this agent can.
 */
export const TRUST_LEVELS = ['chat', 'delegate'] as const
export type TrustLevel = (typeof TRUST_LEVELS)[number]
export const DEFAULT_TRUST: TrustLevel = 'chat'

/**
 * What a `chat` peer's runs lose. Groups as OpenClaw 2026.9.6 defines them, plus the single tools outside those
 * groups that still reach the machine: `ls` (a file listing), `web_fetch` (requests from this host's network, its
 * loopback and metadata services included), `secrets`, and the session tools a run could use to hand work to a
 * session that has more tools (a subagent, the owner's own session). Messaging and plugin tools stay.
 */
export const CHAT_DENY: readonly string[] = [
  'group:runtime',
  'group:fs',
  'group:ui',
  'group:nodes',
  'group:automation',
  'exec',
  'process',
  'code_execution',
  'read',
  'write',
  'edit',
  'apply_patch',
  'ls',
  'web_fetch',
  'secrets',
  'sessions_spawn',
  'sessions_send',
  'subagents',
]

export const TOOLS_BY_SENDER = ['tools', 'toolsBySender'] as const

/** The key OpenClaw matches a run's sender against: the A2A channel names the sender by its peer entry's name. */
export function senderKey(peer: string): string {
  return `channel:a2a:${peer}`
}

/**
 * The policy written for a level. `delegate` is an explicit empty deny rather than no entry, so that a user's
 * wildcard (`"*"`) policy meant for unknown senders does not silently narrow a pair the user chose to trust.
 */
export function trustPolicy(level: TrustLevel): {deny: string[]} {
  return {deny: level === 'chat' ? [...CHAT_DENY] : []}
}

export function parseTrustLevel(value: string, flag = '--trust'): TrustLevel {
  if ((TRUST_LEVELS as readonly string[]).includes(value)) return value as TrustLevel
  throw new UsageError(`${flag} ${JSON.stringify(value.slice(0, 40))} is not a trust level.`, {
    code: 'bad-trust',
    hint: `Use ${flag} chat (the default: the peer's messages cannot run commands or touch files here) or ${flag} delegate (its messages may run commands here).`,
  })
}

export interface TrustPeer {
  name: string
  /** Absent on a pair recorded by an older claw-mesh: it gets the default. */
  trust?: TrustLevel
}

/**
 * The per-pair entries under `tools.toolsBySender` claw-mesh owns: one per paired peer, and a removed peer's entry
 * deleted (`owned`: the peer names claw-mesh wrote before). Other keys are the user's and stay.
 */
export function trustAssignments(desired: {peers: readonly TrustPeer[]; owned: readonly string[]}): Assignment[] {
  const out: Assignment[] = []
  const wanted = new Set(desired.peers.map((p) => p.name))
  for (const peer of [...desired.peers].sort((a, b) => a.name.localeCompare(b.name))) {
    out.push({path: [...TOOLS_BY_SENDER, senderKey(peer.name)], value: trustPolicy(peer.trust ?? DEFAULT_TRUST)})
  }
  for (const name of [...desired.owned].sort())
    if (!wanted.has(name)) out.push({path: [...TOOLS_BY_SENDER, senderKey(name)], value: undefined})
  return out
}

/** What openclaw.json gives one peer's runs, read back: a level when it is exactly one claw-mesh writes. */
export type ObservedTrust = TrustLevel | 'missing' | 'other'

export function observedTrust(config: OpenClawConfig, peer: string): ObservedTrust {
  const policies = getPath(config, [...TOOLS_BY_SENDER])
  if (!isObject(policies) || !Object.hasOwn(policies, senderKey(peer))) return 'missing'
  const policy = policies[senderKey(peer)]
  return TRUST_LEVELS.find((level) => jsonEqual(policy, trustPolicy(level))) ?? 'other'
}

/** A line for people: what the level lets the peer's messages do here. */
export function describeTrust(level: TrustLevel): string {
  return level === 'chat'
    ? 'chat (its messages cannot run commands or change files here)'
    : 'delegate (its messages may run commands and change files here)'
}

/**
 * The trust part of configure: the assignments, and a note for each pair recorded before trust levels existed
 * whose runs lose tools now (the safe default applies to them; delegation stays one command away).
 */
export function planPairTrust(
  config: OpenClawConfig,
  desired: {peers: readonly TrustPeer[]; owned: readonly string[]},
): {assignments: Assignment[]; notes: string[]} {
  const notes: string[] = []
  for (const peer of desired.peers) {
    if (peer.trust === undefined && observedTrust(config, peer.name) !== DEFAULT_TRUST) {
      notes.push(
        `${peer.name} was paired before per-pair trust: its messages now get the ${DEFAULT_TRUST} level here (no commands, no file changes). To let it run commands here: claw-mesh peer trust ${peer.name} delegate`,
      )
    }
  }
  return {assignments: trustAssignments(desired), notes}
}
