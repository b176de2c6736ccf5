import {describe, expect, it} from 'vitest'
import {checkGuards, limitsFor, withinHour} from '../../src/core/mesh/mesh-guards.js'
import {
  callerLineage,
  lineageContextId,
  parseLineageContextId,
  sessionContext,
  threadContextId,
} from '../../src/core/mesh/mesh-lineage.js'

describe('loop and budget guards', () => {
  const limits = {hopLimit: 2, hourlyBudget: 3}
  it.each<[string, number, number, boolean | string]>([
    ["an owner's message (hop 1)", 1, 99, true],
    ['a peer-started run within both limits', 2, 2, true],
    ['past the hop limit', 3, 0, 'hop-limit'],
    ['hop within the limit, budget spent', 2, 3, 'budget'],
  ])('%s', (_name, hop, recent, expected) => {
    const verdict = checkGuards({peer: 'b', hop, limits, recentAgentSends: recent})
    if (expected === true) expect(verdict).toEqual({ok: true})
    else expect(verdict).toMatchObject({ok: false, code: expected})
  })

  it('tells the agent what happened and what to do', () => {
    const v = checkGuards({peer: 'b', hop: 3, limits, recentAgentSends: 0})
    expect(!v.ok && v.message).toBe(
      'Not sent: this would be hop 3 of a chain of agents messaging each other, and the limit for b is 2. Answer the one who asked you instead of asking further.',
    )
  })

  it('takes per-pair limits over the defaults', () => {
    expect(limitsFor(undefined, 'b')).toEqual({hopLimit: 3, hourlyBudget: 30})
    expect(limitsFor({hopLimit: 5, peers: {b: {hourlyBudget: 1}}}, 'b')).toEqual({hopLimit: 5, hourlyBudget: 1})
    expect(limitsFor({hopLimit: 5, peers: {b: {hourlyBudget: 1}}}, 'c')).toEqual({hopLimit: 5, hourlyBudget: 30})
  })

  it('counts only the last hour', () => {
    expect(withinHour([0, 1000, 1001, 3_600_500, 9_999_999], 3_601_000)).toEqual([1001, 3_600_500])
  })
})

describe('lineage in the A2A context', () => {
  it('round-trips hop and origin', () => {
    const id = lineageContextId({hop: 2, origin: 'abcdef123456'}, 'conv1')
    expect(id).toBe('cm-h2-abcdef123456-conv1')
    expect(parseLineageContextId(id)).toEqual({hop: 2, origin: 'abcdef123456'})
    expect(parseLineageContextId('ctx-oc-b')).toBeUndefined()
  })

  it.each<[string, string | undefined, number, string | undefined]>([
    ["an owner's session", 'agent:main:main', 0, undefined],
    ['no session at all', undefined, 0, undefined],
    ["a peer's run in claw-mesh's context", 'agent:main:a2a:default:direct:b:cm-h2-abcdef123456-x', 2, 'b'],
    ["a peer's run in a foreign context", 'agent:main:a2a:default:direct:b:ctx-oc-a', 1, 'b'],
  ])('the caller in %s', (_name, sessionKey, hop, peer) => {
    const l = callerLineage(sessionKey)
    expect(l.hop).toBe(hop)
    expect(l.peer).toBe(peer)
  })

  it('keeps the chain origin along a chain and the thread for an owner', () => {
    const inChain = callerLineage('agent:main:a2a:default:direct:b:cm-h2-abcdef123456-x')
    expect(threadContextId(inChain, undefined)).toMatch(/^cm-h3-abcdef123456-[0-9a-f]{12}$/)
    // A thread cannot reset the count: a foreign or forged thread is only the conversation part.
    expect(threadContextId(inChain, 'cm-h1-000000000000-conv')).toBe('cm-h3-abcdef123456-conv')
    expect(threadContextId(inChain, 'plain.thread')).toBe('cm-h3-abcdef123456-plainthread')
    // The owner asking again in a thread reaches the same session on the peer.
    expect(threadContextId({hop: 0, origin: 'ffffffffffff'}, 'cm-h1-abcdef123456-conv')).toBe('cm-h1-abcdef123456-conv')
  })
})

describe('the context of a peer session', () => {
  it.each([
    ['agent:main:a2a:default:direct:a:cm-h1-abcdef123456-x', {peer: 'a', contextId: 'cm-h1-abcdef123456-x'}],
    ['agent:main:main', undefined],
    [undefined, undefined],
  ])('%s', (key, expected) => {
    expect(sessionContext(key)).toEqual(expected)
  })
})
