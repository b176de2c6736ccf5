import {describe, expect, it} from 'vitest'
import {classifyA2aAnswer, peerMessage} from '../../src/core/a2a/a2a-answer.js'
import {chooseInterface, parseAgentCard} from '../../src/core/a2a/a2a-card.js'
import {a2aFailure} from '../../src/core/a2a/a2a-errors.js'
import {a2aHeaders, assertA2aText, sendMessageBody} from '../../src/core/a2a/a2a-protocol.js'
import {askMode} from '../../src/services/a2a/ask.js'
import {a2aAnswerProbe} from '../../src/services/peers/check-foreign.js'

const rpc = (payload: object) => JSON.stringify({jsonrpc: '2.0', id: '1', ...payload})
const task = (state: string, extra: object = {}) =>
  rpc({result: {task: {id: 't1', contextId: 'c1', status: {state, ...extra}, artifacts: []}}})
const agentSays = (text: string) => ({message: {role: 'ROLE_AGENT', parts: [{text}]}})

describe('reading an A2A 1.0 answer', () => {
  it.each<[string, string, object]>([
    [
      'the reply from an artifact',
      rpc({
        result: {
          task: {id: 't1', status: {state: 'TASK_STATE_COMPLETED'}, artifacts: [{parts: [{text: 'from artifact'}]}]},
        },
      }),
      {reply: 'from artifact'},
    ],
    [
      "the reply from a completed task's status.message",
      task('TASK_STATE_COMPLETED', agentSays('from status')),
      {reply: 'from status', state: 'TASK_STATE_COMPLETED'},
    ],
    [
      'a direct Message (no task)',
      rpc({result: {message: {messageId: 'm', contextId: 'c9', role: 'ROLE_AGENT', parts: [{text: 'direct'}]}}}),
      {reply: 'direct', direct: true, id: '', contextId: 'c9', state: 'TASK_STATE_COMPLETED'},
    ],
    [
      'the question of an input-required task',
      task('TASK_STATE_INPUT_REQUIRED', agentSays('Which branch?')),
      {reason: 'Which branch?', state: 'TASK_STATE_INPUT_REQUIRED'},
    ],
    [
      'the words of an auth-required task',
      task('TASK_STATE_AUTH_REQUIRED', agentSays('Log in first')),
      {reason: 'Log in first', state: 'TASK_STATE_AUTH_REQUIRED'},
    ],
    [
      'why a task failed',
      task('TASK_STATE_FAILED', agentSays('boom\u001b[31m')),
      {reason: 'boom', state: 'TASK_STATE_FAILED'},
    ],
  ])('%s', (_t, body, want) => {
    const answer = classifyA2aAnswer(200, body, 'SendMessage')
    expect(answer.kind).toBe('task')
    expect(answer.kind === 'task' && answer.task).toMatchObject(want)
  })

  it.each<[string, number, string, object]>([
    [
      'VersionNotSupported (-32009, the reference SDK without the header)',
      200,
      rpc({
        error: {
          code: -32009,
          message: "The requested A2A protocol version '0.3' is not supported. Supported versions: 1.0",
        },
      }),
      {kind: 'version-refused', message: expect.stringContaining("'0.3' is not supported")},
    ],
    [
      "401 with the peer's words",
      401,
      JSON.stringify({error: 'invalid or missing bearer token'}),
      {kind: 'unauthorized', message: 'invalid or missing bearer token'},
    ],
    ['403', 403, 'Forbidden for this client', {kind: 'forbidden', message: 'Forbidden for this client'}],
    [
      '429 with Retry-After',
      429,
      JSON.stringify({message: 'slow down'}),
      {kind: 'rate-limited', message: 'slow down', retryAfter: '7'},
    ],
    [
      '502 from a proxy',
      502,
      '<html><body>Bad gateway</body></html>',
      {kind: 'server-error', status: 502, message: undefined},
    ],
    [
      '500 with a JSON-RPC error',
      500,
      rpc({error: {code: -32603, message: 'Internal error'}}),
      {kind: 'server-error', status: 500, message: 'Internal error'},
    ],
    [
      'method not found',
      200,
      rpc({error: {code: -32601, message: 'Method not found'}}),
      {kind: 'rpc-error', code: -32601},
    ],
    ['a result with neither task nor message', 200, rpc({result: {}}), {kind: 'bad-answer'}],
  ])('%s', (_t, status, body, want) =>
    expect(classifyA2aAnswer(status, body, 'SendMessage', {'retry-after': '7'})).toMatchObject(want),
  )

  it('caps and strips what a peer says about a refusal', () => {
    const said = peerMessage(JSON.stringify({error: {message: `\u001b]0;pwned\u0007${'x'.repeat(5000)}`}}))!
    expect([...said].some((ch) => ch.charCodeAt(0) < 0x20)).toBe(false)
    expect(said.length).toBeLessThanOrEqual(301)
  })
})

describe('errors name what the peer said and fit the kind of peer', () => {
  const openclaw = {peer: 'clawd', url: 'http://100.64.0.2:18789/a2a/v1', kind: 'openclaw' as const}
  const foreign = {peer: 'hermes', url: 'http://127.0.0.1:9999/rpc', kind: 'foreign' as const}
  it.each<[string, Parameters<typeof a2aFailure>[1], RegExp, RegExp, number]>([
    [
      '401',
      {kind: 'unauthorized', message: 'bad token'},
      /refused this machine's A2A token \(401\): "bad token"/,
      /--a2a-token file:PATH/,
      3,
    ],
    ['403', {kind: 'forbidden'}, /does not allow this call \(403\)/, /operator/, 3],
    [
      '-32009',
      {kind: 'version-refused', message: 'nope'},
      /does not speak A2A 1\.0 .*"nope"/,
      /1\.0 JSON-RPC interface/,
      3,
    ],
    ['429', {kind: 'rate-limited', retryAfter: '12'}, /rate-limiting/, /Wait 12 s/, 1],
    ['5xx', {kind: 'server-error', status: 503, message: 'overloaded'}, /HTTP 503\): "overloaded"/, /operator/, 1],
    ['404', {kind: 'no-a2a', status: 404}, /Nothing answers A2A at/, /Agent Card/, 3],
  ])('%s from a foreign agent', (_t, outcome, message, hint, exit) => {
    const err = a2aFailure(foreign, outcome)
    expect(err.message).toMatch(message)
    expect(err.hint).toMatch(hint)
    expect(err.hint).not.toMatch(/invite|OpenClaw|bootstrap/)
    expect(err.exitCode).toBe(exit)
  })

  it('keeps the pairing hints for OpenClaw peers', () => {
    expect(a2aFailure(openclaw, {kind: 'unauthorized'}).hint).toMatch(/claw-mesh invite/)
    expect(a2aFailure(openclaw, {kind: 'no-a2a', status: 404}).message).toMatch(/older than 2026\.9\.6/)
  })
})

describe('the Agent Card interface claw-mesh calls', () => {
  it.each<[string, Array<{url: string; binding: string; version: string}>, string | undefined]>([
    [
      'the first JSONRPC 1.x, whatever comes before it',
      [
        {url: 'http://a/rest', binding: 'HTTP+JSON', version: '1.0'},
        {url: 'http://a/old', binding: 'JSONRPC', version: '0.3'},
        {url: 'http://a/rpc', binding: 'JSONRPC', version: '1.0'},
      ],
      'http://a/rpc',
    ],
    ['a later minor version', [{url: 'http://a/rpc', binding: 'jsonrpc', version: '1.1'}], 'http://a/rpc'],
    [
      'none when only gRPC and 0.3 are offered',
      [
        {url: 'http://a/g', binding: 'GRPC', version: '1.0'},
        {url: 'http://a/old', binding: 'JSONRPC', version: '0.3'},
      ],
      undefined,
    ],
  ])('%s', (_t, interfaces, url) => expect(chooseInterface(interfaces).url).toBe(url))

  it('says why a card is unusable', () => {
    expect(
      parseAgentCard(
        JSON.stringify({
          name: 'x',
          supportedInterfaces: [{url: 'http://a/g', protocolBinding: 'GRPC', protocolVersion: '1.0'}],
        }),
      )?.unusable,
    ).toMatch(/no JSONRPC 1\.0 interface \(only GRPC 1\.0\)/)
    expect(parseAgentCard(JSON.stringify({name: 'x', url: 'http://a', protocolVersion: '0.3.0'}))?.unusable).toMatch(
      /no interfaces/,
    )
  })
})

describe('requests', () => {
  it('every request names A2A 1.0; authenticated ones carry the bearer token', () => {
    expect(a2aHeaders()).toEqual({'A2A-Version': '1.0'})
    expect(a2aHeaders('t')).toEqual({
      'A2A-Version': '1.0',
      authorization: 'Bearer t',
      'content-type': 'application/json',
    })
  })

  it('an answer to a task that asked for input names the task', () => {
    expect(JSON.parse(sendMessageBody({text: 'main', taskId: 't1', contextId: 'c1'})).params.message).toMatchObject({
      taskId: 't1',
      contextId: 'c1',
      role: 'ROLE_USER',
    })
  })

  it("OpenClaw's limits apply to OpenClaw peers only", () => {
    expect(() => assertA2aText('/reset', 'clawd')).toThrow(/starts with "\/"/)
    expect(() => assertA2aText('x'.repeat(70_000), 'clawd', 'openclaw')).toThrow(/at most 65536 bytes/)
    expect(() => assertA2aText('/reset', 'hermes', 'foreign')).not.toThrow()
    expect(() => assertA2aText('x'.repeat(70_000), 'hermes', 'foreign')).not.toThrow()
  })

  it.each<[string, 'openclaw' | 'foreign', number, boolean | undefined, {blocking: boolean; httpTimeoutMs: number}]>([
    [
      'OpenClaw, a wait past its 120 s window: blocking, cut after the window',
      'openclaw',
      600_000,
      undefined,
      {blocking: true, httpTimeoutMs: 130_000},
    ],
    [
      'OpenClaw, a short wait: return at once and poll',
      'openclaw',
      30_000,
      undefined,
      {blocking: false, httpTimeoutMs: 20_000},
    ],
    [
      'a foreign agent, a long wait: never blocking (its window is unknown)',
      'foreign',
      600_000,
      undefined,
      {blocking: false, httpTimeoutMs: 600_000},
    ],
    ['send: return at once', 'openclaw', 600_000, true, {blocking: false, httpTimeoutMs: 20_000}],
  ])('%s', (_t, kind, timeout, immediately, want) => expect(askMode(kind, timeout, immediately)).toEqual(want))
})

describe('peer check reads every A2A answer as a probe line', () => {
  it.each<[Parameters<typeof a2aAnswerProbe>[0], string, RegExp]>([
    [{kind: 'rpc-error', code: -32001, message: 'Task not found'}, 'ok', /^our token accepted$/],
    [
      {kind: 'version-refused', message: "'1.0' is not supported"},
      'fail',
      /^refuses A2A 1\.0 \(VersionNotSupported -32009: '1\.0' is not supported\)$/,
    ],
    [{kind: 'forbidden', message: 'no'}, 'fail', /^our token may not call it \(403: no\)$/],
    [{kind: 'server-error', status: 502}, 'fail', /^server error \(HTTP 502\)$/],
    [{kind: 'rate-limited'}, 'warn', /^rate-limited by the peer$/],
    [
      {kind: 'rpc-error', code: -32601, message: 'Method not found'},
      'fail',
      /^unexpected A2A error -32601: Method not found$/,
    ],
  ])('%j → %s', (outcome, status, detail) => {
    const probe = a2aAnswerProbe(outcome)
    expect(probe.status).toBe(status)
    expect(probe.detail).toMatch(detail)
  })
})
