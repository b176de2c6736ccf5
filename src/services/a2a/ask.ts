import {
  DEFAULT_REPLY_TIMEOUT_MS,
  INTERRUPTED_STATES,
  TERMINAL_STATES,
  assertA2aText,
  getTaskBody,
  sendMessageBody,
  type A2aTask,
  type PeerKind,
} from '../../core/a2a/a2a-protocol.js'
import {assertNoSecretInText} from '../messaging/outbound-guard.js'
import {ActionNeededError, ClawMeshError} from '../../core/common/errors.js'
import type {PeerRecord} from '../../core/common/state-schema.js'
import type {Deps} from '../../deps.js'
import {SECRET_NAMES, type SecretStore} from '../../infra/secrets/types.js'
import {requirePeer} from '../peers/records.js'
import {a2aFailure, callA2a, type A2aTarget} from './client.js'

export const DEFAULT_ASK_TIMEOUT_MS = 120_000

export interface AskOptions {
  message: string
  /** A2A contextId of an earlier ask: continues that conversation (the same session on the peer). */
  thread?: string
  /** The id of a task that asked for input: this message answers it (the same task goes on). */
  task?: string
  timeoutMs?: number
  /** send: return as soon as the peer accepted the task. */
  returnImmediately?: boolean
}

export interface AskResult {
  ok: boolean
  peer: string
  /** Empty when the agent answered with a direct message (no task to fetch or continue). */
  taskId: string
  contextId?: string
  state: string
  /** The peer agent's reply text (control characters removed). */
  reply?: string
  /** Why the task failed or was rejected, or the question of a task that needs input. */
  reason?: string
  /** The task was still working when the timeout came: fetch it later with `claw-mesh task`. */
  pending: boolean
  /** The task waits for this machine: more input (answer with `ask --task`) or authorization. */
  interrupted?: 'input' | 'auth'
  elapsedMs: number
}

export function peerKindOf(record: PeerRecord): PeerKind {
  return record.a2a?.kind ?? 'openclaw'
}

/** Why a peer cannot be reached over A2A, or its target. */
export async function a2aTargetFor(
  deps: Pick<Deps, 'redactor'>,
  secrets: SecretStore,
  record: PeerRecord,
): Promise<A2aTarget> {
  if (!record.a2a) {
    throw new ActionNeededError(
      `${record.name} is not paired over A2A (it was added ${record.source === 'url' ? 'by URL' : 'from an old invite'}), so claw-mesh cannot get a reply from it.`,
      {
        code: 'peer-not-a2a',
        hint: `Pair over A2A: claw-mesh invite on this machine, claw-mesh peer add --invite - on ${record.name} (OpenClaw 2026.9.6 or later there), then run the reply it prints here. A non-OpenClaw A2A agent: claw-mesh peer add URL --name ${record.name} --a2a-token file:PATH. claw-mesh send ${record.name} still works over hooks.`,
      },
    )
  }
  const kind = peerKindOf(record)
  const token = await secrets.get(SECRET_NAMES.a2aOut(record.name))
  if (!token) {
    throw new ActionNeededError(
      `The A2A token for calling ${record.name} is missing from the secret store (${secrets.location})${kind === 'foreign' ? '' : ': the pair is half set up'}.`,
      {
        code: 'a2a-token-missing',
        hint:
          kind === 'foreign'
            ? `Store it again: claw-mesh peer add ${record.url} --name ${record.name} --a2a-token file:PATH.`
            : `Pair again (claw-mesh invite --for ${record.name} here, claw-mesh peer add --invite - --replace <this host> on ${record.name}, then its reply here with --replace ${record.name}), or run claw-mesh doctor --fix in a fleet.`,
      },
    )
  }
  deps.redactor.add(token)
  return {peer: record.name, url: record.a2a.url, token, kind}
}

export function resultOf(peer: string, task: A2aTask, started: number, now: number): AskResult {
  const done = TERMINAL_STATES.has(task.state)
  const interrupted = INTERRUPTED_STATES.has(task.state)
  const out: AskResult = {
    ok: task.state === 'TASK_STATE_COMPLETED',
    peer,
    taskId: task.id,
    state: task.state,
    pending: !done && !interrupted,
    elapsedMs: Math.round(now - started),
  }
  if (interrupted) out.interrupted = task.state === 'TASK_STATE_AUTH_REQUIRED' ? 'auth' : 'input'
  if (task.contextId) out.contextId = task.contextId
  if (task.reply !== undefined) out.reply = task.reply
  if (task.reason !== undefined) out.reason = task.reason
  return out
}

/** A task the peer accepted and then no longer knows: its gateway restarted or reloaded its A2A channel meanwhile. */
function lostTask(peer: string, id: string): ClawMeshError {
  return new ClawMeshError(
    `${peer} lost task ${id} while working on it: its gateway restarted or reloaded its A2A channel (tasks live in memory only).`,
    {
      code: 'task-lost',
      hint: 'Ask again; if it keeps happening, check the peer with: claw-mesh peer check ' + peer,
    },
  )
}

/**
 * Polling ends at a terminal state, and at an interrupted one: only a new message from us can move it on. When our
 * message answers an interrupted task, the agent may first repeat the old status (returnImmediately answers before
 * it ran): that one, recognised by its timestamp, is not the agent's next word.
 */
function settled(task: A2aTask, staleAt?: string): boolean {
  if (task.direct === true || TERMINAL_STATES.has(task.state)) return true
  return INTERRUPTED_STATES.has(task.state) && !(staleAt !== undefined && task.updatedAt === staleAt)
}

/**
 * Polls GetTask until the task ends or `until` (epoch ms) passes: every 500 ms for the first 10 s (quick answers
 * come back quickly), then every 3 s, which keeps a long wait under the peer's 30-requests-a-minute limit.
 */
export async function waitForTask(
  deps: Pick<Deps, 'http' | 'clock'>,
  target: A2aTarget,
  task: A2aTask,
  until: number,
  firstDelayMs = 250,
  staleAt?: string,
): Promise<A2aTask> {
  let current = task
  const began = deps.clock.now().getTime()
  let delay = firstDelayMs
  while (!settled(current, staleAt)) {
    const now = deps.clock.now().getTime()
    const left = until - now
    if (left <= 0) return current
    await deps.clock.sleep(Math.min(delay, left))
    delay = now - began < 10_000 ? 500 : 3000
    const outcome = await callA2a(deps, target, getTaskBody(current.id), {
      method: 'GetTask',
      timeoutMs: Math.max(1000, Math.min(15_000, until - deps.clock.now().getTime())),
    })
    if (outcome.kind !== 'task') {
      if (outcome.kind === 'network' && outcome.failure === 'timeout') continue
      if (outcome.kind === 'rpc-error' && outcome.code === -32001) throw lostTask(target.peer, current.id)
      throw a2aFailure(target, outcome)
    }
    current = outcome.task
  }
  return current
}

/**
 * How one ask talks to the peer. Blocking (one round trip, no polling) only where the peer's reply window is known
 * and shorter than the wait: OpenClaw answers with the working task when its 120 s window closes, so the task id
 * always comes back. Any other agent may hold a blocking call for as long as its task runs, and a call cut by our
 * timeout loses the task id; so it is asked to return at once and polled.
 */
export function askMode(
  kind: PeerKind,
  timeoutMs: number,
  returnImmediately?: boolean,
): {blocking: boolean; httpTimeoutMs: number} {
  const blocking = kind === 'openclaw' && !returnImmediately && timeoutMs >= DEFAULT_REPLY_TIMEOUT_MS
  if (blocking) return {blocking, httpTimeoutMs: Math.min(timeoutMs, DEFAULT_REPLY_TIMEOUT_MS + 10_000)}
  // An agent that ignores returnImmediately still gets the whole wait to answer.
  return {blocking, httpTimeoutMs: kind === 'openclaw' ? Math.min(timeoutMs, 20_000) : timeoutMs}
}

/** The checks every message to a peer passes before anything leaves (size, slash, this host's secrets), and its target. */
export async function prepareA2aMessage(
  deps: Deps,
  peerName: string,
  message: string,
): Promise<{record: PeerRecord; target: A2aTarget}> {
  const record = requirePeer(deps.store.read(), peerName)
  assertA2aText(message, record.name, peerKindOf(record))
  await assertNoSecretInText(deps, message)
  return {record, target: await a2aTargetFor(deps, await deps.secrets(), record)}
}

/** `claw-mesh ask`: one SendMessage to the peer's A2A endpoint and its reply (see askMode for how it waits). */
export async function askPeer(deps: Deps, peerName: string, opts: AskOptions): Promise<AskResult> {
  const {record, target} = await prepareA2aMessage(deps, peerName, opts.message)
  const timeoutMs = opts.timeoutMs ?? DEFAULT_ASK_TIMEOUT_MS
  const started = deps.clock.now().getTime()
  const until = started + timeoutMs
  const {blocking, httpTimeoutMs} = askMode(target.kind, timeoutMs, opts.returnImmediately)
  const body = sendMessageBody({
    text: opts.message,
    contextId: opts.thread,
    taskId: opts.task,
    returnImmediately: !blocking,
  })
  for (let attempt = 1; ; attempt++) {
    const outcome = await callA2a(deps, target, body, {
      method: 'SendMessage',
      timeoutMs: httpTimeoutMs,
      retryForMs: Math.min(timeoutMs, 30_000),
    })
    if (outcome.kind !== 'task') throw a2aFailure(target, outcome)
    const stale =
      opts.task && !blocking && INTERRUPTED_STATES.has(outcome.task.state) ? outcome.task.updatedAt : undefined
    const task = opts.returnImmediately
      ? outcome.task
      : await waitForTask(deps, target, outcome.task, until, blocking ? 2000 : 250, stale)
    // Seen live: the first run after an OpenClaw gateway start can fail before the agent ran at all, while its
    // start-up maintenance holds its state. Nothing was done, so asking once more is safe.
    const startupRace =
      target.kind === 'openclaw' &&
      task.state === 'TASK_STATE_FAILED' &&
      /owns state-lifecycle/i.test(task.reason ?? '')
    if (!startupRace || attempt >= 3 || deps.clock.now().getTime() + 5000 >= until)
      return resultOf(record.name, task, started, deps.clock.now().getTime())
    await deps.clock.sleep(5000)
  }
}

/** `claw-mesh task PEER ID`: a task this machine started on the peer, once or (with a timeout) until it ends. */
export async function getPeerTask(
  deps: Deps,
  peerName: string,
  taskId: string,
  opts: {waitMs?: number} = {},
): Promise<AskResult> {
  const record = requirePeer(deps.store.read(), peerName)
  const target = await a2aTargetFor(deps, await deps.secrets(), record)
  const started = deps.clock.now().getTime()
  const outcome = await callA2a(deps, target, getTaskBody(taskId), {method: 'GetTask', timeoutMs: 15_000})
  if (outcome.kind !== 'task') throw a2aFailure(target, outcome)
  const task = opts.waitMs ? await waitForTask(deps, target, outcome.task, started + opts.waitMs, 1000) : outcome.task
  return resultOf(record.name, task, started, deps.clock.now().getTime())
}
