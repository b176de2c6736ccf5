import {readFileSync} from 'node:fs'
import type {IncomingMessage, ServerResponse} from 'node:http'
import {sanitizeCaps, sanitizeDescription, type SelfDescription} from '../core/a2a/capabilities.js'
import {buildMeshCard, MESH_CARD_PATH, type MeshCard} from '../core/mesh/mesh-card.js'
import {currentConfig, PLUGIN_ID, type PluginApi} from './host.js'

/**
 * The claw-mesh card on the gateway port (`GET /claw-mesh/v1/card`): what this host offers, for peers and any A2A
 * client. `auth: "plugin"`: the route is public on purpose (like OpenClaw's own Agent Card) and says only what the
 * owner chose to publish; no token, no peer, nothing else of the config.
 */
export interface RouteApi extends PluginApi {
  registerHttpRoute?(route: {
    path: string
    auth: 'plugin' | 'gateway'
    match?: 'exact' | 'prefix'
    handler: (req: IncomingMessage, res: ServerResponse) => boolean | Promise<boolean>
  }): void
}

function isObject(value: unknown): value is Record<string, unknown> {
  return Boolean(value) && typeof value === 'object' && !Array.isArray(value)
}

function pick(value: unknown, ...keys: string[]): unknown {
  let v = value
  for (const k of keys) v = isObject(v) ? v[k] : undefined
  return v
}

let version: string | undefined
/** The plugin's version: the package.json installed next to the bundle (absent when run from source: "dev"). */
export function pluginVersion(): string {
  if (version) return version
  try {
    const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {version?: unknown}
    version = typeof pkg.version === 'string' ? pkg.version : 'dev'
  } catch {
    version = 'dev'
  }
  return version
}

/**
 * The card as the running config says now (a `config set` of the plugin's entry shows at once, without waiting for
 * the plugin to be registered again). The values were validated when claw-mesh wrote them; they are checked again
 * here because anyone with the config file could have edited them.
 */
export function cardFor(api: PluginApi, requestOrigin: string): MeshCard {
  const config = currentConfig(api)
  const live = pick(config, 'plugins', 'entries', PLUGIN_ID, 'config')
  const settings = isObject(live) ? live : isObject(api.pluginConfig) ? api.pluginConfig : {}
  const self: SelfDescription = {caps: sanitizeCaps(Array.isArray(settings.caps) ? settings.caps : [])}
  const description = sanitizeDescription(settings.description)
  if (description) self.description = description
  const meshName =
    typeof settings.meshName === 'string' && /^[a-z0-9][a-z0-9-]{0,62}$/.test(settings.meshName)
      ? settings.meshName
      : 'claw-mesh'
  const advertised = pick(config, 'channels', 'a2a', 'advertisedUrl')
  const baseUrl = typeof advertised === 'string' && /^https?:\/\//.test(advertised) ? advertised : requestOrigin
  // The OpenClaw release serving the card: with the plugin version, a bootstrap re-run needs no `openclaw` process.
  const openclawVersion = typeof api.runtime?.version === 'string' ? api.runtime.version.slice(0, 32) : undefined
  return buildMeshCard({name: meshName, self, pluginVersion: pluginVersion(), openclawVersion, baseUrl})
}

/** Like OpenClaw's own card: the request's origin when no advertised URL is configured. */
function originOf(req: IncomingMessage): string {
  const encrypted = Boolean((req.socket as {encrypted?: boolean} | undefined)?.encrypted)
  try {
    return new URL(`${encrypted ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`).origin
  } catch {
    return `${encrypted ? 'https' : 'http'}://localhost`
  }
}

export function cardHandler(api: PluginApi) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, {allow: 'GET, HEAD', 'content-type': 'application/json; charset=utf-8'})
      res.end(JSON.stringify({error: 'Method not allowed: the claw-mesh card is read with GET'}))
      return true
    }
    const body = JSON.stringify(cardFor(api, originOf(req)))
    res.writeHead(200, {
      'content-type': 'application/json; charset=utf-8',
      'cache-control': 'no-store',
      'content-length': String(Buffer.byteLength(body)),
    })
    res.end(req.method === 'HEAD' ? undefined : body)
    return true
  }
}

export function registerCardRoute(api: RouteApi): void {
  if (typeof api.registerHttpRoute !== 'function') {
    api.logger?.warn?.('claw-mesh: this OpenClaw has no registerHttpRoute; the claw-mesh card is not served')
    return
  }
  api.registerHttpRoute({path: MESH_CARD_PATH, auth: 'plugin', match: 'exact', handler: cardHandler(api)})
}
