import {parseLineageContextId, sessionContext} from '../core/mesh/mesh-lineage.js'
import {meshAskByPeerOrCapability} from './capability-ask.js'
import {registerCardRoute} from './card-route.js'
import {peerRows} from './peer-cards.js'
import {writeAudit} from './audit.js'
import {fallbackDir} from './state.js'
import {registerProofRoute} from './proof-route.js'
import {
  PLUGIN_ID,
  currentConfig,
  meshPeers,
  readPluginConfig,
  type AgentTool,
  type PluginApi,
  type ToolContext,
} from './host.js'
import {startLoop, stopLoop} from './service.js'
import {ASK_HTTP_TIMEOUT_MS, meshSend, meshTask, result, type MeshCall} from './tools.js'

/**
 * claw-mesh's OpenClaw plugin: native mesh tools for the agent (no shell, no token in its hands) and a background
 * service for durable delivery. Factory tools, because only a factory learns the calling session (to wake it later
 * and to know the run's lineage); `catalogMode: "direct-only"`, because plugin tools are otherwise hidden behind
 * tool_search/tool_call and models rarely find them there.
 */
const PEER_MESSAGE = {
  type: 'object',
  additionalProperties: false,
  required: ['peer', 'message'],
  properties: {
    peer: {type: 'string', description: 'The peer name, as mesh_peers lists it.'},
    message: {type: 'string', description: 'Plain text for the peer agent (no secrets; at most 32 KiB).'},
    thread: {
      type: 'string',
      description: 'Continue an earlier conversation: the thread an earlier mesh_ask/mesh_send returned.',
    },
  },
} as const

/** mesh_ask: a peer by name, or any online peer offering a capability (exactly one of the two). */
const ASK_MESSAGE = {
  ...PEER_MESSAGE,
  required: ['message'],
  properties: {
    ...PEER_MESSAGE.properties,
    peer: {type: 'string', description: 'The peer name, as mesh_peers lists it (or give capability instead).'},
    capability: {
      type: 'string',
      description:
        'Instead of peer: ask an online peer that offers this capability (e.g. gpu, as mesh_peers shows it); the result names the peer chosen.',
    },
  },
} as const

function tools(api: PluginApi, ctx: ToolContext): AgentTool[] {
  const call: MeshCall = {api, ctx, now: Date.now}
  return [
    {
      name: 'mesh_peers',
      label: 'Mesh peers',
      description:
        "Lists the other agents in this claw-mesh mesh: each peer's name, whether its gateway answers now, and what it offers.",
      parameters: {type: 'object', additionalProperties: false, properties: {}},
      catalogMode: 'direct-only',
      async execute() {
        const settings = readPluginConfig(api.pluginConfig)
        const peers = meshPeers(currentConfig(api))
        const rows = await peerRows(peers, settings.peerNotes)
        return result(rows.length ? JSON.stringify(rows, null, 2) : 'No peers are paired with this host yet.', {
          ok: true,
          peers: rows,
        })
      },
    },
    {
      name: 'mesh_ask',
      label: 'Ask a mesh peer',
      description:
        "Asks a peer agent (by name, or any online peer offering a capability) and waits for its answer (up to the peer's reply window, about 2 minutes), returning its reply text. A later answer wakes this session.",
      parameters: ASK_MESSAGE,
      catalogMode: 'direct-only',
      getExecutionTimeoutMs: () => ASK_HTTP_TIMEOUT_MS + 15_000,
      execute: (_id, params) => meshAskByPeerOrCapability(call, params),
    },
    {
      name: 'mesh_send',
      label: 'Send to a mesh peer',
      description:
        'Sends a message to a peer agent without waiting. A peer that is offline gets it when it is back (durable outbox); its answer wakes this session.',
      parameters: PEER_MESSAGE,
      catalogMode: 'direct-only',
      execute: (_id, params) => meshSend(call, params),
    },
    {
      name: 'mesh_task',
      label: 'Mesh message state',
      description:
        'Shows the state and answer of an earlier mesh_ask or mesh_send (by id), or, without an id, every unread answer and what is still waiting.',
      parameters: {
        type: 'object',
        additionalProperties: false,
        properties: {id: {type: 'string', description: 'The id mesh_ask or mesh_send returned.'}},
      },
      catalogMode: 'direct-only',
      execute: (_id, params) => meshTask(call, params),
    },
  ]
}

const TOOL_NAMES = ['mesh_peers', 'mesh_ask', 'mesh_send', 'mesh_task']

const plugin = {
  id: PLUGIN_ID,
  name: 'claw-mesh',
  description: 'Mesh tools for agents: ask and message peer agents over A2A, with durable delivery and wake-on-reply.',
  register(api: PluginApi) {
    for (const name of TOOL_NAMES) {
      api.registerTool((ctx: ToolContext) => tools(api, ctx).find((t) => t.name === name), {name})
    }
    // What peers said to this host's agent, for the audit log (the receiving half of every record).
    api.on?.('message_received', (event, ctx) => {
      if (ctx?.channelId !== 'a2a') return
      const peer = String(event.senderId ?? event.from ?? '')
        .replace(/^a2a:/, '')
        .slice(0, 64)
      // The channel's conversation id is the peer (`a2a:<peer>`); the sender's context is in the session key.
      const thread = sessionContext(ctx.sessionKey ?? event.sessionKey)?.contextId.slice(0, 128)
      const lineage = thread ? parseLineageContextId(thread) : undefined
      const content = typeof event.content === 'string' ? event.content : ''
      writeAudit(readPluginConfig(api.pluginConfig), fallbackDir(api), {
        id: String(event.messageId ?? '').slice(0, 80),
        peer,
        direction: 'in',
        kind: 'message',
        event: 'received',
        thread,
        hop: lineage?.hop,
        origin: lineage?.origin,
        bytesIn: Buffer.byteLength(content, 'utf8'),
        body: content,
      })
    })
    registerCardRoute(api)
    // Discovery's proof that this member holds the mesh secret (before any peer writes a token for it).
    registerProofRoute(api)
    api.registerService({
      id: 'claw-mesh-outbox',
      start: () => startLoop(api),
      stop: () => stopLoop(),
    })
  },
}

export default plugin
