import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

/**
 * Source scans that keep each setting worked out in one place (src/core/common/settings.ts) and every environment variable
 * claw-mesh reads documented. A new `env.CLAW_MESH_TAILSCALE_SOCKET` or `?? 18789` in a service fails here: ask the
 * resolver instead.
 */
const ROOT = path.resolve(import.meta.dirname, '../..')
const SRC = path.join(ROOT, 'src')

function sources(dir = SRC): {file: string; text: string}[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => {
    const p = path.join(dir, e.name)
    if (e.isDirectory()) return sources(p)
    return e.name.endsWith('.ts') ? [{file: path.relative(ROOT, p), text: readFileSync(p, 'utf8')}] : []
  })
}

/** Code only: comments and hints name variables and ports without deriving anything. */
function code(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1')
}

/** Code without string literals: messages and flag descriptions name OpenClaw's default port. */
function bareCode(text: string): string {
  return code(text).replace(/'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|`(?:[^`\\]|\\.)*`/g, "''")
}

function sitesOf(pattern: RegExp, strip = code): string[] {
  return sources()
    .filter(({text}) => pattern.test(strip(text)))
    .map(({file}) => file)
    .sort()
}

/**
 * The resolver, and two pure functions whose optional port parameter defaults to the one constant (callers pass the
 * resolved port): not a precedence of their own.
 */
const RESOLVER = [
  'src/core/common/settings.ts',
  'src/core/openclaw/gateway-url.ts',
  'src/core/pairing/mesh-discovery.ts',
]

describe('each setting is derived in one place', () => {
  it.each([
    ['the tailscaled socket variable', /env\??\.CLAW_MESH_TAILSCALE_SOCKET\b/],
    ['the networking variable', /env\??\.CLAW_MESH_TAILSCALE_NETWORKING\b/],
    ['the tailscale CLI override', /env\??\.CLAW_MESH_TAILSCALE\b(?!_)/],
    ['the openclaw override', /env\??\.CLAW_MESH_OPENCLAW\b(?!_)/],
    ['the login server variable', /env\??\.CLAW_MESH_LOGIN_SERVER\b/],
    ['the secret store variable', /env\??\.CLAW_MESH_SECRET_STORE\b/],
    ['the keychain timeout variable', /env\??\.CLAW_MESH_KEYCHAIN_TIMEOUT_MS\b/],
    ['the recorded socket', /tailscale\??\.socket\b/],
    ['the recorded MagicDNS suffix', /tailscale\??\.magicDNSSuffix\b/],
    ['the recorded login server', /tailscale\??\.loginServer\b(?!\s*=)/],
    ['the recorded secret backend', /secrets\??\.backend\s*\?\?/],
    [
      'a gateway port fallback',
      /(appliedPort|gateway\??\.port|\.port)\s*\?\?\s*(DEFAULT_GATEWAY_PORT|18789|state|settings|g\b)/,
    ],
  ])('%s is read only by the resolver', (_what, pattern) => {
    expect(sitesOf(pattern).filter((f) => !RESOLVER.includes(f))).toEqual([])
  })

  it('the literal port 18789 is code only in the one constant (core/openclaw/gateway-url)', () => {
    expect(sitesOf(/\b18789\b/, bareCode)).toEqual(['src/core/openclaw/gateway-url.ts'])
  })
})
