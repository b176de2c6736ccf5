import {describe, expect, it} from 'vitest'
import {assertPinKept, checkPin, pinsOf, urlAt} from '../../src/core/pairing/address-pin.js'

describe('checkPin: a pinned name must still resolve inside its pinned addresses', () => {
  const pin = {peer: 'nova', addresses: ['100.64.0.3', 'fd7a:115c:a1e0::3']}
  it.each<[string, string[], ReturnType<typeof checkPin>]>([
    ['the same IPv4', ['100.64.0.3'], {ok: true, connectTo: '100.64.0.3'}],
    ['both pinned addresses: IPv4 first', ['fd7a:115c:a1e0::3', '100.64.0.3'], {ok: true, connectTo: '100.64.0.3'}],
    ['only the pinned IPv6', ['fd7a:115c:a1e0::3'], {ok: true, connectTo: 'fd7a:115c:a1e0::3'}],
    ['re-pointed at loopback', ['127.0.0.1'], {ok: false, resolved: ['127.0.0.1']}],
    ['another tailnet node', ['100.64.0.66'], {ok: false, resolved: ['100.64.0.66']}],
    [
      'a pinned address plus a foreign one',
      ['100.64.0.3', '192.168.1.20'],
      {ok: false, resolved: ['100.64.0.3', '192.168.1.20']},
    ],
    ['no answer', [], {ok: false, resolved: []}],
  ])('%s', (_name, resolved, verdict) => expect(checkPin(pin, resolved)).toEqual(verdict))
})

describe('pinsOf', () => {
  it('pins the plain-http hosts of peers with pinned addresses, and nothing else', () => {
    const pins = pinsOf([
      {
        name: 'nova',
        url: 'http://openclaw-nova.tail4f3a2.ts.net:18789',
        addresses: ['100.64.0.3'],
        a2a: {url: 'http://openclaw-nova.tail4f3a2.ts.net:18789/a2a/v1'},
      },
      {name: 'zed', url: 'https://openclaw-zed.tail4f3a2.ts.net', addresses: ['100.64.0.9']},
      {name: 'amy', url: 'http://100.64.0.8:18789'},
    ])
    expect([...pins.entries()]).toEqual([['openclaw-nova.tail4f3a2.ts.net', {peer: 'nova', addresses: ['100.64.0.3']}]])
  })
})

describe('urlAt', () => {
  it.each([
    ['http://openclaw-nova.tail4f3a2.ts.net:18789', '100.64.0.3', 'http://100.64.0.3:18789'],
    ['http://openclaw-nova.tail4f3a2.ts.net:18789/hooks/wake', '100.64.0.3', 'http://100.64.0.3:18789/hooks/wake'],
    [
      'http://openclaw-nova.tail4f3a2.ts.net:18789/a2a/v1',
      'fd7a:115c:a1e0::3',
      'http://[fd7a:115c:a1e0::3]:18789/a2a/v1',
    ],
  ])('%s at %s', (url, address, expected) => expect(urlAt(url, address)).toBe(expected))
})

describe('assertPinKept: adding a peer again does not quietly re-pin it', () => {
  const existing = {url: 'http://openclaw-nova.tail4f3a2.ts.net:18789', addresses: ['100.64.0.3']}
  it.each<[string, string[] | undefined, readonly string[], boolean]>([
    ['same addresses', ['100.64.0.3'], [], true],
    ['moved, no --replace', ['100.64.0.66'], [], false],
    ['moved, --replace nova', ['100.64.0.66'], ['nova'], true],
    ['moved, --replace of another name', ['100.64.0.66'], ['zed'], false],
    ['an IP URL (nothing resolved)', undefined, [], true],
  ])('%s', (_name, addresses, replace, allowed) => {
    const run = () => assertPinKept(existing, 'nova', existing.url, addresses, replace)
    if (allowed) expect(run).not.toThrow()
    else
      expect(run).toThrow(/now resolves to 100\.64\.0\.66, not the tailnet address it was added at \(100\.64\.0\.3\)/)
  })
})
