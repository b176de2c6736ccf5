import {randomUUID} from 'node:crypto'
import {UsageError} from '../common/errors.js'
import {stripControl} from '../common/terminal-text.js'

/**
 * The A2A 1.0 JSON-RPC binding, as the spec and its reference SDK speak it and as OpenClaw's bundled channel accepts
 * it (`POST <gateway>/a2a/v1`, bearer token = the peer token the receiver configured for us). Pure: request bodies,
 * headers and the classification of answers.
 */
export const A2A_PATH = '/a2a/v1'
/** Spec §3.6: every request carries the version; without it a server must assume 0.3 (the reference SDK refuses). */
export const A2A_VERSION_HEADER = 'A2A-Version'
export const A2A_PROTOCOL_VERSION = '1.0'
export const AGENT_CARD_PATH = '/.well-known/agent-card.json'
/** OpenClaw truncates text past 64 KiB; claw-mesh refuses it instead, before anything is sent. */
export const MAX_A2A_TEXT_BYTES = 64 * 1024
/** What claw-mesh reads of any A2A answer (the channel caps its own responses at 1 MiB). */
export const MAX_A2A_RESPONSE_BYTES = 1024 * 1024 + 4096
/** OpenClaw's default `replyTimeoutMs` (blocking SendMessage waits this long, then returns the working task). */
export const DEFAULT_REPLY_TIMEOUT_MS = 120_000
const CONTEXT_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/

export type TaskState =
  | 'TASK_STATE_SUBMITTED'
  | 'TASK_STATE_WORKING'
  | 'TASK_STATE_COMPLETED'
  | 'TASK_STATE_FAILED'
  | 'TASK_STATE_REJECTED'
  | 'TASK_STATE_CANCELED'
  | 'TASK_STATE_INPUT_REQUIRED'
  | 'TASK_STATE_AUTH_REQUIRED'
  | (string & {})

export const TERMINAL_STATES = new Set([
  'TASK_STATE_COMPLETED',
  'TASK_STATE_FAILED',
  'TASK_STATE_REJECTED',
  'TASK_STATE_CANCELED',
])
/** Spec: the task waits for the client (an answer, or credentials); polling cannot change it, only a new message. */
export const INTERRUPTED_STATES = new Set(['TASK_STATE_INPUT_REQUIRED', 'TASK_STATE_AUTH_REQUIRED'])

/** What kind of agent a peer is: another claw-mesh host's OpenClaw gateway, or any other A2A 1.0 agent. */
export type PeerKind = 'openclaw' | 'foreign'

/** The headers of every request claw-mesh sends to an A2A agent (card fetches too: no token there). */
export function a2aHeaders(token?: string): Record<string, string> {
  const headers: Record<string, string> = {[A2A_VERSION_HEADER]: A2A_PROTOCOL_VERSION}
  if (token !== undefined) {
    headers.authorization = `Bearer ${token}`
    headers['content-type'] = 'application/json'
  }
  return headers
}

export interface A2aTask {
  id: string
  contextId?: string
  state: TaskState
  /** The reply text (artifact parts joined, else a completed task's status message), control characters removed. */
  reply?: string
  /** The status message (why it failed or was rejected, or the agent's question), control characters removed. */
  reason?: string
  /** The agent answered with a Message, not a task: there is nothing to poll or continue by task id. */
  direct?: boolean
  /** `status.timestamp`: tells a new status from the one a returnImmediately answer repeated. */
  updatedAt?: string
}

export type A2aAnswer =
  | {kind: 'task'; task: A2aTask}
  | {kind: 'rpc-error'; code: number; message: string}
  | {kind: 'version-refused'; message: string}
  | {kind: 'unauthorized'; message?: string}
  | {kind: 'forbidden'; message?: string}
  | {kind: 'starting'}
  | {kind: 'no-a2a'; status: number; message?: string}
  | {kind: 'rate-limited'; message?: string; retryAfter?: string}
  | {kind: 'server-error'; status: number; message?: string}
  | {kind: 'bad-answer'; status: number; detail: string}

export function contextIdProblem(id: string): string | undefined {
  return CONTEXT_PATTERN.test(id) ? undefined : 'must be 1-128 letters, digits, ".", "_", ":" or "-"'
}

export function assertThreadId(id: string, flag = '--thread'): string {
  const problem = contextIdProblem(id)
  if (problem)
    throw new UsageError(`${flag} ${JSON.stringify(id.slice(0, 40))} ${problem}.`, {
      hint:
        flag === '--task'
          ? 'Pass the task id the ask that asked for input printed (claw-mesh ask --json shows it as "taskId").'
          : 'Pass the contextId a previous ask printed (claw-mesh ask --json shows it as "contextId").',
    })
  return id
}

/** Refuses what OpenClaw's channel would refuse or silently cut, before anything is sent; other agents set their own limits. */
export function assertA2aText(text: string, peer: string, kind: PeerKind = 'openclaw'): void {
  if (kind !== 'openclaw') return
  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes > MAX_A2A_TEXT_BYTES) {
    throw new UsageError(
      `The message to ${peer} is ${bytes} bytes; the A2A channel takes at most ${MAX_A2A_TEXT_BYTES} bytes of text.`,
      {hint: 'Shorten it, or send the material as a file (claw-mesh file send) and ask about it.'},
    )
  }
  if (text.trimStart().startsWith('/')) {
    throw new UsageError(
      `The message to ${peer} starts with "/": A2A peers may not run slash commands, so the peer would reject it.`,
      {hint: 'Rephrase it as a plain-text task (e.g. add a word before the slash).'},
    )
  }
}

export function sendMessageBody(input: {
  text: string
  contextId?: string
  taskId?: string
  returnImmediately?: boolean
  messageId?: string
  requestId?: string
}): string {
  const message: Record<string, unknown> = {
    messageId: input.messageId ?? randomUUID(),
    role: 'ROLE_USER',
    parts: [{text: input.text}],
  }
  if (input.contextId) message.contextId = input.contextId
  // Spec: a message naming an interrupted task's id continues that task (the answer to its question).
  if (input.taskId) message.taskId = input.taskId
  const params: Record<string, unknown> = {message}
  if (input.returnImmediately) params.configuration = {returnImmediately: true}
  return JSON.stringify({jsonrpc: '2.0', id: input.requestId ?? randomUUID(), method: 'SendMessage', params})
}

export function getTaskBody(id: string, requestId: string = randomUUID()): string {
  return JSON.stringify({jsonrpc: '2.0', id: requestId, method: 'GetTask', params: {id}})
}

/** Text from another machine, made safe to print: the one stripping function (src/core/common/terminal-text.ts). */
export {stripControl}

/** The `/a2a/v1` endpoint of a gateway origin. */
export function a2aEndpoint(gatewayUrl: string): string {
  return `${gatewayUrl.replace(/\/+$/, '')}${A2A_PATH}`
}
