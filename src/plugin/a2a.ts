import {classifyA2aAnswer} from '../core/a2a/a2a-answer.js'
import {MAX_A2A_RESPONSE_BYTES, getTaskBody, sendMessageBody, type A2aAnswer} from '../core/a2a/a2a-protocol.js'
import type {AttemptOutcome, PollOutcome} from '../core/mesh/mesh-outbox.js'
import type {MeshPeer} from './host.js'

/**
 * The plugin's A2A client: the same request `claw-mesh ask` sends (JSON-RPC SendMessage to the peer's `/a2a/v1`,
 * Bearer = the outbound token the gateway's A2A channel holds for that peer), so the receiving agent sees this
 * host as the authenticated sender. Runs inside the gateway: global fetch, no process started.
 */
export type CallResult = A2aAnswer | {kind: 'network'; detail: string; timeout: boolean} | {kind: 'too-large'}

async function post(
  peer: MeshPeer & {url: string; outboundToken: string},
  body: string,
  method: 'SendMessage' | 'GetTask',
  timeoutMs: number,
): Promise<CallResult> {
  try {
    const res = await fetch(peer.url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${peer.outboundToken}`,
        'content-type': 'application/json',
        'a2a-version': '1.0',
      },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    })
    const text = await res.text()
    if (Buffer.byteLength(text, 'utf8') > MAX_A2A_RESPONSE_BYTES) return {kind: 'too-large'}
    const headers: Record<string, string> = {}
    res.headers.forEach((v, k) => (headers[k] = v))
    return classifyA2aAnswer(res.status, text, method, headers)
  } catch (error) {
    const e = error as {name?: string; cause?: {code?: string}; message?: string}
    const timeout = e?.name === 'TimeoutError' || e?.name === 'AbortError'
    return {
      kind: 'network',
      timeout,
      detail: timeout ? 'no answer in time' : (e?.cause?.code ?? e?.message ?? 'unreachable').slice(0, 120),
    }
  }
}

export function reachable(peer: MeshPeer): peer is MeshPeer & {url: string; outboundToken: string} {
  return Boolean(peer.url && peer.outboundToken)
}

/**
 * One SendMessage. `wait` blocks on the peer until its agent answers or the peer's own reply window closes (it then
 * returns the working task): one round trip, no polling. Without `wait` the peer returns the task at once.
 */
export async function sendMessage(
  peer: MeshPeer & {url: string; outboundToken: string},
  input: {id: string; text: string; contextId: string; wait: boolean; timeoutMs: number},
): Promise<AttemptOutcome> {
  const body = sendMessageBody({
    text: input.text,
    contextId: input.contextId,
    messageId: input.id,
    returnImmediately: !input.wait,
  })
  const r = await post(peer, body, 'SendMessage', input.timeoutMs)
  return attemptOutcome(r)
}

export function attemptOutcome(r: CallResult): AttemptOutcome {
  switch (r.kind) {
    case 'task':
      return {kind: 'accepted', taskId: r.task.id, taskState: r.task.state, reply: r.task.reply, reason: r.task.reason}
    case 'network':
      // A timeout after the request went out is ambiguous; the same message id lets the receiver drop a repeat.
      return {kind: 'retryable', detail: r.detail}
    case 'starting':
      return {kind: 'retryable', detail: 'its A2A channel is starting'}
    case 'rate-limited':
      return {kind: 'retryable', detail: 'rate-limited by the peer'}
    case 'no-a2a':
      return {kind: 'retryable', detail: `no A2A endpoint (HTTP ${r.status})`}
    case 'unauthorized':
      return {
        kind: 'refused',
        detail: "the peer refused this host's token (the pair is broken: re-pair with claw-mesh)",
      }
    case 'forbidden':
      return {kind: 'refused', detail: `the peer forbade this request${r.message ? `: ${r.message}` : ''}`}
    case 'version-refused':
      return {kind: 'refused', detail: `the peer does not speak A2A 1.0${r.message ? `: ${r.message}` : ''}`}
    case 'server-error':
      return {kind: 'retryable', detail: `the peer answered HTTP ${r.status}`}
    case 'rpc-error':
      return {kind: 'refused', detail: `A2A error ${r.code}: ${r.message}`}
    case 'too-large':
      return {kind: 'refused', detail: 'the answer was too large'}
    case 'bad-answer':
      return {kind: 'retryable', detail: r.detail}
  }
}

export async function getTask(
  peer: MeshPeer & {url: string; outboundToken: string},
  taskId: string,
): Promise<PollOutcome> {
  const r = await post(peer, getTaskBody(taskId), 'GetTask', 10_000)
  if (r.kind === 'task') return {kind: 'task', taskState: r.task.state, reply: r.task.reply, reason: r.task.reason}
  if (r.kind === 'rpc-error' && r.code === -32001) return {kind: 'unknown-task'}
  return {kind: 'retryable', detail: r.kind === 'network' ? r.detail : r.kind}
}

/** Whether the peer's gateway answers at all (its public Agent Card), for mesh_peers. */
export async function probe(peer: MeshPeer): Promise<{online: boolean; skills?: string[]; description?: string}> {
  if (!peer.url) return {online: false}
  try {
    const origin = new URL(peer.url).origin
    const res = await fetch(`${origin}/.well-known/agent-card.json`, {signal: AbortSignal.timeout(3000)})
    const text = (await res.text()).slice(0, 256 * 1024)
    if (res.status !== 200) return {online: false}
    const card = JSON.parse(text) as {
      description?: unknown
      skills?: Array<{id?: unknown; name?: unknown; description?: unknown}>
    }
    const skills = Array.isArray(card.skills)
      ? card.skills
          .map((s) => [s?.name ?? s?.id, s?.description].filter((x) => typeof x === 'string').join(': '))
          .filter(Boolean)
      : []
    return {online: true, skills, description: typeof card.description === 'string' ? card.description : undefined}
  } catch {
    return {online: false}
  }
}
