import {ownDaemonSocket} from '../../platform/common.js'
import {UsageError} from './errors.js'
import {DEFAULT_GATEWAY_PORT, type GatewayExpose} from '../openclaw/gateway-url.js'
import {parseLoginServer} from '../tailscale/login-server.js'
import {EXPOSE_MODES} from '../openclaw/openclaw-config.js'
import type {State} from './state-schema.js'
import {assertPort} from './validate.js'

/**
 * The one place a setting is worked out from flags, environment, recorded state, openclaw.json and what the tailnet
 * said. Pure: every input is a parameter, so each precedence is a table test. A value worked out in two places is
 * how a plan and its apply step came to disagree (bootstrap's plan checked peer URLs without the recorded MagicDNS
 * suffix, its apply step with it). Services ask here and never re-derive.
 *
 * Each resolver takes the same input and returns the value with where it came from (for `doctor` and messages).
 * They are separate functions so a command pays only for what it asks: a bad $CLAW_MESH_KEYCHAIN_TIMEOUT_MS stops
 * the commands that open the keychain, not `tailscale status`.
 */

/** The environment variables claw-mesh's settings read (documented in docs/configuration.md). */
export const SETTINGS_ENV = {
  tailscaleSocket: 'CLAW_MESH_TAILSCALE_SOCKET',
  tailscaleNetworking: 'CLAW_MESH_TAILSCALE_NETWORKING',
  tailscaleCli: 'CLAW_MESH_TAILSCALE',
  openclawBin: 'CLAW_MESH_OPENCLAW',
  loginServer: 'CLAW_MESH_LOGIN_SERVER',
  secretStore: 'CLAW_MESH_SECRET_STORE',
  keychainTimeout: 'CLAW_MESH_KEYCHAIN_TIMEOUT_MS',
} as const

export type SettingSource =
  | 'flag'
  | `$${(typeof SETTINGS_ENV)[keyof typeof SETTINGS_ENV]}`
  | 'state'
  | 'openclaw.json'
  | 'tailscale status'
  | 'default'

export interface Sourced<T> {
  value: T
  source: SettingSource
}

export type SecretBackendChoice = 'auto' | 'keychain' | 'file'
export type TailscaleNetworkingChoice = 'auto' | 'kernel' | 'userspace'

export interface SettingsFlags {
  socket?: string
  networking?: string
  loginServer?: string
  port?: number
  expose?: string
  secretStore?: string
}

export interface SettingsInput {
  flags?: SettingsFlags
  env: Readonly<Record<string, string | undefined>>
  /** Recorded state; undefined when there is none or it cannot be read (doctor reports a damaged file). */
  state?: Pick<State, 'tailscale' | 'gateway' | 'secrets'>
  /** openclaw.json as read and parsed: undefined when it was not read, is missing or does not parse. */
  openclawConfig?: {path?: string; port?: number}
  /** What `tailscale status` said, when the caller observed it. */
  tailscaleStatus?: {magicDNSSuffix?: string | null} | null
  platform: {id: string}
  stateDir: string
}

/** What the gateway settings depend on: flags, recorded state and openclaw.json (never the environment). */
export type GatewayInput = Pick<SettingsInput, 'flags' | 'state' | 'openclawConfig'>

const NETWORKING: readonly TailscaleNetworkingChoice[] = ['auto', 'kernel', 'userspace']
const SECRET_BACKENDS: readonly SecretBackendChoice[] = ['auto', 'keychain', 'file']

/** An environment variable's value; empty counts as unset (as `VAR= claw-mesh …` means "not this time"). */
function envOf(input: Pick<SettingsInput, 'env'>, name: string): string | undefined {
  const value = input.env[name]
  return value === undefined || value === '' ? undefined : value
}

function badEnv(name: string, value: string, expected: string, hint: string): UsageError {
  return new UsageError(`${name}=${JSON.stringify(value.slice(0, 80))} is not ${expected}.`, {
    code: 'env-invalid',
    hint,
  })
}

function first<T>(...candidates: [T | undefined, SettingSource][]): Sourced<T> | undefined {
  for (const [value, source] of candidates) if (value !== undefined) return {value, source}
  return undefined
}

/** `--networking`, else $CLAW_MESH_TAILSCALE_NETWORKING (checked like the flag), else unset (auto). */
export function tailscaleNetworkingSetting(
  input: Pick<SettingsInput, 'env' | 'flags'>,
): Sourced<TailscaleNetworkingChoice | undefined> {
  const name = SETTINGS_ENV.tailscaleNetworking
  const env = envOf(input, name)
  if (env !== undefined && !(NETWORKING as readonly string[]).includes(env))
    throw badEnv(name, env, `one of ${NETWORKING.join(', ')}`, 'Set it to auto, kernel or userspace, or unset it.')
  const flag = input.flags?.networking
  return (
    first<TailscaleNetworkingChoice>(
      [flag as TailscaleNetworkingChoice | undefined, 'flag'],
      [env as TailscaleNetworkingChoice | undefined, `$${name}`],
    ) ?? {value: undefined, source: 'default'}
  )
}

/**
 * Which tailscaled claw-mesh talks to: --socket, else $CLAW_MESH_TAILSCALE_SOCKET, else the socket claw-mesh
 * recorded (a tailscaled it started), else — when a networking mode was asked for (--networking,
 * $CLAW_MESH_TAILSCALE_NETWORKING), which means a tailscaled of claw-mesh's own — that daemon's socket in the state
 * dir, even where the machine's own tailscaled answers (a second user on a shared machine), else undefined: the OS
 * default.
 */
export function tailscaleSocketSetting(input: SettingsInput): Sourced<string | undefined> {
  const networking = tailscaleNetworkingSetting(input)
  const own =
    input.platform.id !== 'win32' && (networking.value === 'userspace' || networking.value === 'kernel')
      ? ownDaemonSocket(input.stateDir)
      : undefined
  return (
    first<string>(
      [input.flags?.socket, 'flag'],
      [envOf(input, SETTINGS_ENV.tailscaleSocket), `$${SETTINGS_ENV.tailscaleSocket}`],
      [input.state?.tailscale?.socket, 'state'],
      [own, networking.source],
    ) ?? {value: undefined, source: 'default'}
  )
}

/** $CLAW_MESH_TAILSCALE: the tailscale CLI to use instead of searching PATH and the install locations. */
export function tailscaleCliOverride(input: Pick<SettingsInput, 'env'>): string | undefined {
  return envOf(input, SETTINGS_ENV.tailscaleCli)
}

/** $CLAW_MESH_OPENCLAW: the openclaw executable to use instead of the one on PATH. */
export function openclawBinOverride(input: Pick<SettingsInput, 'env'>): string | undefined {
  return envOf(input, SETTINGS_ENV.openclawBin)
}

/** The control server: --login-server, else $CLAW_MESH_LOGIN_SERVER, else what an earlier join recorded; undefined: Tailscale's. */
export function loginServerSetting(input: Pick<SettingsInput, 'env' | 'flags' | 'state'>): Sourced<string | undefined> {
  return (
    first<string>(
      [parseLoginServer(input.flags?.loginServer), 'flag'],
      [
        parseLoginServer(envOf(input, SETTINGS_ENV.loginServer), SETTINGS_ENV.loginServer),
        `$${SETTINGS_ENV.loginServer}`,
      ],
      [input.state?.tailscale?.loginServer, 'state'],
    ) ?? {value: undefined, source: 'default'}
  )
}

/**
 * The tailnet's MagicDNS suffix (`tail4f3a2.ts.net`, or a Headscale base domain): names under it are tailnet names.
 * What the node's status says now, else what the join recorded.
 */
export function magicDnsSuffixSetting(
  input: Pick<SettingsInput, 'state' | 'tailscaleStatus'>,
): Sourced<string | undefined> {
  return (
    first<string>(
      [input.tailscaleStatus?.magicDNSSuffix || undefined, 'tailscale status'],
      [input.state?.tailscale?.magicDNSSuffix || undefined, 'state'],
    ) ?? {value: undefined, source: 'default'}
  )
}

/** The secret store to open: --secret-store, else $CLAW_MESH_SECRET_STORE, else the recorded one, else auto. */
export function secretBackendSetting(
  input: Pick<SettingsInput, 'env' | 'flags' | 'state'>,
): Sourced<SecretBackendChoice> {
  const name = SETTINGS_ENV.secretStore
  const env = envOf(input, name)
  if (env !== undefined && !(SECRET_BACKENDS as readonly string[]).includes(env))
    throw badEnv(name, env, `one of ${SECRET_BACKENDS.join(', ')}`, 'Set it to auto, keychain or file, or unset it.')
  return (
    first<SecretBackendChoice>(
      [input.flags?.secretStore as SecretBackendChoice | undefined, 'flag'],
      [env as SecretBackendChoice | undefined, `$${name}`],
      [input.state?.secrets?.backend, 'state'],
    ) ?? {value: 'auto', source: 'default'}
  )
}

/** $CLAW_MESH_KEYCHAIN_TIMEOUT_MS: how long one keychain call may take; undefined: the store's own default. */
export function keychainTimeoutSetting(input: Pick<SettingsInput, 'env'>): number | undefined {
  const name = SETTINGS_ENV.keychainTimeout
  const env = envOf(input, name)
  if (env === undefined) return undefined
  const ms = Number(env)
  if (!/^\d+$/.test(env) || !Number.isSafeInteger(ms) || ms < 1)
    throw badEnv(name, env, 'a whole number of milliseconds', 'Set it to e.g. 30000 (30 s), or unset it.')
  return ms
}

/** How the gateway is opened to peers: --expose, else the recorded mode, else tailnet. */
export function gatewayExposureSetting(input: Pick<SettingsInput, 'flags' | 'state'>): Sourced<GatewayExpose> {
  const flag = input.flags?.expose
  if (flag !== undefined && !(EXPOSE_MODES as readonly string[]).includes(flag)) {
    throw new UsageError(`--expose ${JSON.stringify(flag)} is not one of ${EXPOSE_MODES.join(', ')}.`, {
      hint: 'Use --expose tailnet (default: the gateway listens on the Tailscale IP), serve (Tailscale Serve, HTTPS) or lan.',
    })
  }
  return (
    first<GatewayExpose>([flag as GatewayExpose | undefined, 'flag'], [input.state?.gateway?.expose, 'state']) ?? {
      value: 'tailnet',
      source: 'default',
    }
  )
}

/** The gateway port claw-mesh configures: --port, else the recorded one, else what openclaw.json has, else 18789. */
export function gatewayPortSetting(input: GatewayInput): Sourced<number> {
  const flag = input.flags?.port === undefined ? undefined : assertPort(input.flags.port)
  return (
    first<number>(
      [flag, 'flag'],
      [input.state?.gateway?.port, 'state'],
      [input.openclawConfig?.port, 'openclaw.json'],
    ) ?? {value: DEFAULT_GATEWAY_PORT, source: 'default'}
  )
}

/**
 * The port openclaw.json tells the gateway to listen on: the file's, else (not read) the recorded one, else 18789.
 * A file that was read but names no port means OpenClaw's default, whatever state says.
 */
export function configuredGatewayPortSetting(input: GatewayInput): Sourced<number> {
  if (input.openclawConfig)
    return input.openclawConfig.port === undefined
      ? {value: DEFAULT_GATEWAY_PORT, source: 'default'}
      : {value: input.openclawConfig.port, source: 'openclaw.json'}
  return first<number>([input.state?.gateway?.port, 'state']) ?? {value: DEFAULT_GATEWAY_PORT, source: 'default'}
}

/** The port the gateway listens on now: the one it was started with (recorded), else the configured one. */
export function appliedGatewayPortSetting(input: GatewayInput): Sourced<number> {
  const applied = input.state?.gateway?.appliedPort
  return applied === undefined ? configuredGatewayPortSetting(input) : {value: applied, source: 'state'}
}

/** openclaw.json's path: the recorded one (configure wrote there), else where OpenClaw keeps it. */
export function gatewayConfigPathSetting(input: GatewayInput): Sourced<string | undefined> {
  return (
    first<string>([input.state?.gateway?.configPath, 'state'], [input.openclawConfig?.path, 'openclaw.json']) ?? {
      value: undefined,
      source: 'default',
    }
  )
}

export interface Settings {
  tailscaleSocket: Sourced<string | undefined>
  tailscaleNetworking: Sourced<TailscaleNetworkingChoice | undefined>
  tailscaleCli?: string
  openclawBin?: string
  loginServer: Sourced<string | undefined>
  magicDnsSuffix: Sourced<string | undefined>
  gateway: {
    configPath: Sourced<string | undefined>
    port: Sourced<number>
    configuredPort: Sourced<number>
    appliedPort: Sourced<number>
    exposure: Sourced<GatewayExpose>
  }
  secretBackend: Sourced<SecretBackendChoice>
  keychainTimeoutMs?: number
}

/** Every setting at once (doctor, tests). Throws the first bad input, naming the flag or variable. */
export function resolveSettings(input: SettingsInput): Settings {
  return {
    tailscaleSocket: tailscaleSocketSetting(input),
    tailscaleNetworking: tailscaleNetworkingSetting(input),
    tailscaleCli: tailscaleCliOverride(input),
    openclawBin: openclawBinOverride(input),
    loginServer: loginServerSetting(input),
    magicDnsSuffix: magicDnsSuffixSetting(input),
    gateway: {
      configPath: gatewayConfigPathSetting(input),
      port: gatewayPortSetting(input),
      configuredPort: configuredGatewayPortSetting(input),
      appliedPort: appliedGatewayPortSetting(input),
      exposure: gatewayExposureSetting(input),
    },
    secretBackend: secretBackendSetting(input),
    keychainTimeoutMs: keychainTimeoutSetting(input),
  }
}
