import {peerOf} from '../../core/common/state-schema.js'
import type {TrustLevel} from '../../core/pairing/pair-trust.js'
import {ActionNeededError, UsageError} from '../../core/common/errors.js'
import {tokenProblem} from '../../core/pairing/hooks-invite.js'
import {DEFAULT_MESH_TAG, discoverMeshPeers, type SkippedNode} from '../../core/pairing/mesh-discovery.js'
import {summarizeStatus, type TailscaleSummary} from '../../core/tailscale/tailscale-status.js'
import {parseTags} from '../../core/common/validate.js'
import {gatewayPortSetting} from '../../core/common/settings.js'
import type {Deps} from '../../deps.js'
import type {SecretSource} from '../../infra/secret-input.js'
import {SECRET_NAMES} from '../../infra/secrets/types.js'
import {openTailscale} from '../tailscale/cli.js'
import {noteSecretName, savePeer} from './records.js'
import {fleetHooksToken, fleetToken} from '../../core/pairing/a2a-pairing.js'
import {a2aEndpoint} from '../../core/a2a/a2a-protocol.js'
import {readPairTokens, writePairTokens} from '../a2a/tokens.js'
import {syncA2aConfig, type A2aSync} from '../a2a/sync.js'
import {proveMembers} from './prove-members.js'

export interface DiscoverOptions {
  /** The fleet's mesh secret (pair tokens are derived from it); when absent the stored `mesh-secret` is used. */
  meshSecret?: SecretSource
  tag?: string
  port?: number
  socket?: string
  /** The trust level for every member this run records; unset keeps each one's (a new member: the default). */
  trust?: TrustLevel
}

export interface DiscoverEntry {
  name: string
  hostname: string
  url: string
  online: boolean
  changes?: string[]
}

export interface DiscoverResult {
  tag: string
  port: number
  added: DiscoverEntry[]
  updated: DiscoverEntry[]
  unchanged: DiscoverEntry[]
  /**
   * Members that did not prove they hold the mesh secret: nothing was written for them (a member recorded by an
   * earlier run is kept as it was, `recorded: true`). Proven again on the next run.
   */
  unproven: Array<{
    name: string
    hostname: string
    url: string
    online: boolean
    recorded: boolean
    reason: string
    hint: string
  }>
  /** Same name as a peer added by invite or URL: left as it is. */
  kept: Array<{name: string; hostname: string; reason: string}>
  skipped: SkippedNode[]
  /** Discovered earlier, not in the tailnet now: kept (remove with peer remove). */
  notSeen: string[]
  meshSecret: 'stored' | 'replaced' | 'unchanged'
  notes: string[]
  /** channels.a2a in openclaw.json brought up to date with the members' derived tokens. */
  a2a?: A2aSync
}

const SECRET_HINT = 'Pass the fleet secret with --mesh-secret file:PATH (or - for stdin), or set CLAW_MESH_SECRET.'

/**
 * Mesh-secret fleets: every tailnet node with the mesh tag is a member. Each pair's A2A tokens are derived from
 * the mesh secret and the ordered pair of names (the token X presents to Y works only as X, toward Y), so every
 * receiver knows the true sender without any exchange, and the mesh secret itself never leaves this machine.
 */
export async function discoverPeers(
  deps: Deps,
  opts: DiscoverOptions,
  observed: {status?: TailscaleSummary} = {},
): Promise<DiscoverResult> {
  const state = deps.store.read()
  const tag = opts.tag === undefined ? (state.mesh?.tag ?? DEFAULT_MESH_TAG) : parseTags(opts.tag, '--tag')[0]
  if (!tag || (opts.tag !== undefined && opts.tag.includes(',')))
    throw new UsageError('--tag takes one Tailscale tag, e.g. --tag tag:claw-mesh.')
  const port = gatewayPortSetting({state, flags: {port: opts.port}}).value
  const secrets = await deps.secrets()
  const stored = await secrets.get(SECRET_NAMES.meshSecret)
  deps.redactor.add(stored)
  const secret = opts.meshSecret?.value ?? stored
  if (!secret)
    throw new UsageError("No mesh secret: each discovered peer's tokens are derived from it.", {hint: SECRET_HINT})
  const problem = tokenProblem(secret)
  if (problem)
    throw new UsageError(`The mesh secret from ${opts.meshSecret?.origin ?? 'the secret store'} ${problem}.`, {
      hint: SECRET_HINT,
    })

  const summary = observed.status ?? summarizeStatus(await openTailscale(deps, opts.socket).statusRaw())
  if (summary.backendState !== 'Running') {
    throw new ActionNeededError(
      `Tailscale is not connected on this machine (state: ${summary.backendState}), so its peer list is unknown.`,
      {
        code: 'tailscale-not-running',
        hint: 'Run claw-mesh bootstrap (or tailscale up), then discover again.',
      },
    )
  }
  const self = state.identity
  if (!self)
    throw new ActionNeededError('This machine has no claw-mesh identity yet: fleet tokens are derived from it.', {
      code: 'not-bootstrapped',
      hint: 'Run claw-mesh bootstrap --identity NAME --mesh-secret … first.',
    })
  const pinned = Object.fromEntries(Object.values(state.peers).map((p) => [p.name, p.nodeId]))
  const found = discoverMeshPeers(summary, {tag, port, pinned})
  const result: DiscoverResult = {
    tag,
    port,
    added: [],
    updated: [],
    unchanged: [],
    unproven: [],
    kept: [],
    skipped: found.skipped,
    notSeen: [],
    meshSecret: 'unchanged',
    notes: [],
  }
  // A tag is not membership: no token or URL is written for a node until it proves it holds the mesh secret.
  const candidates = found.peers.filter((p) => (peerOf(state, p.name)?.source ?? 'discovered') === 'discovered')
  const failures = await proveMembers(deps, {meshSecret: secret, self, targets: candidates})

  if (secret !== stored) {
    await secrets.set(SECRET_NAMES.meshSecret, secret)
    result.meshSecret = stored ? 'replaced' : 'stored'
  }
  deps.store.update((s) => {
    s.mesh = {enabled: true, tag}
    noteSecretName(s, SECRET_NAMES.meshSecret, true)
  })
  for (const peer of found.peers) {
    const existing = peerOf(state, peer.name)
    if (existing && existing.source !== 'discovered') {
      result.kept.push({
        name: peer.name,
        hostname: peer.hostname,
        reason: `already added by ${existing.source}; remove it first to manage it by discovery`,
      })
      continue
    }
    const failure = failures.get(peer.name)
    if (failure) {
      result.unproven.push({
        name: peer.name,
        hostname: peer.hostname,
        url: peer.url,
        online: peer.online,
        recorded: Boolean(existing),
        ...failure,
      })
      continue
    }
    const tokens = {inbound: fleetToken(secret, peer.name, self), outbound: fleetToken(secret, self, peer.name)}
    const old = await readPairTokens(secrets, peer.name)
    const extraChanges =
      existing && (old.inbound !== tokens.inbound || old.outbound !== tokens.outbound) ? ['A2A tokens re-derived'] : []
    if (old.inbound !== tokens.inbound || old.outbound !== tokens.outbound)
      await writePairTokens(secrets, peer.name, tokens)
    // A member seen for the first time may not have discovered this host yet: its refusal means "not yet", until the
    // first accepted check (peer check clears the flag).
    const awaiting = !existing?.a2a || Boolean(existing.a2a.awaitingReply)
    const a2a = {url: a2aEndpoint(peer.url), pairedBy: 'fleet' as const, ...(awaiting ? {awaitingReply: true} : {})}
    const saved = await savePeer(deps, secrets, {
      name: peer.name,
      hostname: peer.hostname,
      url: peer.url,
      source: 'discovered',
      messaging: true,
      a2a,
      nodeId: peer.nodeId,
      extraChanges,
      trust: opts.trust,
    })
    result[saved.action].push({
      name: peer.name,
      hostname: peer.hostname,
      url: peer.url,
      online: peer.online,
      ...(saved.changes.length ? {changes: saved.changes} : {}),
    })
  }
  const reached = result.unproven.filter((u) => u.online)
  if (
    reached.length > 0 &&
    reached.length === candidates.filter((c) => c.online).length &&
    reached.every((u) => /does not match this mesh secret/.test(u.reason))
  ) {
    result.notes.push(
      'No member proved it holds this mesh secret: if they are members, the secret given here may be the wrong one (compare it with the one the fleet was bootstrapped with).',
    )
  }
  const seen = new Set(found.peers.map((p) => p.name))
  result.notSeen = Object.values(state.peers)
    .filter((p) => p.source === 'discovered' && !seen.has(p.name))
    .map((p) => p.name)
    .sort()

  const ownHooks = await secrets.get(SECRET_NAMES.hooksToken)
  if (ownHooks && ownHooks !== fleetHooksToken(secret, self)) {
    result.notes.push(
      "This machine's own hooks token is not the one derived from the mesh secret: the other members cannot wake it over hooks. Re-run claw-mesh bootstrap with the same --mesh-secret.",
    )
  }
  result.a2a = await syncA2aConfig(deps)
  return result
}
