import {nodeRunsOpenClaw, OPENCLAW_NODE_RANGE, parseNodeVersion} from '../openclaw/node-version.js'
import type {ListenerVerdict} from '../openclaw/port-holder.js'
import {fail, pass, REMEDY_CONFIGURE, skip, warn, type CheckOutcome} from './types.js'

/** Pure evaluators for the OpenClaw install, its config file and the running gateway. */

export interface OpenClawProbe {
  bin?: string
  version?: string
  /** `node --version` of the Node that runs the openclaw script. */
  nodeVersion?: string
  /** Why that Node cannot run OpenClaw (too old, missing), in OpenClaw's own terms. */
  nodeError?: string
  /** What went wrong running it, when it did. */
  error?: string
}

export const OPENCLAW_INSTALL = 'npm install -g openclaw (needs Node >= 24.16), or: claw-mesh bootstrap'

export function evalOpenClawCli(probe: OpenClawProbe): CheckOutcome {
  if (!probe.bin) return fail(probe.error ?? 'The openclaw CLI was not found.', OPENCLAW_INSTALL)
  if (!probe.version)
    return fail(
      `${probe.bin} is present but did not report its version${probe.error ? `: ${probe.error}` : ''}.`,
      `${probe.bin} --version`,
    )
  return pass(`OpenClaw ${probe.version} (${probe.bin})`)
}

export function evalNodeVersion(probe: OpenClawProbe): CheckOutcome {
  if (!probe.bin) return skip('no openclaw CLI')
  if (probe.nodeError)
    return fail(probe.nodeError, 'Install Node 24 (>= 24.16) and put it first on PATH (nvm install 24 && nvm use 24)')
  if (!probe.nodeVersion)
    return fail(
      'No `node` was found to run openclaw.',
      'Install Node 24 (>= 24.16): https://nodejs.org or your version manager (nvm install 24)',
    )
  if (!parseNodeVersion(probe.nodeVersion))
    return warn(`Unreadable Node version ${JSON.stringify(probe.nodeVersion)}.`, 'node --version')
  if (!nodeRunsOpenClaw(probe.nodeVersion))
    return fail(
      `Node ${probe.nodeVersion} runs openclaw, which needs ${OPENCLAW_NODE_RANGE} (node:sqlite).`,
      'Install Node 24 (>= 24.16) and put it first on PATH (nvm install 24 && nvm use 24)',
    )
  return pass(`Node ${probe.nodeVersion}`)
}

export type ConfigFileProbe =
  {path: string; exists: false} | {path: string; exists: true; mode?: number; parseError?: string; config?: unknown}

export function evalConfigParse(probe: ConfigFileProbe | undefined, backupsDir: string): CheckOutcome {
  if (!probe) return skip('no OpenClaw config location')
  if (!probe.exists) return fail(`No OpenClaw config at ${probe.path}.`, 'claw-mesh bootstrap')
  if (probe.parseError) {
    return fail(
      `${probe.path} is not valid JSON5: ${probe.parseError}`,
      `Fix the syntax in ${probe.path} (or copy back the newest backup claw-mesh made, openclaw.json.<time>.bak in ${backupsDir}), then run claw-mesh doctor again`,
    )
  }
  return pass(`${probe.path} parses`)
}

export function evalConfigFileMode(probe: ConfigFileProbe | undefined, platform: string): CheckOutcome {
  if (platform === 'win32') return skip('POSIX modes do not apply on Windows')
  if (!probe?.exists || probe.mode === undefined) return skip('no config file')
  const mode = probe.mode & 0o777
  if ((mode & 0o077) === 0) return pass(`mode ${octal(mode)}`)
  return fail(
    `${probe.path} has mode ${octal(mode)}: other users can read the hooks token in it.`,
    `chmod 600 ${shellQuote(probe.path)}`,
    {kind: 'chmod-600', path: probe.path},
  )
}

export interface ValidationIssue {
  path: string
  message: string
}

export type ValidationProbe = {ran: false; reason: string} | {ran: true; valid: boolean; issues: ValidationIssue[]}

/** Issues at these paths are settings claw-mesh writes, so re-applying its patch fixes them. */
const OWNED_PATHS = [
  /^gateway\.(mode|bind|customBindHost|port|auth(\.|$)|tailscale(\.|$))/,
  /^hooks(\.|$)/,
  /^secrets\.providers\.clawmesh/,
]

export function evalConfigValid(probe: ValidationProbe): CheckOutcome {
  if (!probe.ran) return skip(probe.reason)
  if (probe.valid) return pass('openclaw config validate: valid')
  const issues = probe.issues.length > 0 ? probe.issues : [{path: '<root>', message: 'invalid (no details)'}]
  const detail = `openclaw config validate: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`
  const unknownKeys = issues.flatMap((i) => {
    const m = /Unrecognized keys?: (.+)$/.exec(i.message)
    if (!m) return []
    return [...m[1].matchAll(/"([^"]+)"/g)].map((k) =>
      i.path === '<root>' || i.path === '' ? k[1] : `${i.path}.${k[1]}`,
    )
  })
  const owned = issues.every((i) => OWNED_PATHS.some((re) => re.test(i.path)) && !/Unrecognized key/.test(i.message))
  if (owned) return fail(detail, REMEDY_CONFIGURE, {kind: 'configure-gateway'})
  // Keys claw-mesh does not own are the user's: show the exact command, never delete them on our own.
  const remedy =
    unknownKeys.length > 0
      ? unknownKeys.map((k) => `openclaw config unset ${k}`).join(' && ')
      : 'openclaw config validate (then fix the listed settings)'
  return fail(detail, remedy)
}

/** A GET on the gateway, summarised. */
export type HttpProbe =
  | {ok: true; status: number; body: string; latencyMs: number}
  | {ok: false; failure: 'refused' | 'timeout' | 'unreachable' | 'other'; message: string}

export function looksLikeOpenClawHealth(p: HttpProbe): boolean {
  if (!p.ok || p.status !== 200) return false
  try {
    const body = JSON.parse(p.body) as {ok?: unknown; status?: unknown}
    return body.ok === true && body.status === 'live'
  } catch {
    return false
  }
}

export function evalHealth(
  healthz: HttpProbe,
  readyz: HttpProbe | undefined,
  port: number,
  startCommand: string,
): CheckOutcome {
  const fix = {kind: 'restart-gateway'} as const
  if (!healthz.ok) {
    if (healthz.failure === 'refused')
      return fail(`Nothing answers on 127.0.0.1:${port}: the gateway is not running.`, startCommand, fix)
    return fail(`GET http://127.0.0.1:${port}/healthz: ${healthz.message}.`, startCommand, fix)
  }
  if (healthz.status === 503)
    return warn('The gateway is starting or draining (/healthz 503).', 'Run claw-mesh doctor again in a few seconds')
  if (!looksLikeOpenClawHealth(healthz))
    return fail(
      `127.0.0.1:${port}/healthz answered HTTP ${healthz.status}, not like an OpenClaw gateway.`,
      `See what holds the port (gateway-port check)`,
    )
  if (readyz && !(readyz.ok && readyz.status === 200)) {
    const why = readyz.ok ? `HTTP ${readyz.status}` : readyz.message
    return warn(`live, but not ready (/readyz: ${why}).`, 'openclaw health')
  }
  return pass(`live and ready (${healthz.latencyMs} ms)`)
}

/**
 * The port: free, held by this user's gateway, or by something else. An answer like a gateway's proves nothing (any
 * user can bind 127.0.0.1 while the gateway is down): the socket's owner and process decide.
 */
export function evalPortHolder(
  healthz: HttpProbe,
  port: number,
  whoHolds: string,
  listener: ListenerVerdict,
): CheckOutcome {
  if (listener.ours === false && listener.reason === 'foreign') {
    return fail(
      `Port ${port}: ${listener.message}. claw-mesh sends it no token.`,
      `Stop it (${whoHolds} shows it), or choose another port with claw-mesh gateway configure --port N`,
    )
  }
  if (!healthz.ok && healthz.failure === 'refused') return pass(`port ${port} is free (the gateway is not running)`)
  if (listener.ours === false) return warn(`Port ${port}: ${listener.message}.`, whoHolds)
  if (looksLikeOpenClawHealth(healthz) || (healthz.ok && healthz.status === 503))
    return pass(`port ${port} is held by the gateway (pid ${listener.holder.pid}, yours)`)
  return fail(
    `Port ${port} on 127.0.0.1 is held by something that does not answer like an OpenClaw gateway.`,
    `Find it with: ${whoHolds}; stop it, or choose another port with claw-mesh bootstrap --port N`,
  )
}

/**
 * `bind: tailnet` listens on the Tailscale IPv4 only if Tailscale had one when the gateway started; otherwise it
 * falls back to loopback alone and stays there until restarted.
 */
export function evalTailnetListen(input: {
  exposure: string
  serve: boolean
  loopbackHealthy: boolean
  ipv4?: string | null
  /** Whether the Tailscale IPv4 is on one of this machine's interfaces (not with userspace networking). */
  ipv4Local?: boolean
  /** Userspace networking: probed through tailscaled's proxy. */
  viaProxy?: string
  port: number
  probe?: HttpProbe
  url?: string
}): CheckOutcome {
  if (!input.loopbackHealthy) return skip('the gateway is not healthy on 127.0.0.1')
  if (input.serve) {
    if (!input.probe || !input.url) return skip('no MagicDNS name to reach Serve at')
    if (looksLikeOpenClawHealth(input.probe)) return pass(`answers at ${input.url}`)
    const why = input.probe.ok ? `HTTP ${input.probe.status}` : input.probe.message
    return fail(
      `The gateway is healthy on 127.0.0.1 but Tailscale Serve does not reach it at ${input.url} (${why}).`,
      'openclaw gateway restart (OpenClaw claims the Serve route at start); check tailscale serve status',
      {kind: 'restart-gateway'},
    )
  }
  if (input.exposure === 'loopback') return skip('loopback bind (see gateway-bind)')
  if (!input.ipv4) return skip('this node has no Tailscale IPv4')
  if (input.ipv4Local === false && !input.viaProxy)
    return skip(`${input.ipv4} is on no interface here (userspace networking?): nothing to probe`)
  if (!input.probe) return skip('not probed')
  const target = `${input.ipv4}:${input.port}`
  if (input.viaProxy) {
    // tailscaled hands tailnet connections to 127.0.0.1:port: the loopback bind is what peers reach.
    if (looksLikeOpenClawHealth(input.probe))
      return pass(`answers on ${target} (userspace networking, through tailscaled's proxy)`)
    const why = input.probe.ok ? `HTTP ${input.probe.status}` : input.probe.message
    return fail(
      `The gateway is healthy on 127.0.0.1 but not reached at ${target} through tailscaled (userspace networking: ${why}).`,
      'claw-mesh doctor --only tailscale-proxy; check tailscaled runs (claw-mesh tailscale status)',
    )
  }
  if (looksLikeOpenClawHealth(input.probe)) return pass(`answers on ${target}`)
  const why = input.probe.ok ? `HTTP ${input.probe.status}` : input.probe.message
  const cause =
    input.exposure === 'tailnet'
      ? ': it started before Tailscale had an IP and fell back to loopback; a restart picks the address up'
      : ''
  return fail(
    `The gateway is healthy on 127.0.0.1 but not answering on ${target} (${why})${cause}.`,
    'claw-mesh gateway start (restarts it when the address is missing)',
    {kind: 'restart-gateway'},
  )
}

export type ServiceProbe =
  | {runner: 'none'}
  | {runner: 'background'; pid?: number; alive: boolean}
  | {
      runner: 'service'
      installed: boolean
      running: boolean
      detail?: string
      linger?: boolean
      user?: string
      rebootWarning?: string
    }
  | {runner: 'external'}

export function evalService(probe: ServiceProbe, startCommand: string): CheckOutcome {
  switch (probe.runner) {
    case 'none':
      return skip('claw-mesh has not started this gateway (claw-mesh bootstrap)')
    case 'external':
      return skip('the gateway is run by something else (not claw-mesh)')
    case 'background':
      if (probe.alive) return pass(`background process ${probe.pid} is running`)
      return fail(`The background gateway process${probe.pid ? ` ${probe.pid}` : ''} is not running.`, startCommand, {
        kind: 'restart-gateway',
      })
    case 'service': {
      if (!probe.installed)
        return fail(`The gateway service is not installed${probe.detail ? ` (${probe.detail})` : ''}.`, startCommand, {
          kind: 'restart-gateway',
        })
      if (!probe.running)
        return fail(
          `The gateway service is installed but not running${probe.detail ? ` (${probe.detail})` : ''}.`,
          startCommand,
          {kind: 'restart-gateway'},
        )
      if (probe.linger === false) {
        const user = probe.user ?? '$USER'
        return warn(
          `The service runs, but systemd lingering is off for ${user}: it stops when you log out.`,
          `loginctl enable-linger ${user}`,
          {kind: 'enable-linger', user},
        )
      }
      // macOS: a LaunchAgent runs only in a logged-in desktop session; without automatic login a reboot ends the mesh.
      if (probe.rebootWarning)
        return warn(
          probe.rebootWarning,
          'Turn on automatic login for this user (System Settings → Users & Groups; needs FileVault off), or log in after every reboot; see docs/platforms/macos.md',
        )
      return pass(`service running${probe.detail ? ` (${probe.detail})` : ''}`)
    }
  }
}

export type TokenProbe =
  | {state: 'unconfigured'; why: string}
  | {state: 'ok'; where: string}
  | {state: 'missing'; where: string; restorable: boolean}
  | {state: 'unresolved'; where: string; error: string}
  | {state: 'mismatch'; where: string}
  | {state: 'unreadable'; error: string}

export function evalGatewayTokenPresent(probe: TokenProbe): CheckOutcome {
  switch (probe.state) {
    case 'unconfigured':
      return skip(probe.why)
    case 'unreadable':
      return skip(`the secret store could not be read (see secrets-file): ${probe.error}`)
    case 'ok':
      return pass(probe.where)
    case 'missing':
      return fail(
        `The gateway token is not where claw-mesh keeps it (${probe.where}).`,
        probe.restorable
          ? 'claw-mesh doctor --fix (copies it back from openclaw.json)'
          : 'claw-mesh bootstrap (creates a new token; peers with the old one need a new invite)',
        probe.restorable ? {kind: 'restore-secret', name: 'gateway-token', from: 'gateway.auth.token'} : undefined,
      )
    case 'unresolved':
      return fail(
        `gateway.auth.token is a SecretRef that does not resolve (${probe.where}): ${probe.error}`,
        REMEDY_CONFIGURE,
        {kind: 'configure-gateway'},
      )
    case 'mismatch':
      return fail(
        `The gateway token in the secret store differs from the one openclaw.json gives the gateway (${probe.where}).`,
        REMEDY_CONFIGURE,
        {kind: 'configure-gateway'},
      )
  }
}

export type HandshakeProbe =
  | {ran: false; reason: string}
  | {ran: true; ok: true; detail?: string}
  | {ran: true; ok: false; refused: boolean; lockedOut?: boolean; message: string}

export function evalHandshake(probe: HandshakeProbe): CheckOutcome {
  if (!probe.ran) return skip(probe.reason)
  if (probe.ok)
    return pass(`the gateway accepts the token (WebSocket connect${probe.detail ? `, ${probe.detail}` : ''})`)
  // A lockout is not a verdict on the token: reconfiguring or restarting would be the wrong remedy.
  if (probe.lockedOut) {
    return warn(
      `Not verified: ${probe.message}. Someone sent this gateway wrong tokens from an address this host's own clients share.`,
      'Wait for the lockout to end, then run claw-mesh doctor again; keep gateway.auth.rateLimit.exemptLoopback at true (claw-mesh gateway configure writes it) so tailnet clients cannot lock out local ones.',
    )
  }
  if (probe.refused)
    return fail(`The gateway refused the token claw-mesh holds: ${probe.message}`, REMEDY_CONFIGURE, {
      kind: 'configure-gateway',
    })
  return fail(`WebSocket connect failed: ${probe.message}`, 'openclaw gateway status --deep')
}

function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0')
}

export function shellQuote(text: string): string {
  return /^[A-Za-z0-9_./:@%+=-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`
}
