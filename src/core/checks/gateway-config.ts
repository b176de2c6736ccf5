import {DEFAULT_GATEWAY_PORT} from '../openclaw/gateway-url.js'
import {fail, pass, REMEDY_CONFIGURE, REMEDY_START, skip, warn, type CheckOutcome} from './types.js'

/**
 * Pure evaluators over a parsed openclaw.json. They read only what they need, tolerate any shape (the file is the
 * user's), and name the setting and the fix. The values OpenClaw accepts come from its schema (see
 * reference/openclaw-gateway.md): seed documents write `"bind": "0.0.0.0"` and `"tailscale": {"mode": "on"}`.
 */
/** OpenClaw's default port (one constant: core/openclaw/gateway-url). */
export const DEFAULT_PORT = DEFAULT_GATEWAY_PORT
export const BIND_MODES = ['loopback', 'lan', 'tailnet', 'auto', 'custom'] as const
export const TAILSCALE_MODES = ['off', 'serve', 'funnel'] as const
const CONFIGURE = REMEDY_CONFIGURE

/** The settings the checks look at, read tolerantly from the config object. */
export interface GatewayConfigView {
  mode?: unknown
  port: number
  /** `bind` as written (may be invalid, e.g. "0.0.0.0"); undefined means OpenClaw's default, loopback. */
  bind?: unknown
  customBindHost?: unknown
  tailscaleMode?: unknown
  authMode?: unknown
  /** A plain string token, or a SecretRef object, or undefined. */
  authToken?: unknown
  authPassword?: unknown
  hooksEnabled?: unknown
  hooksToken?: unknown
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return Boolean(value) && typeof value === 'object' && !Array.isArray(value)
}

export function viewGatewayConfig(config: unknown): GatewayConfigView {
  const root = isRecord(config) ? config : {}
  const gw = isRecord(root.gateway) ? root.gateway : {}
  const auth = isRecord(gw.auth) ? gw.auth : {}
  const ts = isRecord(gw.tailscale) ? gw.tailscale : {}
  const hooks = isRecord(root.hooks) ? root.hooks : {}
  const port =
    typeof gw.port === 'number' && Number.isInteger(gw.port) && gw.port > 0 && gw.port < 65536 ? gw.port : DEFAULT_PORT
  return {
    mode: gw.mode,
    port,
    bind: gw.bind,
    customBindHost: gw.customBindHost,
    tailscaleMode: ts.mode,
    authMode: auth.mode,
    authToken: auth.token,
    authPassword: auth.password,
    hooksEnabled: hooks.enabled,
    hooksToken: hooks.token,
  }
}

/** Where the gateway listens, as far as exposure goes. */
export type BindExposure = 'loopback' | 'tailnet' | 'all-interfaces' | 'one-address' | 'invalid'

export function bindExposure(view: GatewayConfigView): BindExposure {
  const bind = view.bind ?? 'loopback'
  if (bind === 'loopback') return 'loopback'
  if (bind === 'tailnet') return 'tailnet'
  if (bind === 'lan' || bind === '0.0.0.0' || bind === '::') return 'all-interfaces'
  // `auto` is 0.0.0.0 inside containers and loopback elsewhere: count the worse case.
  if (bind === 'auto') return 'all-interfaces'
  if (bind === 'custom') {
    if (view.customBindHost === '0.0.0.0') return 'all-interfaces'
    if (view.customBindHost === '127.0.0.1' || view.customBindHost === undefined) return 'loopback'
    return 'one-address'
  }
  if (bind === '127.0.0.1' || bind === 'localhost') return 'loopback'
  return 'invalid'
}

export function evalGatewayMode(view: GatewayConfigView): CheckOutcome {
  if (view.mode === 'local') return pass('gateway.mode is "local"')
  const found = view.mode === undefined ? 'is not set' : `is ${JSON.stringify(view.mode)}`
  return fail(
    `gateway.mode ${found}: the gateway refuses to start on this host ("Gateway start blocked").`,
    CONFIGURE,
    {kind: 'configure-gateway'},
  )
}

/**
 * `bind` against what claw-mesh was asked to do (`expose`: tailnet | serve | lan, or undefined before bootstrap).
 * Serve uses a loopback bind by design; everything else needs the gateway reachable from the tailnet.
 */
export function evalBind(view: GatewayConfigView, expose: string | undefined): CheckOutcome {
  const bind = view.bind
  const shown = bind === undefined ? 'not set (loopback)' : JSON.stringify(bind)
  const fix = {kind: 'configure-gateway'} as const
  const exposure = bindExposure(view)
  const byHand = `${CONFIGURE}; by hand: openclaw config set gateway.bind ${expose === 'serve' ? 'loopback' : 'tailnet'}`
  if (bind !== undefined && !(BIND_MODES as readonly unknown[]).includes(bind)) {
    // Host aliases are legacy: the gateway normalizes them at start ("0.0.0.0" → lan) and config validate rejects them.
    if (exposure === 'all-interfaces') {
      return fail(
        `gateway.bind is ${shown}, which is not an OpenClaw bind mode: the gateway turns it into "lan" and listens on every interface (0.0.0.0), not only the tailnet.`,
        byHand,
        fix,
      )
    }
    if (exposure === 'loopback')
      return fail(
        `gateway.bind is ${shown}, a host alias, not an OpenClaw bind mode (config validate rejects it), and it keeps peers out.`,
        byHand,
        fix,
      )
    return fail(
      `gateway.bind is ${shown}: not one of ${BIND_MODES.join(', ')}; the gateway refuses to start.`,
      byHand,
      fix,
    )
  }
  if (exposure === 'all-interfaces') {
    const what = `gateway.bind is ${shown}: the gateway listens on every interface (0.0.0.0), reachable from the LAN and beyond, not only the tailnet.`
    if (expose === 'lan')
      return warn(
        `${what} (chosen with --expose lan)`,
        'claw-mesh bootstrap --expose tailnet (listens on the Tailscale address only)',
      )
    return fail(what, byHand, fix)
  }
  const serve = view.tailscaleMode === 'serve'
  if (exposure === 'loopback') {
    if (serve) return pass(`loopback, published on the tailnet by Tailscale Serve`)
    return fail(
      `gateway.bind is ${shown} and Tailscale Serve is off: peers cannot reach this gateway.`,
      expose ? CONFIGURE : 'claw-mesh bootstrap',
      expose ? fix : undefined,
    )
  }
  if (expose === 'serve')
    return fail(
      `gateway.bind is ${shown}, but claw-mesh exposes this gateway with Tailscale Serve, which needs a loopback bind.`,
      CONFIGURE,
      fix,
    )
  if (exposure === 'tailnet') return pass('tailnet (the Tailscale IPv4 and 127.0.0.1)')
  return pass(`custom address ${String(view.customBindHost)}`)
}

export function evalTailscaleMode(view: GatewayConfigView, expose: string | undefined): CheckOutcome {
  const mode = view.tailscaleMode
  const fix = {kind: 'configure-gateway'} as const
  if (mode !== undefined && !(TAILSCALE_MODES as readonly unknown[]).includes(mode)) {
    return fail(
      `gateway.tailscale.mode is ${JSON.stringify(mode)}: the gateway refuses to start (allowed: ${TAILSCALE_MODES.join(', ')}).`,
      `${CONFIGURE}; by hand: openclaw config set gateway.tailscale.mode ${expose === 'serve' ? 'serve' : 'off'}`,
      fix,
    )
  }
  const effective = (mode as string | undefined) ?? 'off'
  if (expose === 'serve' && effective !== 'serve')
    return fail(
      `gateway.tailscale.mode is "${effective}", but claw-mesh exposes this gateway with Tailscale Serve.`,
      CONFIGURE,
      fix,
    )
  if (effective === 'funnel') {
    return warn(
      'gateway.tailscale.mode is "funnel": the gateway is published on the public internet, not only the tailnet.',
      'openclaw config set gateway.tailscale.mode serve (tailnet only)',
    )
  }
  if (expose && expose !== 'serve' && effective === 'serve')
    return fail(
      `gateway.tailscale.mode is "serve", but claw-mesh exposes this gateway with "${expose}".`,
      CONFIGURE,
      fix,
    )
  return pass(`"${effective}"`)
}

export function evalServeBind(view: GatewayConfigView): CheckOutcome {
  if (view.tailscaleMode !== 'serve') return skip('Tailscale Serve is off')
  if (bindExposure(view) === 'loopback') return pass('Serve with a loopback bind')
  return fail(
    `gateway.tailscale.mode is "serve" with gateway.bind ${JSON.stringify(view.bind)}: the gateway refuses to start ("gateway.bind must resolve to loopback when gateway.tailscale.mode=serve").`,
    `${CONFIGURE}; by hand: openclaw config set gateway.bind loopback`,
    {kind: 'configure-gateway'},
  )
}

/** Whether the gateway has any shared-secret or proxy auth configured (env variables count). */
export function authConfigured(
  view: GatewayConfigView,
  env: Record<string, string | undefined>,
): {ok: boolean; how: string} {
  const mode = view.authMode ?? (view.authPassword !== undefined && view.authToken === undefined ? 'password' : 'token')
  if (mode === 'none') return {ok: false, how: 'gateway.auth.mode is "none"'}
  if (mode === 'trusted-proxy') return {ok: true, how: 'trusted-proxy'}
  if (mode === 'password')
    return view.authPassword !== undefined || env.OPENCLAW_GATEWAY_PASSWORD
      ? {ok: true, how: 'password'}
      : {ok: false, how: 'password mode without a password'}
  if (view.authToken !== undefined && view.authToken !== '')
    return {ok: true, how: typeof view.authToken === 'string' ? 'token' : 'token (SecretRef)'}
  if (env.OPENCLAW_GATEWAY_TOKEN) return {ok: true, how: 'token (OPENCLAW_GATEWAY_TOKEN)'}
  return {ok: false, how: 'no gateway.auth.token'}
}

export function evalAuth(view: GatewayConfigView, env: Record<string, string | undefined>): CheckOutcome {
  const auth = authConfigured(view, env)
  const exposure = bindExposure(view)
  if (auth.ok) return pass(`auth: ${auth.how}`)
  if (exposure === 'loopback')
    return warn(`No gateway auth (${auth.how}): any local program can drive this gateway.`, CONFIGURE, {
      kind: 'configure-gateway',
    })
  return fail(
    `The gateway binds beyond loopback (${JSON.stringify(view.bind)}) without auth (${auth.how}): it refuses to start ("Refusing to bind gateway to lan without auth").`,
    CONFIGURE,
    {kind: 'configure-gateway'},
  )
}

/**
 * Hooks are how peers message this host: enabled, with a token that differs from the gateway token (the gateway
 * refuses its own token on hook endpoints) and matches the one claw-mesh handed out (the secret store's).
 */
export function evalHooks(view: GatewayConfigView, tokens: {gateway?: string; stored?: string}): CheckOutcome {
  const fix = {kind: 'configure-gateway'} as const
  if (view.hooksEnabled !== true)
    return fail('hooks.enabled is not true: peers cannot message this agent.', CONFIGURE, fix)
  if (typeof view.hooksToken !== 'string' || view.hooksToken === '') {
    const what =
      view.hooksToken !== undefined && typeof view.hooksToken !== 'string'
        ? 'hooks.token is not a plain string (it does not accept a SecretRef)'
        : 'hooks.token is empty'
    return fail(`${what}: the gateway refuses to start with hooks enabled and no token.`, CONFIGURE, fix)
  }
  if (tokens.gateway && view.hooksToken === tokens.gateway) {
    return fail(
      'hooks.token is the gateway token: hook endpoints refuse it, and a peer holding it could drive the whole gateway.',
      CONFIGURE,
      fix,
    )
  }
  if (tokens.stored !== undefined && tokens.stored !== view.hooksToken) {
    return fail(
      'hooks.token differs from the hooks token claw-mesh stored and handed to peers: their messages are refused (401).',
      CONFIGURE,
      fix,
    )
  }
  return pass('enabled, with its own token')
}

/**
 * The port in the config against the one claw-mesh recorded (peer URLs carry it) and the one the running gateway
 * was started with (it is on the process's command line, so a changed port needs a restart).
 */
export function evalPortConfig(
  view: GatewayConfigView,
  ports: {recorded?: number; applied?: number},
): CheckOutcome | undefined {
  if (ports.recorded !== undefined && ports.recorded !== view.port) {
    return fail(
      `openclaw.json has port ${view.port}, but claw-mesh set up this gateway (and told peers) port ${ports.recorded}.`,
      CONFIGURE,
      {kind: 'configure-gateway'},
    )
  }
  if (ports.applied !== undefined && ports.applied !== view.port) {
    return fail(
      `The gateway was started on port ${ports.applied}, but openclaw.json now says ${view.port}: it needs a restart.`,
      REMEDY_START,
      {kind: 'restart-gateway'},
    )
  }
  return undefined
}
