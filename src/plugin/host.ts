import type {LimitsConfig} from '../core/mesh/mesh-guards.js'

/**
 * The part of OpenClaw's plugin API claw-mesh's plugin uses (2026.9.6; all of it marked experimental upstream).
 * Declared here rather than imported: the plugin is one self-contained file and must not pull OpenClaw's types.
 */
export interface ToolContext {
  agentId?: string
  sessionKey?: string
  sessionId?: string
  requesterSenderId?: string
  senderIsOwner?: boolean
  messageChannel?: string
}

export interface ToolResult {
  content: Array<{type: 'text'; text: string}>
  details?: unknown
}

export interface AgentTool {
  name: string
  label?: string
  description: string
  parameters: Record<string, unknown>
  catalogMode?: 'direct-only'
  getExecutionTimeoutMs?: () => number
  execute(toolCallId: string, params: Record<string, unknown>, signal?: AbortSignal): Promise<ToolResult>
}

export interface ServiceContext {
  stateDir?: string
}

export interface PluginApi {
  id?: string
  pluginConfig?: unknown
  config?: unknown
  logger?: {info?(msg: string): void; warn?(msg: string): void; error?(msg: string): void}
  registerTool(
    tool: ((ctx: ToolContext) => AgentTool | null | undefined) | AgentTool,
    opts?: {name?: string; names?: string[]},
  ): void
  on?(
    hook: 'message_received',
    handler: (
      event: {from?: string; content?: string; messageId?: string; senderId?: string; sessionKey?: string},
      ctx: {channelId?: string; conversationId?: string; sessionKey?: string},
    ) => void,
  ): void
  registerService(service: {
    id: string
    start(ctx: ServiceContext): void | Promise<void>
    stop?(ctx: ServiceContext): void | Promise<void>
  }): void
  runtime: {
    /** The OpenClaw product version (docs/plugins/sdk-runtime.md). */
    version?: unknown
    config?: {current?(): unknown}
    state?: {resolveStateDir?(env: NodeJS.ProcessEnv): string}
    system?: {
      enqueueSystemEvent?(text: string, opts: {sessionKey?: string; agentId?: string; contextKey?: string}): unknown
      requestHeartbeat?(opts: {
        source: string
        intent: string
        reason: string
        agentId?: string
        sessionKey?: string
      }): unknown
    }
  }
}

/** The plugin's own settings (`plugins.entries.claw-mesh.config`), as bootstrap writes them. */
export interface MeshPluginConfig extends LimitsConfig {
  /** claw-mesh's state dir: the audit log goes there. */
  auditDir?: string
  /** Keep message bodies in the audit log (off by default). */
  auditBodies?: boolean
  auditMaxBytes?: number
  /** How long a queued message may wait for its peer, in hours. */
  ttlHours?: number
  /** Longest pause between two delivery attempts, in ms. */
  retryMaxMs?: number
  /** What a host says it is good for, by peer name (claw-mesh copies it from its peer records). */
  peerNotes?: Record<string, string>
}

export const PLUGIN_ID = 'claw-mesh'

function isObject(value: unknown): value is Record<string, unknown> {
  return Boolean(value) && typeof value === 'object' && !Array.isArray(value)
}

export function readPluginConfig(raw: unknown): MeshPluginConfig {
  return isObject(raw) ? raw : {}
}

export interface MeshPeer {
  name: string
  url?: string
  /** Never shown to the agent; only the A2A client reads it. */
  outboundToken?: string
}

/**
 * The peers the gateway already has: `channels.a2a.peers` of the running config (claw-mesh writes them there).
 * The A2A channel takes plain strings for its tokens (with `${ENV}` substitution, which the runtime snapshot has
 * already applied), so the values here are the ones the channel itself presents.
 */
export function meshPeers(config: unknown): MeshPeer[] {
  const peers =
    isObject(config) &&
    isObject(config.channels) &&
    isObject(config.channels.a2a) &&
    isObject(config.channels.a2a.peers)
      ? config.channels.a2a.peers
      : {}
  return Object.entries(peers)
    .filter(([, p]) => isObject(p))
    .map(([name, p]) => {
      const peer = p as Record<string, unknown>
      return {
        name,
        url: typeof peer.url === 'string' ? peer.url : undefined,
        outboundToken: typeof peer.outboundToken === 'string' ? peer.outboundToken : undefined,
      }
    })
    .sort((a, b) => a.name.localeCompare(b.name))
}

/** Every token this gateway holds that the plugin can see: none of them may leave in a message body. */
export function ownSecrets(config: unknown): string[] {
  if (!isObject(config)) return []
  const out: string[] = []
  const add = (v: unknown) => {
    if (typeof v === 'string' && v !== '') out.push(v)
  }
  const gateway = isObject(config.gateway) ? config.gateway : {}
  const auth = isObject(gateway.auth) ? gateway.auth : {}
  add(auth.token)
  add(auth.password)
  if (isObject(config.hooks)) add(config.hooks.token)
  const a2a = isObject(config.channels) && isObject(config.channels.a2a) ? config.channels.a2a : {}
  if (isObject(a2a.peers)) {
    for (const p of Object.values(a2a.peers)) {
      if (!isObject(p)) continue
      add(p.token)
      add(p.outboundToken)
    }
  }
  return out
}

export function currentConfig(api: PluginApi): unknown {
  try {
    return api.runtime.config?.current?.() ?? api.config
  } catch {
    return api.config
  }
}
