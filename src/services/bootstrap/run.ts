import {rootWarning} from '../../core/lifecycle/root-warning.js'
import {
  planBootstrap,
  planChangesSomething,
  planRefusal,
  type BootstrapDesired,
  type BootstrapStepId,
  type WatchdogObserved,
} from '../../core/lifecycle/bootstrap-plan.js'
import {fleetHooksToken} from '../../core/pairing/a2a-pairing.js'
import {ActionNeededError, UsageError} from '../../core/common/errors.js'
import {peerUrlFor} from '../../core/openclaw/gateway-url.js'
import {peerOf} from '../../core/common/state-schema.js'
import {isTailscaleControl} from '../../core/tailscale/login-server.js'
import {loginServerSetting} from '../../core/common/settings.js'
import {prepareAuthKey} from '../../core/tailscale/tailscale-join-plan.js'
import {prepareWif} from '../../core/tailscale/tailscale-wif.js'
import type {Deps} from '../../deps.js'
import {acquireLock} from '../../infra/lock.js'
import type {SecretSource} from '../../infra/secret-input.js'
import {SECRET_NAMES} from '../../infra/secrets/types.js'
import {configureGateway} from '../gateway/configure.js'
import {checkPeers} from '../peers/check.js'
import {noteSecretName} from '../peers/records.js'
import type {JoinResult} from '../tailscale/join.js'
import type {MachineProbe} from '../../core/checks/machine-view.js'
import {createMachineView, type MachineView} from '../machine/view.js'
import {observeBootstrap, type Observation} from './observe.js'
import {planText, bootstrapResult, type Applied} from './result.js'
import {recordSelf} from './self.js'
import type {BootstrapOptions, BootstrapResult, BootstrapStepResult} from './types.js'
import {monotonicMs} from '../../core/common/duration.js'

export interface BootstrapHooks {
  /** Asks the user to allow installs. Absent: there is no one to ask (no terminal, CI, --json). */
  confirmInstall?: (what: string[]) => Promise<boolean>
  /** Asks for the Tailscale auth key. Absent: there is no one to ask. */
  askForKey?: () => Promise<SecretSource | undefined>
  /** Optional phases provided by other services (watchdog, agent skill). */
  watchdog?: {status(): Promise<WatchdogObserved>; install(): Promise<string>}
  skill?: {installed(): Promise<boolean>; install(): Promise<string>}
  /** claw-mesh's OpenClaw plugin (the agent's mesh tools). */
  meshPlugin?: {status(): Promise<{current: boolean; unsupported?: string}>; install(): Promise<string>}
}

const LOCK_WAIT_MS = 10_000

/** What each step may change on the machine: the parts of the view it invalidates once it has run. */
const STEP_CHANGES: Record<BootstrapStepId, MachineProbe[]> = {
  'tailscale-install': ['tailscale', 'state'],
  'tailscale-join': ['tailscale', 'state'],
  'openclaw-install': ['openclaw', 'config'],
  'gateway-configure': ['config', 'openclaw', 'secrets', 'state'],
  'gateway-start': ['service', 'listener', 'health', 'state'],
  // Pairing writes the peers (state), their tokens (secret store) and channels.a2a.peers (openclaw.json).
  peers: ['state', 'secrets', 'config'],
  watchdog: ['state', 'secrets'],
  skill: [],
  'mesh-plugin': ['config', 'openclaw'],
}

/**
 * `claw-mesh bootstrap`: observe once, plan (pure), show the plan, apply exactly its `run` steps. Every step is
 * idempotent on its own, so a run killed anywhere converges when run again; a provisioned host gets a plan of
 * `ok` steps and nothing is written, restarted or sent.
 */
export async function bootstrap(
  deps: Deps,
  opts: BootstrapOptions,
  hooks: BootstrapHooks = {},
): Promise<BootstrapResult> {
  const lock = opts.dryRun
    ? undefined
    : await acquireLock({
        dir: deps.stateDir,
        name: 'bootstrap',
        waitMs: Number(deps.env.CLAW_MESH_LOCK_WAIT_MS ?? LOCK_WAIT_MS),
        clock: deps.clock,
        what: 'claw-mesh bootstrap',
      })
  try {
    return await run(deps, opts, hooks, createMachineView(deps, {socket: opts.socket, secretStore: opts.secretStore}))
  } finally {
    lock?.release()
  }
}

export function desiredFor(
  opts: BootstrapOptions,
  observation: Pick<Observation, 'configure' | 'observed'>,
  hooks: BootstrapHooks,
): BootstrapDesired {
  const install = opts.install === 'ask' ? (hooks.confirmInstall ? 'ask' : 'no-terminal') : opts.install
  return {
    identity: opts.identity,
    hostname: opts.hostname,
    hostnameGiven: opts.hostnameGiven,
    recordedHostname: observation.observed.recorded.tailscaleHostname,
    tags: opts.tags,
    forceReauth: opts.forceReauth,
    key: opts.key || opts.wif ? 'given' : hooks.askForKey ? 'ask' : 'none',
    expose: observation.configure.expose,
    port: observation.configure.port,
    peers: opts.peers.length,
    meshSecret: Boolean(opts.meshSecret),
    alert: opts.alert,
    install,
  }
}

/** Exported with the view as a parameter so tests can count what one run reads. */
export async function run(
  deps: Deps,
  opts: BootstrapOptions,
  hooks: BootstrapHooks,
  view: MachineView,
): Promise<BootstrapResult> {
  const before = view.readState()
  const known = before.identity
  if (known && known !== opts.identity) {
    throw new UsageError(`This host is already in the mesh as "${known}", not "${opts.identity}".`, {
      hint: `Re-run with --identity ${known}; to rename it, run \`claw-mesh leave\` first, then bootstrap with the new identity.`,
    })
  }
  const phases = Promise.all([
    opts.alert !== undefined && hooks.watchdog ? hooks.watchdog.status() : undefined,
    hooks.skill ? hooks.skill.installed() : true,
    hooks.meshPlugin?.status(),
  ]).then(([watchdog, skillInstalled, meshPlugin]) => ({watchdog, skillInstalled, meshPlugin}))
  // The key's shape (tskey-…, an OAuth secret's need for tags) is refused by the dry run too; a Headscale key is
  // judged against the control server this machine recorded.
  const selfHosted = !isTailscaleControl(
    loginServerSetting({env: {}, flags: {loginServer: opts.loginServer}, state: before}).value,
  )
  if (opts.key) prepareAuthKey(opts.key.value, {tags: opts.tags, ephemeral: opts.ephemeral, selfHosted})
  if (opts.wif)
    prepareWif(
      {clientId: opts.wif.clientId, idToken: opts.wif.idToken?.value, audience: opts.wif.audience},
      {tags: opts.tags, ephemeral: opts.ephemeral, hasKey: Boolean(opts.key), selfHosted},
    )
  const observation = await observeBootstrap(deps, view, opts, phases)
  const steps: BootstrapStepResult[] = planBootstrap(observation.observed, {
    ...desiredFor(opts, observation, hooks),
    unattended: deps.platform.upExtraFlags().includes('--unattended'),
  })
  const store = await view.secrets()
  const refusal = planRefusal(steps)
  if (refusal) {
    // The dry run refuses exactly what the real run refuses, with the same exit code.
    deps.io.err(planText(opts.identity, steps))
    const E = refusal.kind === 'usage' ? UsageError : ActionNeededError
    throw new E(refusal.message, {code: refusal.code, hint: refusal.hint})
  }
  const asRoot = rootWarning(deps.probeHost())
  const applied: Applied = {changed: planChangesSomething(steps), warnings: asRoot ? [asRoot] : [], replyInvites: []}
  if (opts.dryRun) return bootstrapResult(deps, {opts, steps, observation, store, applied, state: before})

  const runs = (id: BootstrapStepId) => steps.some((s) => s.id === id && s.action === 'run')
  const installs = steps.filter((s) => s.asks === 'install')
  if (installs.length > 0 && !(await hooks.confirmInstall!(installs.map((s) => s.title.replace(/^Install /, ''))))) {
    throw new ActionNeededError('Installing was declined.', {
      code: 'install-declined',
      hint: 'Install Tailscale and OpenClaw yourself, then re-run; or re-run with --yes.',
    })
  }
  let key = opts.key
  if (steps.some((s) => s.asks === 'key')) {
    key = await hooks.askForKey!()
    if (!key)
      throw new UsageError('No Tailscale auth key was entered.', {
        code: 'tailscale-key-missing',
        hint: 'Pass --tailscale-key file:PATH (or - for stdin), or set CLAW_MESH_TAILSCALE_KEY.',
      })
  }
  deps.io.err(
    applied.changed
      ? planText(opts.identity, steps)
      : `${opts.identity} is already provisioned: nothing to change. Verifying…\n`,
  )
  // Recorded whatever the plugin step can do (an OpenClaw without the plugin SDK): a later install publishes it.
  if (recordSelf(deps, opts.self)) {
    applied.changed = true
    view.invalidate('state')
  }

  // What was observed before any change stays valid for a step only while no earlier step changed it.
  const seenTailscale = () =>
    runs('tailscale-install') || runs('tailscale-join') ? {} : {status: observation.tailscale.summary ?? undefined}
  // Through the view: the peers and openclaw.json as the steps left them, the tailnet as observed (or since the join).
  const verifyPeers = () => checkPeers(deps, {timeoutMs: opts.peerTimeoutMs, view, record: applied.changed})
  // After a join (or with --wait-for-peers), the peers this run uses are waited for once, before they are paired.
  let readiness: Promise<void> | undefined
  const awaitPeers = (progress: (text: string) => void) =>
    (readiness ??= (async () => {
      if (!opts.peerWaitMs || !(runs('tailscale-join') || opts.waitForPeers)) return
      const {awaitPeerReadiness} = await import('./peer-readiness.js')
      const fleet = opts.meshSecret ? {tag: observation.meshTag, port: observation.configure.port} : undefined
      applied.readiness = await awaitPeerReadiness(deps, {
        peers: observation.peers,
        fleet,
        timeoutMs: opts.peerWaitMs,
        strict: Boolean(opts.waitForPeers),
        socket: opts.socket,
        progress,
      })
      applied.warnings.push(...(applied.readiness?.verdict.warnings ?? []))
    })())
  const step = (id: BootstrapStepId) => steps.find((s) => s.id === id)!
  const task = (id: BootstrapStepId, fn: (update: (m: string) => void) => Promise<string>) => ({
    title: step(id).title,
    run: async (_c: object, update: (m: string) => void) => {
      const t0 = monotonicMs()
      try {
        return (step(id).outcome = await fn(update))
      } catch (error) {
        // A step that did its work but not all of it (a peer down) still says what it did.
        if (error instanceof (await import('../../infra/progress.js')).StepIncomplete) step(id).outcome = error.message
        throw error
      } finally {
        step(id).durationMs = Math.round(monotonicMs() - t0)
        // Done or failed half-way, the step may have changed these: the view reads them again.
        if (STEP_CHANGES[id].length > 0) view.invalidate(...STEP_CHANGES[id])
      }
    },
  })
  const appliers: Record<BootstrapStepId, (update: (m: string) => void) => Promise<string>> = {
    'tailscale-install': async (update) => {
      const {installTailscale} = await import('../tailscale/install.js')
      return (
        await installTailscale(deps, {dryRun: false, socket: opts.socket, timeoutMs: opts.timeoutMs, progress: update})
      ).plan.method
    },
    'tailscale-join': async (update) => {
      const {joinTailnet} = await import('../tailscale/join.js')
      const join = await joinTailnet(
        deps,
        {
          hostname: opts.hostname,
          hostnameGiven: opts.hostnameGiven,
          tags: opts.tags,
          key,
          wif: opts.wif,
          forceReauth: opts.forceReauth,
          ephemeral: opts.ephemeral,
          timeoutMs: opts.timeoutMs,
          socket: opts.socket,
          loginServer: opts.loginServer,
          dryRun: false,
          progress: update,
        },
        runs('tailscale-install')
          ? {}
          : {status: observation.tailscale.summary ?? undefined, forceDaemon: observation.tailscale.forceDaemon},
      )
      applied.join = join
      applied.warnings.push(...join.warnings)
      deps.store.update((s) => void (s.identity = opts.identity))
      return join.changed ? `${join.action} → ${join.hostname} ${join.ipv4}` : `recorded as ${opts.identity}`
    },
    'openclaw-install': async () =>
      `installed ${(await (await import('../openclaw/install.js')).installOpenClaw(deps)).runtime.version ?? ''}`.trim(),
    'gateway-configure': async () => {
      if (opts.meshSecret) {
        // A fleet member's hooks token is derived from the mesh secret and its name (the secret itself never travels).
        await store.set(SECRET_NAMES.meshSecret, opts.meshSecret.value)
        await store.set(SECRET_NAMES.hooksToken, fleetHooksToken(opts.meshSecret.value, opts.identity))
        deps.store.update((s) => noteSecretName(s, SECRET_NAMES.meshSecret, true))
      }
      const file = runs('openclaw-install') ? undefined : await view.config()
      const r = await configureGateway(
        deps,
        {expose: opts.expose, port: opts.port, acceptRisk: opts.acceptRisk, secretStore: opts.secretStore},
        {file, advertisedUrl: advertisedUrl(applied.join ?? observation.tailscale.summary, observation)},
      )
      applied.warnings.push(...r.trustNotes)
      return r.changed ? `changed ${r.changes.map((c) => c.path).join(', ')}` : 'recorded'
    },
    'gateway-start': async (update) => {
      const {startGateway} = await import('../gateway/start.js')
      const r = await startGateway(deps, {timeoutMs: opts.timeoutMs, onProgress: update}, view)
      applied.healthy = r.healthz.ok
      // The reboot story is the result's own section (bootstrapResult): only the service manager's notes (linger) go here.
      applied.warnings.push(...r.notes.filter((n) => /linger/i.test(n)))
      return r.action === 'verify'
        ? 'running, tokens verified'
        : `${r.action}${r.startMs ? ` (healthy after ${(r.startMs / 1000).toFixed(1)} s)` : ''}`
    },
    peers: async (update) => {
      await awaitPeers(update)
      const outcomes: string[] = []
      const [{addPeer}, {discoverPeers}] = await Promise.all([
        import('../peers/add.js'),
        import('../peers/discover.js'),
      ])
      try {
        for (const input of observation.peers) {
          const r = await addPeer(deps, input)
          outcomes.push(`${r.name} ${r.action}`)
          if (r.replyInvite) applied.replyInvites.push({peer: r.name, replyInvite: r.replyInvite})
        }
        if (opts.meshSecret) {
          const d = await discoverPeers(
            deps,
            {meshSecret: opts.meshSecret, tag: observation.meshTag, socket: opts.socket, trust: opts.trust},
            seenTailscale(),
          )
          outcomes.push(`discovered ${d.added.length + d.updated.length + d.unchanged.length} on the tailnet`)
          applied.warnings.push(...d.notes, ...d.unproven.map((u) => `${u.name} not paired: ${u.reason}. ${u.hint}`))
        }
      } finally {
        // Verified below, inside this step: what pairing wrote must be read again first.
        view.invalidate(...STEP_CHANGES.peers)
      }
      // Verified inside the step, so a peer that does not answer shows on the step itself (✖, not a green tick).
      applied.checked = await verifyPeers()
      const down = applied.checked.peers.filter((p) => p.status !== 'ok')
      if (down.length > 0) {
        const {StepIncomplete} = await import('../../infra/progress.js')
        throw new StepIncomplete(
          `${outcomes.join(', ') || 'none'}; ${down.length} of ${applied.checked.peers.length} did not answer: ${down.map((p) => `${p.name} (${p.status})`).join(', ')}`,
        )
      }
      return outcomes.join(', ') || 'none'
    },
    watchdog: async () => hooks.watchdog!.install(),
    skill: async () => hooks.skill!.install(),
    'mesh-plugin': async () => hooks.meshPlugin!.install(),
  }
  // The appliers and the progress renderer load only when a step runs: a re-run on a provisioned host loads neither.
  const toApply = steps.filter((s) => s.action === 'run')
  if (toApply.length > 0)
    await (
      await import('../../infra/progress.js')
    ).runProgress(
      deps.io,
      {},
      toApply.map((s) => task(s.id, appliers[s.id])),
    )

  await awaitPeers((text) => deps.io.err(`${text}\n`))
  applied.checked ??= await verifyPeers()
  // The check records a pairing it saw complete (the inviter accepted our token): the summary must see that record.
  const pairingSettled = applied.checked.peers.some((p) => peerOf(before, p.name)?.a2a?.awaitingReply)
  if (applied.changed || pairingSettled) view.invalidate('state')
  return bootstrapResult(deps, {opts, steps, observation, store, applied, state: view.readState()})
}

/** The URL peers reach this gateway at (channels.a2a.advertisedUrl), from the tailnet as joined or observed. */
export function advertisedUrl(
  ts: {ipv4: string | null; dnsName: string | null} | null | undefined,
  observation: Pick<Observation, 'configure'>,
): string | undefined {
  const expose = observation.configure.expose
  if (!ts || !(expose === 'serve' ? ts.dnsName : ts.ipv4)) return undefined
  return peerUrlFor({expose, port: observation.configure.port, ipv4: ts.ipv4, dnsName: ts.dnsName})
}

export type {JoinResult}
