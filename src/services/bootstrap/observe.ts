import {assertPairingNameFree, assertPlainAddAllowed, fleetHooksToken} from '../../core/pairing/a2a-pairing.js'
import type {BootstrapObserved, OpenClawObserved, WatchdogObserved} from '../../core/lifecycle/bootstrap-plan.js'
import {ClawMeshError} from '../../core/common/errors.js'
import {peerUrlFor} from '../../core/openclaw/gateway-url.js'
import {readGatewaySettings} from '../../core/openclaw/openclaw-config.js'
import {DEFAULT_MESH_TAG, discoverMeshPeers, previewDiscovery} from '../../core/pairing/mesh-discovery.js'
import type {PeerRecord, State} from '../../core/common/state-schema.js'
import {peerOf} from '../../core/common/state-schema.js'
import {parseStatusJson, summarizeStatus, type TailscaleSummary} from '../../core/tailscale/tailscale-status.js'
import {tailscaleError} from '../../core/tailscale/tailscale-errors.js'
import {hasSession, parseDebugPrefs} from '../../core/tailscale/tailscale-join-plan.js'
import {parseTags} from '../../core/common/validate.js'
import type {Deps} from '../../deps.js'
import {describeFailure} from '../../infra/http.js'
import {SECRET_NAMES} from '../../infra/secrets/types.js'
import {configureGateway, type ConfigureResult} from '../gateway/configure.js'
import {localUrl} from '../gateway/local-gateway.js'
import type {OpenClawConfigFile} from '../openclaw/config-file.js'
import {probeNodeForOpenClaw, probeOpenClawRuntime, type OpenClawLocation} from '../openclaw/locate.js'
import {resolvePeerInput, type AddPeerOptions} from '../peers/add.js'
import type {TailscaleCli} from '../tailscale/cli.js'
import type {MachineView} from '../machine/view.js'
import {namePeerInputs} from './peer-inputs.js'
import {gatewayExposureSetting, gatewayPortSetting, magicDnsSuffixSetting} from '../../core/common/settings.js'
import {settingsInput} from '../settings/input.js'
import type {BootstrapOptions} from './types.js'

export type TailscaleView = BootstrapObserved['tailscale']

/**
 * Tailscale as bootstrap's plan needs it, from the machine view's one `tailscale status --json`: a daemon that is
 * down is an observation (the plan starts it), any other failure is an error.
 */
export async function observeTailscale(deps: Deps, view: MachineView): Promise<TailscaleView> {
  // A daemon that does not answer where the OS's own Tailscale app is installed: the app must be started, not a
  // second daemon installed (macOS). Probed only then, through the platform's host probe.
  const down = (cli: boolean): TailscaleView => {
    const stopped = deps.platform.tailscaleAppStopped ? deps.platform.tailscaleAppStopped(deps.probeHost()) : undefined
    return stopped ? {cli, daemonUp: false, summary: null, appStopped: stopped} : {cli, daemonUp: false, summary: null}
  }
  const {cli: ts, result} = await view.tailscaleStatus()
  if (!ts || !result) return down(false)
  if (result.exitCode !== 0) {
    const error = tailscaleError({
      subcommand: 'status',
      args: ['status', '--json'],
      exitCode: result.exitCode,
      stderr: result.stderr || result.stdout,
      startHint: deps.platform.tailscaleStartHint,
      os: deps.platform.id,
      cli: ts.location.cli,
    })
    if (error.code === 'tailscale-daemon-down' || result.notFound) return down(!result.notFound)
    throw error
  }
  // `status --json` carries the version: no separate `tailscale version` call.
  const summary = summarizeStatus(parseStatusJson(result.stdout))
  // Where `up` gets --unattended (Windows), whether a running node has it is a pref `status` does not show.
  const forceDaemon =
    deps.platform.upExtraFlags().includes('--unattended') && hasSession(summary.backendState)
      ? await ts.forceDaemon()
      : undefined
  return {
    cli: true,
    daemonUp: true,
    summary,
    forceDaemon,
    notOurs: ts.location.socket === undefined ? await notOurDaemon(deps, ts) : undefined,
  }
}

/**
 * The machine's own tailscaled (the OS default socket), seen by a non-root user on Linux: only root and its operator
 * may change it, so when this user is not the operator, the join plan must not try. `debug prefs` is readable by any
 * local user; OperatorUser is omitted when none is set.
 */
async function notOurDaemon(deps: Deps, ts: TailscaleCli): Promise<TailscaleView['notOurs']> {
  if (deps.platform.id !== 'linux' || process.getuid?.() === 0) return undefined
  const user = deps.env.USER || deps.env.LOGNAME
  if (!user) return undefined
  const r = await ts.raw(['debug', 'prefs'])
  const prefs = r.exitCode === 0 ? parseDebugPrefs(r.stdout) : undefined
  if (!prefs || prefs.operatorUser === user) return undefined
  return {user, operator: prefs.operatorUser}
}

/** What the optional phases (watchdog, agent skill) report about themselves. */
export interface PhaseObservations {
  watchdog?: WatchdogObserved
  skillInstalled: boolean
  meshPlugin?: {current: boolean; unsupported?: string}
}

export interface Observation {
  observed: BootstrapObserved
  tailscale: TailscaleView
  configure: ConfigureResult
  /** The --peer inputs, every one named (URL peers after the observed tailnet node). */
  peers: AddPeerOptions[]
  /** The discovery tag: the flag, else the recorded one, else tag:claw-mesh. */
  meshTag: string
}

/** What saving this peer would change (savePeer's comparison, read-only). */
function peerChange(
  existing: PeerRecord | undefined,
  p: ReturnType<typeof resolvePeerInput>,
  storedToken: string | undefined,
): string | undefined {
  if (!existing) return `add ${p.name}`
  const same =
    existing.url === p.url &&
    (existing.hostname ?? '') === (p.hostname ?? '') &&
    existing.messaging === Boolean(p.token) &&
    existing.source === p.source &&
    storedToken === p.token
  return same ? undefined : `update ${p.name}`
}

async function peerChanges(deps: Deps, view: MachineView, peers: AddPeerOptions[]): Promise<string[]> {
  const state = view.readState()
  const changes: string[] = []
  for (const input of peers) {
    // A2A pairing lines: an invite answered before (same id, reply kept) is unchanged; a reply always completes.
    // The line decoded by the options step and checked against the tailnet by namePeerInputs: not parsed again.
    if (input.line?.kind === 'reply') {
      const reply = input.line.reply
      const name = input.name ?? reply.name
      // Refused with the plan, before the join: a reply must not re-point a peer recorded at another URL.
      assertPairingNameFree(peerOf(state, name), name, reply.url, input.replace)
      changes.push(`complete the pairing with ${name}`)
      continue
    }
    if (input.line?.kind === 'invite-v2') {
      const invite = input.line.invite
      const name = input.name ?? invite.name
      const existing = peerOf(state, name)
      if (!(existing?.a2a?.invite === invite.id && existing.a2a.reply && existing.url === invite.url)) {
        assertPairingNameFree(existing, name, invite.url, input.replace)
        changes.push(`pair with ${name}`)
      }
      continue
    }
    const p = resolvePeerInput(input)
    deps.redactor.add(p.token)
    const existing = peerOf(state, p.name)
    assertPlainAddAllowed(existing, p.name, p.url, p.source, input.replace)
    const stored =
      existing && existing.source !== 'discovered'
        ? await (await view.secrets()).get(SECRET_NAMES.peer(p.name))
        : undefined
    const change = peerChange(existing, p, stored)
    if (change) changes.push(change)
  }
  return changes
}

/**
 * Fleet mode. On a connected tailnet the members are known now: preview exactly what discovery would record, so a
 * provisioned fleet host plans no change. Before the join, discovery can only be promised.
 */
function discoveryChanges(
  opts: BootstrapOptions,
  ts: TailscaleSummary | null,
  tag: string,
  port: number,
  known: State['peers'],
): string[] {
  if (!opts.meshSecret) return []
  if (ts?.backendState !== 'Running') return ['discover mesh members on the tailnet']
  return previewDiscovery(discoverMeshPeers(ts, {tag, port}).peers, known)
}

/** channels.a2a.advertisedUrl as configure would set it from the observed tailnet (so a re-run plans no change). */
function observedAdvertisedUrl(
  deps: Deps,
  view: MachineView,
  opts: BootstrapOptions,
  ts: TailscaleSummary | null,
  file: OpenClawConfigFile,
): string | undefined {
  try {
    // The same expose and port configure resolves: the settings resolver, with the same inputs.
    const input = settingsInput(deps, {
      state: view.readState(),
      flags: {expose: opts.expose, port: opts.port},
      openclawConfig: {port: readGatewaySettings(file.config).port},
    })
    const expose = gatewayExposureSetting(input).value
    if (!ts || !(expose === 'serve' ? ts.dnsName : ts.ipv4)) return undefined
    return peerUrlFor({expose, port: gatewayPortSetting(input).value, ipv4: ts.ipv4, dnsName: ts.dnsName})
  } catch {
    return undefined // configure itself reports a bad --expose or --port
  }
}

/**
 * OpenClaw as found. A healthy gateway proves it runs (a re-run spawns nothing); otherwise its Node and
 * `openclaw --version` are checked now, so a Node too old is refused with the plan, before the join spends a key.
 */
async function observeOpenClaw(deps: Deps, loc: OpenClawLocation, healthy: boolean): Promise<OpenClawObserved> {
  if (loc.bin && healthy) return {cli: true, version: null, runsGateway: true}
  const cli = Boolean(loc.bin)
  try {
    // Missing: the Node it would be installed for is checked now, as it is for one that is there.
    if (!loc.bin) {
      await probeNodeForOpenClaw(deps)
      return {cli, version: null}
    }
    return {cli, version: (await probeOpenClawRuntime(deps, loc.bin)).version ?? null}
  } catch (error) {
    if (error instanceof ClawMeshError && (error.code === 'node-too-old' || error.code === 'openclaw-broken'))
      return {
        cli,
        version: null,
        unusable: {code: error.code, message: error.message.replace(/\.$/, ''), hint: error.hint ?? ''},
      }
    throw error
  }
}

/**
 * Who holds the gateway port now. Another user's listener (a second user on a shared machine, whose first user's
 * gateway has 18789) is found here, before the join, with the next free port for the hint.
 */
async function observeGatewayPort(
  deps: Deps,
  view: MachineView,
  port: number,
): Promise<NonNullable<BootstrapObserved['gatewayPort']>> {
  const verdict = await view.listener(port)
  if (verdict.ours) return {holder: 'ours', message: `held by this user's gateway (pid ${verdict.holder.pid ?? '?'})`}
  if (verdict.reason !== 'foreign') return {holder: verdict.reason, message: verdict.message}
  for (let candidate = port + 1; candidate <= Math.min(port + 20, 65_535); candidate++) {
    const l = await deps.loopbackListeners(candidate)
    if (l.known && l.holders.length === 0) return {holder: 'foreign', message: verdict.message, freePort: candidate}
  }
  return {holder: 'foreign', message: verdict.message}
}

/** Everything the plan needs, read without changing anything. Bad input (a malformed config, a bad invite) throws here. */
export async function observeBootstrap(
  deps: Deps,
  view: MachineView,
  opts: BootstrapOptions,
  phasesPromise: Promise<PhaseObservations>,
): Promise<Observation> {
  // Independent reads run side by side: the tailnet, openclaw.json (and the patch it needs), the optional phases.
  const observing = observeTailscale(deps, view)
  const configuring = Promise.all([view.config(), observing]).then(([file, ts]) =>
    configureGateway(
      deps,
      {expose: opts.expose, port: opts.port, acceptRisk: opts.acceptRisk, secretStore: opts.secretStore, dryRun: true},
      {file, advertisedUrl: observedAdvertisedUrl(deps, view, opts, ts.summary, file)},
    ),
  )
  const [tailscale, configure, phases] = await Promise.all([observing, configuring, phasesPromise])
  // The suffix the apply step (peer add) will judge the peers' URLs with: the same resolver, the same inputs.
  const magicDNSSuffix = magicDnsSuffixSetting(
    settingsInput(deps, {state: view.readState(), tailscaleStatus: tailscale.summary}),
  ).value
  const peers = namePeerInputs(opts.peers, tailscale.summary, magicDNSSuffix, deps.clock.now())
  const loc = view.openclawLocation()
  const configChanges = configure.changes.map((c) => c.path)
  const store = await view.secrets()
  if (opts.meshSecret) {
    const hooks = await store.get(SECRET_NAMES.hooksToken)
    if (hooks !== fleetHooksToken(opts.meshSecret.value, opts.identity) && !configChanges.includes('hooks.token'))
      configChanges.push('hooks.token')
  }
  // The SecretRef in openclaw.json is unchanged, but a token the store lost must be made (and the gateway restarted).
  if (configure.tokens.gateway === 'new' && !configChanges.includes('gateway.auth.token'))
    configChanges.push('gateway token (new in the secret store)')
  const state = view.readState()
  const g = state.gateway
  const gatewayRecorded =
    g?.configPath === configure.configPath &&
    g.port === configure.port &&
    g.expose === configure.expose &&
    state.secrets?.backend === store.backend
  const probing = view.gatewayHealth(localUrl(configure.port), 2000)
  // Read while the health request is in flight (the Linux listener scan is synchronous file reads).
  const gatewayPort = await observeGatewayPort(deps, view, configure.port)
  let health = await probing
  // A dead gateway refuses at once; only one that did not answer in time (a loaded machine) gets a second, longer
  // look, so a busy but healthy gateway is not planned for a restart (and a provisioned host stays `changed: false`).
  if (!health.healthz.ok && health.healthz.detail === describeFailure('timeout'))
    health = await view.gatewayHealth(localUrl(configure.port), 10_000)
  const pending = g?.pending ?? []
  const meshTag =
    (opts.meshTag === undefined ? undefined : parseTags(opts.meshTag, '--mesh-tag')[0]) ??
    state.mesh?.tag ??
    DEFAULT_MESH_TAG
  return {
    tailscale,
    configure,
    peers,
    meshTag,
    observed: {
      tailscale,
      openclaw: await observeOpenClaw(deps, loc, health.healthz.ok && pending.length === 0),
      recorded: {identity: state.identity, tailscaleHostname: state.tailscale?.hostname},
      configChanges: [...configChanges, ...pending.filter((p) => !configChanges.includes(p))],
      gatewayRecorded,
      gatewayHealthy: health.healthz.ok && pending.length === 0,
      peerChanges: [
        ...(await peerChanges(deps, view, peers)),
        ...discoveryChanges(opts, tailscale.summary, meshTag, configure.port, state.peers),
      ],
      watchdog: phases.watchdog ?? {schedulerUsable: false, installed: false, matches: false, sameAlertRecorded: false},
      skillInstalled: phases.skillInstalled,
      meshPlugin: phases.meshPlugin,
      gatewayPort,
    },
  }
}
