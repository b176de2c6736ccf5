import {describe, expect, it} from 'vitest'
import {parseOpenClawConfig, serializeOpenClawConfig, type SecretRef} from '../../src/core/openclaw/openclaw-config.js'
import {
  DEFAULT_AUTH_RATE_LIMIT,
  describeChange,
  exposureHardening,
  maskChanges,
  planConfigPatch,
  type DesiredGateway,
} from '../../src/core/openclaw/openclaw-config-patch.js'

const REF: SecretRef = {source: 'file', provider: 'clawmesh', id: '/gateway-token'}
const PROVIDER = {source: 'file', path: '/home/u/.local/state/claw-mesh/secrets.json', mode: 'json'}
const HOOKS = 'hooks-token-0123456789abcdefghijklmnop'
const desired = (over: Partial<DesiredGateway> = {}): DesiredGateway => ({
  expose: 'tailnet',
  port: 18789,
  gatewayToken: REF,
  provider: PROVIDER,
  hooksToken: HOOKS,
  ...over,
})

/** What a correctly configured tailnet file looks like (claw-mesh's keys only). */
const CORRECT = {
  gateway: {mode: 'local', port: 18789, bind: 'tailnet', auth: {mode: 'token', token: REF}, tailscale: {mode: 'off'}},
  secrets: {providers: {clawmesh: PROVIDER}},
  hooks: {enabled: true, token: HOOKS},
}

const paths = (config: Record<string, unknown>, d = desired()) =>
  planConfigPatch(config, d)
    .changes.map((c) => c.path)
    .sort()

describe('planConfigPatch', () => {
  it.each<[string, Record<string, unknown>, DesiredGateway, string[]]>([
    [
      'a fresh (empty) config gets every key',
      {},
      desired(),
      [
        'gateway.auth.mode',
        'gateway.auth.token',
        'gateway.bind',
        'gateway.mode',
        'gateway.port',
        'gateway.tailscale.mode',
        'hooks.enabled',
        'hooks.token',
        'secrets.providers.clawmesh',
      ],
    ],
    [
      'seed 000: bind "0.0.0.0", port 8080, no auth',
      {gateway: {bind: '0.0.0.0', port: 8080, mode: 'local'}},
      desired(),
      [
        'gateway.auth.mode',
        'gateway.auth.token',
        'gateway.bind',
        'gateway.port',
        'gateway.tailscale.mode',
        'hooks.enabled',
        'hooks.token',
        'secrets.providers.clawmesh',
      ],
    ],
    [
      'seed 002: tailscale.mode "on" becomes "off" for tailnet',
      {...structuredClone(CORRECT), gateway: {...structuredClone(CORRECT.gateway), tailscale: {mode: 'on'}}},
      desired(),
      ['gateway.tailscale.mode'],
    ],
    [
      'port 8080 kept when asked for, no auth gets token auth',
      {
        gateway: {mode: 'local', port: 8080, bind: 'tailnet', tailscale: {mode: 'off'}},
        secrets: {providers: {clawmesh: PROVIDER}},
        hooks: {enabled: true, token: HOOKS},
      },
      desired({port: 8080}),
      ['gateway.auth.mode', 'gateway.auth.token'],
    ],
    ['an already-correct config changes nothing', structuredClone(CORRECT), desired(), []],
    [
      'serve: loopback bind and tailscale serve',
      structuredClone(CORRECT),
      desired({expose: 'serve'}),
      ['gateway.bind', 'gateway.tailscale.mode'],
    ],
    ['lan: bind lan', structuredClone(CORRECT), desired({expose: 'lan'}), ['gateway.bind']],
    [
      'userspace networking: local pairing approval off (tailnet peers arrive as 127.0.0.1)',
      structuredClone(CORRECT),
      desired({userspace: true}),
      ['gateway.nodes.pairing.autoApproveLocal'],
    ],
    [
      'userspace networking, already off: nothing',
      {
        ...structuredClone(CORRECT),
        gateway: {...structuredClone(CORRECT.gateway), nodes: {pairing: {autoApproveLocal: false}}},
      },
      desired({userspace: true}),
      [],
    ],
    [
      'a plain-text gateway token is replaced by the SecretRef',
      {
        ...structuredClone(CORRECT),
        gateway: {...structuredClone(CORRECT.gateway), auth: {mode: 'token', token: 'plain-secret-token-123456'}},
      },
      desired(),
      ['gateway.auth.token'],
    ],
    [
      'a non-object gateway value is replaced whole',
      {gateway: 'oops', secrets: {providers: {clawmesh: PROVIDER}}, hooks: {enabled: true, token: HOOKS}},
      desired(),
      [
        'gateway.auth.mode',
        'gateway.auth.token',
        'gateway.bind',
        'gateway.mode',
        'gateway.port',
        'gateway.tailscale.mode',
      ],
    ],
  ])('%s', (_name, config, d, expected) => {
    expect(paths(config, d)).toEqual(expected)
  })

  it('sets serve exposure exactly as the gateway requires (loopback bind)', () => {
    const {next} = planConfigPatch({}, desired({expose: 'serve'}))
    expect(next.gateway).toMatchObject({
      bind: 'loopback',
      tailscale: {mode: 'serve'},
      auth: {mode: 'token', token: REF},
    })
  })

  it('keeps every unrelated key by value, and does not modify its input', () => {
    const current = parseOpenClawConfig(
      `// hand-written
      {
        agents: {defaults: {heartbeat: {every: "2h"}}, entries: {main: {name: "Nova"}}},
        channels: {telegram: {enabled: false, botToken: "123:abc"}},
        gateway: {bind: "0.0.0.0", controlUi: {enabled: true}, auth: {rateLimit: {maxAttempts: 5}}},
        hooks: {path: "/in", allowedAgentIds: ["main"]},
        secrets: {providers: {vault: {source: "env"}}},
      }`,
      'openclaw.json',
    )
    const before = structuredClone(current)
    const {next} = planConfigPatch(current, desired())
    expect(current).toEqual(before)
    expect(next.agents).toEqual(before.agents)
    expect(next.channels).toEqual(before.channels)
    expect(next.gateway).toMatchObject({
      controlUi: {enabled: true},
      auth: {rateLimit: {maxAttempts: 5}, mode: 'token', token: REF},
    })
    expect(next.hooks).toEqual({path: '/in', allowedAgentIds: ['main'], enabled: true, token: HOOKS})
    expect(next.secrets).toEqual({providers: {vault: {source: 'env'}, clawmesh: PROVIDER}})
  })

  it('is idempotent: planning over its own output changes nothing', () => {
    const first = planConfigPatch({gateway: {bind: '0.0.0.0'}}, desired())
    const reparsed = parseOpenClawConfig(serializeOpenClawConfig(first.next), 'x')
    expect(planConfigPatch(reparsed, desired()).changed).toBe(false)
  })

  it('does not care about key order when comparing objects', () => {
    const reordered = {
      ...structuredClone(CORRECT),
      secrets: {providers: {clawmesh: {mode: 'json', path: PROVIDER.path, source: 'file'}}},
    }
    expect(planConfigPatch(reordered, desired()).changed).toBe(false)
  })
})

describe('change display', () => {
  it('never shows secret strings, in text or in --json', () => {
    const {changes} = planConfigPatch(
      {gateway: {auth: {token: 'old-plain-token-0123456789'}}, hooks: {token: 'old-hooks-token-0123456789'}},
      desired(),
    )
    const text = changes.map(describeChange).join('\n')
    const json = JSON.stringify(maskChanges(changes))
    for (const out of [text, json]) {
      expect(out).not.toContain('old-plain-token')
      expect(out).not.toContain('old-hooks-token')
      expect(out).not.toContain(HOOKS)
    }
    expect(text).toContain('gateway.auth.token: [secret] → SecretRef file:clawmesh:/gateway-token')
    expect(text).toContain('hooks.token: [secret] → [secret]')
  })

  it('shows ordinary values as JSON', () => {
    const {changes} = planConfigPatch({gateway: {bind: '0.0.0.0'}}, desired())
    expect(changes.map(describeChange)).toContain('gateway.bind: "0.0.0.0" → "tailnet"')
    expect(changes.map(describeChange)).toContain('gateway.port: (unset) → 18789')
  })
})

describe("exposure hardening (what OpenClaw's security audit asks of a non-loopback bind)", () => {
  const value = (config: Record<string, unknown>, d: Parameters<typeof exposureHardening>[1]) =>
    Object.fromEntries(exposureHardening(config, d).map((a) => [a.path.join('.'), a.value]))
  it('adds the origin peers use to any allowedOrigins there, and a rate limit', () => {
    expect(value({}, {expose: 'tailnet', advertisedUrl: 'http://100.64.0.5:18789'})).toEqual({
      'gateway.controlUi.allowedOrigins': ['http://100.64.0.5:18789'],
      'gateway.auth.rateLimit': DEFAULT_AUTH_RATE_LIMIT,
    })
    const mine = {
      gateway: {controlUi: {allowedOrigins: ['https://control.example.com']}, auth: {rateLimit: {maxAttempts: 3}}},
    }
    expect(value(mine, {expose: 'lan', advertisedUrl: 'http://100.64.0.5:18789'})).toEqual({
      'gateway.controlUi.allowedOrigins': ['https://control.example.com', 'http://100.64.0.5:18789'],
      'gateway.auth.rateLimit': {maxAttempts: 3},
    })
  })
  it('changes nothing the user already has, and nothing for Serve (a loopback bind)', () => {
    const done = {
      gateway: {controlUi: {allowedOrigins: ['http://100.64.0.5:18789']}, auth: {rateLimit: DEFAULT_AUTH_RATE_LIMIT}},
    }
    expect(
      planConfigPatch(
        {
          ...structuredClone(CORRECT),
          gateway: {
            ...structuredClone(CORRECT.gateway),
            ...done.gateway,
            auth: {...CORRECT.gateway.auth, ...done.gateway.auth},
          },
        },
        desired({extra: exposureHardening(done, {expose: 'tailnet', advertisedUrl: 'http://100.64.0.5:18789/'})}),
      ).changed,
    ).toBe(false)
    expect(
      exposureHardening(
        {gateway: {controlUi: {allowedOrigins: ['*']}}},
        {expose: 'tailnet', advertisedUrl: 'http://100.64.0.5:18789'},
      ).map((a) => a.path.join('.')),
    ).toEqual(['gateway.auth.rateLimit'])
    expect(exposureHardening({}, {expose: 'serve', advertisedUrl: 'https://n.tail1.ts.net'})).toEqual([])
    // Without a known URL (gateway configure alone, Tailscale down) no origin is made up.
    expect(value({}, {expose: 'tailnet'})).toEqual({'gateway.auth.rateLimit': DEFAULT_AUTH_RATE_LIMIT})
  })
  it('userspace networking: loopback stays exempt (a tailnet node could otherwise lock the operator out), and the earlier non-exempt limit is taken back', () => {
    expect(value({}, {expose: 'tailnet', userspace: true})['gateway.auth.rateLimit']).toEqual(DEFAULT_AUTH_RATE_LIMIT)
    const earlier = {gateway: {auth: {rateLimit: {...DEFAULT_AUTH_RATE_LIMIT, exemptLoopback: false}}}}
    expect(value(earlier, {expose: 'tailnet', userspace: true})['gateway.auth.rateLimit']).toEqual(
      DEFAULT_AUTH_RATE_LIMIT,
    )
    // A limit the user chose is theirs, exemptLoopback included.
    const theirs = {
      gateway: {auth: {rateLimit: {maxAttempts: 3, windowMs: 60_000, lockoutMs: 60_000, exemptLoopback: false}}},
    }
    expect(value(theirs, {expose: 'tailnet', userspace: true})['gateway.auth.rateLimit']).toEqual(
      theirs.gateway.auth.rateLimit,
    )
  })
})
