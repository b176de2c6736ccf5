import {describe, expect, it} from 'vitest'
import {claimedCredentials, configCredentials} from '../../src/core/openclaw/config-copy-secrets.js'

const paired = {
  hooks: {token: 'h1'},
  gateway: {auth: {token: {source: 'file', provider: 'clawmesh', id: '/gateway'}}},
  channels: {a2a: {peers: {nova: {token: 'in', outboundToken: 'out'}, zed: {token: 'z'}}}},
}

describe('credentials claw-mesh put into a copy of openclaw.json', () => {
  it.each<[string, unknown, unknown, string[]]>([
    ['hooks and every A2A pair token, none in the original', paired, {gateway: {port: 1}}, ['h1', 'in', 'out', 'z']],
    ["the user's own hooks token stays theirs", paired, {hooks: {token: 'h1'}}, ['in', 'out', 'z']],
    [
      'no openclaw.json before claw-mesh: all of them',
      {hooks: {token: 'h1'}, gateway: {auth: {token: 'plain'}}},
      null,
      ['h1', 'plain'],
    ],
    ['a SecretRef is not a credential', {gateway: {auth: {token: {source: 'env', id: 'X'}}}}, null, []],
    ['junk shapes', {hooks: 'x', channels: {a2a: {peers: ['a']}}}, null, []],
    ['not an object', 'text', null, []],
  ])('%s', (_name, copy, original, expected) =>
    expect(claimedCredentials(copy, original).sort()).toEqual(expected.sort()),
  )

  it('lists each value once', () =>
    expect(configCredentials({hooks: {token: 'a'}, channels: {a2a: {peers: {x: {token: 'a'}}}}})).toEqual(['a']))
})
