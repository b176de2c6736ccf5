import os from 'node:os'
import type {Readable} from 'node:stream'
import {UsageError} from '../../core/common/errors.js'
import {readTextInputFile, readTextInputStdin} from '../../infra/text-input-file.js'
import {
  buildHookRequest,
  idempotencyKeyFor,
  MAX_HOOK_BODY_BYTES,
  tooLargeError,
  type HookKind,
  type HookRequest,
} from '../../core/a2a/hook-message.js'
import type {State} from '../../core/common/state-schema.js'

/** What the user asked to send, before it is addressed to a peer. */
export interface MessageOptions {
  message: string
  kind: HookKind
  agentId?: string
  sessionKey?: string
  /** Sender label; default claw-mesh:<identity>. */
  name?: string
  /** Overrides the derived idempotency key (send only: a broadcast derives one per peer). */
  idempotencyKey?: string
  waitForCompletion?: boolean
  /** Send the text exactly as given, without the first line that names the sender and how to reply. */
  bare?: boolean
}

/** This host's name in the mesh: its claw-mesh identity, else the machine's hostname. */
export function senderIdentity(state: State): string {
  return state.identity ?? os.hostname().split('.')[0].toLowerCase()
}

/**
 * The text the peer's agent reads. Hook text reaches the agent as external content with no trusted sender, so
 * claw-mesh names the sender and how to reply on a first line. Not a command line: one with the reply in double
 * quotes would have the agent's shell run any `$(…)` in it (the skill's exec fallback takes the text on stdin).
 */
export function composeText(opts: MessageOptions, sender: string): string {
  if (opts.bare) return opts.message
  return `[claw-mesh] From peer "${sender}". To reply: mesh_send to ${sender} (or the claw-mesh skill's send fallback; never the reply in a command line)\n\n${opts.message}`
}

/** Builds the wire request for one peer, refusing (before anything is sent) a body over the gateway's limit. */
export function requestFor(
  peer: string,
  opts: MessageOptions,
  sender: string,
): {request: HookRequest; idempotencyKey?: string} {
  const idempotencyKey =
    opts.kind === 'agent'
      ? (opts.idempotencyKey ??
        idempotencyKeyFor({
          sender,
          peer,
          kind: opts.kind,
          message: opts.message,
          agentId: opts.agentId,
          sessionKey: opts.sessionKey,
        }))
      : undefined
  const request = buildHookRequest({
    kind: opts.kind,
    message: composeText(opts, sender),
    name: opts.name ?? `claw-mesh:${sender}`,
    agentId: opts.agentId,
    sessionKey: opts.sessionKey,
    idempotencyKey,
    waitForCompletion: opts.waitForCompletion,
  })
  if (request.bytes > MAX_HOOK_BODY_BYTES) throw tooLargeError(peer, request.bytes)
  return {request, idempotencyKey}
}

/**
 * The message text from exactly one source: the argument, `-` for stdin, or --file PATH.
 * Empty text is refused: the gateway would answer 400 and nothing would be delivered.
 */
export async function readMessageText(input: {arg?: string; file?: string; stdin: Readable}): Promise<string> {
  if (input.arg !== undefined && input.file !== undefined) {
    throw new UsageError('Give the message either as an argument or with --file, not both.', {
      hint: 'Drop the argument, or drop --file.',
    })
  }
  let message: string
  let origin: string
  if (input.file !== undefined) {
    origin = `--file ${input.file}`
    message = await readTextInputFile(input.file, origin, 'Check the path and its permissions.')
  } else if (input.arg === '-') {
    origin = 'stdin'
    message = await readTextInputStdin(input.stdin, origin)
  } else if (input.arg !== undefined) {
    origin = 'the argument'
    message = input.arg
  } else {
    throw new UsageError('No message given.', {
      hint: 'Pass the text as an argument, - to read it from stdin, or --file PATH.',
    })
  }
  if (message.trim() === '')
    throw new UsageError(`The message from ${origin} is empty.`, {hint: 'Write something to send.'})
  return message.replace(/\r?\n$/, '')
}
