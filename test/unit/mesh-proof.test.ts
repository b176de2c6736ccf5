import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {describe, expect, it} from 'vitest'
import {
  meshProofKey,
  newChallenge,
  parseProofRequest,
  proveMesh,
  verifyMeshProof,
} from '../../src/core/pairing/mesh-proof.js'
import {meshProofAssignments} from '../../src/core/pairing/mesh-proof-config.js'
import {maskChanges, planAssignments} from '../../src/core/openclaw/openclaw-config-patch.js'
import {proofHandler, rateLimiter} from '../../src/plugin/proof-route.js'
import type {PluginApi} from '../../src/plugin/host.js'

const SECRET = 'fleet-secret-0123456789abcdefghijklmnop'
const OTHER = 'another-fleet-0123456789abcdefghijklmn'
const c1 = newChallenge()
const c2 = newChallenge()
/** nova's honest answer to a challenge from me. */
const honest = (challenge = c1, key = meshProofKey(SECRET, 'nova'), from = 'me', to = 'nova') => ({
  name: to,
  proof: proveMesh(key, {challenge, from, to}),
})

describe('mesh proof: verifying a member', () => {
  const cases: Array<[string, unknown, string, 'ok' | 'wrong-name' | 'wrong-proof' | 'malformed']> = [
    ['the member with the key derived from the mesh secret', honest(), c1, 'ok'],
    ['a key derived from another secret', honest(c1, meshProofKey(OTHER, 'nova')), c1, 'wrong-proof'],
    [
      "another member's key (relayed or reflected: x answers as nova)",
      {name: 'nova', proof: proveMesh(meshProofKey(SECRET, 'x'), {challenge: c1, from: 'me', to: 'x'})},
      c1,
      'wrong-proof',
    ],
    [
      "another member's honest answer, forwarded as is",
      honest(c1, meshProofKey(SECRET, 'x'), 'me', 'x'),
      c1,
      'wrong-name',
    ],
    ['a proof made for another caller', honest(c1, undefined, 'y'), c1, 'wrong-proof'],
    [
      'a proof for another name in the message',
      {name: 'nova', proof: proveMesh(meshProofKey(SECRET, 'nova'), {challenge: c1, from: 'me', to: 'x'})},
      c1,
      'wrong-proof',
    ],
    ['an answer to an earlier challenge (replay)', honest(c1), c2, 'wrong-proof'],
    ['the mesh secret itself as the key', honest(c1, Buffer.from(SECRET).toString('base64url')), c1, 'wrong-proof'],
    ['a proof cut short', {name: 'nova', proof: honest().proof.slice(0, 20)}, c1, 'malformed'],
    ['not an object', 'proof', c1, 'malformed'],
    ['extra control characters in the name', {name: 'nova\n', proof: honest().proof}, c1, 'malformed'],
  ]
  it.each(cases)('%s', (_what, answer, challenge, expected) => {
    const verdict = verifyMeshProof({meshSecret: SECRET, self: 'me', name: 'nova', challenge, answer})
    expect(verdict.ok ? 'ok' : verdict.reason).toBe(expected)
  })

  it('derives a different key per name and per secret, never the secret', () => {
    const keys = [meshProofKey(SECRET, 'nova'), meshProofKey(SECRET, 'x'), meshProofKey(OTHER, 'nova')]
    expect(new Set(keys).size).toBe(3)
    for (const k of keys) expect(k).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(keys.join()).not.toContain(SECRET)
    expect(c1).not.toBe(c2)
  })

  it.each([
    ['{"challenge":"' + c1 + '","from":"me"}', true],
    ['{"challenge":"short","from":"me"}', false],
    ['{"challenge":"' + c1 + '","from":"Me\\u001b[31m"}', false],
    ['{"challenge":"' + c1 + '"}', false],
    ['not json', false],
    ['[1,2]', false],
  ])('parses a request body %s: %s', (body, ok) => {
    expect(Boolean(parseProofRequest(body))).toBe(ok)
  })
})

describe('mesh proof: the proof key in openclaw.json', () => {
  const installed = {plugins: {entries: {'claw-mesh': {enabled: true, config: {auditDir: '/s'}}}}}
  it('writes {name, key} under the plugin entry, masked in every change list', () => {
    const plan = planAssignments(installed, meshProofAssignments(installed, {meshSecret: SECRET, identity: 'nova'}))
    expect(
      (plan.next as typeof installed & {plugins: {entries: {'claw-mesh': {config: {meshProof: unknown}}}}}).plugins
        .entries['claw-mesh'].config.meshProof,
    ).toEqual({name: 'nova', key: meshProofKey(SECRET, 'nova')})
    expect(plan.next.plugins).toMatchObject({entries: {'claw-mesh': {enabled: true, config: {auditDir: '/s'}}}})
    expect(JSON.stringify(maskChanges(plan.changes))).not.toContain(meshProofKey(SECRET, 'nova'))
    // Rotation: a new mesh secret re-derives the key; leaving the fleet (no secret) removes it, masked too.
    const rotated = planAssignments(plan.next, meshProofAssignments(plan.next, {meshSecret: OTHER, identity: 'nova'}))
    expect(rotated.changes).toHaveLength(1)
    const removed = planAssignments(plan.next, meshProofAssignments(plan.next, {identity: 'nova'}))
    expect(JSON.stringify(removed.next)).not.toContain('meshProof')
    expect(JSON.stringify(maskChanges(removed.changes))).not.toContain(meshProofKey(SECRET, 'nova'))
    expect(
      planAssignments(plan.next, meshProofAssignments(plan.next, {meshSecret: SECRET, identity: 'nova'})).changed,
    ).toBe(false)
  })
  it('writes nothing before the plugin has an entry', () => {
    expect(meshProofAssignments({}, {meshSecret: SECRET, identity: 'nova'})).toEqual([])
  })
})

describe('mesh proof: the plugin route', () => {
  const api = (meshProof?: unknown): PluginApi => ({
    registerTool() {},
    registerService() {},
    runtime: {config: {current: () => ({plugins: {entries: {'claw-mesh': {config: meshProof ? {meshProof} : {}}}}})}},
  })
  async function serve(handler: ReturnType<typeof proofHandler>) {
    const server = http.createServer((req, res) => void handler(req, res))
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/claw-mesh/v1/proof`
    const call = async (init: RequestInit = {}) => {
      const res = await fetch(url, {method: 'POST', ...init})
      return {status: res.status, text: await res.text(), headers: res.headers}
    }
    return {call, close: () => new Promise<void>((r) => server.close(() => r()))}
  }
  const key = meshProofKey(SECRET, 'nova')

  it('answers a challenge with a proof that verifies, echoing nothing it was sent', async () => {
    const s = await serve(proofHandler(api({name: 'nova', key})))
    try {
      const r = await s.call({body: JSON.stringify({challenge: c1, from: 'me'})})
      expect(r.status).toBe(200)
      const answer = JSON.parse(r.text) as Record<string, unknown>
      expect(Object.keys(answer).sort()).toEqual(['name', 'proof'])
      expect(r.text).not.toContain(c1)
      expect(verifyMeshProof({meshSecret: SECRET, self: 'me', name: 'nova', challenge: c1, answer}).ok).toBe(true)
    } finally {
      await s.close()
    }
  })

  it('refuses what is not a proof request, with fixed texts', async () => {
    const s = await serve(proofHandler(api({name: 'nova', key})))
    try {
      expect((await s.call({method: 'GET'})).status).toBe(405)
      expect((await s.call({body: 'x'.repeat(2000)})).status).toBe(413)
      const bad = await s.call({body: JSON.stringify({challenge: '\u001b[31mhi', from: 'me'})})
      expect(bad.status).toBe(400)
      expect(bad.text).toBe('{"error":"bad-request"}')
    } finally {
      await s.close()
    }
  })

  it('has no answer without a proof key (bootstrapped without the mesh secret)', async () => {
    const s = await serve(proofHandler(api()))
    try {
      const r = await s.call({body: JSON.stringify({challenge: c1, from: 'me'})})
      expect([r.status, r.text]).toEqual([404, '{"error":"no-proof-key"}'])
    } finally {
      await s.close()
    }
  })

  it('limits requests per address and window', async () => {
    let t = 0
    const s = await serve(
      proofHandler(
        api({name: 'nova', key}),
        rateLimiter(() => t, {windowMs: 10_000, perAddress: 3, total: 100}),
      ),
    )
    try {
      const body = JSON.stringify({challenge: c1, from: 'me'})
      const statuses = []
      for (let i = 0; i < 4; i++) statuses.push((await s.call({body})).status)
      expect(statuses).toEqual([200, 200, 200, 429])
      t = 10_000
      expect((await s.call({body})).status).toBe(200)
    } finally {
      await s.close()
    }
  })
})
