import {describe, expect, it} from 'vitest'
import type {A2aOutcome} from '../../src/core/a2a/a2a-errors.js'
import {
  MAX_ENQUEUE_FILE_BYTES,
  PLUGIN_LIVE_MS,
  enqueueRequestName,
  outboxLoopProblem,
  parseEnqueueRequest,
  queueDecision,
} from '../../src/core/a2a/send-queue.js'

const ID = '0f8fad5b-d9cb-469f-a165-70867728950e'
const net = (failure: string): Exclude<A2aOutcome, {kind: 'task'}> => ({
  kind: 'network',
  failure,
  detail: `net ${failure}`,
})

describe('queueDecision: which failures of a send wait in the outbox, which fail at once', () => {
  it.each<[string, Exclude<A2aOutcome, {kind: 'task'}>, boolean]>([
    ['connection refused (gateway down)', net('refused'), true],
    ['connection reset', net('reset'), true],
    ['host unreachable (tailscaled: peer offline)', net('unreachable'), true],
    ['no answer in time (same message id on retry)', net('timeout'), true],
    ['its A2A runtime still starting', {kind: 'starting'}, true],
    ['HTTP 502', {kind: 'server-error', status: 502}, true],
    ['HTTP 500', {kind: 'server-error', status: 500}, true],
    ['a refused token (401)', {kind: 'unauthorized'}, false],
    ['a forbidden call (403)', {kind: 'forbidden'}, false],
    ['a JSON-RPC refusal of the message', {kind: 'rpc-error', code: -32602, message: 'bad'}, false],
    ['a version refusal', {kind: 'version-refused', message: 'no'}, false],
    ['the rate limit (the peer is there)', {kind: 'rate-limited'}, false],
    ['no A2A endpoint (setup)', {kind: 'no-a2a', status: 404}, false],
    ['an answer that is not A2A', {kind: 'bad-answer', status: 200, detail: 'x'}, false],
    ['an oversized answer', {kind: 'too-large'}, false],
    ['a name that does not resolve', net('dns'), false],
    ['a TLS error', net('tls'), false],
    ["this host's tailscaled proxy down", net('proxy'), false],
    ['a moved name', net('moved'), false],
    ['an unclassified failure', net('other'), false],
  ])('%s → queue: %s', (_what, outcome, queue) => {
    expect(queueDecision(outcome).queue).toBe(queue)
  })
})

describe('outboxLoopProblem: queue only where the plugin is running its outbox', () => {
  const now = Date.parse('2026-12-07T12:00:00Z')
  it.each<[string, string | undefined, RegExp | undefined]>([
    ['a summary written just now', '2026-12-07T11:59:30Z', undefined],
    ['no summary at all', undefined, /never reported its outbox/],
    ['a stale summary', new Date(now - PLUGIN_LIVE_MS - 1000).toISOString(), /last reported its outbox/],
    ['an unreadable date', 'yesterday', /unreadable/],
  ])('%s', (_what, at, problem) => {
    const p = outboxLoopProblem(at, now)
    if (problem) expect(p).toMatch(problem)
    else expect(p).toBeUndefined()
  })
})

describe('parseEnqueueRequest: the plugin reads the file as untrusted input', () => {
  const good = {
    v: 1,
    id: ID,
    peer: 'nova',
    text: 'hello',
    contextId: 'cm-h1-abcdef123456-0123456789ab',
    ttlMs: 3_600_000,
    createdAt: 1,
  }
  const name = enqueueRequestName(ID)
  it('accepts what the CLI writes', () => {
    expect(parseEnqueueRequest(name, JSON.stringify(good))).toEqual({ok: true, request: good})
  })
  it.each<[string, string, string]>([
    ['another file name', 'retry-x', 'not an enqueue request name'],
    [
      'an id that is not the file name',
      JSON.stringify({...good, id: '1f8fad5b-d9cb-469f-a165-70867728950e'}),
      'the id does not match the file name',
    ],
    ['not JSON', '{', 'request file is not JSON'],
    ['another version', JSON.stringify({...good, v: 2}), 'unknown request version'],
    ['a peer name with a path in it', JSON.stringify({...good, peer: '../x'}), 'bad peer name'],
    [
      'a thread that is not claw-mesh lineage (hop count reset)',
      JSON.stringify({...good, contextId: 'free-text'}),
      'bad thread',
    ],
    ['a time to live of a year', JSON.stringify({...good, ttlMs: 365 * 24 * 3_600_000}), 'bad time to live'],
    ['no text', JSON.stringify({...good, text: 5}), 'no message text'],
    ['a huge file', JSON.stringify({...good, text: 'x'.repeat(MAX_ENQUEUE_FILE_BYTES)}), 'request file too large'],
  ])('refuses %s', (_what, text, problem) => {
    const n = text === 'retry-x' ? 'retry-x' : name
    expect(parseEnqueueRequest(n, text === 'retry-x' ? JSON.stringify(good) : text)).toEqual({ok: false, problem})
  })
})
