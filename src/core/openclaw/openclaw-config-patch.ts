import {
  CLAW_MESH_PROVIDER,
  getPath,
  isObject,
  isSecretRef,
  jsonEqual,
  type GatewayExpose,
  type OpenClawConfig,
  type SecretRef,
} from './openclaw-config.js'

/** What claw-mesh wants openclaw.json to say. Everything else in the file is the user's and stays as it is. */
export interface DesiredGateway {
  expose: GatewayExpose
  port: number
  /** A SecretRef (keychain via exec, or the file store via OpenClaw's file provider). */
  gatewayToken: SecretRef
  /** The provider the ref points at, declared as `secrets.providers.<alias>`. */
  provider: Record<string, unknown>
  /** hooks.token must be a plain string (OpenClaw refuses a SecretRef there). */
  hooksToken: string
  /** Further paths claw-mesh owns (the A2A channel, the hooks lockdown); `value: undefined` deletes the key. */
  extra?: Assignment[]
  /**
   * Userspace networking: tailscaled hands every tailnet connection to 127.0.0.1, so the gateway sees peers as
   * local clients. Its silent approval of local device pairing is turned off (a peer must never pass for this host).
   */
  userspace?: boolean
}

export interface Assignment {
  path: string[]
  value: unknown
}

export interface ConfigChange {
  /** Dotted path, e.g. `gateway.bind`. */
  path: string
  from: unknown
  to: unknown
  /** True when the value is a secret: never print it. */
  secret: boolean
}

export interface ConfigPatchPlan {
  changes: ConfigChange[]
  /** The whole config after the patch (a new object; `current` is not modified). */
  next: OpenClawConfig
  changed: boolean
}

/** bind and tailscale.mode per exposure mode (serve needs a loopback bind: the gateway enforces it). */
export const EXPOSURE: Record<GatewayExpose, {bind: string; tailscaleMode: string}> = {
  tailnet: {bind: 'tailnet', tailscaleMode: 'off'},
  serve: {bind: 'loopback', tailscaleMode: 'serve'},
  lan: {bind: 'lan', tailscaleMode: 'off'},
}

/** Paths whose string values are secrets. */
const SECRET_PATHS = new Set([
  'hooks.token',
  'gateway.auth.token',
  'gateway.auth.password',
  'gateway.remote.token',
  'gateway.remote.password',
])
const SECRET_PATTERN = /^channels\.a2a\.peers\.[^.]+\.(token|outboundToken)$/

/** Secret as a whole object (a member's proof settings hold its proof key): masked whatever the value's type. */
const SECRET_OBJECTS = new Set(['plugins.entries.claw-mesh.config.meshProof'])

function isSecretPath(dotted: string): boolean {
  return SECRET_PATHS.has(dotted) || SECRET_PATTERN.test(dotted)
}

export function desiredAssignments(d: DesiredGateway): Assignment[] {
  const exposure = EXPOSURE[d.expose]
  return [
    {path: ['gateway', 'mode'], value: 'local'},
    {path: ['gateway', 'port'], value: d.port},
    {path: ['gateway', 'bind'], value: exposure.bind},
    {path: ['gateway', 'auth', 'mode'], value: 'token'},
    {path: ['secrets', 'providers', CLAW_MESH_PROVIDER], value: d.provider},
    {path: ['gateway', 'auth', 'token'], value: d.gatewayToken},
    {path: ['gateway', 'tailscale', 'mode'], value: exposure.tailscaleMode},
    {path: ['hooks', 'enabled'], value: true},
    {path: ['hooks', 'token'], value: d.hooksToken},
    ...(d.userspace ? [{path: ['gateway', 'nodes', 'pairing', 'autoApproveLocal'], value: false}] : []),
    ...(d.extra ?? []),
  ]
}

/** OpenClaw's own suggestion for `gateway.auth.rateLimit` (its security audit asks for one on any non-loopback bind). */
export const DEFAULT_AUTH_RATE_LIMIT = {maxAttempts: 10, windowMs: 60_000, lockoutMs: 300_000}

/** Exactly what claw-mesh wrote for userspace hosts before: its own limit with loopback not exempt. */
function isEarlierUserspaceLimit(limit: Record<string, unknown>): boolean {
  const {exemptLoopback, ...rest} = limit
  return exemptLoopback === false && JSON.stringify(rest) === JSON.stringify(DEFAULT_AUTH_RATE_LIMIT)
}

/**
 * What OpenClaw's security audit asks of a gateway bound beyond loopback, kept to what the user has not chosen
 * already: the browser origin peers and the user reach it at in `gateway.controlUi.allowedOrigins` (added to any
 * list there), and a failed-auth rate limit (the user's own kept). Loopback stays exempt, as OpenClaw has it: in
 * userspace networking every tailnet client arrives from 127.0.0.1 too, and a limit that counted them would let any
 * tailnet node lock the operator out for 5 minutes per 10 packets, while 256-bit tokens need no limit against
 * guessing. The `exemptLoopback: false` earlier versions wrote there is taken back.
 */
export function exposureHardening(
  current: OpenClawConfig,
  d: {expose: GatewayExpose; advertisedUrl?: string; userspace?: boolean},
): Assignment[] {
  if (d.expose === 'serve') return [] // a loopback bind: nothing for the audit to ask
  const out: Assignment[] = []
  const origins = getPath(current, ['gateway', 'controlUi', 'allowedOrigins'])
  const list = Array.isArray(origins) ? origins.filter((o): o is string => typeof o === 'string') : []
  const origin = d.advertisedUrl ? new URL(d.advertisedUrl).origin : undefined
  if (origin && !list.includes(origin) && !list.includes('*'))
    out.push({path: ['gateway', 'controlUi', 'allowedOrigins'], value: [...list, origin]})
  const limit = getPath(current, ['gateway', 'auth', 'rateLimit'])
  const base = isObject(limit) && !isEarlierUserspaceLimit(limit) ? limit : DEFAULT_AUTH_RATE_LIMIT
  out.push({path: ['gateway', 'auth', 'rateLimit'], value: base})
  return out
}

/**
 * The pure heart of `gateway configure`: which of claw-mesh's paths differ from what it wants, and the whole
 * config after setting them. Unrelated keys are carried over untouched; an already-correct config yields no
 * change (so nothing is written, not even a backup).
 */
export function planConfigPatch(current: OpenClawConfig, desired: DesiredGateway): ConfigPatchPlan {
  return planAssignments(current, desiredAssignments(desired))
}

/** Any list of claw-mesh's assignments applied to a copy of `current`, with the changes they make. */
export function planAssignments(current: OpenClawConfig, assignments: readonly Assignment[]): ConfigPatchPlan {
  const next = structuredClone(current)
  const changes: ConfigChange[] = []
  for (const {path, value} of assignments) {
    const from = getPath(next, path)
    if (jsonEqual(from, value)) continue
    if (value === undefined) deletePath(next, path)
    else setPath(next, path, structuredClone(value))
    const dotted = path.join('.')
    changes.push({
      path: dotted,
      from,
      to: value,
      secret:
        SECRET_OBJECTS.has(dotted) || (isSecretPath(dotted) && (typeof from === 'string' || typeof value === 'string')),
    })
  }
  return {changes, next, changed: changes.length > 0}
}

/** Sets a value, creating (or replacing non-object) parents on the way. */
export function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let node = target
  for (const key of path.slice(0, -1)) {
    if (!isObject(node[key])) node[key] = {}
    node = node[key] as Record<string, unknown>
  }
  node[path[path.length - 1]] = value
}

/** Removes a key (and nothing else: an emptied parent object stays, as the user may have put it there). */
export function deletePath(target: Record<string, unknown>, path: readonly string[]): void {
  let node: unknown = target
  for (const key of path.slice(0, -1)) {
    if (!isObject(node) || !isObject(node[key])) return
    node = node[key]
  }
  if (isObject(node)) delete node[path[path.length - 1]]
}

/** A change list safe to print or put in --json: secret strings become "[secret]". */
export function maskChanges(changes: readonly ConfigChange[]): ConfigChange[] {
  const mask = (v: unknown) => (typeof v === 'string' || isObject(v) ? '[secret]' : v)
  return changes.map((c) => (c.secret ? {...c, from: mask(c.from), to: mask(c.to)} : c))
}

/** One line per change for people: `gateway.bind: "0.0.0.0" → "tailnet"`. */
export function describeChange(change: ConfigChange): string {
  const show = (v: unknown) => {
    if (v === undefined) return '(unset)'
    if (change.secret && typeof v === 'string') return '[secret]'
    if (isSecretRef(v)) return `SecretRef ${v.source}:${v.provider}:${v.id}`
    return JSON.stringify(v)
  }
  return `${change.path}: ${show(change.from)} → ${show(change.to)}`
}
