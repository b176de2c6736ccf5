import {mapBounded} from '../../core/common/bounded.js'
import {MAX_PROOF_BODY, PROOF_PATH, newChallenge, verifyMeshProof} from '../../core/pairing/mesh-proof.js'
import type {Deps} from '../../deps.js'
import {HttpFailure} from '../../infra/http.js'

/**
 * Discovery's check that each member it is about to pair holds the mesh secret (src/core/pairing/mesh-proof.ts): a fresh
 * challenge to the member's tailnet address, the answer verified against the key derived here. Nothing of a
 * member's answer is printed: a failure is described by what happened, never by what it said.
 */
export interface ProofTarget {
  name: string
  /** `http://<tailnet IPv4>:<port>`: the address Tailscale says holds the node, not a name that could be re-pointed. */
  url: string
  online: boolean
}

export interface ProofFailure {
  reason: string
  hint: string
}

export const PROOF_TIMEOUT_MS = 5000
/** A gateway still starting its plugins answers 503 with Retry-After: 1 (gateway-routes.md): asked again, twice. */
const STARTING_RETRIES = 2
const CONCURRENCY = 8

const bootstrapHint = (name: string) =>
  `Run claw-mesh bootstrap --identity ${name} --mesh-secret file:PATH on ${name} (the same mesh secret), then claw-mesh peer discover here.`

async function proveOne(
  deps: Pick<Deps, 'http' | 'clock'>,
  input: {meshSecret: string; self: string; timeoutMs: number; challenge: () => string},
  target: ProofTarget,
): Promise<ProofFailure | undefined> {
  if (!target.online)
    return {
      reason: 'is offline, so it cannot prove it holds the mesh secret',
      hint: 'It is paired by the first claw-mesh peer discover (or bootstrap) after it is back online.',
    }
  const url = `${target.url}${PROOF_PATH}`
  for (let attempt = 0; ; attempt++) {
    // A fresh challenge every time: an answer seen once is worth nothing later.
    const challenge = input.challenge()
    let res
    try {
      res = await deps.http.request({
        method: 'POST',
        url,
        headers: {'content-type': 'application/json'},
        body: JSON.stringify({challenge, from: input.self}),
        timeoutMs: input.timeoutMs,
        maxBodyBytes: MAX_PROOF_BODY,
      })
    } catch (error) {
      const kind = error instanceof HttpFailure ? error.kind : 'other'
      return {
        reason: `did not answer the mesh-secret proof at ${url} (${kind}): its gateway may be down`,
        hint: `Check its gateway (claw-mesh status on ${target.name}); discovery tries again on its next run.`,
      }
    }
    if (res.status === 503 && attempt < STARTING_RETRIES) {
      await deps.clock.sleep(1000)
      continue
    }
    if (res.status === 200) {
      const verdict = verifyMeshProof({
        meshSecret: input.meshSecret,
        self: input.self,
        name: target.name,
        challenge,
        answer: res.json(),
      })
      if (verdict.ok) return undefined
      const what =
        verdict.reason === 'wrong-name'
          ? 'answered the proof under another name'
          : verdict.reason === 'malformed'
            ? 'answered with something that is not a proof'
            : 'answered with a proof that does not match this mesh secret'
      return {
        reason: `${what}: it does not hold this mesh secret (a node that is not a member, or one still on an older secret)`,
        hint: `If ${target.name} is a member: ${bootstrapHint(target.name)} If it is not: take the mesh tag off it or remove it from the tailnet.`,
      }
    }
    const body = res.status === 404 ? res.json<{error?: unknown}>() : undefined
    if (body?.error === 'no-proof-key')
      return {
        reason: "has claw-mesh's plugin but no proof key: it was bootstrapped without the mesh secret",
        hint: bootstrapHint(target.name),
      }
    if (res.status === 404)
      return {
        reason: 'does not answer the mesh-secret proof (no claw-mesh plugin there, or one older than this claw-mesh)',
        hint: bootstrapHint(target.name),
      }
    if (res.status === 429)
      return {
        reason: 'refused the proof request for now (rate limited)',
        hint: 'Run claw-mesh peer discover again in a minute.',
      }
    return {reason: `answered the mesh-secret proof with HTTP ${res.status}`, hint: bootstrapHint(target.name)}
  }
}

/** Proves every target, a few at a time; the map holds a failure for each member that did not prove. */
export async function proveMembers(
  deps: Pick<Deps, 'http' | 'clock'>,
  input: {meshSecret: string; self: string; targets: ProofTarget[]; timeoutMs?: number; challenge?: () => string},
): Promise<Map<string, ProofFailure>> {
  const opts = {
    meshSecret: input.meshSecret,
    self: input.self,
    timeoutMs: input.timeoutMs ?? PROOF_TIMEOUT_MS,
    challenge: input.challenge ?? (() => newChallenge()),
  }
  const outcomes = await mapBounded(input.targets, CONCURRENCY, (t) => proveOne(deps, opts, t))
  const failures = new Map<string, ProofFailure>()
  input.targets.forEach((t, i) => {
    const failure = outcomes[i]
    if (failure) failures.set(t.name, failure)
  })
  return failures
}
