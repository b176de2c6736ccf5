import {createHmac, randomBytes, timingSafeEqual} from 'node:crypto'

/**
 * Proof that a discovered fleet member holds the mesh secret, before any token or URL for it is written.
 *
 * The tag says a node may be a member; only the mesh secret says it is one. Each member's claw-mesh plugin holds its
 * own proof key, derived from the mesh secret and its name (never the mesh secret itself), and answers a challenge
 * at PROOF_PATH. The discoverer derives the same key for the name it is about to pair, sends a fresh challenge to
 * the tailnet address Tailscale says holds that node, and checks the answer in constant time.
 *
 * - Replay: every challenge is 32 fresh random bytes, so an answer is good for one request only.
 * - Reflection and relay: the message binds the caller's and the answerer's names, and the key is the answerer's
 *   own; a proof another member gave (to anyone, for anything) never verifies as a different name.
 * - Pure: no I/O here; the plugin route and the discover service do the talking.
 */
export const PROOF_PATH = '/claw-mesh/v1/proof'
/** Requests and answers are a few hundred bytes; anything larger is not a proof exchange. */
export const MAX_PROOF_BODY = 1024
const KEY_LABEL = 'claw-mesh proof key v1'
const MESSAGE_LABEL = 'claw-mesh proof v1'
const CHALLENGE = /^[A-Za-z0-9_-]{43}$/
const PROOF = /^[A-Za-z0-9_-]{43}$/
/** A claw-mesh name: one DNS label, lower case (as members are named from their MagicDNS label). */
const NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/

export interface ProofRequest {
  challenge: string
  /** Who asks: the discoverer's name, bound into the proof. */
  from: string
}

export interface ProofAnswer {
  /** Who answers: the member's own name, bound into the proof. */
  name: string
  proof: string
}

/** The member's proof key: HMAC-SHA256(mesh secret, label ‖ 0 ‖ name). Its plugin holds this, never the secret. */
export function meshProofKey(meshSecret: string, name: string): string {
  return createHmac('sha256', meshSecret).update(`${KEY_LABEL}\0${name}`).digest('base64url')
}

export function newChallenge(random: (n: number) => Buffer = randomBytes): string {
  return random(32).toString('base64url')
}

/** Domain-separated; the fields cannot run into each other (names are DNS labels, the challenge is base64url). */
function message(challenge: string, from: string, to: string): string {
  return `${MESSAGE_LABEL}\n${challenge}\n${from}\n${to}`
}

/** What a member answers: `to` is its own name, `from` the caller's. */
export function proveMesh(proofKey: string, req: {challenge: string; from: string; to: string}): string {
  return createHmac('sha256', Buffer.from(proofKey, 'base64url'))
    .update(message(req.challenge, req.from, req.to))
    .digest('base64url')
}

export type ProofVerdict = {ok: true} | {ok: false; reason: 'wrong-name' | 'wrong-proof' | 'malformed'}

/**
 * Checks a member's answer to the challenge this host (`self`) sent to the node it knows as `name`. The expected
 * key is derived here from the mesh secret, so only a holder of the secret (or of that member's key) can answer.
 */
export function verifyMeshProof(input: {
  meshSecret: string
  self: string
  name: string
  challenge: string
  answer: unknown
}): ProofVerdict {
  const answer = parseProofAnswer(input.answer)
  if (!answer) return {ok: false, reason: 'malformed'}
  if (answer.name !== input.name) return {ok: false, reason: 'wrong-name'}
  const expected = Buffer.from(
    proveMesh(meshProofKey(input.meshSecret, input.name), {
      challenge: input.challenge,
      from: input.self,
      to: input.name,
    }),
    'base64url',
  )
  const given = Buffer.from(answer.proof, 'base64url')
  return given.length === expected.length && timingSafeEqual(given, expected)
    ? {ok: true}
    : {ok: false, reason: 'wrong-proof'}
}

function isObject(v: unknown): v is Record<string, unknown> {
  return Boolean(v) && typeof v === 'object' && !Array.isArray(v)
}

/** A request body as the plugin route received it (text, already size-capped); undefined when it is not one. */
export function parseProofRequest(body: string): ProofRequest | undefined {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return undefined
  }
  if (!isObject(json) || typeof json.challenge !== 'string' || typeof json.from !== 'string') return undefined
  if (!CHALLENGE.test(json.challenge) || !NAME.test(json.from)) return undefined
  return {challenge: json.challenge, from: json.from}
}

/** A member's answer, already JSON-parsed by the HTTP client; undefined unless it has exactly the expected shape. */
export function parseProofAnswer(json: unknown): ProofAnswer | undefined {
  if (!isObject(json) || typeof json.name !== 'string' || typeof json.proof !== 'string') return undefined
  if (!NAME.test(json.name) || !PROOF.test(json.proof)) return undefined
  return {name: json.name, proof: json.proof}
}

/** The plugin's proof settings (`plugins.entries.claw-mesh.config.meshProof`), or undefined when unusable. */
export function readProofSettings(raw: unknown): {name: string; key: string} | undefined {
  if (!isObject(raw) || typeof raw.name !== 'string' || typeof raw.key !== 'string') return undefined
  return NAME.test(raw.name) && PROOF.test(raw.key) ? {name: raw.name, key: raw.key} : undefined
}
