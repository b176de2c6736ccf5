import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {
  bindExposure,
  evalAuth,
  evalBind,
  evalGatewayMode,
  evalHooks,
  evalPortConfig,
  evalServeBind,
  evalTailscaleMode,
  viewGatewayConfig,
} from '../../src/core/checks/gateway-config.js'
import {REMEDY_CONFIGURE} from '../../src/core/checks/types.js'
import {parseOpenClawConfig} from '../../src/core/openclaw/openclaw-config.js'

const FIXTURES = path.resolve(__dirname, '../fixtures/doctor')
const fixture = (name: string) =>
  viewGatewayConfig(parseOpenClawConfig(readFileSync(path.join(FIXTURES, name), 'utf8'), name))
const view = (gateway: Record<string, unknown>, rest: Record<string, unknown> = {}) =>
  viewGatewayConfig({gateway, ...rest})
const configureFix = {kind: 'configure-gateway'}

describe('the seed configs', () => {
  it('seed 000: "bind": "0.0.0.0" is flagged as every interface, with the configure remedy and fix', () => {
    const r = evalBind(fixture('seed-000-bind-all.json5'), 'tailnet')
    expect(r.status).toBe('fail')
    expect(r.detail).toMatch(/"0\.0\.0\.0", which is not an OpenClaw bind mode: .*every interface/)
    expect(r.remedy).toBe(`${REMEDY_CONFIGURE}; by hand: openclaw config set gateway.bind tailnet`)
    expect(r.fix).toEqual(configureFix)
  })

  it('seed 002: "tailscale": {"mode": "on"} makes the gateway refuse to start', () => {
    const r = evalTailscaleMode(fixture('seed-002-tailscale-on.json5'), 'tailnet')
    expect(r.status).toBe('fail')
    expect(r.detail).toBe('gateway.tailscale.mode is "on": the gateway refuses to start (allowed: off, serve, funnel).')
    expect(r.remedy).toBe(`${REMEDY_CONFIGURE}; by hand: openclaw config set gateway.tailscale.mode off`)
    expect(r.fix).toEqual(configureFix)
  })

  it('port 8080 on lan without auth: exposed everywhere, and refused without auth; the port differs from the recorded one', () => {
    const v = fixture('port-8080-no-auth.json')
    expect(evalBind(v, 'tailnet')).toMatchObject({status: 'fail', fix: configureFix})
    const auth = evalAuth(v, {})
    expect(auth.status).toBe('fail')
    expect(auth.detail).toMatch(/without auth \(gateway\.auth\.mode is "none"\)/)
    expect(evalPortConfig(v, {recorded: 18789})).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/port 8080, but claw-mesh .* port 18789/),
      fix: configureFix,
    })
  })

  it("claw-mesh's own tailnet config passes every config check", () => {
    const v = fixture('mesh-tailnet.json')
    expect(evalGatewayMode(v).status).toBe('pass')
    expect(evalBind(v, 'tailnet').status).toBe('pass')
    expect(evalTailscaleMode(v, 'tailnet').status).toBe('pass')
    expect(evalServeBind(v).status).toBe('skip')
    expect(evalAuth(v, {}).status).toBe('pass')
    expect(evalHooks(v, {gateway: 'gateway-token-0123456789', stored: 'hooks-token-abcdefghijklmnop'}).status).toBe(
      'pass',
    )
    expect(evalPortConfig(v, {recorded: 18789, applied: 18789})).toBeUndefined()
  })

  it('serve with a lan bind and the gateway token reused for hooks fails three ways', () => {
    const v = fixture('serve-with-lan-bind.json')
    expect(evalServeBind(v)).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/must resolve to loopback/),
      fix: configureFix,
    })
    expect(evalBind(v, 'serve')).toMatchObject({status: 'fail'})
    expect(evalHooks(v, {gateway: 'gateway-token-abcdefghijklmnop'})).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/hooks\.token is the gateway token/),
    })
  })
})

describe('gateway-mode', () => {
  it.each([
    [{mode: 'local'}, 'pass'],
    [{mode: 'remote'}, 'fail'],
    [{}, 'fail'],
  ])('%j → %s', (gw, status) => {
    const r = evalGatewayMode(view(gw))
    expect(r.status).toBe(status)
    if (status === 'fail') expect(r).toMatchObject({remedy: REMEDY_CONFIGURE, fix: configureFix})
  })
})

describe('gateway-bind', () => {
  it.each([
    ['tailnet', {bind: 'tailnet'}, 'tailnet', 'pass', undefined],
    ['loopback with serve', {bind: 'loopback', tailscale: {mode: 'serve'}}, 'serve', 'pass', undefined],
    ['loopback without serve (peers cannot reach it)', {bind: 'loopback'}, 'tailnet', 'fail', /peers cannot reach/],
    ['unset = loopback, before bootstrap', {}, undefined, 'fail', /peers cannot reach/],
    ['lan when claw-mesh was told tailnet', {bind: 'lan'}, 'tailnet', 'fail', /every interface/],
    ['lan chosen with --expose lan', {bind: 'lan'}, 'lan', 'warn', /every interface.*--expose lan/],
    ['custom 0.0.0.0', {bind: 'custom', customBindHost: '0.0.0.0'}, 'tailnet', 'fail', /every interface/],
    ['custom tailnet address', {bind: 'custom', customBindHost: '100.64.0.7'}, 'tailnet', 'pass', /100\.64\.0\.7/],
    ['auto (0.0.0.0 in containers)', {bind: 'auto'}, 'tailnet', 'fail', /every interface/],
    ['host alias 127.0.0.1', {bind: '127.0.0.1'}, 'tailnet', 'fail', /host alias/],
    ['garbage', {bind: 'everywhere'}, 'tailnet', 'fail', /refuses to start/],
    ['tailnet when claw-mesh uses serve', {bind: 'tailnet'}, 'serve', 'fail', /needs a loopback bind/],
  ])('%s → %s', (_name, gw, expose, status, detail) => {
    const r = evalBind(view(gw), expose)
    expect(r.status).toBe(status)
    if (detail) expect(r.detail).toMatch(detail)
    if (status === 'fail' && expose) expect(r.fix).toEqual(configureFix)
  })

  it('before bootstrap a loopback bind points at bootstrap, not at a fix it cannot make', () => {
    expect(evalBind(view({bind: 'loopback'}), undefined)).toMatchObject({remedy: 'claw-mesh bootstrap', fix: undefined})
  })

  it.each([
    ['loopback', 'loopback'],
    ['tailnet', 'tailnet'],
    ['lan', 'all-interfaces'],
    ['0.0.0.0', 'all-interfaces'],
    ['weird', 'invalid'],
  ])('bindExposure(%s) = %s', (bind, exposure) => {
    expect(bindExposure(view({bind}))).toBe(exposure)
  })
})

describe('gateway-tailscale-mode', () => {
  it.each([
    [{}, 'tailnet', 'pass'],
    [{tailscale: {mode: 'off'}}, 'tailnet', 'pass'],
    [{tailscale: {mode: 'serve'}}, 'serve', 'pass'],
    [{tailscale: {mode: 'on'}}, 'tailnet', 'fail'],
    [{tailscale: {mode: true}}, 'tailnet', 'fail'],
    [{tailscale: {mode: 'off'}}, 'serve', 'fail'],
    [{tailscale: {mode: 'serve'}}, 'tailnet', 'fail'],
    [{tailscale: {mode: 'funnel'}}, undefined, 'warn'],
  ])('%j with expose %s → %s', (gw, expose, status) => {
    expect(evalTailscaleMode(view(gw), expose).status).toBe(status)
  })
})

describe('gateway-auth', () => {
  it.each([
    ['token on lan', {bind: 'lan', auth: {token: 'x'.repeat(20)}}, {}, 'pass'],
    [
      'SecretRef token',
      {bind: 'tailnet', auth: {mode: 'token', token: {source: 'file', provider: 'p', id: '/t'}}},
      {},
      'pass',
    ],
    ['token from OPENCLAW_GATEWAY_TOKEN', {bind: 'tailnet'}, {OPENCLAW_GATEWAY_TOKEN: 'abc'}, 'pass'],
    ['password mode', {bind: 'lan', auth: {mode: 'password', password: 'pw'}}, {}, 'pass'],
    ['mode none on lan', {bind: 'lan', auth: {mode: 'none'}}, {}, 'fail'],
    ['no token on tailnet', {bind: 'tailnet'}, {}, 'fail'],
    ['no token on loopback', {bind: 'loopback'}, {}, 'warn'],
  ])('%s → %s', (_name, gw, env, status) => {
    const r = evalAuth(view(gw), env)
    expect(r.status).toBe(status)
    if (status !== 'pass') expect(r.fix).toEqual(configureFix)
  })
})

describe('gateway-hooks', () => {
  const good = {enabled: true, token: 'hooks-token-abcdefghijklmnop'}
  it.each([
    [
      'enabled, own token, matches the store',
      good,
      {gateway: 'gw-token-0123456789', stored: good.token},
      'pass',
      undefined,
    ],
    ['disabled', {enabled: false, token: good.token}, {}, 'fail', /not true/],
    ['missing', undefined, {}, 'fail', /not true/],
    ['enabled without token', {enabled: true}, {}, 'fail', /empty/],
    [
      'token as a SecretRef',
      {enabled: true, token: {source: 'env', provider: 'x', id: 'HOOKS'}},
      {},
      'fail',
      /does not accept a SecretRef/,
    ],
    ['same as the gateway token', good, {gateway: good.token}, 'fail', /is the gateway token/],
    [
      'differs from what peers were given',
      good,
      {stored: 'another-token-zzzzzzzz'},
      'fail',
      /differs from the hooks token claw-mesh stored/,
    ],
  ])('%s → %s', (_name, hooks, tokens, status, detail) => {
    const r = evalHooks(viewGatewayConfig({gateway: {}, ...(hooks ? {hooks} : {})}), tokens)
    expect(r.status).toBe(status)
    if (detail) expect(r.detail).toMatch(detail)
    if (status === 'fail') expect(r.fix).toEqual(configureFix)
  })
})

describe('gateway port against state', () => {
  it('asks for a restart when the running gateway was started on another port', () => {
    expect(evalPortConfig(view({port: 18790}), {recorded: 18790, applied: 18789})).toMatchObject({
      status: 'fail',
      remedy: 'claw-mesh gateway start',
      fix: {kind: 'restart-gateway'},
    })
  })

  it('falls back to the default port for an invalid port value', () => {
    expect(view({port: 'x'}).port).toBe(18789)
    expect(view({port: 70000}).port).toBe(18789)
  })
})
