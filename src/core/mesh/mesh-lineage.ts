import {randomBytes} from 'node:crypto'

/**
 * Lineage of a mesh message: how many agent hops it is from a human's turn, and the conversation it started in.
 * It travels in the A2A `contextId` (the one field the sender chooses that the receiving gateway hands to its
 * agent's session key, `agent:<id>:a2a:<account>:direct:<peer>:<contextId>`), so the receiver's plugin learns it
 * from the calling session alone: no text the agent could forge, no extra field the channel would drop.
 */
export interface Lineage {
  /** 1 for a message an owner's run sent, n+1 for one sent by a run that a hop-n message started. */
  hop: number
  /** The originating conversation: stable across every hop of one chain. */
  origin: string
}

const CONTEXT = /^cm-h(\d{1,3})-([a-z0-9]{6,24})-([A-Za-z0-9]{1,40})$/
const A2A_SESSION = /^agent:[^:]+:a2a:[^:]+:direct:([^:]+):(.+)$/

export function newOrigin(): string {
  return randomBytes(6).toString('hex')
}

/** A contextId that carries the lineage (≤ 128 chars of the channel's alphabet). */
export function lineageContextId(lineage: Lineage, conversation: string = randomBytes(6).toString('hex')): string {
  return `cm-h${lineage.hop}-${lineage.origin}-${conversation.replace(/[^A-Za-z0-9]/g, '').slice(0, 40) || 'x'}`
}

export function parseLineageContextId(contextId: string): Lineage | undefined {
  const m = CONTEXT.exec(contextId)
  return m ? {hop: Number(m[1]), origin: m[2]} : undefined
}

/**
 * The lineage of the run a tool was called from. An owner's run (any session that is not an A2A peer's) is hop 0
 * with a fresh origin; a run that a peer started is that message's hop; a peer session whose context claw-mesh did
 * not name (OpenClaw's own `message` tool, a foreign A2A client) counts as hop 1 of an unknown chain.
 */
export function callerLineage(sessionKey: string | undefined): Lineage & {peer?: string} {
  const m = sessionKey ? A2A_SESSION.exec(sessionKey) : null
  if (!m) return {hop: 0, origin: newOrigin()}
  const parsed = parseLineageContextId(m[2])
  return parsed ? {...parsed, peer: m[1]} : {hop: 1, origin: newOrigin(), peer: m[1]}
}

/** The A2A contextId of a peer's session (`agent:<id>:a2a:<account>:direct:<peer>:<contextId>`), if it is one. */
export function sessionContext(sessionKey: string | undefined): {peer: string; contextId: string} | undefined {
  const m = sessionKey ? A2A_SESSION.exec(sessionKey) : null
  return m ? {peer: m[1], contextId: m[2]} : undefined
}

/** The lineage of the next message a run sends. */
export function nextLineage(caller: Lineage): Lineage {
  return {hop: caller.hop + 1, origin: caller.origin}
}

/**
 * The contextId of the next message of a thread: the thread's own conversation, restamped with the sender's hop.
 * An owner's run (hop 0) keeps the thread's origin, so asking again in a thread reaches the same session on the
 * peer; a run inside a chain keeps the chain's origin. A thread that is not claw-mesh's becomes the conversation
 * part, so no thread value can reset the hop count.
 */
export function threadContextId(caller: Lineage, thread: string | undefined): string {
  const next = nextLineage(caller)
  if (!thread) return lineageContextId(next)
  const m = CONTEXT.exec(thread)
  if (!m) return lineageContextId(next, thread)
  return lineageContextId({hop: next.hop, origin: caller.hop === 0 ? m[2] : caller.origin}, m[3])
}
