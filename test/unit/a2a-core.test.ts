import {describe, expect, it} from 'vitest'
import {a2aAssignments, defaultAgentId, readA2aSettings} from '../../src/core/a2a/a2a-config.js'
import {
  decodePairingInvite,
  encodePairingInvite,
  fleetHooksToken,
  fleetToken,
  newPairingKey,
  pairSecrets,
  pairingLineKind,
} from '../../src/core/pairing/a2a-pairing.js'
import {classifyA2aAnswer} from '../../src/core/a2a/a2a-answer.js'
import {parseAgentCard} from '../../src/core/a2a/a2a-card.js'
import {stripControl} from '../../src/core/a2a/a2a-protocol.js'
import {evalA2aChannel, evalHooksAgents, evalPeerA2a, evalSecurityAudit} from '../../src/core/checks/a2a.js'
import {maskChanges, planConfigPatch} from '../../src/core/openclaw/openclaw-config-patch.js'

const desired = {
  expose: 'tailnet' as const,
  port: 18789,
  gatewayToken: {source: 'file' as const, provider: 'clawmesh', id: '/gatewayToken'},
  provider: {source: 'file', path: '/x', mode: 'json'},
  hooksToken: 'hooks-token-0123456789abcdef',
}
const peers = [
  {
    name: 'clawd',
    inbound: 'in-token-of-clawd-0123456789',
    url: 'http://100.88.12.7:18789/a2a/v1',
    outbound: 'out-token-to-clawd-0123456789',
  },
]

describe('channels.a2a in openclaw.json', () => {
  it('enables the channel, advertises the URL, exposes the default agent, writes each peer, locks hooks down', () => {
    const plan = planConfigPatch(
      {},
      {...desired, extra: a2aAssignments({}, {advertisedUrl: 'http://100.101.102.103:18789', peers, owned: []})},
    )
    expect(plan.next.channels).toEqual({
      a2a: {
        enabled: true,
        advertisedUrl: 'http://100.101.102.103:18789',
        exposeAgents: ['main'],
        peers: {clawd: {token: peers[0].inbound, url: peers[0].url, outboundToken: peers[0].outbound}},
      },
    })
    expect(plan.next.hooks).toMatchObject({allowedAgentIds: ['main'], allowRequestSessionKey: false})
    expect(plan.next.agents).toEqual({defaults: {heartbeat: {target: 'none'}}})
    // With an owner of the user's own, or a chosen target, the heartbeat is left alone.
    expect(
      a2aAssignments({commands: {ownerAllowFrom: ['telegram:42']}}, {peers, owned: []}).some((a) =>
        a.path.includes('heartbeat'),
      ),
    ).toBe(false)
    expect(
      a2aAssignments({agents: {defaults: {heartbeat: {target: 'last'}}}}, {peers, owned: []}).some((a) =>
        a.path.includes('heartbeat'),
      ),
    ).toBe(false)
    // The tokens are secrets in every printed change list.
    const printed = JSON.stringify(maskChanges(plan.changes))
    expect(printed).not.toContain(peers[0].inbound)
    expect(printed).not.toContain(peers[0].outbound)
  })

  it('keeps what the user chose (exposeAgents, allowedAgentIds, their own peers, other channels) and is a no-op when applied twice', () => {
    const current = {
      channels: {telegram: {enabled: true}, a2a: {exposeAgents: ['helper'], peers: {hermes: {token: 'users-own'}}}},
      hooks: {allowedAgentIds: ['ops']},
      agents: {entries: {helper: {}, ops: {}}},
    }
    const extra = a2aAssignments(current, {peers, owned: []})
    const once = planConfigPatch(current, {...desired, extra})
    expect(once.next.channels).toMatchObject({
      telegram: {enabled: true},
      a2a: {exposeAgents: ['helper'], peers: {hermes: {token: 'users-own'}, clawd: {token: peers[0].inbound}}},
    })
    expect(once.next.hooks).toMatchObject({allowedAgentIds: ['ops']})
    expect(
      planConfigPatch(once.next, {...desired, extra: a2aAssignments(once.next, {peers, owned: ['clawd']})}).changed,
    ).toBe(false)
  })

  it('removes a peer claw-mesh wrote once it is gone, never one it did not write', () => {
    const current = {
      channels: {
        a2a: {enabled: true, exposeAgents: ['main'], peers: {clawd: {token: 't'}, hermes: {token: 'users-own'}}},
      },
    }
    const plan = planConfigPatch(current, {...desired, extra: a2aAssignments(current, {peers: [], owned: ['clawd']})})
    expect((plan.next.channels as {a2a: {peers: unknown}}).a2a.peers).toEqual({hermes: {token: 'users-own'}})
  })

  it.each([
    [{}, 'main'],
    [{agents: {entries: {nova: {}}}}, 'nova'],
    [{agents: {entries: {zed: {}, main: {}}}}, 'main'],
    [{agents: {entries: {zed: {}, amy: {}}}}, 'amy'],
  ])('default agent of %j is %s', (config, id) => expect(defaultAgentId(config)).toBe(id))

  it('reads back which peers are configured without exposing tokens in the per-peer view', () => {
    const s = readA2aSettings({channels: {a2a: {enabled: true, peers: {clawd: {token: 'abc', url: 'u'}}}}})
    expect(s.peers).toEqual({clawd: {token: true, url: 'u', outboundToken: false}})
  })
})

describe('pairing crypto', () => {
  it('both sides derive the same two distinct tokens; a third key derives others', () => {
    const a = newPairingKey()
    const b = newPairingKey()
    const onA = pairSecrets({
      privateKey: a.privateKey,
      peerPublicKey: b.publicKey,
      inviteId: 'id-0123456789abcdef',
      inviter: 'nova',
      replier: 'clawd',
    })
    const onB = pairSecrets({
      privateKey: b.privateKey,
      peerPublicKey: a.publicKey,
      inviteId: 'id-0123456789abcdef',
      inviter: 'nova',
      replier: 'clawd',
    })
    expect(onA.inviterToReplier).toBe(onB.inviterToReplier)
    expect(onA.replierToInviter).toBe(onB.replierToInviter)
    expect(onA.inviterToReplier).not.toBe(onA.replierToInviter)
    const eve = newPairingKey()
    expect(
      pairSecrets({
        privateKey: eve.privateKey,
        peerPublicKey: a.publicKey,
        inviteId: 'id-0123456789abcdef',
        inviter: 'nova',
        replier: 'clawd',
      }).inviterToReplier,
    ).not.toBe(onA.inviterToReplier)
  })

  it('fleet tokens depend on the ordered pair and the secret; the hooks token is never the secret', () => {
    expect(fleetToken('s3cret-mesh-0123456789', 'a', 'b')).not.toBe(fleetToken('s3cret-mesh-0123456789', 'b', 'a'))
    expect(fleetToken('s3cret-mesh-0123456789', 'a', 'b')).toBe(fleetToken('s3cret-mesh-0123456789', 'a', 'b'))
    expect(fleetToken('other-mesh-secret-012345', 'a', 'b')).not.toBe(fleetToken('s3cret-mesh-0123456789', 'a', 'b'))
    expect(fleetHooksToken('s3cret-mesh-0123456789', 'a')).not.toContain('s3cret')
    expect(fleetToken('s3cret-mesh-0123456789', 'a', 'b')).toMatch(/^[A-Za-z0-9_-]{43}$/)
  })

  it('tells invites, replies and v1 invites apart, whitespace and line wraps ignored', () => {
    const key = newPairingKey()
    const line = encodePairingInvite({
      name: 'nova',
      hostname: 'openclaw-nova',
      url: 'http://100.64.0.1:18789',
      id: 'abcdefghijklmnopqrstuv',
      key: key.publicKey,
      createdAt: '2026-12-01T00:00:00Z',
      expiresAt: '2026-12-02T00:00:00Z',
    })
    const wrapped = `  ${line.slice(0, 30)}\n${line.slice(30)}\n`
    expect(pairingLineKind(wrapped)).toBe('invite-v2')
    expect(decodePairingInvite(wrapped, {now: new Date('2026-12-01T12:00:00Z')}).name).toBe('nova')
    expect(pairingLineKind('claw-mesh-reply:v1:xyz')).toBe('reply')
    expect(pairingLineKind('claw-mesh-invite:v1:xyz')).toBe('invite-v1')
    expect(pairingLineKind('hello')).toBeUndefined()
    // A changed field fails the integrity check.
    const body = JSON.parse(Buffer.from(line.split(':').pop()!, 'base64url').toString())
    const tampered = `claw-mesh-invite:v2:${Buffer.from(JSON.stringify({...body, url: 'http://100.66.6.6:18789'})).toString('base64url')}`
    expect(() => decodePairingInvite(tampered, {now: new Date('2026-12-01T12:00:00Z')})).toThrow(/integrity check/)
  })
})

describe('A2A answers', () => {
  it.each<[string, number, string, string]>([
    [
      'completed task',
      200,
      JSON.stringify({
        jsonrpc: '2.0',
        id: '1',
        result: {
          task: {
            id: 't1',
            contextId: 'c',
            status: {state: 'TASK_STATE_COMPLETED'},
            artifacts: [{parts: [{text: 'hi'}]}],
          },
        },
      }),
      'task',
    ],
    [
      'unknown token',
      401,
      JSON.stringify({error: 'Unauthorized; configure channels.a2a.peers with a matching Bearer token'}),
      'unauthorized',
    ],
    ['runtime starting', 503, 'Plugin runtime is starting', 'starting'],
    ['no channel (older OpenClaw)', 404, 'Not Found', 'no-a2a'],
    [
      'rate limited',
      200,
      JSON.stringify({jsonrpc: '2.0', id: '1', error: {code: -32000, message: 'Peer is rate limited'}}),
      'rate-limited',
    ],
    [
      'task not found',
      200,
      JSON.stringify({jsonrpc: '2.0', id: '1', error: {code: -32001, message: 'Task not found'}}),
      'rpc-error',
    ],
    ['garbage', 200, '<html>', 'bad-answer'],
    ['no task in a result', 200, JSON.stringify({jsonrpc: '2.0', id: '1', result: {}}), 'bad-answer'],
  ])('%s → %s', (_t, status, body, kind) => expect(classifyA2aAnswer(status, body, 'SendMessage').kind).toBe(kind))

  it('strips escapes, control and bidi characters, keeping newlines and tabs', () => {
    expect(stripControl('a\u001b[31mb\u001b]0;t\u0007c\u0000d\u202ee\tf\r\ng')).toBe('abcde\tf\ng')
  })

  it('reads an Agent Card', () => {
    const iface = {url: 'http://100.64.0.1:18789/a2a/v1', protocolBinding: 'JSONRPC', protocolVersion: '1.0'}
    expect(
      parseAgentCard(
        JSON.stringify({name: 'OpenClaw', version: '2026.9.6', supportedInterfaces: [iface], skills: [{id: 'main'}]}),
      ),
    ).toEqual({
      name: 'OpenClaw',
      version: '2026.9.6',
      url: iface.url,
      skills: ['main'],
      interfaces: [{url: iface.url, binding: 'JSONRPC', version: '1.0'}],
    })
    expect(parseAgentCard('nope')).toBeUndefined()
  })
})

describe("doctor's A2A checks", () => {
  it.each<[string, Parameters<typeof evalA2aChannel>[0], string | undefined, string]>([
    ['off', {enabled: false}, 'http://100.64.0.1:18789', 'fail'],
    [
      'advertising another URL',
      {enabled: true, advertisedUrl: 'http://100.64.0.9:18789'},
      'http://100.64.0.1:18789',
      'warn',
    ],
    ['no advertisedUrl', {enabled: true}, 'http://100.64.0.1:18789', 'warn'],
    ['right', {enabled: true, advertisedUrl: 'http://100.64.0.1:18789/'}, 'http://100.64.0.1:18789', 'pass'],
  ])('channel %s → %s', (_t, view, expected, status) => {
    const r = evalA2aChannel(view, expected)
    expect(r.status).toBe(status)
    if (status !== 'pass') expect(r.fix).toEqual({kind: 'configure-gateway', advertisedUrl: expected})
  })

  it.each<[unknown, string]>([
    [undefined, 'warn'],
    [['*'], 'warn'],
    [['main'], 'pass'],
  ])('hooks.allowedAgentIds %j → %s', (ids, status) =>
    expect(evalHooksAgents({enabled: true, hooksAllowedAgentIds: ids}).status).toBe(status),
  )

  const probe = (over: Record<string, {status: 'ok' | 'warn' | 'fail' | 'skip'; detail: string}> = {}) => ({
    name: 'clawd',
    url: 'http://100.88.12.7:18789',
    messaging: false,
    probes: {
      tailnet: {status: 'ok' as const, detail: ''},
      healthz: {status: 'ok' as const, detail: ''},
      readyz: {status: 'ok' as const, detail: ''},
      hooks: {status: 'skip' as const, detail: ''},
      agentCard: {status: 'ok' as const, detail: 'OpenClaw'},
      a2a: {status: 'ok' as const, detail: 'our token accepted'},
      a2aHere: {status: 'ok' as const, detail: 'configured'},
      ...over,
    },
  })

  it('flags a half-paired peer, a refused token, and a token not configured here (the last one fixable)', () => {
    expect(evalPeerA2a(probe(), true).status).toBe('pass')
    expect(evalPeerA2a(probe(), false).status).toBe('skip')
    expect(
      evalPeerA2a(
        probe({a2a: {status: 'fail', detail: 'half-paired: no token for calling it in the secret store'}}),
        true,
      ),
    ).toMatchObject({status: 'fail', fix: undefined})
    expect(evalPeerA2a(probe({a2a: {status: 'fail', detail: 'our token refused (401)'}}), true).status).toBe('fail')
    expect(
      evalPeerA2a(
        probe({a2aHere: {status: 'fail', detail: 'its inbound token is not in channels.a2a.peers here'}}),
        true,
      ),
    ).toMatchObject({status: 'fail', fix: {kind: 'configure-gateway'}})
  })
})

describe("OpenClaw's security audit in doctor", () => {
  const f = (severity: string, checkId: string, remediation?: string) => ({
    checkId,
    severity,
    title: checkId,
    remediation,
  })
  it('lists critical findings and warnings as warnings (with the remedy), passes on info only, skips when it cannot run', () => {
    expect(
      evalSecurityAudit({
        ran: true,
        findings: [f('critical', 'hooks.token_reuse_gateway_token', 'Use a distinct hooks.token.'), f('warn', 'x')],
      }),
    ).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/1 critical: hooks\.token_reuse_gateway_token.*1 warning: x/),
      remedy: expect.stringContaining('Use a distinct hooks.token.'),
    })
    expect(evalSecurityAudit({ran: true, findings: [f('warn', 'hooks.default_session_key_unset')]})).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('hooks.default_session_key_unset'),
    })
    expect(evalSecurityAudit({ran: true, findings: [f('info', 'summary.attack_surface')]}).status).toBe('pass')
  })

  it('never offers the hooks.defaultSessionKey "fix" claw-mesh leaves out on purpose', () => {
    const kept = f('warn', 'hooks.default_session_key_unset', 'Set hooks.defaultSessionKey to a fixed session.')
    expect(evalSecurityAudit({ran: true, findings: [kept]})).toMatchObject({
      detail: expect.stringContaining('kept on purpose'),
      remedy: expect.stringMatching(/^Nothing to change/),
    })
    expect(evalSecurityAudit({ran: true, findings: [kept, f('warn', 'x', 'Fix x.')]}).remedy).toMatch(/^Fix x\./)
    expect(evalSecurityAudit({ran: true, findings: [kept, f('warn', 'constructor')]}).remedy).not.toMatch(
      /defaultSessionKey|Nothing to change/,
    )
    expect(evalSecurityAudit({ran: false, reason: 'openclaw does not run here'}).status).toBe('skip')
  })
})
