import {createHash} from 'node:crypto'
import {ActionNeededError, ClawMeshError, UsageError} from '../common/errors.js'
import {stripControl} from '../common/terminal-text.js'

/**
 * What a message to a peer's gateway looks like on the wire (`POST /hooks/agent` or `/hooks/wake`), its
 * idempotency key, and what each answer means. Pure: no I/O.
 */

/** The gateway refuses hook bodies over 256 KiB with 413. */
export const MAX_HOOK_BODY_BYTES = 256 * 1024

export type HookKind = 'agent' | 'wake'

export interface HookMessage {
  kind: HookKind
  message: string
  /** Sender label (`name` on /hooks/agent): claw-mesh:<identity> unless given. */
  name: string
  agentId?: string
  sessionKey?: string
  /** /hooks/agent only: the gateway deduplicates runs with the same key, token and dispatch fields. */
  idempotencyKey?: string
  /** /hooks/agent only: keep the request open and return the run's completion. */
  waitForCompletion?: boolean
}

export interface HookRequest {
  path: '/hooks/agent' | '/hooks/wake'
  body: string
  bytes: number
}

/**
 * The idempotency key claw-mesh sends with every /hooks/agent message unless the user gives one:
 * `claw-mesh-v1-` + sha256 over (sender identity, peer name, endpoint, agent id, session key, text). The same
 * message from the same sender to the same peer and session always has the same key, so a retry (ours after a
 * 502/503/timeout, or the user re-running the command) replays the first run's runId instead of starting a
 * second run. The gateway keeps a key until 5 minutes after the run completes; to send identical text again
 * on purpose inside that window, pass a different --idempotency-key.
 */
export function idempotencyKeyFor(input: {
  sender: string
  peer: string
  kind: HookKind
  message: string
  agentId?: string
  sessionKey?: string
}): string {
  const fields = [input.sender, input.peer, input.kind, input.agentId ?? '', input.sessionKey ?? '', input.message]
  return `claw-mesh-v1-${createHash('sha256').update(JSON.stringify(fields)).digest('hex')}`
}

/** A user-given key must be one the gateway uses: trimmed, non-empty, at most 256 characters. */
export function idempotencyKeyProblem(key: string): string | undefined {
  const trimmed = key.trim()
  if (trimmed === '') return 'is empty'
  if (trimmed.length > 256) return `is ${trimmed.length} characters long (the gateway ignores keys over 256)`
  if (trimmed !== key) return 'has leading or trailing spaces (the gateway trims them)'
  return undefined
}

export function buildHookRequest(msg: HookMessage): HookRequest {
  const optional = (o: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== false))
  if (msg.kind === 'wake') {
    // /hooks/wake has no name or replay key: a repeated wake is coalesced by the gateway's queue instead.
    const body = JSON.stringify(
      optional({text: msg.message, mode: 'now', agentId: msg.agentId, sessionKey: msg.sessionKey}),
    )
    return {path: '/hooks/wake', body, bytes: Buffer.byteLength(body)}
  }
  const body = JSON.stringify(
    optional({
      message: msg.message,
      name: msg.name,
      agentId: msg.agentId,
      sessionKey: msg.sessionKey,
      idempotencyKey: msg.idempotencyKey,
      waitForCompletion: msg.waitForCompletion,
    }),
  )
  return {path: '/hooks/agent', body, bytes: Buffer.byteLength(body)}
}

export function formatBytes(n: number): string {
  return n >= 1024 * 1024
    ? `${(n / 1024 / 1024).toFixed(1)} MiB`
    : n >= 1024
      ? `${(n / 1024).toFixed(1)} KiB`
      : `${n} B`
}

/** Checked before sending: the peer would answer 413 and nothing would be delivered. */
export function tooLargeError(peer: string, bytes: number): UsageError {
  return new UsageError(
    `The message to ${peer} is ${formatBytes(bytes)} on the wire, over the gateway's 256 KiB limit for hooks: it was not sent.`,
    {
      code: 'message-too-large',
      hint: 'Shorten the message, or send the content as a file (claw-mesh file send PEER PATH) and message a short note pointing to it.',
    },
  )
}

/** How one delivery attempt ended, as seen by the sender. */
export type HookOutcome =
  | {type: 'answer'; status: number; body: string; retryAfter?: string}
  | {
      type: 'network'
      kind: 'timeout' | 'refused' | 'unreachable' | 'dns' | 'reset' | 'tls' | 'too-large' | 'proxy' | 'moved' | 'other'
      detail: string
    }

/**
 * The error's first words from a JSON (`{ok:false,error}`) or plain-text answer, cut short, terminal controls
 * stripped. The body was redacted when it arrived (createFetchHttpClient), so the cut cannot split a secret.
 */
export function answerError(body: string): string {
  let text = body.trim()
  try {
    const parsed = JSON.parse(body) as {error?: unknown}
    if (parsed && typeof parsed.error === 'string') text = parsed.error
  } catch {
    // plain-text answers (401, 405) are fine as they are
  }
  text = stripControl(text)
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
}

/**
 * Turns the last failed outcome into an error that says what happened and what to do. `peer` is the name the
 * user knows; `url` the gateway address.
 */
export function deliveryError(peer: string, url: string, outcome: HookOutcome, attempts: number): ClawMeshError {
  const tries = attempts > 1 ? ` (after ${attempts} attempts)` : ''
  if (outcome.type === 'network') {
    if (outcome.kind === 'timeout') {
      return new ClawMeshError(`${peer}'s gateway (${url}) did not answer in time${tries}.`, {
        code: 'peer-timeout',
        hint: `Check the peer with: claw-mesh peer check ${peer}. Re-running the same send is safe: the idempotency key makes the gateway replay a run it already started.`,
      })
    }
    if (outcome.kind === 'moved') {
      return new ActionNeededError(
        `Nothing was sent to ${peer}: the name in its URL (${url}) no longer resolves to the tailnet address ${peer} was added at.`,
        {
          code: 'peer-address-moved',
          hint: `Someone may have re-pointed the name. If ${peer} really moved, add it again with --replace ${peer} (claw-mesh peer add URL --name ${peer} --replace ${peer}) or pair again.`,
        },
      )
    }
    if (outcome.kind === 'too-large') {
      // Not retried: a second attempt would only read the same flood again.
      return new ClawMeshError(
        `${peer}'s gateway (${url}) answered with more than claw-mesh reads (1 MiB): the answer was cut off unread. The message may have been delivered.`,
        {
          code: 'peer-answer-too-large',
          hint: `No OpenClaw gateway answers a hook like that: check that ${url} is ${peer}'s gateway (claw-mesh peer check ${peer}) before sending again.`,
        },
      )
    }
    return new ClawMeshError(`${peer}'s gateway is unreachable${tries} at ${url}: ${outcome.detail}.`, {
      code: 'peer-unreachable',
      hint: `The peer's machine or gateway may be down or off the tailnet. Check it with: claw-mesh peer check ${peer}`,
    })
  }
  const {status} = outcome
  const said = answerError(outcome.body)
  switch (status) {
    case 401:
      return new ActionNeededError(`${peer} refused the hooks token (401).`, {
        code: 'peer-token-refused',
        hint: `The peer refused the hooks token — was it rotated? Ask for a new invite: claw-mesh invite on ${peer}, then claw-mesh peer add --invite - here.`,
      })
    case 413:
      return new UsageError(`${peer} refused the message as too large (413: over its hooks body limit).`, {
        code: 'message-too-large',
        hint: 'Shorten the message, or send the content with claw-mesh file send and message a short note.',
      })
    case 404:
      return new ActionNeededError(
        `${peer}'s gateway has no hook endpoint at ${url} (404): hooks are off there or use another path.`,
        {
          code: 'peer-hooks-off',
          hint: `Run claw-mesh bootstrap on ${peer} to enable hooks, then ask for a new invite.`,
        },
      )
    case 429:
      return new ClawMeshError(
        `${peer} is throttling this machine (429${outcome.retryAfter ? `, retry after ${outcome.retryAfter}s` : ''}): too many refused tokens from here.`,
        {
          code: 'peer-throttled',
          hint: `Wait a minute, then check the token with: claw-mesh peer check ${peer}`,
        },
      )
    case 400:
      return new ClawMeshError(`${peer} rejected the message (400: ${said || 'bad request'}).`, {
        code: 'peer-rejected',
        hint: /session/i.test(said)
          ? `${peer}'s gateway does not accept this --session-key: it needs hooks.allowRequestSessionKey and a matching hooks.allowedSessionKeyPrefixes. Drop --session-key or ask its owner.`
          : /agent/i.test(said)
            ? `Check --agent-id: it must name an agent configured on ${peer} and allowed by its hooks.allowedAgentIds.`
            : 'Read the error above; the message was not delivered.',
      })
    case 409:
      return new ClawMeshError(
        `${peer} could not admit the run (409: ${said || 'the target session cannot accept work'}).`,
        {code: 'peer-busy', hint: 'Try again later, or send to another session (--session-key) or agent (--agent-id).'},
      )
    case 502:
    case 503:
      return new ClawMeshError(
        `${peer}'s gateway could not start the run (${status}: ${said || 'unavailable'})${tries}.`,
        {
          code: 'peer-busy',
          hint: `The agent on ${peer} is busy or restarting. Try again later; re-sending is safe (same idempotency key).`,
        },
      )
    default:
      return new ClawMeshError(`${peer} answered HTTP ${status}${said ? `: ${said}` : ''}${tries}.`, {
        code: 'peer-error',
        hint: `Check the peer with: claw-mesh peer check ${peer}`,
      })
  }
}

/** A peer added without its hooks token can be health-checked but not messaged. */
export function healthOnlyError(peer: string): ActionNeededError {
  return new ActionNeededError(
    `${peer} is a health-only peer (added without its hooks token): messages cannot be sent to it.`,
    {
      code: 'peer-health-only',
      hint: `Ask for its invite (claw-mesh invite on ${peer}) and run claw-mesh peer add --invite - here.`,
    },
  )
}
