import JSON5 from 'json5'
import {UsageError} from '../common/errors.js'
import type {GatewayExpose} from './gateway-url.js'

export type {GatewayExpose} from './gateway-url.js'

/** openclaw.json as parsed: a plain JSON object. claw-mesh owns a handful of paths and keeps everything else. */
export type OpenClawConfig = Record<string, unknown>

/** `{source, provider, id}`: OpenClaw reads the value from a secret provider instead of the file. */
export interface SecretRef {
  source: 'env' | 'file' | 'exec' | 'store'
  provider: string
  id: string
}

/** The secret-provider alias claw-mesh declares under `secrets.providers`. */
export const CLAW_MESH_PROVIDER = 'clawmesh'

export const EXPOSE_MODES: readonly GatewayExpose[] = ['tailnet', 'serve', 'lan']

/**
 * Parses openclaw.json (JSON5). A syntax error becomes a UsageError naming the file and line:column, so nothing
 * is changed and the user knows where to look.
 */
export function parseOpenClawConfig(text: string, file: string): OpenClawConfig {
  if (text.trim() === '') return {}
  let parsed: unknown
  try {
    parsed = JSON5.parse(text)
  } catch (error) {
    const e = error as SyntaxError & {lineNumber?: number; columnNumber?: number}
    const where = e.lineNumber !== undefined ? `${file}:${e.lineNumber}:${e.columnNumber ?? 1}` : file
    const what = e.message.replace(/^JSON5:\s*/, '').replace(/\s+at \d+:\d+$/, '')
    throw new UsageError(`${where}: openclaw.json is not valid JSON5 (${what}).`, {
      code: 'openclaw-config-syntax',
      hint: `Fix the syntax at line ${e.lineNumber ?? '?'}, column ${e.columnNumber ?? '?'} (or run \`openclaw config validate\`), then re-run. claw-mesh did not change the file.`,
    })
  }
  if (!isObject(parsed)) {
    throw new UsageError(`${file}: openclaw.json must hold a JSON object at the top level.`, {
      code: 'openclaw-config-shape',
      hint: 'Fix the file (or move it away so claw-mesh starts a new one), then re-run.',
    })
  }
  return parsed
}

/** How claw-mesh writes the file: plain JSON, 2-space indent, like OpenClaw's own writers (comments are not kept). */
export function serializeOpenClawConfig(config: OpenClawConfig): string {
  return `${JSON.stringify(config, null, 2)}\n`
}

/** True when the text uses JSON5-only syntax (comments, trailing commas, unquoted keys) that a rewrite drops. */
export function usesJson5Syntax(text: string): boolean {
  if (text.trim() === '') return false
  try {
    JSON.parse(text)
    return false
  } catch {
    return true
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function getPath(config: unknown, segments: readonly string[]): unknown {
  let node: unknown = config
  for (const key of segments) {
    if (!isObject(node)) return undefined
    node = node[key]
  }
  return node
}

export function isSecretRef(value: unknown): value is SecretRef {
  return (
    isObject(value) &&
    typeof value.source === 'string' &&
    typeof value.provider === 'string' &&
    typeof value.id === 'string'
  )
}

/** Deep equality for JSON values; object key order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    return a.every((v, i) => jsonEqual(v, b[i]))
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined)
    const kb = Object.keys(b).filter((k) => b[k] !== undefined)
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]))
  }
  return false
}

/** What openclaw.json says about the gateway, as status and start need it (never a secret value). */
export interface GatewaySettings {
  mode?: string
  port?: number
  bind?: string
  authMode?: string
  /** Where the gateway token comes from. */
  token: {kind: 'secret-ref'; ref: SecretRef} | {kind: 'plaintext'} | {kind: 'none'}
  tailscaleMode?: string
  reloadMode?: string
  hooks: {enabled: boolean; path: string; tokenSet: boolean}
  /** The declared provider behind a SecretRef token, if any. */
  provider?: Record<string, unknown>
}

export function readGatewaySettings(config: OpenClawConfig): GatewaySettings {
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined)
  const tokenValue = getPath(config, ['gateway', 'auth', 'token'])
  const token: GatewaySettings['token'] = isSecretRef(tokenValue)
    ? {kind: 'secret-ref', ref: tokenValue}
    : typeof tokenValue === 'string' && tokenValue !== ''
      ? {kind: 'plaintext'}
      : {kind: 'none'}
  const provider =
    token.kind === 'secret-ref' ? getPath(config, ['secrets', 'providers', token.ref.provider]) : undefined
  const port = getPath(config, ['gateway', 'port'])
  const hooksPath = str(getPath(config, ['hooks', 'path'])) ?? '/hooks'
  return {
    mode: str(getPath(config, ['gateway', 'mode'])),
    port: typeof port === 'number' ? port : undefined,
    bind: str(getPath(config, ['gateway', 'bind'])),
    authMode: str(getPath(config, ['gateway', 'auth', 'mode'])),
    token,
    tailscaleMode: str(getPath(config, ['gateway', 'tailscale', 'mode'])),
    reloadMode: str(getPath(config, ['gateway', 'reload', 'mode'])),
    hooks: {
      enabled: getPath(config, ['hooks', 'enabled']) === true,
      path: normalizeHooksPath(hooksPath),
      tokenSet: typeof getPath(config, ['hooks', 'token']) === 'string' && getPath(config, ['hooks', 'token']) !== '',
    },
    provider: isObject(provider) ? provider : undefined,
  }
}

/** OpenClaw adds a leading slash and removes trailing ones. */
export function normalizeHooksPath(value: string): string {
  const trimmed = value.trim().replace(/\/+$/, '')
  return trimmed.startsWith('/') ? trimmed : `/${trimmed}`
}

/** The plain-string hooks token (hooks.token does not accept a SecretRef). */
export function hooksTokenOf(config: OpenClawConfig): string | undefined {
  const v = getPath(config, ['hooks', 'token'])
  return typeof v === 'string' && v !== '' ? v : undefined
}

/** A plain-string gateway token, if the file holds one (claw-mesh adopts it into the secret store). */
export function plaintextGatewayTokenOf(config: OpenClawConfig): string | undefined {
  const v = getPath(config, ['gateway', 'auth', 'token'])
  return typeof v === 'string' && v !== '' ? v : undefined
}
