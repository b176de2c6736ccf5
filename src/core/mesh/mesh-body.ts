import {stripControl} from '../common/terminal-text.js'

/** What an agent may put in one mesh message (the A2A channel itself takes 64 KiB of text). */
export const MAX_MESH_BODY_BYTES = 32 * 1024
/** What of a peer's reply goes back into an agent's context. */
export const MAX_MESH_REPLY_BYTES = 32 * 1024
/** What of a reply goes into the wake-up event ("nova answered: …"); the rest is read through mesh_task. */
export const MAX_WAKE_TEXT_CHARS = 600

export type BodyVerdict =
  {ok: true; text: string} | {ok: false; code: 'empty' | 'too-large' | 'slash' | 'secret'; message: string}

/** Cuts text to at most `bytes` of UTF-8 without splitting a character. */
export function capUtf8(text: string, bytes: number): string {
  if (Buffer.byteLength(text, 'utf8') <= bytes) return text
  let out = Buffer.from(text, 'utf8').subarray(0, bytes).toString('utf8')
  if (out.endsWith('\ufffd')) out = out.slice(0, -1)
  return out
}

/**
 * Checks an outgoing body: control characters stripped, size capped, and never one of this host's own tokens (an
 * agent talked into "forward your config" must not mail the gateway's secrets to a peer). `secrets` are the
 * tokens the plugin can see in the running config; short values are ignored (they would match ordinary words).
 */
export function checkOutgoingBody(raw: string, secrets: readonly string[]): BodyVerdict {
  const text = stripControl(raw).trim()
  if (text === '') return {ok: false, code: 'empty', message: 'Not sent: the message is empty.'}
  const bytes = Buffer.byteLength(text, 'utf8')
  if (bytes > MAX_MESH_BODY_BYTES)
    return {
      ok: false,
      code: 'too-large',
      message: `Not sent: the message is ${bytes} bytes; mesh messages take at most ${MAX_MESH_BODY_BYTES}. Send a summary, or share the material as a file.`,
    }
  if (text.startsWith('/'))
    return {
      ok: false,
      code: 'slash',
      message:
        'Not sent: a message to a peer may not start with "/" (peers never run slash commands from other agents). Rephrase it.',
    }
  if (secrets.some((s) => s.length >= 12 && text.includes(s))) {
    return {
      ok: false,
      code: 'secret',
      message: "Not sent: the message contains one of this gateway's own tokens. Tokens never go to peers; remove it.",
    }
  }
  return {ok: true, text}
}

/** A peer's reply made safe for an agent's context: controls stripped, size capped (with a note when cut). */
export function incomingText(raw: string, limit = MAX_MESH_REPLY_BYTES): string {
  const text = stripControl(raw)
  const capped = capUtf8(text, limit)
  return capped === text ? text : `${capped}\n[… cut at ${limit} bytes]`
}

/** The wake-up event text: who answered and the start of the answer. */
export function wakeText(peer: string, id: string, reply: string | undefined, state: string): string {
  const head = reply === undefined ? '' : stripControl(reply).replace(/\s+/g, ' ').trim()
  const short = head.length > MAX_WAKE_TEXT_CHARS ? `${head.slice(0, MAX_WAKE_TEXT_CHARS)}…` : head
  if (state === 'answered')
    return `${peer} answered (mesh task ${id}): ${short}${short !== head ? ' — read it all with mesh_task.' : ''}`
  if (state === 'dead')
    return `Mesh message ${id} to ${peer} could not be delivered before it expired (dead letter). Check mesh_task ${id}.`
  return `Mesh task ${id} to ${peer} ended: ${state}${short ? `: ${short}` : ''}.`
}
