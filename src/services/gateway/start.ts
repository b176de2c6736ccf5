import {ActionNeededError, UsageError} from '../../core/common/errors.js'
import {planGatewayStart, type StartAction, type StartPlan} from '../../core/openclaw/gateway-start-plan.js'
import {readGatewaySettings} from '../../core/openclaw/openclaw-config.js'
import {appliedGatewayPortSetting, configuredGatewayPortSetting} from '../../core/common/settings.js'
import type {Deps} from '../../deps.js'
import {acquireLock} from '../../infra/lock.js'
import {SECRET_NAMES} from '../../infra/secrets/types.js'
import {createMachineView, type MachineView} from '../machine/view.js'
import {probeOpenClawRuntime, requireOpenClaw} from '../openclaw/locate.js'
import {backgroundFiles} from './background.js'
import type {ProbeAnswer} from './health.js'
import {notOurGateway} from './listener.js'
import {localUrl, LOCK_WAIT_MS} from './local-gateway.js'
import {
  awaitLaunch,
  awaitTokens,
  launch,
  lockedOut,
  rollBack,
  verifyTokens,
  type Ctx,
  type Launch,
} from './start-launch.js'
import type {TokenCheck, WebSocketFactory} from './token-check.js'
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

/**
 * `claw-mesh gateway start`: brings the configured gateway up (or applies pending changes to a running one) and
 * proves it works: /healthz, the gateway token by WebSocket handshake, the hooks token by POST /hooks/wake.
 * When the gateway rejects a new configuration, the previous openclaw.json is restored and brought back up.
 */
export async function startGateway(deps: Deps, opts: StartOptions = {}, view?: MachineView): Promise<StartResult> {
  // Two starts at once would race for the port, and one could roll back what the other just brought up.
  const lock = await acquireLock({
    dir: deps.stateDir,
    name: 'gateway',
    waitMs: LOCK_WAIT_MS,
    clock: deps.clock,
    what: 'claw-mesh gateway configure/start',
  })
  try {
    return await start(deps, opts, view ?? createMachineView(deps, {profile: opts.profile, tailscaleTimeoutMs: 10_000}))
  } finally {
    lock.release()
  }
}

export {localUrl, LOCK_WAIT_MS} from './local-gateway.js'

/** Observe (the view), plan (planGatewayStart), apply (launch, verify, roll back), each change told to the view. */
async function start(deps: Deps, opts: StartOptions, view: MachineView): Promise<StartResult> {
  const state = view.readState()
  const g = state.gateway
  if (!g?.configPath) {
    throw new ActionNeededError('The gateway is not configured for the mesh yet.', {
      code: 'gateway-not-configured',
      hint: 'Run: claw-mesh gateway configure (or claw-mesh bootstrap).',
    })
  }
  const loc = view.openclawLocation()
  if (loc.paths.configPath !== g.configPath) {
    throw new UsageError(
      `claw-mesh configured ${g.configPath}, but OpenClaw here would read ${loc.paths.configPath} (from ${loc.paths.source}).`,
      {
        hint: `Run with the same OPENCLAW_* environment (or --profile) as \`claw-mesh gateway configure\`, or re-run configure in this environment.`,
      },
    )
  }
  requireOpenClaw(loc)
  const runtime = await probeOpenClawRuntime(deps, loc.bin!)
  const file = await view.config(g.configPath)
  const settings = readGatewaySettings(file.config)
  const port = configuredGatewayPortSetting({openclawConfig: settings}).value
  const store = await view.secrets()
  const tokens = {gateway: await store.get(SECRET_NAMES.gatewayToken), hooks: await store.get(SECRET_NAMES.hooksToken)}
  if (!tokens.gateway || !tokens.hooks) {
    throw new ActionNeededError(`The gateway tokens are missing from the secret store (${store.location}).`, {
      code: 'tokens-missing',
      hint: 'Run: claw-mesh gateway configure (it creates them).',
    })
  }
  deps.redactor.add(tokens.gateway)
  deps.redactor.add(tokens.hooks)
  const t = {gateway: tokens.gateway, hooks: tokens.hooks}

  const ctx: Ctx = {
    deps,
    view,
    loc,
    configPath: g.configPath,
    timeoutMs: opts.timeoutMs ?? 120_000,
    progress: opts.onProgress ?? (() => {}),
    webSocket: opts.webSocket,
  }
  const manager = await view.serviceManager()
  const serviceInstalled = manager.usable ? await view.serviceInstalled(loc.profile) : false
  const backgroundPid = await view.backgroundPid()
  const runningPort = appliedGatewayPortSetting({state, openclawConfig: settings}).value
  const before = await view.gatewayHealth(localUrl(runningPort))
  // Something answers like a gateway: whose is it? Another user's listener is neither restarted, verified nor trusted.
  const holder = before.healthz.ok ? await view.listener(runningPort) : undefined
  if (holder && !holder.ours && holder.reason !== 'free') throw notOurGateway(holder, runningPort)
  const pending = g.pending ?? []
  let plan = planGatewayStart({
    serviceManagerUsable: manager.usable,
    serviceInstalled,
    backgroundAlive: Boolean(backgroundPid),
    healthy: before.healthz.ok,
    pending,
    reloadModeOff: settings.reloadMode === 'off',
  })
  const notes: string[] = []
  if (plan.action === 'external-restart-needed') {
    throw new ActionNeededError(
      `A gateway claw-mesh did not start is running on port ${runningPort}, and the change (${pending.join(', ')}) needs its process restarted.`,
      {
        code: 'external-gateway',
        hint: 'Stop that gateway (Ctrl-C where it runs, or openclaw gateway stop), then run claw-mesh gateway start again.',
      },
    )
  }

  let startMs: number | undefined
  let launched: Launch | undefined
  let checks: {gateway: TokenCheck; hooks: TokenCheck} | undefined
  if (plan.action === 'verify' || plan.action === 'await-reload') {
    ctx.progress(
      plan.action === 'verify' ? 'checking the running gateway' : 'waiting for the running gateway to apply the change',
    )
    checks = await awaitTokens(ctx, port, t, settings.hooks.path, plan.action === 'verify' ? 0 : 30_000)
    const ok = checks.gateway.verdict === 'accepted' && checks.hooks.verdict === 'accepted'
    if (checks.gateway.verdict === 'throttled') throw lockedOut(checks.gateway)
    if (!ok && plan.runner === 'external') {
      throw new ActionNeededError(
        `The running gateway (not started by claw-mesh) does not accept the configured tokens: gateway token ${checks.gateway.detail}; hooks token ${checks.hooks.detail}.`,
        {
          code: 'external-gateway',
          hint: 'Restart that gateway so it reads openclaw.json again, then run claw-mesh gateway start.',
        },
      )
    }
    if (!ok)
      plan = {
        ...plan,
        action: plan.runner === 'service' ? 'service-restart' : 'background-restart',
        reason: 'the running gateway did not accept the configured tokens',
      }
  }
  if (plan.action !== 'verify' && plan.action !== 'await-reload') {
    await assertTailscaleForBoot(deps, view, settings.tailscaleMode)
    ctx.progress(`${plan.action.replace('-', ' ')}: ${plan.reason}`)
    launched = await launch(ctx, plan, plan.action, port)
    view.invalidate('service', 'listener', 'health')
    const outcome = await awaitLaunch(ctx, launched, port)
    const listener = outcome.failure === undefined ? await view.listener(port) : undefined
    if (listener && !listener.ours) outcome.failure = `${listener.message}; claw-mesh sent it no token`
    else if (outcome.failure === undefined) {
      checks = await verifyTokens(ctx, port, t, settings.hooks.path, 30_000)
      // A lockout says nothing about the new config: never a reason to roll it back.
      if (checks.gateway.verdict === 'throttled')
        notes.push(
          `The gateway token could not be verified: ${checks.gateway.detail}. Run claw-mesh doctor once the lockout ends.`,
        )
      else if (checks.gateway.verdict !== 'accepted')
        outcome.failure = `the gateway does not accept claw-mesh's gateway token (${checks.gateway.detail})`
      else if (checks.hooks.verdict !== 'accepted')
        outcome.failure = `the gateway does not accept claw-mesh's hooks token (${checks.hooks.detail})`
    }
    if (outcome.failure !== undefined)
      await rollBack(ctx, {
        plan,
        launched,
        reason: outcome.failure,
        hadGateway: before.healthz.ok || Boolean(backgroundPid),
      })
    startMs = outcome.startMs
  }

  // The result reports the gateway as it is now, after the reload or start.
  view.invalidate('health')
  const after = await view.gatewayHealth(localUrl(port))
  const pid = plan.runner === 'background' ? (launched?.pid ?? backgroundPid) : undefined
  deps.store.update((s) => {
    const gw = (s.gateway ??= {})
    gw.runner = plan.runner
    gw.pid = pid
    gw.appliedPort = port
    gw.pending = []
    gw.rollback = undefined
  })
  view.invalidate('state')
  if (plan.runner === 'background') {
    notes.push(
      `No usable service manager here (${manager.detail}): the gateway runs as a background process (pid ${pid}) and does not survive a reboot; run claw-mesh gateway start again after one. Log: ${backgroundFiles(deps.stateDir).logFile}`,
    )
  }
  if (plan.runner === 'service') notes.push(...(await view.serviceNotes()))
  if (!after.readyz.ok)
    notes.push(`The gateway is live but not ready yet (${after.readyz.detail}); check openclaw health.`)
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
