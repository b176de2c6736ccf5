import {ActionNeededError, ExternalError, UsageError} from '../../core/errors.js'
import {planGatewayStart, type StartAction, type StartPlan} from '../../core/gateway-start-plan.js'
import {readGatewaySettings} from '../../core/openclaw-config.js'
import {logShowsTailscaleBootFailure, TAILSCALE_BOOT_ISSUE, tailscaleBootRemedy} from '../../core/tailscale-boot.js'
import {appliedGatewayPortSetting, configuredGatewayPortSetting} from '../../core/settings.js'
import type {Deps} from '../../deps.js'
import {acquireLock} from '../../infra/lock.js'
import {SECRET_NAMES} from '../../infra/secrets/types.js'
import {readOpenClawConfig} from '../openclaw/config-file.js'
import {locateOpenClaw, probeOpenClawRuntime, requireOpenClaw, serviceProfileOf, type OpenClawLocation} from '../openclaw/locate.js'
import {backgroundFiles, gatewayFailureReason, logTail, ourBackgroundPid, pidAlive, readLogSince, startBackgroundGateway, stopBackgroundGateway} from './background.js'
import {restoreConfig} from './backups.js'
import {probeGatewayHealth, waitForGateway, type ProbeAnswer} from './health.js'
import {assertOurGateway, gatewayListener, notOurGateway} from './listener.js'
import {localUrl, LOCK_WAIT_MS} from './local-gateway.js'
import {probeRun, runServiceAction} from './service.js'
import {checkGatewayToken, checkHooksToken, type TokenCheck, type WebSocketFactory} from './token-check.js'
import {assertTailscaleForBoot} from './tailscale-boot.js'

export interface StartOptions {
  /** How long to wait for /healthz (and the token checks) after starting. Default 120 s. */
  timeoutMs?: number
  profile?: string
  onProgress?: (message: string) => void
  /** Tests replace Node's WebSocket for the token handshake. */
  webSocket?: WebSocketFactory
}

export interface StartResult {
  runner: StartPlan['runner']
  action: StartAction
  reason: string
  url: string
  port: number
  pid?: number
  logFile?: string
  /** Milliseconds from starting the process to the first /healthz 200, when claw-mesh started one. */
  startMs?: number
  healthz: ProbeAnswer
  readyz: ProbeAnswer
  gatewayToken: TokenCheck
  hooksToken: TokenCheck
  openclawVersion?: string
  notes: string[]
}

interface Ctx {
  deps: Deps
  loc: OpenClawLocation
  configPath: string
  timeoutMs: number
  progress: (m: string) => void
  webSocket?: WebSocketFactory
}

/** What was started, so a failure can be undone. */
interface Launch {
  pid?: number
  logFile?: string
  logOffset?: number
  startedAt: number
}

async function launch(ctx: Ctx, plan: StartPlan, action: StartAction, port: number): Promise<Launch> {
  const {deps, loc} = ctx
  const startedAt = deps.clock.now().getTime()
  if (plan.stopBackground || action === 'background-restart') {
    const pid = await ourBackgroundPid(deps)
    if (pid) {
      ctx.progress(`stopping the background gateway (pid ${pid})`)
      await stopBackgroundGateway(deps, pid)
    }
  }
  if (action === 'background-start' || action === 'background-restart') {
    const started = await startBackgroundGateway(deps, loc, port)
    return {...started, startedAt}
  }
  if (action === 'service-install') await runServiceAction(deps, loc, 'install', port)
  else if (action === 'service-restart') await runServiceAction(deps, loc, 'restart', port)
  else if (action === 'service-start') await runServiceAction(deps, loc, 'start', port)
  return {startedAt}
}

/** Waits for the launched gateway; returns the failure reason, or undefined when it is healthy. */
async function awaitLaunch(ctx: Ctx, l: Launch, port: number): Promise<{failure?: string; startMs?: number}> {
  const {deps} = ctx
  const failed = l.pid
    ? async () => {
        const reason = gatewayFailureReason(await readLogSince(l.logFile!, l.logOffset ?? 0))
        if (reason) return reason
        return pidAlive(l.pid!) ? undefined : 'the gateway process exited'
      }
    : undefined
  const waitStart = deps.clock.now().getTime()
  const wait = await waitForGateway(deps, {baseUrl: localUrl(port), timeoutMs: ctx.timeoutMs, failed, onProgress: ctx.progress})
  if (wait.healthy) return {startMs: waitStart - l.startedAt + (wait.liveAfterMs ?? wait.elapsedMs)}
  return {failure: wait.failure ?? `no 200 from /healthz within ${Math.round(ctx.timeoutMs / 1000)} s (${wait.last.healthz.detail})`}
}

export {localUrl, LOCK_WAIT_MS} from './local-gateway.js'

async function verifyTokens(ctx: Ctx, port: number, tokens: {gateway: string; hooks: string}, hooksPath: string, timeoutMs: number): Promise<{gateway: TokenCheck; hooks: TokenCheck}> {
  const url = localUrl(port)
  // A listener that answers /healthz proves nothing about who it is: the tokens go only to this user's gateway.
  await assertOurGateway(ctx.deps, port)
  const gateway = await checkGatewayToken(url, tokens.gateway, {timeoutMs, sleep: (ms) => ctx.deps.clock.sleep(ms), webSocket: ctx.webSocket})
  const hooks = await checkHooksToken(ctx.deps.http, url, tokens.hooks, {hooksPath})
  return {gateway, hooks}
}

/** Polls until both tokens are accepted (a hot reload lands a few seconds after the file changed). */
async function awaitTokens(ctx: Ctx, port: number, tokens: {gateway: string; hooks: string}, hooksPath: string, budgetMs: number) {
  const deadline = ctx.deps.clock.now().getTime() + budgetMs
  for (;;) {
    const r = await verifyTokens(ctx, port, tokens, hooksPath, 15_000)
    if ((r.gateway.verdict === 'accepted' && r.hooks.verdict === 'accepted') || r.gateway.verdict === 'throttled' || ctx.deps.clock.now().getTime() >= deadline) return r
    // Hook failures count towards the gateway's 20-a-minute limit: poll gently.
    ctx.progress('waiting for the running gateway to apply the new tokens')
    await ctx.deps.clock.sleep(3000)
  }
}

/**
 * The running gateway locked this address out after failed authentications (someone else's wrong tokens, when
 * tailnet clients share the loopback bucket). Restarting it would only hide that, and rolling back pending changes
 * would let whoever keeps the bucket locked undo them: stop, change nothing, say so.
 */
function lockedOut(check: TokenCheck): ActionNeededError {
  return new ActionNeededError(`The running gateway has locked out claw-mesh's address: ${check.detail}. This is not a wrong token; nothing was restarted or rolled back.`, {
    code: 'gateway-locked-out',
    hint: 'Wait for the lockout to end and run claw-mesh gateway start again. If it keeps happening, something on the tailnet is sending wrong tokens: find it in the gateway log (reason=rate_limited / token_mismatch).',
  })
}

const CONFIG_REJECTION = /invalid config|unrecognized key|config validation|gateway start blocked|refusing to bind|must resolve to loopback|allowed:/i

/**
 * `claw-mesh gateway start`: brings the configured gateway up (or applies pending changes to a running one) and
 * proves it works: /healthz, the gateway token by WebSocket handshake, the hooks token by POST /hooks/wake.
 * When the gateway rejects a new configuration, the previous openclaw.json is restored and brought back up.
 */
export async function startGateway(deps: Deps, opts: StartOptions = {}): Promise<StartResult> {
  // Two starts at once would race for the port, and one could roll back what the other just brought up.
  const lock = await acquireLock({dir: deps.stateDir, name: 'gateway', waitMs: LOCK_WAIT_MS, clock: deps.clock, what: 'claw-mesh gateway configure/start'})
  try {
    return await start(deps, opts)
  } finally {
    lock.release()
  }
}


async function start(deps: Deps, opts: StartOptions): Promise<StartResult> {
  const state = deps.store.read()
  const g = state.gateway
  if (!g?.configPath) {
    throw new ActionNeededError('The gateway is not configured for the mesh yet.', {code: 'gateway-not-configured', hint: 'Run: claw-mesh gateway configure (or claw-mesh bootstrap).'})
  }
  const loc = locateOpenClaw(deps, {profile: opts.profile ?? g.profile})
  if (loc.paths.configPath !== g.configPath) {
    throw new UsageError(`claw-mesh configured ${g.configPath}, but OpenClaw here would read ${loc.paths.configPath} (from ${loc.paths.source}).`, {
      hint: `Run with the same OPENCLAW_* environment (or --profile) as \`claw-mesh gateway configure\`, or re-run configure in this environment.`,
    })
  }
  requireOpenClaw(loc)
  const runtime = await probeOpenClawRuntime(deps, loc.bin!)
  const file = await readOpenClawConfig(g.configPath)
  const settings = readGatewaySettings(file.config)
  const port = configuredGatewayPortSetting({openclawConfig: settings}).value
  const store = await deps.secrets()
  const tokens = {gateway: await store.get(SECRET_NAMES.gatewayToken), hooks: await store.get(SECRET_NAMES.hooksToken)}
  if (!tokens.gateway || !tokens.hooks) {
    throw new ActionNeededError(`The gateway tokens are missing from the secret store (${store.location}).`, {code: 'tokens-missing', hint: 'Run: claw-mesh gateway configure (it creates them).'})
  }
  deps.redactor.add(tokens.gateway)
  deps.redactor.add(tokens.hooks)
  const t = {gateway: tokens.gateway, hooks: tokens.hooks}

  const ctx: Ctx = {deps, loc, configPath: g.configPath, timeoutMs: opts.timeoutMs ?? 120_000, progress: opts.onProgress ?? (() => {}), webSocket: opts.webSocket}
  const run = probeRun(deps)
  const manager = await deps.platform.gateway.probeServiceManager(run, deps.env)
  const serviceInstalled = manager.usable ? await deps.platform.gateway.serviceInstalled(deps.home, serviceProfileOf(loc.profile, deps.env), run, deps.env) : false
  const backgroundPid = await ourBackgroundPid(deps)
  const runningPort = appliedGatewayPortSetting({state, openclawConfig: settings}).value
  const before = await probeGatewayHealth(deps.http, localUrl(runningPort))
  // Something answers like a gateway: whose is it? Another user's listener is neither restarted, verified nor trusted.
  const holder = before.healthz.ok ? await gatewayListener(deps, runningPort) : undefined
  if (holder && !holder.ours && holder.reason !== 'free') throw notOurGateway(holder, runningPort)
  const pending = g.pending ?? []
  let plan = planGatewayStart({serviceManagerUsable: manager.usable, serviceInstalled, backgroundAlive: Boolean(backgroundPid), healthy: before.healthz.ok, pending, reloadModeOff: settings.reloadMode === 'off'})
  const notes: string[] = []
  if (plan.action === 'external-restart-needed') {
    throw new ActionNeededError(`A gateway claw-mesh did not start is running on port ${runningPort}, and the change (${pending.join(', ')}) needs its process restarted.`, {
      code: 'external-gateway',
      hint: 'Stop that gateway (Ctrl-C where it runs, or openclaw gateway stop), then run claw-mesh gateway start again.',
    })
  }

  let startMs: number | undefined
  let launched: Launch | undefined
  let checks: {gateway: TokenCheck; hooks: TokenCheck} | undefined
  if (plan.action === 'verify' || plan.action === 'await-reload') {
    ctx.progress(plan.action === 'verify' ? 'checking the running gateway' : 'waiting for the running gateway to apply the change')
    checks = await awaitTokens(ctx, port, t, settings.hooks.path, plan.action === 'verify' ? 0 : 30_000)
    const ok = checks.gateway.verdict === 'accepted' && checks.hooks.verdict === 'accepted'
    if (checks.gateway.verdict === 'throttled') throw lockedOut(checks.gateway)
    if (!ok && plan.runner === 'external') {
      throw new ActionNeededError(`The running gateway (not started by claw-mesh) does not accept the configured tokens: gateway token ${checks.gateway.detail}; hooks token ${checks.hooks.detail}.`, {
        code: 'external-gateway',
        hint: 'Restart that gateway so it reads openclaw.json again, then run claw-mesh gateway start.',
      })
    }
    if (!ok) plan = {...plan, action: plan.runner === 'service' ? 'service-restart' : 'background-restart', reason: 'the running gateway did not accept the configured tokens'}
  }
  if (plan.action !== 'verify' && plan.action !== 'await-reload') {
    await assertTailscaleForBoot(deps, settings.tailscaleMode)
    ctx.progress(`${plan.action.replace('-', ' ')}: ${plan.reason}`)
    launched = await launch(ctx, plan, plan.action, port)
    const outcome = await awaitLaunch(ctx, launched, port)
    const listener = outcome.failure === undefined ? await gatewayListener(deps, port) : undefined
    if (listener && !listener.ours) outcome.failure = `${listener.message}; claw-mesh sent it no token`
    else if (outcome.failure === undefined) {
      checks = await verifyTokens(ctx, port, t, settings.hooks.path, 30_000)
      // A lockout says nothing about the new config: never a reason to roll it back.
      if (checks.gateway.verdict === 'throttled') notes.push(`The gateway token could not be verified: ${checks.gateway.detail}. Run claw-mesh doctor once the lockout ends.`)
      else if (checks.gateway.verdict !== 'accepted') outcome.failure = `the gateway does not accept claw-mesh's gateway token (${checks.gateway.detail})`
      else if (checks.hooks.verdict !== 'accepted') outcome.failure = `the gateway does not accept claw-mesh's hooks token (${checks.hooks.detail})`
    }
    if (outcome.failure !== undefined) await rollBack(ctx, {plan, launched, reason: outcome.failure, hadGateway: before.healthz.ok || Boolean(backgroundPid)})
    startMs = outcome.startMs
  }

  const after = await probeGatewayHealth(deps.http, localUrl(port))
  const pid = plan.runner === 'background' ? (launched?.pid ?? backgroundPid) : undefined
  deps.store.update((s) => {
    const gw = (s.gateway ??= {})
    gw.runner = plan.runner
    gw.pid = pid
    gw.appliedPort = port
    gw.pending = []
    gw.rollback = undefined
  })
  if (plan.runner === 'background') {
    notes.push(`No usable service manager here (${manager.detail}): the gateway runs as a background process (pid ${pid}) and does not survive a reboot; run claw-mesh gateway start again after one. Log: ${backgroundFiles(deps.stateDir).logFile}`)
  }
  if (plan.runner === 'service') notes.push(...(await deps.platform.gateway.serviceNotes(run, deps.env)))
  if (!after.readyz.ok) notes.push(`The gateway is live but not ready yet (${after.readyz.detail}); check openclaw health.`)
  return {
    runner: plan.runner,
    action: plan.action,
    reason: plan.reason,
    url: localUrl(port),
    port,
    pid,
    logFile: launched?.logFile,
    startMs,
    healthz: after.healthz,
    readyz: after.readyz,
    gatewayToken: checks!.gateway,
    hooksToken: checks!.hooks,
    openclawVersion: runtime.version,
    notes,
  }
}

/**
 * The new configuration did not come up: stop what was started, put the previous openclaw.json back byte for byte,
 * bring the previous gateway back when one was running, and explain. Always throws.
 */
async function rollBack(ctx: Ctx, f: {plan: StartPlan; launched: Launch; reason: string; hadGateway: boolean}): Promise<never> {
  const {deps} = ctx
  const g = deps.store.read().gateway ?? {}
  const logHint = f.launched.logFile ? ` Gateway log: ${f.launched.logFile}` : ' See: openclaw gateway status --deep, and /tmp/openclaw/openclaw-<date>.log'
  if (f.launched.pid && pidAlive(f.launched.pid)) await stopBackgroundGateway(deps, f.launched.pid, 10_000)
  const configRejected = CONFIG_REJECTION.test(f.reason)
  const tail = f.launched.logFile ? logTail(await readLogSince(f.launched.logFile, f.launched.logOffset ?? 0)) : ''
  const tailscaleBoot = logShowsTailscaleBootFailure(`${f.reason}\n${tail}`)
  const fail = (message: string, hint: string) => {
    if (tailscaleBoot) {
      throw new ActionNeededError(`${message} The cause is Tailscale, not the configuration: OpenClaw's gateway does not boot while tailscaled is down or not connected with gateway.tailscale.mode serve or funnel (${TAILSCALE_BOOT_ISSUE}).`, {
        code: 'gateway-needs-tailscale',
        hint: `${tailscaleBootRemedy(deps.platform.tailscaleStartHint)}${logHint}`,
      })
    }
    if (configRejected) throw new UsageError(message, {code: 'gateway-rejected-config', hint})
    throw new ExternalError(message, {command: ctx.loc.bin!, args: ['gateway'], stderr: tail, hint})
  }
  if (!g.pending?.length || !g.rollback) {
    return fail(`The gateway did not start: ${f.reason}.`, `Fix the cause and run claw-mesh gateway start again.${logHint}`)
  }
  const rb = g.rollback
  ctx.progress('restoring the previous openclaw.json')
  await restoreConfig(deps.stateDir, ctx.configPath, {path: rb.backupPath, existed: rb.existed})
  deps.store.update((s) => {
    const gw = (s.gateway ??= {})
    gw.port = rb.port ?? gw.port
    gw.expose = rb.expose ?? gw.expose
    gw.pending = []
    gw.rollback = undefined
  })
  const restoredFrom = rb.existed ? `from ${rb.backupPath}` : '(there was none before: removed)'
  if (!f.hadGateway || !rb.existed) {
    return fail(`The gateway did not start with the new configuration: ${f.reason}. claw-mesh restored the previous openclaw.json ${restoredFrom}; no gateway was running before, so none was started.`, `Fix the cause, then run claw-mesh gateway configure and claw-mesh gateway start again.${logHint}`)
  }
  const oldPort = configuredGatewayPortSetting({openclawConfig: readGatewaySettings((await readOpenClawConfig(ctx.configPath)).config)}).value
  const action: StartAction = f.plan.runner === 'service' ? 'service-install' : 'background-start'
  ctx.progress(`bringing the previous gateway back on port ${oldPort}`)
  const again = await launch(ctx, {...f.plan, stopBackground: false}, action, oldPort)
  const outcome = await awaitLaunch(ctx, again, oldPort)
  deps.store.update((s) => {
    const gw = (s.gateway ??= {})
    gw.appliedPort = oldPort
    gw.pid = again.pid ?? gw.pid
    gw.runner = f.plan.runner
  })
  const back = outcome.failure === undefined ? `the previous gateway is running again on port ${oldPort}` : `the previous gateway did not come back either (${outcome.failure})`
  return fail(`The gateway did not start with the new configuration: ${f.reason}. claw-mesh restored the previous openclaw.json ${restoredFrom}, and ${back}.`, `Fix the cause, then run claw-mesh gateway configure and claw-mesh gateway start again.${logHint}`)
}
