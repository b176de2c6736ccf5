import {decodePairingInvite, decodePairingReply, fleetHooksToken, pairingLineKind} from '../../core/a2a-pairing.js'
import {ClawMeshError} from '../../core/errors.js'
import type {BootstrapObserved} from '../../core/bootstrap-plan.js'
import {DEFAULT_MESH_TAG, discoverMeshPeers, previewDiscovery} from '../../core/mesh-discovery.js'
import type {TailscaleSummary} from '../../core/tailscale-status.js'
import {parseTags} from '../../core/validate.js'
import type {Deps} from '../../deps.js'
import {describeFailure} from '../../infra/http.js'
import {SECRET_NAMES} from '../../infra/secrets/types.js'
import {configureGateway, type ConfigureResult} from '../gateway/configure.js'
import {probeGatewayHealth} from '../gateway/health.js'
import {localUrl} from '../gateway/start.js'
import {locateOpenClaw} from '../openclaw/locate.js'
import {resolvePeerInput, type AddPeerOptions} from '../peers/add.js'
import {findTailscaleCli, openTailscale} from '../tailscale/cli.js'
import type {BootstrapOptions} from './types.js'

export interface Observation {
  observed: BootstrapObserved
  tailscale: TailscaleSummary | null
  configure?: ConfigureResult
}

/** Reads the Tailscale state; a daemon that is down is an observation, not an error. */
export async function observeTailscale(deps: Deps, socket?: string): Promise<{cli: boolean; daemonUp: boolean; summary: TailscaleSummary | null}> {
  if (!findTailscaleCli(deps)) return {cli: false, daemonUp: false, summary: null}
  try {
    return {cli: true, daemonUp: true, summary: await openTailscale(deps, socket).status()}
  } catch (error) {
    if (error instanceof ClawMeshError && error.code === 'tailscale-daemon-down') return {cli: true, daemonUp: false, summary: null}
    throw error
  }
}

function peerChanges(deps: Deps, peers: AddPeerOptions[]): string[] {
  const state = deps.store.read()
  const changes: string[] = []
  for (const input of peers) {
    const kind = input.invite === undefined ? undefined : pairingLineKind(input.invite)
    if (kind === 'invite-v2') {
      // An A2A pairing invite: answered already (same invite, same URL) means nothing to do on a re-run.
      const invite = decodePairingInvite(input.invite as string, {now: deps.clock.now(), allowInsecureUrl: input.allowInsecureUrl})
      const name = input.name ?? invite.name
      const existing = state.peers[name]
      if (!(existing?.a2a?.invite === invite.id && existing.url === invite.url)) changes.push(`pair with ${name}`)
      continue
    }
    if (kind === 'reply') {
      changes.push(`complete the pairing with ${decodePairingReply(input.invite as string, {allowInsecureUrl: input.allowInsecureUrl}).name}`)
      continue
    }
    const p = resolvePeerInput(input)
    const existing = state.peers[p.name]
    if (!existing) changes.push(`add ${p.name}`)
    else if (existing.url !== p.url || existing.hostname !== p.hostname || existing.messaging !== Boolean(p.token)) changes.push(`update ${p.name}`)
  }
  return changes
}

/** Everything the plan needs, read without changing anything. Bad input (a malformed config, a bad invite) throws here. */
export async function observeBootstrap(deps: Deps, opts: BootstrapOptions, extra: {watchdog?: {installed: boolean; matches: boolean}; skillInstalled?: boolean}): Promise<Observation> {
  const tailscale = opts.observedTailscale ?? (await observeTailscale(deps, opts.socket))
  const loc = locateOpenClaw(deps)
  const configure = await configureGateway(deps, {expose: opts.expose, port: opts.port, acceptRisk: opts.acceptRisk, secretStore: opts.secretStore, dryRun: true})
  const configChanges = configure.changes.map((c) => c.path)
  if (opts.meshSecret) {
    const store = await deps.secrets(opts.secretStore)
    const hooks = await store.get(SECRET_NAMES.hooksToken)
    deps.redactor.add(hooks)
    if (hooks !== fleetHooksToken(opts.meshSecret.value, opts.identity) && !configChanges.includes('hooks.token')) configChanges.push('hooks.token')
  }
  const state = deps.store.read()
  let health = await probeGatewayHealth(deps.http, localUrl(configure.port), 2000)
  // A dead gateway refuses at once; only one that did not answer in time (a loaded machine) gets a second, longer
  // look, so a busy but healthy gateway is not planned for a restart (and a provisioned host stays `changed: false`).
  if (!health.healthz.ok && health.healthz.detail === describeFailure('timeout')) health = await probeGatewayHealth(deps.http, localUrl(configure.port), 10_000)
  const pending = state.gateway?.pending ?? []
  const changes = peerChanges(deps, opts.peers)
  if (opts.meshSecret) {
    // On a connected tailnet the members are known now: preview exactly what discovery would record, so a
    // provisioned fleet host plans no change. Before the join, discovery can only be promised.
    const summary = tailscale.summary
    if (summary?.backendState === 'Running') {
      const tag = (opts.meshTag === undefined ? undefined : parseTags(opts.meshTag, '--mesh-tag')[0]) ?? state.mesh?.tag ?? DEFAULT_MESH_TAG
      changes.push(...previewDiscovery(discoverMeshPeers(summary, {tag, port: configure.port}).peers, state.peers))
    } else {
      changes.push('discover mesh members on the tailnet')
    }
  }
  return {
    tailscale: tailscale.summary,
    configure,
    observed: {
      tailscale,
      openclaw: {cli: Boolean(loc.bin), version: null},
      configChanges: [...configChanges, ...pending.filter((p) => !configChanges.includes(p))],
      gatewayHealthy: health.healthz.ok && pending.length === 0,
      peerChanges: changes,
      watchdog: extra.watchdog ?? {installed: false, matches: false},
      skillInstalled: extra.skillInstalled ?? false,
    },
  }
}
