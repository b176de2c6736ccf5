import {describe, expect, it} from 'vitest'
import {evalPeerTrust} from '../../src/core/checks/trust.js'
import {ownedConfigPaths, planConfigRestore} from '../../src/core/lifecycle/leave-plan.js'
import {planAssignments} from '../../src/core/openclaw/openclaw-config-patch.js'
import {
  CHAT_DENY,
  observedTrust,
  parseTrustLevel,
  planPairTrust,
  senderKey,
  trustAssignments,
  trustPolicy,
} from '../../src/core/pairing/pair-trust.js'

const apply = (
  config: Record<string, unknown>,
  peers: {name: string; trust?: 'chat' | 'delegate'}[],
  owned: string[] = [],
) => planAssignments(config, trustAssignments({peers, owned}))

describe('pair trust: the per-sender tool policy claw-mesh writes for each A2A pair', () => {
  it('keys a policy by the sender the A2A channel authenticates: channel:a2a:<peer entry name>', () => {
    expect(senderKey('nova')).toBe('channel:a2a:nova')
  })

  it("chat denies every tool that reaches this host's OS, files or network for the peer, and keeps messaging", () => {
    const deny = trustPolicy('chat').deny
    for (const tool of [
      'group:runtime',
      'group:fs',
      'exec',
      'process',
      'code_execution',
      'read',
      'write',
      'edit',
      'apply_patch',
      'ls',
      'web_fetch',
      'group:automation',
      'group:nodes',
      'group:ui',
      'sessions_spawn',
      'sessions_send',
      'subagents',
    ]) {
      expect(deny).toContain(tool)
    }
    for (const kept of ['message', 'group:messaging', 'group:plugins', 'tool_call', 'tool_search'])
      expect(deny).not.toContain(kept)
    expect(trustPolicy('delegate')).toEqual({deny: []})
  })

  it.each([
    ['a new pair with no level recorded gets chat', [{name: 'nova'}], {'channel:a2a:nova': {deny: CHAT_DENY}}],
    [
      'delegate is an explicit empty deny (a user wildcard does not narrow it)',
      [{name: 'nova', trust: 'delegate' as const}],
      {'channel:a2a:nova': {deny: []}},
    ],
    [
      'one entry per pair',
      [{name: 'b', trust: 'delegate' as const}, {name: 'a'}],
      {'channel:a2a:a': {deny: CHAT_DENY}, 'channel:a2a:b': {deny: []}},
    ],
  ])('%s', (_what, peers, expected) => {
    const plan = apply({}, peers)
    expect((plan.next.tools as {toolsBySender: unknown}).toolsBySender).toEqual(expected)
  })

  it("keeps the user's own sender policies and removes the entry of a peer that is gone", () => {
    const config = {
      tools: {
        profile: 'coding',
        toolsBySender: {
          'id:owner': {alsoAllow: ['group:fs']},
          '*': {deny: ['exec']},
          'channel:a2a:old': {deny: []},
          'channel:a2a:nova': trustPolicy('chat'),
        },
      },
    }
    const plan = apply(config, [{name: 'nova'}], ['old', 'nova'])
    expect(plan.next.tools).toEqual({
      profile: 'coding',
      toolsBySender: {
        'id:owner': {alsoAllow: ['group:fs']},
        '*': {deny: ['exec']},
        'channel:a2a:nova': trustPolicy('chat'),
      },
    })
    expect(plan.changes.map((c) => c.path)).toEqual(['tools.toolsBySender.channel:a2a:old'])
  })

  it('is idempotent: a second run changes nothing', () => {
    const once = apply({}, [{name: 'nova', trust: 'delegate'}]).next
    expect(apply(once, [{name: 'nova', trust: 'delegate'}]).changed).toBe(false)
  })

  it.each([
    [{}, 'missing'],
    [{tools: {toolsBySender: {'channel:a2a:nova': {deny: CHAT_DENY}}}}, 'chat'],
    [{tools: {toolsBySender: {'channel:a2a:nova': {deny: []}}}}, 'delegate'],
    [{tools: {toolsBySender: {'channel:a2a:nova': {deny: ['exec']}}}}, 'other'],
    [{tools: {toolsBySender: {'channel:a2a:nova': {}}}}, 'other'],
  ])('reads back what openclaw.json gives the peer: %j → %s', (config, seen) => {
    expect(observedTrust(config, 'nova')).toBe(seen)
  })

  it('tells, once, about a pair from before trust levels that loses tools now', () => {
    const plan = planPairTrust({}, {peers: [{name: 'old'}, {name: 'new', trust: 'chat'}], owned: ['old']})
    expect(plan.notes).toEqual([
      expect.stringContaining('old was paired before per-pair trust: its messages now get the chat level here'),
    ])
    expect(plan.notes[0]).toContain('claw-mesh peer trust old delegate')
    const written = planAssignments({}, plan.assignments).next
    expect(planPairTrust(written, {peers: [{name: 'old'}], owned: ['old']}).notes).toEqual([])
  })

  it('refuses an unknown level naming the flag and the levels', () => {
    expect(parseTrustLevel('delegate')).toBe('delegate')
    expect(() => parseTrustLevel('full')).toThrow(/--trust "full" is not a trust level/)
    try {
      parseTrustLevel('root')
    } catch (error) {
      expect((error as {hint: string}).hint).toMatch(/--trust chat .*--trust delegate/)
    }
  })

  it('leave takes the pair policies it wrote back out, and only those', () => {
    const paths = ownedConfigPaths(['clawd']).map((p) => p.join('.'))
    expect(paths.filter((p) => p.startsWith('tools.'))).toEqual(['tools.toolsBySender.channel:a2a:clawd'])
    const original = {tools: {toolsBySender: {'id:me': {deny: []}}}}
    const current = planAssignments(original, trustAssignments({peers: [{name: 'clawd'}], owned: []})).next
    const plan = planConfigRestore({current, original: {existed: true, config: original}, a2aPeers: ['clawd']})
    expect(plan).toMatchObject({mode: 'bytes'})
  })
})

describe('doctor: peer-trust', () => {
  const chat = {tools: {toolsBySender: {'channel:a2a:nova': trustPolicy('chat')}}}
  const delegate = {tools: {toolsBySender: {'channel:a2a:nova': trustPolicy('delegate')}}}
  it.each([
    ['a chat pair whose policy is written passes', undefined, chat, 'pass'],
    ['a delegate pair is pointed out (warn)', 'delegate' as const, delegate, 'warn'],
    ['a pair with no policy in openclaw.json fails (its messages get every tool)', undefined, {}, 'fail'],
    ['a record saying chat while openclaw.json gives delegate fails', 'chat' as const, delegate, 'fail'],
    ['a record saying delegate while openclaw.json gives chat fails', 'delegate' as const, chat, 'fail'],
    [
      'a policy edited by hand fails',
      undefined,
      {tools: {toolsBySender: {'channel:a2a:nova': {deny: ['exec']}}}},
      'fail',
    ],
  ])('%s', (_what, recorded, config, status) => {
    const r = evalPeerTrust('nova', recorded, true, config)
    expect(r.status).toBe(status)
    if (status === 'fail') expect(r.fix).toEqual({kind: 'configure-gateway'})
  })

  it('skips a hooks-only peer and a missing config', () => {
    expect(evalPeerTrust('nova', undefined, false, {}).status).toBe('skip')
    expect(evalPeerTrust('nova', undefined, true, undefined).status).toBe('skip')
  })
})
