import {ActionNeededError, UsageError} from '../../core/errors.js'
import {fleetHooksToken} from '../../core/a2a-pairing.js'
import {peerUrlFor} from '../../core/gateway-url.js'
import {planBootstrap, planChangesSomething, type BootstrapStep, type BootstrapStepId} from '../../core/bootstrap-plan.js'
import type {Deps} from '../../deps.js'
import {acquireLock} from '../../infra/lock.js'
import {runProgress} from '../../infra/progress.js'
import {SECRET_NAMES} from '../../infra/secrets/types.js'
import {configureGateway} from '../gateway/configure.js'
import {startGateway} from '../gateway/start.js'
import {installOpenClaw} from '../openclaw/install.js'
import {addPeer} from '../peers/add.js'
import {checkPeers} from '../peers/check.js'
import {discoverPeers} from '../peers/discover.js'
import {noteSecretName} from '../peers/records.js'
import {installTailscale} from '../tailscale/install.js'
import {joinTailnet} from '../tailscale/join.js'
import {observeBootstrap} from './observe.js'
import type {BootstrapOptions, BootstrapResult} from './types.js'

export interface BootstrapHooks {
  /** Asks the user to allow installs; absent means "not allowed to ask". */
  confirmInstall?: (what: string[]) => Promise<boolean>
  /** Optional phases provided by other services (watchdog, agent skill). */
  watchdog?: {status(): Promise<{installed: boolean; matches: boolean}>; install(): Promise<string>}
  skill?: {installed(): Promise<boolean>; install(): Promise<string>}
}

const LOCK_WAIT_MS = 10_000

/**
 * `claw-mesh bootstrap`: observe, plan (pure), show the plan, apply it step by step. Every step is idempotent on
 * its own, so a run killed anywhere converges when run again; a provisioned host gets a plan of `ok` steps and
 * nothing is written, restarted or sent.
 */
export async function bootstrap(deps: Deps, opts: BootstrapOptions, hooks: BootstrapHooks = {}): Promise<BootstrapResult> {
  const lock = opts.dryRun
    ? undefined
    : await acquireLock({dir: deps.stateDir, name: 'bootstrap', waitMs: Number(deps.env.CLAW_MESH_LOCK_WAIT_MS ?? LOCK_WAIT_MS), clock: deps.clock, what: 'claw-mesh bootstrap'})
  try {
    return await run(deps, opts, hooks)
  } finally {
    lock?.release()
  }
}

async function run(deps: Deps, opts: BootstrapOptions, hooks: BootstrapHooks): Promise<BootstrapResult> {
  const known = deps.store.read().identity
  if (known && known !== opts.identity) {
    throw new UsageError(`This host is already in the mesh as "${known}", not "${opts.identity}".`, {
      hint: `Re-run with --identity ${known}; to rename it, run \`claw-mesh leave\` first, then bootstrap with the new identity.`,
    })
  }
  const store = await deps.secrets(opts.secretStore)
  const extra = {watchdog: opts.alert !== undefined && hooks.watchdog ? await hooks.watchdog.status() : undefined, skillInstalled: hooks.skill ? await hooks.skill.installed() : true}
  const observation = await observeBootstrap(deps, opts, extra)
  const steps: (BootstrapStep & {outcome?: string; durationMs?: number})[] = planBootstrap(observation.observed, {
    identity: opts.identity,
    hostname: opts.hostname,
    hostnameGiven: opts.hostnameGiven,
    recordedHostname: deps.store.read().tailscale?.hostname,
    tags: opts.tags,
    expose: observation.configure!.expose,
    port: observation.configure!.port,
    peers: opts.peers.length,
    meshSecret: Boolean(opts.meshSecret),
    alert: opts.alert,
    install: opts.install,
  })
  const blocked = steps.filter((s) => s.action === 'blocked')
  if (blocked.length > 0 && !opts.dryRun) {
    throw new ActionNeededError(`Bootstrap cannot continue: ${blocked.map((s) => `${s.title} (${s.detail})`).join('; ')}.`, {
      code: 'bootstrap-blocked',
      hint: blocked.map((s) => s.hint).find(Boolean) ?? 'Allow installs with --install (or --yes), or install what is missing yourself, then re-run.',
    })
  }
  const changes = planChangesSomething(steps)
  const base = {identity: opts.identity, dryRun: opts.dryRun, changed: changes, steps, stateDir: deps.stateDir, secrets: {backend: store.backend, location: store.location}, warnings: [] as string[]}
  if (opts.dryRun) {
    const ts = observation.tailscale
    return {
      ...base,
      tailnet: {hostname: ts?.machineName ?? null, dnsName: ts?.dnsName ?? null, ipv4: ts?.ipv4 ?? null, tailnet: ts?.tailnet ?? null},
      gateway: {configPath: observation.configure!.configPath, expose: observation.configure!.expose, port: observation.configure!.port, url: null, healthy: observation.observed.gatewayHealthy},
      peers: [],
      replyInvites: [],
      next: ['Run without --dry-run to apply this plan.'],
    }
  }
  const installs = steps.filter((s) => s.action === 'run' && (s.id === 'tailscale-install' || s.id === 'openclaw-install'))
  if (installs.length > 0 && hooks.confirmInstall && !(await hooks.confirmInstall(installs.map((s) => s.title)))) {
    throw new ActionNeededError('Installing was declined.', {code: 'install-declined', hint: 'Install Tailscale and OpenClaw yourself, then re-run; or re-run with --yes.'})
  }
  deps.io.err(changes ? `Plan for ${opts.identity}:\n${steps.map((s) => `  ${s.action === 'run' ? '→' : '✓'} ${s.title}: ${s.detail}`).join('\n')}\n` : `${opts.identity} is already provisioned: nothing to change. Verifying…\n`)

  const replyInvites: BootstrapResult['replyInvites'] = []
  const ctx = {peersChanged: false, warnings: base.warnings, join: undefined as Awaited<ReturnType<typeof joinTailnet>> | undefined, gatewayUrl: null as string | null, healthy: false}
  const step = (id: BootstrapStepId) => steps.find((s) => s.id === id)!
  const note = (id: BootstrapStepId, outcome: string) => {
    step(id).outcome = outcome
    // Test hook for the fault-injection suite: die right after this step, as a kill -9 would.
    if (deps.env.CLAW_MESH_FAULT_KILL_AFTER === id) process.kill(process.pid, 'SIGKILL')
    return outcome
  }
  /** One progress task per plan step, timed (durationMs in the result). */
  const task = (id: BootstrapStepId, fn: (update: (m: string) => void) => Promise<string>) => ({
    title: step(id).title,
    run: async (_c: object, update: (m: string) => void) => {
      const t0 = performance.now()
      try {
        return await fn(update)
      } finally {
        step(id).durationMs = Math.round(performance.now() - t0)
      }
    },
  })
  const tasks = [
    task('tailscale-install', async (update) =>
      note('tailscale-install', step('tailscale-install').action === 'run' ? (await installTailscale(deps, {dryRun: false, socket: opts.socket, timeoutMs: opts.timeoutMs, progress: update})).plan.method : 'unchanged'),
    ),
    task('tailscale-join', async (update) => {
      ctx.join = await joinTailnet(deps, {hostname: opts.hostname, hostnameGiven: opts.hostnameGiven, tags: opts.tags, key: opts.key, forceReauth: false, ephemeral: opts.ephemeral, timeoutMs: opts.timeoutMs, socket: opts.socket, loginServer: opts.loginServer, dryRun: false, progress: update})
      ctx.warnings.push(...ctx.join.warnings)
      deps.store.update((s) => void (s.identity = opts.identity))
      return note('tailscale-join', ctx.join.changed ? `${ctx.join.action} → ${ctx.join.hostname} ${ctx.join.ipv4}` : 'unchanged')
    }),
    task('openclaw-install', async () =>
      note('openclaw-install', step('openclaw-install').action === 'run' ? `installed ${(await installOpenClaw(deps)).runtime.version ?? ''}`.trim() : 'unchanged'),
    ),
    task('gateway-configure', async () => {
      if (opts.meshSecret) {
        // A fleet member's hooks token is derived from the mesh secret and its name (the secret itself never travels).
        await store.set(SECRET_NAMES.meshSecret, opts.meshSecret.value)
        await store.set(SECRET_NAMES.hooksToken, fleetHooksToken(opts.meshSecret.value, opts.identity))
        deps.store.update((s) => noteSecretName(s, SECRET_NAMES.meshSecret, true))
      }
      const expose = opts.expose ?? deps.store.read().gateway?.expose ?? 'tailnet'
      const port = opts.port ?? deps.store.read().gateway?.port
      const advertisedUrl = ctx.join && (expose === 'serve' ? ctx.join.dnsName : ctx.join.ipv4) ? peerUrlFor({expose: expose as 'tailnet', port, ipv4: ctx.join.ipv4, dnsName: ctx.join.dnsName}) : undefined
      const r = await configureGateway(deps, {expose: opts.expose, port: opts.port, acceptRisk: opts.acceptRisk, secretStore: opts.secretStore}, {advertisedUrl})
      return note('gateway-configure', r.changed ? `changed ${r.changes.map((c) => c.path).join(', ')}` : 'unchanged')
    }),
    task('gateway-start', async (update) => {
      const r = await startGateway(deps, {timeoutMs: opts.timeoutMs, onProgress: update})
      ctx.healthy = r.healthz.ok
      ctx.warnings.push(...r.notes.filter((n) => /reboot|linger/i.test(n)))
      return note('gateway-start', r.action === 'verify' ? 'running, tokens verified' : `${r.action}${r.startMs ? ` (healthy after ${(r.startMs / 1000).toFixed(1)} s)` : ''}`)
    }),
    task('peers', async () => {
      const outcomes: string[] = []
      for (const input of opts.peers) {
        const r = await addPeer(deps, input)
        outcomes.push(`${r.name} ${r.action}`)
        if (r.replyInvite) replyInvites.push({peer: r.name, replyInvite: r.replyInvite})
        if (r.action !== 'unchanged') ctx.peersChanged = true
      }
      if (opts.meshSecret) {
        const d = await discoverPeers(deps, {meshSecret: opts.meshSecret, tag: opts.meshTag, socket: opts.socket})
        outcomes.push(`discovered ${d.added.length + d.updated.length + d.unchanged.length} on the tailnet`)
        // A member that joined after the plan was made is a change the plan could not see.
        if (d.added.length + d.updated.length > 0) ctx.peersChanged = true
        ctx.warnings.push(...d.notes)
      }
      return note('peers', outcomes.join(', ') || 'none')
    }),
    ...(hooks.watchdog && opts.alert !== undefined ? [task('watchdog', async () => note('watchdog', await hooks.watchdog!.install()))] : []),
    ...(hooks.skill ? [task('skill', async () => note('skill', await hooks.skill!.install()))] : []),
  ]
  await runProgress(deps.io, {}, tasks)

  const checked = await checkPeers(deps, {timeoutMs: opts.peerTimeoutMs})
  const state = deps.store.read()
  const join = ctx.join!
  const g = state.gateway!
  ctx.gatewayUrl = g.expose ? peerUrlFor({expose: g.expose, port: g.port, ipv4: join.ipv4, dnsName: join.dnsName}) : null
  return {
    ...base,
    changed: base.changed || ctx.peersChanged,
    tailnet: {hostname: join.hostname, dnsName: join.dnsName, ipv4: join.ipv4, tailnet: join.tailnet},
    gateway: {configPath: g.configPath!, expose: g.expose!, port: g.port!, url: ctx.gatewayUrl, healthy: ctx.healthy},
    peers: checked.peers.map((p) => ({name: p.name, url: p.url, messaging: p.messaging, a2a: Boolean(state.peers[p.name]?.a2a), status: p.status, latencyMs: p.latencyMs, detail: p.detail})),
    replyInvites,
    next: [
      ...replyInvites.map((r) => `To finish pairing with ${r.peer}, run on ${r.peer}: claw-mesh peer add --invite -   and paste the reply line shown above.`),'Next machine: run `claw-mesh invite` here, pass the line it prints to `claw-mesh bootstrap --peer file:INVITE` there, and run the reply it prints here with `claw-mesh peer add --invite -`.', 'Check the mesh any time: claw-mesh doctor'],
  }
}
