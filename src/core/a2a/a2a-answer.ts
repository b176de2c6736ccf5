import {type A2aAnswer, type A2aTask} from './a2a-protocol.js'
import {stripControl} from '../common/terminal-text.js'

/**
 * Reading what an A2A 1.0 agent answers (spec §9 JSON-RPC binding, §5.4 errors): a task, a direct message, a
 * JSON-RPC error or an HTTP refusal. Everything here came from another machine: capped and stripped before use.
 */

/** How much of a peer's own error text claw-mesh repeats. */
const MAX_PEER_MESSAGE = 300

function textOf(parts: unknown): string | undefined {
  if (!Array.isArray(parts)) return undefined
  const texts = parts
    .map((p) =>
      p && typeof p === 'object' && typeof (p as {text?: unknown}).text === 'string'
        ? (p as {text: string}).text
        : undefined,
    )
    .filter((t): t is string => t !== undefined)
  return texts.length > 0 ? texts.join('\n') : undefined
}

/** Reads a task object (the `result.task` of SendMessage, the `result` of GetTask). */
export function parseTask(value: unknown): A2aTask | undefined {
  if (!value || typeof value !== 'object') return undefined
  const t = value as {
    id?: unknown
    contextId?: unknown
    status?: {state?: unknown; message?: {parts?: unknown}; timestamp?: unknown}
    artifacts?: unknown
  }
  if (typeof t.id !== 'string' || typeof t.status?.state !== 'string') return undefined
  const task: A2aTask = {id: stripControl(t.id).slice(0, 200), state: t.status.state.slice(0, 64)}
  if (typeof t.contextId === 'string') task.contextId = stripControl(t.contextId).slice(0, 128)
  if (typeof t.status.timestamp === 'string') task.updatedAt = t.status.timestamp.slice(0, 64)
  const replies = Array.isArray(t.artifacts)
    ? t.artifacts.map((a) => textOf((a as {parts?: unknown})?.parts)).filter((x): x is string => x !== undefined)
    : []
  const said = textOf(t.status.message?.parts)
  if (replies.length > 0) task.reply = stripControl(replies.join('\n'))
  // Spec: an agent may answer in the final status message instead of an artifact (the reference SDK's samples do).
  else if (said !== undefined && task.state === 'TASK_STATE_COMPLETED') task.reply = stripControl(said)
  // Why it failed, or the question an interrupted task asks.
  if (said !== undefined && task.state !== 'TASK_STATE_COMPLETED') task.reason = stripControl(said).slice(0, 2000)
  return task
}

/** Reads a direct `Message` answer (spec: an agent may answer SendMessage with a message and no task). */
export function parseMessage(value: unknown): A2aTask | undefined {
  if (!value || typeof value !== 'object') return undefined
  const m = value as {taskId?: unknown; contextId?: unknown; parts?: unknown}
  const reply = textOf(m.parts)
  if (reply === undefined) return undefined
  const task: A2aTask = {
    id: typeof m.taskId === 'string' ? stripControl(m.taskId).slice(0, 200) : '',
    state: 'TASK_STATE_COMPLETED',
    reply: stripControl(reply),
    direct: true,
  }
  if (typeof m.contextId === 'string' && m.contextId) task.contextId = stripControl(m.contextId).slice(0, 128)
  return task
}

/** The peer's own words about a refusal: a JSON-RPC error message, a JSON `error`/`message`, or the text itself. */
export function peerMessage(body: string): string | undefined {
  const head = body.slice(0, 4096)
  let text: unknown = head
  try {
    const json = JSON.parse(head) as {error?: unknown; message?: unknown}
    const error = json?.error
    text = error && typeof error === 'object' ? (error as {message?: unknown}).message : (error ?? json?.message)
  } catch {
    // Not JSON: an HTML or text page; its text is all there is.
    if (/^\s*</.test(head)) return undefined
  }
  if (typeof text !== 'string') return undefined
  const clean = stripControl(text).replace(/\s+/g, ' ').trim()
  if (!clean) return undefined
  return clean.length > MAX_PEER_MESSAGE ? `${clean.slice(0, MAX_PEER_MESSAGE)}…` : clean
}

/** Classifies one HTTP answer of an A2A JSON-RPC endpoint. */
export function classifyA2aAnswer(
  status: number,
  body: string,
  method: 'SendMessage' | 'GetTask',
  headers: Record<string, string> = {},
): A2aAnswer {
  const said = () => peerMessage(body)
  if (status === 401) return {kind: 'unauthorized', message: said()}
  if (status === 403) return {kind: 'forbidden', message: said()}
  if (/Plugin runtime is starting/i.test(body.slice(0, 200))) return {kind: 'starting'}
  if (status === 404 || status === 405) return {kind: 'no-a2a', status, message: said()}
  if (status === 429) return {kind: 'rate-limited', message: said(), retryAfter: headers['retry-after']?.slice(0, 16)}
  if (status >= 500) return {kind: 'server-error', status, message: said()}
  let json: {result?: {task?: unknown; message?: unknown}; error?: {code?: unknown; message?: unknown}}
  try {
    json = JSON.parse(body) as typeof json
  } catch {
    return {kind: 'bad-answer', status, detail: status === 200 ? 'the answer is not JSON' : `HTTP ${status}`}
  }
  if (json?.error && typeof json.error === 'object') {
    const message = peerMessage(JSON.stringify({message: json.error.message})) ?? ''
    const code = Number(json.error.code ?? 0)
    if (code === -32009) return {kind: 'version-refused', message}
    if (/rate limited/i.test(message)) return {kind: 'rate-limited', message}
    return {kind: 'rpc-error', code, message}
  }
  if (status !== 200) return {kind: 'bad-answer', status, detail: `HTTP ${status}${said() ? `: ${said()}` : ''}`}
  const result = json?.result
  if (method === 'SendMessage' && result && typeof result === 'object' && 'message' in result && !('task' in result)) {
    const direct = parseMessage(result.message)
    return direct ? {kind: 'task', task: direct} : {kind: 'bad-answer', status, detail: 'the message carries no text'}
  }
  const task = parseTask(method === 'SendMessage' ? result?.task : result)
  if (!task) return {kind: 'bad-answer', status, detail: 'the answer carries no task or message'}
  return {kind: 'task', task}
}
