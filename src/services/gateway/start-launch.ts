import {ActionNeededError, ExternalError, UsageError} from '../../core/common/errors.js'
import type {StartAction, StartPlan} from '../../core/openclaw/gateway-start-plan.js'
import {readGatewaySettings} from '../../core/openclaw/openclaw-config.js'
import {configuredGatewayPortSetting} from '../../core/common/settings.js'
import {
  logShowsTailscaleBootFailure,
  TAILSCALE_BOOT_ISSUE,
  tailscaleBootRemedy,
} from '../../core/tailscale/tailscale-boot.js'
import type {Deps} from '../../deps.js'
import type {MachineView} from '../machine/view.js'
import type {OpenClawLocation} from '../openclaw/locate.js'
import {
  gatewayFailureReason,
  logTail,
  ourBackgroundPid,
  pidAlive,
  readLogSince,
  startBackgroundGateway,
  stopBackgroundGateway,
} from './background.js'
import {restoreConfig} from './backups.js'
import {waitForGateway} from './health.js'
import {assertOurGateway} from './listener.js'
import {localUrl} from './local-gateway.js'
import {runServiceAction} from './service.js'
import {checkGatewayToken, checkHooksToken, type TokenCheck, type WebSocketFactory} from './token-check.js'

/** gateway start's apply steps: launch the gateway, wait for it, prove its tokens, and undo a start that failed. */

export interface Ctx {
  deps: Deps
  /** The machine as the start observed it; every step that changes it says what it changed. */
  view: MachineView
  loc: OpenClawLocation
  configPath: string
  timeoutMs: number
  progress: (m: string) => void
  webSocket?: WebSocketFactory
}

/** What was started, so a failure can be undone. */
export interface Launch {
  pid?: number
  logFile?: string
  logOffset?: number
  startedAt: number
}

export async function launch(ctx: Ctx, plan: StartPlan, action: StartAction, port: number): Promise<Launch> {
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
export async function awaitLaunch(ctx: Ctx, l: Launch, port: number): Promise<{failure?: string; startMs?: number}> {
  const {deps} = ctx
  const failed = l.pid
    ? async () => {
        const reason = gatewayFailureReason(await readLogSince(l.logFile!, l.logOffset ?? 0))
        if (reason) return reason
        return pidAlive(l.pid!) ? undefined : 'the gateway process exited'
      }
    : undefined
  const waitStart = deps.clock.now().getTime()
  const wait = await waitForGateway(deps, {
    baseUrl: localUrl(port),
    timeoutMs: ctx.timeoutMs,
    failed,
    onProgress: ctx.progress,
  })
  if (wait.healthy) return {startMs: waitStart - l.startedAt + (wait.liveAfterMs ?? wait.elapsedMs)}
  return {
    failure:
      wait.failure ?? `no 200 from /healthz within ${Math.round(ctx.timeoutMs / 1000)} s (${wait.last.healthz.detail})`,
  }
}

export async function verifyTokens(
  ctx: Ctx,
  port: number,
  tokens: {gateway: string; hooks: string},
  hooksPath: string,
  timeoutMs: number,
): Promise<{gateway: TokenCheck; hooks: TokenCheck}> {
  const url = localUrl(port)
  // A listener that answers /healthz proves nothing about who it is: the tokens go only to this user's gateway.
  await assertOurGateway(ctx.deps, port)
  const gateway = await checkGatewayToken(url, tokens.gateway, {
    timeoutMs,
    sleep: (ms) => ctx.deps.clock.sleep(ms),
    webSocket: ctx.webSocket,
  })
  const hooks = await checkHooksToken(ctx.deps.http, url, tokens.hooks, {hooksPath})
  return {gateway, hooks}
}

/** Polls until both tokens are accepted (a hot reload lands a few seconds after the file changed). */
export async function awaitTokens(
  ctx: Ctx,
  port: number,
  tokens: {gateway: string; hooks: string},
  hooksPath: string,
  budgetMs: number,
) {
  const deadline = ctx.deps.clock.now().getTime() + budgetMs
  for (;;) {
    const r = await verifyTokens(ctx, port, tokens, hooksPath, 15_000)
    if (
      (r.gateway.verdict === 'accepted' && r.hooks.verdict === 'accepted') ||
      r.gateway.verdict === 'throttled' ||
      ctx.deps.clock.now().getTime() >= deadline
    )
      return r
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
export function lockedOut(check: TokenCheck): ActionNeededError {
  return new ActionNeededError(
    `The running gateway has locked out claw-mesh's address: ${check.detail}. This is not a wrong token; nothing was restarted or rolled back.`,
    {
      code: 'gateway-locked-out',
      hint: 'Wait for the lockout to end and run claw-mesh gateway start again. If it keeps happening, something on the tailnet is sending wrong tokens: find it in the gateway log (reason=rate_limited / token_mismatch).',
    },
  )
}

export const CONFIG_REJECTION =
  /invalid config|unrecognized key|config validation|gateway start blocked|refusing to bind|must resolve to loopback|allowed:/i

/**
 * The new configuration did not come up: stop what was started, put the previous openclaw.json back byte for byte,
 * bring the previous gateway back when one was running, and explain. Always throws.
 */
export async function rollBack(
  ctx: Ctx,
  f: {plan: StartPlan; launched: Launch; reason: string; hadGateway: boolean},
): Promise<never> {
  const {deps, view} = ctx
  const g = view.readState().gateway ?? {}
  const logHint = f.launched.logFile
    ? ` Gateway log: ${f.launched.logFile}`
    : ' See: openclaw gateway status --deep, and /tmp/openclaw/openclaw-<date>.log'
  if (f.launched.pid && pidAlive(f.launched.pid)) await stopBackgroundGateway(deps, f.launched.pid, 10_000)
  const configRejected = CONFIG_REJECTION.test(f.reason)
  const tail = f.launched.logFile ? logTail(await readLogSince(f.launched.logFile, f.launched.logOffset ?? 0)) : ''
  const tailscaleBoot = logShowsTailscaleBootFailure(`${f.reason}\n${tail}`)
  const fail = (message: string, hint: string) => {
    if (tailscaleBoot) {
      throw new ActionNeededError(
        `${message} The cause is Tailscale, not the configuration: OpenClaw's gateway does not boot while tailscaled is down or not connected with gateway.tailscale.mode serve or funnel (${TAILSCALE_BOOT_ISSUE}).`,
        {
          code: 'gateway-needs-tailscale',
          hint: `${tailscaleBootRemedy(deps.platform.tailscaleStartHint)}${logHint}`,
        },
      )
    }
    if (configRejected) throw new UsageError(message, {code: 'gateway-rejected-config', hint})
    throw new ExternalError(message, {command: ctx.loc.bin!, args: ['gateway'], stderr: tail, hint})
  }
  if (!g.pending?.length || !g.rollback) {
    return fail(
      `The gateway did not start: ${f.reason}.`,
      `Fix the cause and run claw-mesh gateway start again.${logHint}`,
    )
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
  view.invalidate('config', 'state')
  const restoredFrom = rb.existed ? `from ${rb.backupPath}` : '(there was none before: removed)'
  if (!f.hadGateway || !rb.existed) {
    return fail(
      `The gateway did not start with the new configuration: ${f.reason}. claw-mesh restored the previous openclaw.json ${restoredFrom}; no gateway was running before, so none was started.`,
      `Fix the cause, then run claw-mesh gateway configure and claw-mesh gateway start again.${logHint}`,
    )
  }
  const oldPort = configuredGatewayPortSetting({
    openclawConfig: readGatewaySettings((await view.config(ctx.configPath)).config),
  }).value
  const action: StartAction = f.plan.runner === 'service' ? 'service-install' : 'background-start'
  ctx.progress(`bringing the previous gateway back on port ${oldPort}`)
  const again = await launch(ctx, {...f.plan, stopBackground: false}, action, oldPort)
  view.invalidate('service', 'listener', 'health')
  const outcome = await awaitLaunch(ctx, again, oldPort)
  deps.store.update((s) => {
    const gw = (s.gateway ??= {})
    gw.appliedPort = oldPort
    gw.pid = again.pid ?? gw.pid
    gw.runner = f.plan.runner
  })
  const back =
    outcome.failure === undefined
      ? `the previous gateway is running again on port ${oldPort}`
      : `the previous gateway did not come back either (${outcome.failure})`
  return fail(
    `The gateway did not start with the new configuration: ${f.reason}. claw-mesh restored the previous openclaw.json ${restoredFrom}, and ${back}.`,
    `Fix the cause, then run claw-mesh gateway configure and claw-mesh gateway start again.${logHint}`,
  )
}
