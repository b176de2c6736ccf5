import {describe, expect, it} from 'vitest'
import {ownedConfigPaths, planConfigRestore, unpatchConfig} from '../../src/core/lifecycle/leave-plan.js'
import {planConfigPatch} from '../../src/core/openclaw/openclaw-config-patch.js'

const desired = {
  expose: 'tailnet' as const,
  port: 18789,
  gatewayToken: {source: 'file' as const, provider: 'clawmesh', id: '/gateway-token'},
  provider: {source: 'file', path: '/state/secrets.json', mode: 'json'},
  hooksToken: 'hooks-token-0123456789abcdef',
}

/** What the gateway phase's configure writes over `original`. */
const patched = (original: Record<string, unknown>) => planConfigPatch(original, desired).next

describe('leave: giving openclaw.json back', () => {
  it('owns exactly the paths the gateway phase sets', () => {
    expect(ownedConfigPaths().map((p) => p.join('.'))).toEqual([
      'gateway.mode',
      'gateway.port',
      'gateway.bind',
      'gateway.auth.mode',
      'secrets.providers.clawmesh',
      'gateway.auth.token',
      'gateway.tailscale.mode',
      'hooks.enabled',
      'hooks.token',
      'gateway.nodes.pairing.autoApproveLocal',
      'channels.a2a.enabled',
      'channels.a2a.advertisedUrl',
      'channels.a2a.exposeAgents',
      'agents.defaults.heartbeat.target',
      'hooks.allowedAgentIds',
      'hooks.allowRequestSessionKey',
      'gateway.controlUi.allowedOrigins',
      'gateway.auth.rateLimit',
      'plugins.entries.claw-mesh',
      'meta',
    ])
  })

  it("takes back what OpenClaw's own plugin commands wrote: a file claw-mesh created is still removed", () => {
    // `openclaw plugins install` adds the entry and its bookkeeping under meta; `plugins uninstall` leaves enabled: false.
    const current = {
      ...patched({}),
      plugins: {entries: {'claw-mesh': {enabled: false}}},
      meta: {lastTouchedVersion: '2026.9.6', migrations: {modelPolicyAllowlist: true}},
    }
    expect(planConfigRestore({current, original: {existed: false}})).toMatchObject({mode: 'delete'})
    // Another plugin's entry is the user's: kept.
    const withOther = {...current, plugins: {entries: {'claw-mesh': {enabled: false}, codex: {enabled: true}}}}
    const plan = planConfigRestore({current: withOther, original: {existed: false}})
    expect(plan).toMatchObject({mode: 'keys'})
    expect(plan.next).toEqual({plugins: {entries: {codex: {enabled: true}}}})
  })

  it('also owns the A2A peer entries it wrote, and only those', () => {
    const paths = ownedConfigPaths(['clawd']).map((p) => p.join('.'))
    expect(paths).toContain('channels.a2a.peers.clawd')
    expect(paths.filter((p) => p.startsWith('channels.a2a.peers'))).toEqual(['channels.a2a.peers.clawd'])
    const original = {channels: {a2a: {peers: {hermes: {token: 'users-own-hermes-token'}}}}}
    const current = {
      channels: {
        a2a: {
          enabled: true,
          exposeAgents: ['main'],
          peers: {
            hermes: {token: 'users-own-hermes-token'},
            clawd: {token: 't', url: 'http://100.64.0.2:18789/a2a/v1', outboundToken: 'o'},
          },
        },
      },
    }
    expect(
      planConfigRestore({current, original: {existed: true, config: original}, a2aPeers: ['clawd']}),
    ).toMatchObject({mode: 'bytes'})
  })

  it('restores the original bytes when nobody else changed the file', () => {
    const original = {gateway: {mode: 'local', port: 19000, bind: 'loopback'}, agents: {defaults: {model: 'x'}}}
    const plan = planConfigRestore({current: patched(original), original: {existed: true, config: original}})
    expect(plan.mode).toBe('bytes')
    expect(plan.changes.map((c) => `${c.path} ${c.action}`)).toEqual([
      'gateway.port restored',
      'gateway.bind restored',
      'gateway.auth.mode removed',
      'secrets.providers.clawmesh removed',
      'gateway.auth.token removed',
      'gateway.tailscale.mode removed',
      'hooks.enabled removed',
      'hooks.token removed',
    ])
  })

  it('undoes only claw-mesh keys, keeping every other change, when the file changed since', () => {
    const original = {gateway: {mode: 'local', auth: {mode: 'password', password: 'pw'}}, hooks: {path: '/in'}}
    const current = patched(original)
    current.agents = {defaults: {model: 'changed-later'}}
    ;(current.hooks as Record<string, unknown>).path = '/in2'
    const plan = planConfigRestore({current, original: {existed: true, config: original}})
    expect(plan.mode).toBe('keys')
    expect(plan.next).toEqual({
      gateway: {mode: 'local', auth: {mode: 'password', password: 'pw'}},
      hooks: {path: '/in2'},
      agents: {defaults: {model: 'changed-later'}},
    })
  })

  it('removes the file when there was none and nothing else was added', () => {
    expect(planConfigRestore({current: patched({}), original: {existed: false}})).toMatchObject({mode: 'delete'})
  })

  it('keeps what others added to a file claw-mesh created', () => {
    const current = {...patched({}), channels: {telegram: {enabled: true}}}
    expect(planConfigRestore({current, original: {existed: false}})).toMatchObject({
      mode: 'keys',
      next: {channels: {telegram: {enabled: true}}},
    })
  })

  it('prunes only the parents claw-mesh created', () => {
    const original = {secrets: {providers: {vault: {source: 'env'}}}}
    const {next} = unpatchConfig(patched(original), original)
    expect(next).toEqual(original)
  })

  it('does nothing when claw-mesh never changed the file, or the file is gone', () => {
    expect(planConfigRestore({current: {a: 1}}).mode).toBe('none')
    expect(planConfigRestore({original: {existed: true, config: {}}}).mode).toBe('none')
  })
})
