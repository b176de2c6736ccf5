import {describe, expect, it} from 'vitest'
import {UsageError} from '../../src/core/errors.js'
import {ipv6Hextets, normalizePeerUrl, peerHostKind, tailnetHostnameOf} from '../../src/core/peer-url.js'

describe('peerHostKind', () => {
  it.each([
    ['100.64.0.1', 'tailnet-ip'],
    ['100.127.255.254', 'tailnet-ip'],
    ['100.88.12.7', 'tailnet-ip'],
    ['100.63.255.255', 'other'],
    ['100.128.0.1', 'other'],
    ['127.0.0.1', 'loopback'],
    ['127.42.0.9', 'loopback'],
    ['[::1]', 'loopback'],
    ['localhost', 'loopback'],
    ['[fd7a:115c:a1e0::1f01:6667]', 'tailnet-ip'],
    ['[fd7a:115c:a1e1::1]', 'other'],
    ['[fd7a:115c::1]', 'other'],
    ['[::ffff:100.100.1.1]', 'tailnet-ip'],
    ['[::ffff:8.8.8.8]', 'other'],
    ['openclaw-nova.tail4f3a2.ts.net', 'tailnet-name'],
    ['ts.net.example.com', 'other'],
    ['192.168.1.10', 'other'],
    ['example.com', 'other'],
  ])('%s is %s', (host, kind) => {
    expect(peerHostKind(host)).toBe(kind)
  })
})

describe('ipv6Hextets', () => {
  it('expands compressed and embedded-IPv4 forms', () => {
    expect(ipv6Hextets('fd7a:115c:a1e0::1')).toEqual([0xfd7a, 0x115c, 0xa1e0, 0, 0, 0, 0, 1])
    expect(ipv6Hextets('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x0102, 0x0304])
    expect(ipv6Hextets('not-an-ip')).toBeUndefined()
  })
})

describe('normalizePeerUrl', () => {
  it.each([
    ['http://100.88.12.7:18789', 'http://100.88.12.7:18789'],
    ['http://100.88.12.7:18789/', 'http://100.88.12.7:18789'],
    ['  http://100.88.12.7:18789//  ', 'http://100.88.12.7:18789'],
    ['HTTP://OpenClaw-Nova.tail4f3a2.TS.NET:18789/', 'http://openclaw-nova.tail4f3a2.ts.net:18789'],
    ['https://openclaw-nova.tail4f3a2.ts.net', 'https://openclaw-nova.tail4f3a2.ts.net'],
    ['https://openclaw-nova.tail4f3a2.ts.net:443/', 'https://openclaw-nova.tail4f3a2.ts.net'],
    ['https://agents.example.com/claw/', 'https://agents.example.com/claw'],
    ['http://127.0.0.1:18789', 'http://127.0.0.1:18789'],
    ['http://localhost:18789', 'http://localhost:18789'],
    ['http://[::1]:18789', 'http://[::1]:18789'],
    ['http://[fd7a:115c:a1e0::6c01:c07]:18789', 'http://[fd7a:115c:a1e0::6c01:c07]:18789'],
  ])('accepts %s as %s', (input, expected) => {
    expect(normalizePeerUrl(input)).toBe(expected)
  })

  it.each([
    ['100.88.12.7:18789', /not a URL/],
    ['nova', /not a URL/],
    ['ftp://100.88.12.7', /must be http or https/],
    ['ws://100.88.12.7:18789', /must be http or https/],
    ['http://192.168.1.10:18789', /plain http to 192\.168\.1\.10.*unencrypted/],
    ['http://example.com', /plain http to example\.com/],
    ['http://100.88.12.7:18789/?token=abc', /query/],
    ['http://100.88.12.7:18789/#x', /fragment/],
    ['http://100.88.12.7:18789/?', /query/],
    ['http://0.0.0.0:18789', /bind address/],
  ])('refuses %s', (input, message) => {
    expect(() => normalizePeerUrl(input)).toThrow(UsageError)
    expect(() => normalizePeerUrl(input)).toThrow(message)
  })

  it('names the fix for plain http outside the tailnet', () => {
    try {
      normalizePeerUrl('http://192.168.1.10:18789')
      expect.unreachable()
    } catch (error) {
      expect((error as UsageError).hint).toContain('--allow-insecure-url')
      expect((error as UsageError).exitCode).toBe(2)
    }
  })

  it('accepts plain http elsewhere only with the explicit risk acceptance', () => {
    expect(normalizePeerUrl('http://192.168.1.10:18789/', {allowInsecure: true})).toBe('http://192.168.1.10:18789')
  })

  it('never echoes credentials or a query in the error', () => {
    for (const url of ['http://user:s3cretpass@100.88.12.7:18789', 'http://100.88.12.7:18789/?token=s3cretpass']) {
      try {
        normalizePeerUrl(url)
        expect.unreachable()
      } catch (error) {
        expect((error as UsageError).message).not.toContain('s3cretpass')
        expect((error as UsageError).hint).not.toContain('s3cretpass')
      }
    }
  })

  it('uses the label given for messages', () => {
    expect(() => normalizePeerUrl('nope', {label: "The invite's url"})).toThrow(/^The invite's url "nope" is not a URL/)
  })
})

describe('tailnetHostnameOf', () => {
  it('reads the MagicDNS label, nothing for IP URLs', () => {
    expect(tailnetHostnameOf('https://openclaw-nova.tail4f3a2.ts.net')).toBe('openclaw-nova')
    expect(tailnetHostnameOf('http://100.88.12.7:18789')).toBeUndefined()
  })
})

describe('host names that are not DNS (found by the hostile-input corpus)', () => {
  it.each([`http://${'a'.repeat(64)}.ts.net`, `http://${'a.'.repeat(130)}ts.net`, 'http://openclaw..ts.net:18789'])('refuses %s', (url) => {
    expect(() => normalizePeerUrl(url)).toThrowError(/not valid DNS/)
  })
})
