/**
 * The A2A channel of a fake gateway, answering as OpenClaw 2026.9.6's bundled plugin does (read from its source,
 * extensions/a2a, and seen live; see the A2A section of docs/reference/openclaw-gateway.md):
 *   GET  /.well-known/agent-card.json (and /.well-known/agent.json)  the public card, interface url = origin + /a2a/v1
 *   POST /a2a/v1  Bearer = one configured peer's token, else 401 {"error":"Unauthorized; configure channels.a2a.peers …"}
 *     SendMessage  blocks until the agent answers (or replyTimeoutMs, then the working task); returnImmediately → WORKING
 *                  text starting with "/" → TASK_STATE_REJECTED; contextId kept, else ctx-<uuid>
 *     GetTask      only the sender's own tasks; otherwise -32001 "Task not found"
 *     CancelTask   -32004; unknown method -32601; bad JSON -32700; 30 requests a minute per peer → -32000 rate limited
 * Plain erasable TypeScript so bench/*.mjs can import it.
 */
import {randomUUID} from 'node:crypto'
import type http from 'node:http'

export interface FakeA2aOptions {
  /** Peer name → the token it presents. */
  peers: Record<string, string>
  /** The agent's answer (default `reply from <name>: <text>`). */
  reply?: (text: string, sender: string) => string
  /** How long the agent takes to answer. */
  replyMs?: number
  /** The channel's blocking wait (OpenClaw: replyTimeoutMs, default 120 000). */
  replyTimeoutMs?: number
  rateLimitPerMinute?: number
  /** Card name (OpenClaw: the first exposed agent's name, else "OpenClaw"). */
  name?: string
  advertisedUrl?: string
  /** Answer "Plugin runtime is starting" until this many ms after start. */
  startingForMs?: number
  /** The agent fails instead of answering. */
  fail?: boolean
}

export interface FakeA2aMessage {
  sender: string
  text: string
  contextId: string
  taskId: string
  /** The sender's A2A messageId (what the receiver deduplicates on). */
  messageId?: string
}

interface TaskRecord {
  id: string
  contextId: string
  sender: string
  state: string
  reply?: string
  reason?: string
  done: Promise<void>
}

export interface FakeA2a {
  messages: FakeA2aMessage[]
  requests: number
  handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string, path: string): boolean
}

function json(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, {'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store'})
  res.end(JSON.stringify(body))
}

export function createFakeA2a(opts: FakeA2aOptions): FakeA2a {
  const started = Date.now()
  const tasks = new Map<string, TaskRecord>()
  const times = new Map<string, number[]>()
  const a2a: FakeA2a = {messages: [], requests: 0, handle}
  const view = (t: TaskRecord) => ({
    id: t.id,
    contextId: t.contextId,
    status: {
      state: t.state,
      timestamp: new Date().toISOString(),
      ...(t.reason ? {message: {role: 'ROLE_AGENT', parts: [{text: t.reason}]}} : {}),
    },
    artifacts: t.reply === undefined ? [] : [{artifactId: randomUUID(), parts: [{text: t.reply}]}],
    history: [],
  })
  const rpcError = (id: unknown, code: number, message: string) => ({
    jsonrpc: '2.0',
    id: id ?? null,
    error: {code, message},
  })

  function limited(sender: string): boolean {
    const max = opts.rateLimitPerMinute ?? 30
    if (max === 0) return false
    const now = Date.now()
    const list = (times.get(sender) ?? []).filter((t) => now - t < 60_000)
    if (list.length >= max) return (times.set(sender, list), true)
    list.push(now)
    times.set(sender, list)
    return false
  }

  async function rpc(body: Record<string, unknown>, sender: string): Promise<unknown> {
    const id = body.id
    if (limited(sender)) return rpcError(id, -32000, 'Peer is rate limited')
    if (body.jsonrpc !== '2.0' || typeof body.method !== 'string')
      return rpcError(id, -32600, 'Invalid JSON-RPC request')
    const params = (body.params ?? {}) as Record<string, unknown>
    if (body.method === 'SendMessage' || body.method === 'message/send') {
      const message = params.message as
        {contextId?: string; messageId?: string; parts?: Array<{text?: string}>} | undefined
      const text = (message?.parts ?? [])
        .map((p) => p?.text)
        .filter((t): t is string => typeof t === 'string')
        .join('\n')
      if (!message || !text.trim()) return rpcError(id, -32602, 'Message must contain at least one usable text part')
      const contextId = message.contextId ?? `ctx-${randomUUID()}`
      const task: TaskRecord = {
        id: randomUUID(),
        contextId,
        sender,
        state: 'TASK_STATE_WORKING',
        done: Promise.resolve(),
      }
      tasks.set(task.id, task)
      a2a.messages.push({
        sender,
        text,
        contextId,
        taskId: task.id,
        messageId: typeof message.messageId === 'string' ? message.messageId : undefined,
      })
      task.done = new Promise<void>((resolve) => {
        if (text.trimStart().startsWith('/')) {
          Object.assign(task, {
            state: 'TASK_STATE_REJECTED',
            reason:
              'A2A peers cannot execute slash commands. Send a task in plain text; only users can issue commands.',
          })
          return resolve()
        }
        setTimeout(() => {
          if (opts.fail) Object.assign(task, {state: 'TASK_STATE_FAILED', reason: 'The agent run failed.'})
          else
            Object.assign(task, {
              state: 'TASK_STATE_COMPLETED',
              reply: opts.reply ? opts.reply(text, sender) : `reply from ${opts.name ?? 'OpenClaw'}: ${text}`,
            })
          resolve()
        }, opts.replyMs ?? 0)
      })
      const configuration = params.configuration as {returnImmediately?: boolean} | undefined
      if (!configuration?.returnImmediately) {
        await Promise.race([task.done, new Promise((r) => setTimeout(r, opts.replyTimeoutMs ?? 120_000))])
      }
      return {jsonrpc: '2.0', id, result: {task: view(task)}}
    }
    if (body.method === 'GetTask' || body.method === 'tasks/get') {
      const task = typeof params.id === 'string' ? tasks.get(params.id) : undefined
      if (!task || task.sender !== sender) return rpcError(id, -32001, 'Task not found')
      return {jsonrpc: '2.0', id, result: view(task)}
    }
    if (body.method === 'CancelTask')
      return rpcError(id, -32004, 'Unsupported operation; supported methods are SendMessage and GetTask')
    return rpcError(id, -32601, `Method not found: ${body.method}`)
  }

  function handle(req: http.IncomingMessage, res: http.ServerResponse, raw: string, path: string): boolean {
    const starting = opts.startingForMs !== undefined && Date.now() - started < opts.startingForMs
    const card = path === '/.well-known/agent-card.json' || path === '/.well-known/agent.json'
    if (!card && path !== '/a2a/v1') return false
    if (starting) {
      res.writeHead(503, {'content-type': 'text/plain'})
      res.end('Plugin runtime is starting')
      return true
    }
    if (req.method === 'GET' && card) {
      const origin = opts.advertisedUrl ?? `http://${req.headers.host}`
      json(res, 200, {
        name: opts.name ?? 'OpenClaw',
        description: 'OpenClaw agent gateway using the Agent2Agent protocol.',
        supportedInterfaces: [{url: `${origin}/a2a/v1`, protocolBinding: 'JSONRPC', protocolVersion: '1.0'}],
        version: '2026.9.6',
        capabilities: {streaming: false, pushNotifications: false},
        skills: [{id: 'main', name: 'main'}],
      })
      return true
    }
    if (req.method !== 'POST' || path !== '/a2a/v1') return (json(res, 404, {error: 'Not found'}), true)
    a2a.requests++
    const token = /^Bearer\s+([^\s]+)$/i.exec(req.headers.authorization ?? '')?.[1]
    const sender = Object.entries(opts.peers).find(([, t]) => t === token)?.[0]
    if (!sender)
      return (json(res, 401, {error: 'Unauthorized; configure channels.a2a.peers with a matching Bearer token'}), true)
    let body: unknown
    try {
      body = JSON.parse(raw)
    } catch {
      return (json(res, 200, rpcError(null, -32700, 'Parse error')), true)
    }
    rpc(body as Record<string, unknown>, sender).then(
      (answer) => json(res, 200, answer),
      (error) => json(res, 200, rpcError(null, -32000, String(error))),
    )
    return true
  }
  return a2a
}
