import {randomUUID} from 'node:crypto'
import {UsageError} from './errors.js'
import {stripControl} from './terminal-text.js'

/**
 * The A2A 1.0 JSON-RPC binding as OpenClaw's bundled channel speaks it (`POST <gateway>/a2a/v1`, bearer token =
 * the peer token the receiver configured for us). Pure: request bodies and the classification of answers.
 */
export const A2A_PATH = '/a2a/v1'
export const AGENT_CARD_PATH = '/.well-known/agent-card.json'
/** OpenClaw truncates text past 64 KiB; claw-mesh refuses it instead, before anything is sent. */
export const MAX_A2A_TEXT_BYTES = 64 * 1024
/** What claw-mesh reads of any A2A answer (the channel caps its own responses at 1 MiB). */
export const MAX_A2A_RESPONSE_BYTES = 1024 * 1024 + 4096
/** OpenClaw's default `replyTimeoutMs` (blocking SendMessage waits this long, then returns the working task). */
export const DEFAULT_REPLY_TIMEOUT_MS = 120_000
const CONTEXT_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/

export type TaskState = 'TASK_STATE_SUBMITTED' | 'TASK_STATE_WORKING' | 'TASK_STATE_COMPLETED' | 'TASK_STATE_FAILED' | 'TASK_STATE_REJECTED' | 'TASK_STATE_CANCELED' | string

export const TERMINAL_STATES = new Set(['TASK_STATE_COMPLETED', 'TASK_STATE_FAILED', 'TASK_STATE_REJECTED', 'TASK_STATE_CANCELED'])

export interface A2aTask {
  id: string
  contextId?: string
  state: TaskState
  /** The reply text (artifact parts joined), control characters removed. */
  reply?: string
  /** The status message (why it failed or was rejected), control characters removed. */
  reason?: string
}

export type A2aAnswer =
  | {kind: 'task'; task: A2aTask}
  | {kind: 'rpc-error'; code: number; message: string}
  | {kind: 'unauthorized'}
  | {kind: 'starting'}
  | {kind: 'no-a2a'; status: number}
  | {kind: 'rate-limited'}
  | {kind: 'bad-answer'; status: number; detail: string}

export function contextIdProblem(id: string): string | undefined {
  return CONTEXT_PATTERN.test(id) ? undefined : 'must be 1-128 letters, digits, ".", "_", ":" or "-"'
}

export function assertThreadId(id: string, flag = '--thread'): string {
  const problem = contextIdProblem(id)
  if (problem) throw new UsageError(`${flag} ${JSON.stringify(id.slice(0, 40))} ${problem}.`, {hint: 'Pass the contextId a previous ask printed (claw-mesh ask --json shows it as "contextId").'})
  return id
}

/** Refuses what the channel would refuse or silently cut, before anything is sent. */
export function assertA2aText(text: string, peer: string): void {
  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes > MAX_A2A_TEXT_BYTES) {
    throw new UsageError(`The message to ${peer} is ${bytes} bytes; the A2A channel takes at most ${MAX_A2A_TEXT_BYTES} bytes of text.`, {hint: 'Shorten it, or send the material as a file (claw-mesh file send) and ask about it.'})
  }
  if (text.trimStart().startsWith('/')) {
    throw new UsageError(`The message to ${peer} starts with "/": A2A peers may not run slash commands, so the peer would reject it.`, {hint: 'Rephrase it as a plain-text task (e.g. add a word before the slash).'})
  }
}

export function sendMessageBody(input: {text: string; contextId?: string; returnImmediately?: boolean; messageId?: string; requestId?: string}): string {
  const message: Record<string, unknown> = {messageId: input.messageId ?? randomUUID(), role: 'ROLE_USER', parts: [{text: input.text}]}
  if (input.contextId) message.contextId = input.contextId
  const params: Record<string, unknown> = {message}
  if (input.returnImmediately) params.configuration = {returnImmediately: true}
  return JSON.stringify({jsonrpc: '2.0', id: input.requestId ?? randomUUID(), method: 'SendMessage', params})
}

export function getTaskBody(id: string, requestId: string = randomUUID()): string {
  return JSON.stringify({jsonrpc: '2.0', id: requestId, method: 'GetTask', params: {id}})
}

/** Text from another machine, made safe to print: the one stripping function (src/core/terminal-text.ts). */
export {stripControl}

function textOf(parts: unknown): string | undefined {
  if (!Array.isArray(parts)) return undefined
  const texts = parts.map((p) => (p && typeof p === 'object' && typeof (p as {text?: unknown}).text === 'string' ? (p as {text: string}).text : undefined)).filter((t): t is string => t !== undefined)
  return texts.length > 0 ? texts.join('\n') : undefined
}

/** Reads a task object (the `result.task` of SendMessage, the `result` of GetTask). */
export function parseTask(value: unknown): A2aTask | undefined {
  if (!value || typeof value !== 'object') return undefined
  const t = value as {id?: unknown; contextId?: unknown; status?: {state?: unknown; message?: {parts?: unknown}}; artifacts?: unknown}
  if (typeof t.id !== 'string' || typeof t.status?.state !== 'string') return undefined
  const task: A2aTask = {id: stripControl(t.id).slice(0, 200), state: t.status.state.slice(0, 64)}
  if (typeof t.contextId === 'string') task.contextId = stripControl(t.contextId).slice(0, 128)
  const replies = Array.isArray(t.artifacts) ? t.artifacts.map((a) => textOf((a as {parts?: unknown})?.parts)).filter((x): x is string => x !== undefined) : []
  if (replies.length > 0) task.reply = stripControl(replies.join('\n'))
  const reason = textOf(t.status.message?.parts)
  if (reason !== undefined) task.reason = stripControl(reason).slice(0, 2000)
  return task
}

/** Classifies one HTTP answer of `/a2a/v1`. */
export function classifyA2aAnswer(status: number, body: string, method: 'SendMessage' | 'GetTask'): A2aAnswer {
  if (status === 401) return {kind: 'unauthorized'}
  if (/Plugin runtime is starting/i.test(body.slice(0, 200))) return {kind: 'starting'}
  if (status === 404 || status === 405) return {kind: 'no-a2a', status}
  let json: {result?: unknown; error?: {code?: unknown; message?: unknown}}
  try {
    json = JSON.parse(body) as typeof json
  } catch {
    return {kind: 'bad-answer', status, detail: 'the answer is not JSON'}
  }
  if (status !== 200) return {kind: 'bad-answer', status, detail: `HTTP ${status}`}
  if (json.error) {
    const message = stripControl(String(json.error.message ?? '')).slice(0, 500)
    if (/rate limited/i.test(message)) return {kind: 'rate-limited'}
    return {kind: 'rpc-error', code: Number(json.error.code ?? 0), message}
  }
  const taskValue = method === 'SendMessage' ? (json.result as {task?: unknown} | undefined)?.task : json.result
  const task = parseTask(taskValue)
  if (!task) return {kind: 'bad-answer', status, detail: 'the answer carries no task'}
  return {kind: 'task', task}
}

/** What an Agent Card says that claw-mesh checks. */
export interface AgentCardFacts {
  name: string
  url?: string
  version?: string
  skills: string[]
}

export function parseAgentCard(body: string): AgentCardFacts | undefined {
  let json: {name?: unknown; version?: unknown; supportedInterfaces?: Array<{url?: unknown}>; skills?: Array<{id?: unknown}>}
  try {
    json = JSON.parse(body) as typeof json
  } catch {
    return undefined
  }
  if (!json || typeof json !== 'object' || typeof json.name !== 'string') return undefined
  const url = Array.isArray(json.supportedInterfaces) ? json.supportedInterfaces.map((i) => i?.url).find((u): u is string => typeof u === 'string') : undefined
  const skills = Array.isArray(json.skills) ? json.skills.map((s) => s?.id).filter((id): id is string => typeof id === 'string').map((id) => stripControl(id).slice(0, 64)) : []
  return {name: stripControl(json.name).slice(0, 200), url: url ? stripControl(url).slice(0, 500) : undefined, version: typeof json.version === 'string' ? stripControl(json.version).slice(0, 64) : undefined, skills}
}

/** The `/a2a/v1` endpoint of a gateway origin. */
export function a2aEndpoint(gatewayUrl: string): string {
  return `${gatewayUrl.replace(/\/+$/, '')}${A2A_PATH}`
}
