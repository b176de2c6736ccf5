import {describe, expect, it} from 'vitest'
import {UsageError} from '../../src/core/common/errors.js'
import {
  normalizeHooksPath,
  parseOpenClawConfig,
  readGatewaySettings,
  serializeOpenClawConfig,
  usesJson5Syntax,
} from '../../src/core/openclaw/openclaw-config.js'

describe('parseOpenClawConfig', () => {
  it('reads JSON5: comments, trailing commas, unquoted keys', () => {
    expect(parseOpenClawConfig('// c\n{gateway: {port: 1,},}\n', 'f')).toEqual({gateway: {port: 1}})
  })

  it('treats an empty file as an empty config', () => {
    expect(parseOpenClawConfig('  \n', 'f')).toEqual({})
  })

  it.each([
    ['{\n  a: 1,\n  b: ,\n}', '/x/openclaw.json:3:6'],
    ['{ gateway: { mode: "local", ', '/x/openclaw.json:1:29'],
    ['{\n"a": 1\n"b": 2}', '/x/openclaw.json:3:1'],
  ])('a syntax error is a UsageError naming file:line:column (%#)', (text, where) => {
    let error: unknown
    try {
      parseOpenClawConfig(text, '/x/openclaw.json')
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(UsageError)
    expect((error as UsageError).message.startsWith(`${where}: openclaw.json is not valid JSON5`)).toBe(true)
    expect((error as UsageError).exitCode).toBe(2)
    expect((error as UsageError).hint).toMatch(/did not change the file/)
  })

  it('refuses a top level that is not an object', () => {
    expect(() => parseOpenClawConfig('[1, 2]', 'f')).toThrowError(/must hold a JSON object/)
  })
})

describe('serialization', () => {
  it('writes plain JSON with 2-space indent and a final newline', () => {
    expect(serializeOpenClawConfig({a: {b: 1}})).toBe('{\n  "a": {\n    "b": 1\n  }\n}\n')
  })

  it.each([
    ['{"a": 1}', false],
    ['', false],
    ['// c\n{"a": 1}', true],
    ['{a: 1}', true],
    ['{"a": 1,}', true],
  ])('usesJson5Syntax(%j) = %s', (text, expected) => {
    expect(usesJson5Syntax(text)).toBe(expected)
  })
})

describe('readGatewaySettings', () => {
  it('says where the token lives without exposing it', () => {
    const s = readGatewaySettings({
      gateway: {
        port: 1234,
        bind: 'tailnet',
        auth: {mode: 'token', token: {source: 'exec', provider: 'clawmesh', id: 'gateway-token'}},
      },
      secrets: {providers: {clawmesh: {source: 'exec', command: '/s/bin/secret-resolver'}}},
      hooks: {enabled: true, token: 'x'.repeat(20), path: 'in/'},
    })
    expect(s).toMatchObject({
      port: 1234,
      bind: 'tailnet',
      authMode: 'token',
      token: {kind: 'secret-ref', ref: {source: 'exec'}},
      provider: {command: '/s/bin/secret-resolver'},
      hooks: {enabled: true, path: '/in', tokenSet: true},
    })
    expect(JSON.stringify(s)).not.toContain('x'.repeat(20))
  })

  it('reports a plain-text token and defaults', () => {
    expect(readGatewaySettings({gateway: {auth: {token: 'abc'}}})).toMatchObject({
      token: {kind: 'plaintext'},
      hooks: {enabled: false, path: '/hooks', tokenSet: false},
    })
    expect(readGatewaySettings({}).token).toEqual({kind: 'none'})
  })

  it.each([
    ['/hooks', '/hooks'],
    ['hooks', '/hooks'],
    ['/in/', '/in'],
  ])('normalizes hooks.path %j → %j', (value, expected) => {
    expect(normalizeHooksPath(value)).toBe(expected)
  })
})
