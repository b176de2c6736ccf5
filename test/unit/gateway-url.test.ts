import {describe, expect, it} from 'vitest'
import {ActionNeededError} from '../../src/core/common/errors.js'
import {peerUrlFor, type PeerUrlInput} from '../../src/core/openclaw/gateway-url.js'

describe('peerUrlFor', () => {
  it.each<[PeerUrlInput, string]>([
    [
      {expose: 'tailnet', port: 18789, ipv4: '100.101.102.103', dnsName: 'openclaw-nova.tail4f3a2.ts.net'},
      'http://100.101.102.103:18789',
    ],
    [{expose: 'lan', port: 28789, ipv4: '100.64.0.7'}, 'http://100.64.0.7:28789'],
    [{expose: 'tailnet', ipv4: '100.64.0.7'}, 'http://100.64.0.7:18789'],
    [
      {expose: 'serve', port: 18789, ipv4: '100.64.0.7', dnsName: 'openclaw-nova.tail4f3a2.ts.net.'},
      'https://openclaw-nova.tail4f3a2.ts.net',
    ],
  ])('%j → %s', (input, url) => {
    expect(peerUrlFor(input)).toBe(url)
  })

  it.each<[PeerUrlInput, RegExp]>([
    [{expose: 'tailnet', ipv4: null}, /no Tailscale IPv4/],
    [{expose: 'serve', ipv4: '100.64.0.7', dnsName: null}, /no MagicDNS name/],
  ])('asks for action when an address is missing (%j)', (input, message) => {
    expect(() => peerUrlFor(input)).toThrow(ActionNeededError)
    expect(() => peerUrlFor(input)).toThrow(message)
  })
})
