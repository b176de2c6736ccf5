import {describe, expect, it} from 'vitest'
import {CHECKS} from '../../src/core/checks/catalog.js'
import type {DoctorContext} from '../../src/core/checks/context.js'
import {evalServeBind, viewGatewayConfig} from '../../src/core/checks/gateway-config.js'
import {stateSchema} from '../../src/core/common/state-schema.js'
import type {TailscaleProbe} from '../../src/core/checks/tailscale.js'
import {parseStatusJson, summarizeStatus} from '../../src/core/tailscale/tailscale-status.js'

const byId = (id: string) => CHECKS.find((c) => c.id === id)!

/** A context where only what a test sets exists; anything else a check asks for fails the test. */
const CONTEXT_KEYS = new Set([
  'platform',
  'backupsDir',
  'env',
  'now',
  'state',
  'provisioned',
  'startCommand',
  'whoHoldsPort',
  'tailscaleCli',
  'tailscale',
  'tailscaleOs',
  'openclaw',
  'configFile',
  'configView',
  'validation',
  'loopbackHealth',
  'tailnetHealth',
  'service',
  'gatewayToken',
  'handshake',
  'storedHooksToken',
  'effectiveGatewayToken',
  'secretStore',
  'secretsPresence',
  'secretFile',
  'volatileSecrets',
  'peerRecords',
  'peerProbe',
  'ping',
  'clockSample',
  'firewall',
  'agentFallback',
])

function stubContext(over: Partial<DoctorContext>): DoctorContext {
  return new Proxy(over as DoctorContext, {
    get(target, key) {
      if (key in target || typeof key !== 'string' || !CONTEXT_KEYS.has(key))
        return (target as unknown as Record<string | symbol, unknown>)[key]
      throw new Error(`check asked the context for ${key}, which this test did not expect`)
    },
  })
}

const state = (s: object) => ({ok: true as const, state: stateSchema.parse(s)})

describe('claw-mesh-state', () => {
  it.each([
    [
      'set up',
      stubContext({state: () => state({identity: 'nova', peers: {}}), provisioned: () => true}),
      'pass',
      'identity nova, 0 peers',
    ],
    [
      'never set up',
      stubContext({state: () => state({}), provisioned: () => false}),
      'warn',
      'claw-mesh has not set up this machine yet.',
    ],
    [
      'unreadable',
      stubContext({
        state: () => ({
          ok: false,
          error: 'claw-mesh state file /s/state.json is not valid: Invalid input',
          hint: 'Fix or move the file away',
        }),
      }),
      'fail',
      /not valid/,
    ],
  ])('%s → %s', async (_name, ctx, status, detail) => {
    const r = await byId('claw-mesh-state').run(ctx)
    expect(r.status).toBe(status)
    expect(r.detail).toMatch(detail)
  })
})

describe('checks that need a gateway config', () => {
  const noConfig = stubContext({
    configFile: async () => ({path: '/h/.openclaw/openclaw.json', exists: false}),
    configView: async () => undefined,
  })

  it.each(['gateway-health', 'gateway-port'])(
    '%s skips on a machine without openclaw.json (nothing to expect running)',
    async (id) => {
      expect(await byId(id).run(noConfig)).toMatchObject({
        status: 'skip',
        detail: 'no gateway configured yet (see gateway-config)',
      })
    },
  )

  it.each(['gateway-mode', 'gateway-bind', 'gateway-auth', 'gateway-hooks', 'gateway-tailnet-reachable'])(
    '%s skips when the config cannot be read',
    async (id) => {
      const ctx = stubContext({configView: async () => undefined, state: () => state({})})
      expect((await byId(id).run(ctx)).status).toBe('skip')
    },
  )
})

describe('firewall', () => {
  it('skips for a loopback-only gateway: nothing has to get in', async () => {
    const ctx = stubContext({
      configView: async () => viewGatewayConfig({gateway: {bind: 'loopback', tailscale: {mode: 'serve'}}}),
      state: () => state({}),
    })
    expect(await byId('firewall').run(ctx)).toMatchObject({
      status: 'skip',
      detail: expect.stringMatching(/loopback only/),
    })
  })

  it('skips before any port is configured', async () => {
    const ctx = stubContext({configView: async () => undefined, state: () => state({})})
    expect((await byId('firewall').run(ctx)).status).toBe('skip')
  })
})

describe('gateway-serve-bind', () => {
  it('passes Serve with a loopback bind', () => {
    expect(evalServeBind(viewGatewayConfig({gateway: {bind: 'loopback', tailscale: {mode: 'serve'}}})).status).toBe(
      'pass',
    )
    expect(evalServeBind(viewGatewayConfig({gateway: {tailscale: {mode: 'serve'}}})).status).toBe('pass')
  })
})

describe('tailscale-backend remedy', () => {
  it('names the hostname claw-mesh recorded (or openclaw-<identity>) in the join command', async () => {
    const summary = summarizeStatus(
      parseStatusJson(
        JSON.stringify({BackendState: 'NeedsLogin', TailscaleIPs: null, Self: {HostName: 'nova'}, Peer: null}),
      ),
    )
    const probe = async (): Promise<TailscaleProbe> => ({kind: 'ok', cli: 'tailscale', summary})
    const withIdentity = stubContext({tailscale: probe, state: () => state({identity: 'nova'})})
    expect((await byId('tailscale-backend').run(withIdentity)).remedy).toBe(
      'claw-mesh tailscale join --hostname openclaw-nova --tailscale-key file:PATH',
    )
  })
})
