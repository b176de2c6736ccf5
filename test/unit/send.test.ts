import {afterEach, describe, expect, it} from 'vitest'
import {
  buildHookRequest,
  deliveryError,
  idempotencyKeyFor,
  idempotencyKeyProblem,
  MAX_HOOK_BODY_BYTES,
  type HookOutcome,
} from '../../src/core/a2a/hook-message.js'
import {DEFAULT_RETRY_POLICY} from '../../src/core/common/retry.js'
import {createDeps} from '../../src/deps.js'
import {createFetchHttpClient} from '../../src/infra/http.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {composeText, requestFor} from '../../src/services/messaging/compose.js'
import {deliver} from '../../src/services/messaging/deliver.js'
import {sendMessage} from '../../src/services/messaging/send.js'
import {startFakePeer, type FakePeer} from '../helpers/fake-peer.js'
import {fakeClock, httpStubs, type Reply} from '../helpers/fakes/index.js'

/** Answers the hook POSTs from a script, one entry a request, in order: an extra request or an unused answer fails the test. */
function scriptedHttp(script: Reply[]) {
  const stubs = httpStubs()
  for (const answer of script) stubs.on('POST', 'http://127.0.0.1:1/hooks/agent', answer)
  return stubs
}

const target = {url: 'http://127.0.0.1:1', token: 'peer-hooks-token-0123456789'}
const req = buildHookRequest({kind: 'agent', message: 'hi', name: 'claw-mesh:nova', idempotencyKey: 'k1'})
const opts = {policy: {...DEFAULT_RETRY_POLICY, deadlineMs: 60_000}, requestTimeoutMs: 20_000, random: () => 1}

describe('idempotency keys', () => {
  const base = {sender: 'nova', peer: 'clawd', kind: 'agent' as const, message: 'run the tests'}
  it('are stable for the same message, sender, peer and session', () => {
    expect(idempotencyKeyFor(base)).toBe(idempotencyKeyFor({...base}))
    expect(idempotencyKeyFor(base)).toMatch(/^claw-mesh-v1-[0-9a-f]{64}$/)
  })
  it.each([
    ['another peer', {peer: 'other'}],
    ['another sender', {sender: 'other'}],
    ['other text', {message: 'run the tests!'}],
    ['another session', {sessionKey: 'hook:x'}],
    ['another agent', {agentId: 'ops'}],
  ])('differ for %s', (_t, change) => {
    expect(idempotencyKeyFor({...base, ...change})).not.toBe(idempotencyKeyFor(base))
  })
  it('cannot be confused by moving text between fields', () => {
    expect(idempotencyKeyFor({...base, agentId: 'a', sessionKey: ''})).not.toBe(
      idempotencyKeyFor({...base, agentId: '', sessionKey: 'a'}),
    )
  })
  it.each<[string, string | undefined]>([
    ['ok-key', undefined],
    ['', 'is empty'],
    [' padded', 'has leading or trailing spaces (the gateway trims them)'],
    ['x'.repeat(257), 'is 257 characters long (the gateway ignores keys over 256)'],
  ])('a user key %j is checked', (key, problem) => {
    expect(idempotencyKeyProblem(key)).toBe(problem)
  })
})

describe('the wire request', () => {
  it('puts the message, sender name and key in /hooks/agent', () => {
    const r = buildHookRequest({
      kind: 'agent',
      message: 'hello',
      name: 'claw-mesh:nova',
      agentId: 'main',
      idempotencyKey: 'k',
      waitForCompletion: true,
    })
    expect(r.path).toBe('/hooks/agent')
    expect(JSON.parse(r.body)).toEqual({
      message: 'hello',
      name: 'claw-mesh:nova',
      agentId: 'main',
      idempotencyKey: 'k',
      waitForCompletion: true,
    })
  })
  it('sends {text, mode:"now"} to /hooks/wake, without name or key', () => {
    const r = buildHookRequest({kind: 'wake', message: 'ping', name: 'claw-mesh:nova', idempotencyKey: 'k'})
    expect(r.path).toBe('/hooks/wake')
    expect(JSON.parse(r.body)).toEqual({text: 'ping', mode: 'now'})
  })
  it('names the sender and the reply command on a first line, unless --bare', () => {
    expect(composeText({message: 'hi', kind: 'agent'}, 'nova')).toBe(
      '[claw-mesh] From peer "nova". To reply: mesh_send to nova (or the claw-mesh skill\'s send fallback; never the reply in a command line)\n\nhi',
    )
    // No command line with a quoted reply for the agent to copy into its shell.
    expect(composeText({message: 'hi', kind: 'agent'}, 'nova')).not.toMatch(/claw-mesh send|"</)
    expect(composeText({message: 'hi', kind: 'agent', bare: true}, 'nova')).toBe('hi')
  })
  it('refuses a body over 256 KiB before sending', () => {
    expect(() => requestFor('clawd', {message: 'x'.repeat(MAX_HOOK_BODY_BYTES), kind: 'agent'}, 'nova')).toThrow(
      /over the gateway's 256 KiB limit for hooks: it was not sent/,
    )
    // Multi-byte text counts in bytes, not characters.
    expect(() => requestFor('clawd', {message: 'é'.repeat(MAX_HOOK_BODY_BYTES / 2), kind: 'agent'}, 'nova')).toThrow(
      /256 KiB/,
    )
    expect(requestFor('clawd', {message: 'x'.repeat(200_000), kind: 'agent'}, 'nova').request.bytes).toBeGreaterThan(
      200_000,
    )
  })
})

describe('delivery errors', () => {
  const cases: Array<[string, HookOutcome, string, RegExp, RegExp]> = [
    [
      '401',
      {type: 'answer', status: 401, body: 'Unauthorized'},
      'peer-token-refused',
      /refused the hooks token/,
      /was it rotated\? Ask for a new invite: claw-mesh invite on clawd, then claw-mesh peer add/,
    ],
    [
      '413',
      {type: 'answer', status: 413, body: '{"ok":false,"error":"payload too large"}'},
      'message-too-large',
      /too large/,
      /file send/,
    ],
    [
      'refused',
      {type: 'network', kind: 'refused', detail: 'connection refused'},
      'peer-unreachable',
      /gateway is unreachable at http:\/\/x: connection refused/,
      /claw-mesh peer check clawd/,
    ],
    [
      'timeout',
      {type: 'network', kind: 'timeout', detail: 'no answer'},
      'peer-timeout',
      /did not answer in time/,
      /claw-mesh peer check clawd/,
    ],
    [
      '503',
      {type: 'answer', status: 503, body: '{"ok":false,"error":"gateway_unavailable"}'},
      'peer-busy',
      /could not start the run \(503: gateway_unavailable\)/,
      /safe/,
    ],
    [
      '400 session',
      {type: 'answer', status: 400, body: '{"ok":false,"error":"sessionKey is not allowed"}'},
      'peer-rejected',
      /rejected the message/,
      /allowRequestSessionKey/,
    ],
    ['404', {type: 'answer', status: 404, body: 'Not Found'}, 'peer-hooks-off', /no hook endpoint/, /bootstrap/],
  ]
  it.each(cases)('%s', (_t, outcome, code, message, hint) => {
    const e = deliveryError('clawd', 'http://x', outcome, 1)
    expect(e.code).toBe(code)
    expect(e.message).toMatch(message)
    expect(e.hint).toMatch(hint)
  })
  it('exit codes: 3 for a refused token, 2 for a too-large message, 1 for an unreachable peer', () => {
    expect(deliveryError('p', 'u', {type: 'answer', status: 401, body: ''}, 1).exitCode).toBe(3)
    expect(deliveryError('p', 'u', {type: 'answer', status: 413, body: ''}, 1).exitCode).toBe(2)
    expect(deliveryError('p', 'u', {type: 'network', kind: 'refused', detail: ''}, 3).exitCode).toBe(1)
  })
})

describe('deliver (retries)', () => {
  it('retries 503 and 502 with growing backoff, then succeeds', async () => {
    const http = scriptedHttp([
      {status: 503, body: '{}'},
      {status: 502, body: '{}'},
      {status: 200, body: '{"ok":true,"runId":"r1"}'},
    ])
    const clock = fakeClock({autoAdvance: true})
    const d = await deliver({http: http.client, clock}, target, req, opts)
    expect(d).toMatchObject({ok: true, runId: 'r1', attempts: 3})
    expect(clock.slept).toEqual([500, 1000])
    // Every attempt carries the same body, hence the same idempotency key.
    expect(new Set(http.requests.map((r) => r.body)).size).toBe(1)
    expect(http.requests[0].headers?.authorization).toBe(`Bearer ${target.token}`)
  })
  it('honours Retry-After on 429', async () => {
    const http = scriptedHttp([
      {status: 429, headers: {'retry-after': '7'}},
      {status: 200, body: '{"ok":true,"runId":"r2"}'},
    ])
    const clock = fakeClock({autoAdvance: true})
    expect(await deliver({http: http.client, clock}, target, req, opts)).toMatchObject({ok: true, runId: 'r2'})
    expect(clock.slept).toEqual([7000])
  })
  it('retries connection failures, at most maxAttempts times', async () => {
    const http = scriptedHttp(['refused', 'refused', 'refused', 'refused', 'refused'])
    const clock = fakeClock({autoAdvance: true})
    const d = await deliver({http: http.client, clock}, target, req, opts)
    expect(d).toMatchObject({ok: false, attempts: 5, outcome: {type: 'network', kind: 'refused'}})
    expect(clock.slept).toEqual([500, 1000, 2000, 4000])
  })
  it('does not retry 401, 400 or 413', async () => {
    for (const status of [401, 400, 413]) {
      const http = scriptedHttp([{status}])
      const d = await deliver({http: http.client, clock: fakeClock({autoAdvance: true})}, target, req, opts)
      expect(d).toMatchObject({ok: false, attempts: 1, outcome: {status}})
    }
  })
  it('stays inside the deadline: no attempt or wait past it', async () => {
    const http = scriptedHttp(['refused', 'refused', 'refused'])
    const clock = fakeClock({autoAdvance: true})
    const d = await deliver({http: http.client, clock}, target, req, {
      ...opts,
      policy: {...opts.policy, deadlineMs: 2000},
    })
    // 500 + 1000 ms of waiting fit in 2 s; the next 2000 ms wait would not, so there is no fourth attempt.
    expect(d.attempts).toBe(3)
    expect(clock.slept).toEqual([500, 1000])
  })
})

describe('sendMessage against a fake gateway', () => {
  let peer: FakePeer | undefined
  afterEach(async () => {
    await peer?.close()
    peer = undefined
  })

  async function setup(mode: 'healthy' | 'down' = 'healthy', messaging = true) {
    peer = await startFakePeer({mode, token: 'clawd-hooks-token-abcdef0123'})
    const store = createMemoryStateStore({
      identity: 'nova',
      peers: {clawd: {name: 'clawd', url: peer.url, addedAt: '2026-09-01T00:00:00Z', source: 'invite', messaging}},
    })
    const {io} = createTestIOStreams()
    const deps = createDeps({
      env: {CLAW_MESH_HOME: '/nonexistent'},
      platform: 'linux',
      store,
      secrets: createMemorySecretStore({'peer/clawd': peer.token}),
      io,
      http: createFetchHttpClient(),
    })
    return deps
  }

  it('gets a runId, and the same message again replays it instead of starting a second run', async () => {
    const deps = await setup()
    const first = await sendMessage(deps, 'clawd', {message: 'review my PR', kind: 'agent'})
    const again = await sendMessage(deps, 'clawd', {message: 'review my PR', kind: 'agent'})
    expect(first.runId).toMatch(/[0-9a-f-]{36}/)
    expect(again.runId).toBe(first.runId)
    expect(again.idempotencyKey).toBe(first.idempotencyKey)
    expect(peer!.messages).toHaveLength(1)
    expect(peer!.messages[0].body).toMatchObject({name: 'claw-mesh:nova', idempotencyKey: first.idempotencyKey})
    expect(String(peer!.messages[0].body.message)).toMatch(/^\[claw-mesh\] From peer "nova"[^\n]*\n\nreview my PR$/)
    const other = await sendMessage(deps, 'clawd', {message: 'review my other PR', kind: 'agent'})
    expect(other.runId).not.toBe(first.runId)
  })

  it('wakes with {text, mode:"now"}', async () => {
    const deps = await setup()
    const r = await sendMessage(deps, 'clawd', {message: 'check the queue', kind: 'wake', bare: true})
    expect(r.eventOutcome).toBe('queued')
    expect(peer!.messages[0]).toMatchObject({path: '/hooks/wake', body: {text: 'check the queue', mode: 'now'}})
  })

  it('says the gateway is unreachable and how to check it, after retrying', async () => {
    const deps = await setup('down')
    await expect(
      sendMessage(deps, 'clawd', {message: 'hi', kind: 'agent', policy: {baseDelayMs: 10, maxDelayMs: 20}}),
    ).rejects.toMatchObject({
      code: 'peer-unreachable',
      message: expect.stringMatching(
        /clawd's gateway is unreachable \(after 5 attempts\) at http:\/\/127\.0\.0\.1:\d+: connection refused/,
      ),
      hint: expect.stringContaining('claw-mesh peer check clawd'),
    })
  })

  it('refuses a health-only peer without sending anything', async () => {
    const deps = await setup('healthy', false)
    await expect(sendMessage(deps, 'clawd', {message: 'hi', kind: 'agent'})).rejects.toMatchObject({
      code: 'peer-health-only',
      exitCode: 3,
    })
    expect(peer!.requests).toEqual({})
  })
})
