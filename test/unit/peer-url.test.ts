import {describe, expect, it} from 'vitest'
import {UsageError} from '../../src/core/common/errors.js'
import {
  assertTailnetResolution,
  ipv6Hextets,
  normalizePeerUrl,
  peerHostKind,
  tailnetHostnameOf,
} from '../../src/core/pairing/peer-url.js'

describe('peerHostKind', () => {
  it.each([
    ['100.64.0.1', 'tailnet-ip'],
    ['100.127.255.254', 'tailnet-ip'],
    ['100.88.12.7', 'tailnet-ip'],
    ['100.63.255.255', 'other'],
    ['100.128.0.1', 'other'],
    ['127.0.0.1', 'loopback'],
    ['127.42.0.9', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['[fe80::1]', 'link-local'],
    ['[febf::1]', 'link-local'],
    ['[fec0::1]', 'other'],
    ['[::ffff:169.254.1.1]', 'link-local'],
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

  it("takes the tailnet's own MagicDNS suffix (Headscale's base domain) from the node's status", () => {
    expect(peerHostKind('openclaw-b.mesh.test')).toBe('other')
    expect(peerHostKind('openclaw-b.mesh.test', 'mesh.test')).toBe('tailnet-name')
    expect(peerHostKind('OpenClaw-B.Mesh.Test.', 'mesh.test.')).toBe('tailnet-name')
    expect(peerHostKind('mesh.test', 'mesh.test')).toBe('other') // the domain itself is no node
    expect(peerHostKind('evilmesh.test', 'mesh.test')).toBe('other')
    expect(peerHostKind('openclaw-b.mesh.test.example.com', 'mesh.test')).toBe('other')
  })
})

describe('a Headscale MagicDNS name', () => {
  it('is a tailnet name for invites and plain http once the suffix is known, and checked by resolving it', async () => {
    expect(() => normalizePeerUrl('http://openclaw-b.mesh.test:18789', {tailnetOnly: true})).toThrow(
      /outside the tailnet/,
    )
    expect(
      normalizePeerUrl('http://openclaw-b.mesh.test:18789', {tailnetOnly: true, magicDNSSuffix: 'mesh.test'}),
    ).toBe('http://openclaw-b.mesh.test:18789')
    const resolve = async () => ['203.0.113.9']
    await expect(
      assertTailnetResolution('http://openclaw-b.mesh.test:18789', resolve, {magicDNSSuffix: 'mesh.test'}),
    ).rejects.toThrow(/resolves to 203\.0\.113\.9/)
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
    ['http://127.0.0.1:18789', /points at a loopback address/],
    ['https://127.0.0.1:18789', /points at a loopback address/],
    ['http://localhost:18789', /points at a loopback address/],
    ['http://[::1]:18789', /points at a loopback address/],
    ['http://[::ffff:127.0.0.1]:18789', /points at a loopback address/],
    ['http://169.254.169.254/latest', /points at a link-local address/],
    ['https://[fe80::1]:18789', /points at a link-local address/],
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

  it('accepts plain http elsewhere, loopback and link-local only with the explicit risk acceptance', () => {
    expect(normalizePeerUrl('http://192.168.1.10:18789/', {allowInsecure: true})).toBe('http://192.168.1.10:18789')
    expect(normalizePeerUrl('http://127.0.0.1:18789', {allowInsecure: true})).toBe('http://127.0.0.1:18789')
    expect(normalizePeerUrl('http://[::1]:18789', {allowInsecure: true})).toBe('http://[::1]:18789')
  })

  it('an invite must point into the tailnet: any https host is not enough', () => {
    expect(() => normalizePeerUrl('https://agents.example.com', {tailnetOnly: true})).toThrow(/outside the tailnet/)
    expect(normalizePeerUrl('https://openclaw-nova.tail4f3a2.ts.net', {tailnetOnly: true})).toBe(
      'https://openclaw-nova.tail4f3a2.ts.net',
    )
    expect(normalizePeerUrl('http://100.88.12.7:18789', {tailnetOnly: true})).toBe('http://100.88.12.7:18789')
    expect(normalizePeerUrl('https://agents.example.com', {tailnetOnly: true, allowInsecure: true})).toBe(
      'https://agents.example.com',
    )
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
  it.each([`http://${'a'.repeat(64)}.ts.net`, `http://${'a.'.repeat(130)}ts.net`, 'http://openclaw..ts.net:18789'])(
    'refuses %s',
    (url) => {
      expect(() => normalizePeerUrl(url)).toThrowError(/not valid DNS/)
    },
  )
})

describe('a MagicDNS name over plain http is checked by resolving it (the resolver is a seam)', () => {
  const table = (map: Record<string, string[]>) => async (host: string) => {
    if (!(host in map)) throw new Error('ENOTFOUND')
    return map[host]
  }
  const url = 'http://openclaw-nova.tail4f3a2.ts.net:18789'
  it('passes when every address is a tailnet address, and returns them for the peer record to pin', async () => {
    await expect(
      assertTailnetResolution(
        url,
        table({'openclaw-nova.tail4f3a2.ts.net': ['fd7a:115c:a1e0::1', '100.88.12.7', '100.88.12.7']}),
      ),
    ).resolves.toEqual(['100.88.12.7', 'fd7a:115c:a1e0::1'])
  })
  it.each([
    ['a public address', ['203.0.113.9'], /resolves to 203\.0\.113\.9: not a tailnet address/],
    ['one public among tailnet ones', ['100.88.12.7', '203.0.113.9'], /resolves to 203\.0\.113\.9/],
    ['loopback', ['127.0.0.1'], /resolves to 127\.0\.0\.1/],
  ])('refuses a name that resolves to %s', async (_what, addresses, message) => {
    await expect(assertTailnetResolution(url, table({'openclaw-nova.tail4f3a2.ts.net': addresses}))).rejects.toThrow(
      message,
    )
  })
  it('refuses a name that does not resolve, naming the fixes', async () => {
    const error = await assertTailnetResolution(url, table({})).catch((e: UsageError) => e)
    expect(error).toBeInstanceOf(UsageError)
    expect((error as UsageError).message).toMatch(/does not resolve here/)
    expect((error as UsageError).hint).toMatch(/--allow-insecure-url/)
  })
  it('does not look up https URLs, IP URLs, or with --allow-insecure-url', async () => {
    const never = async () => expect.unreachable()
    await assertTailnetResolution('https://openclaw-nova.tail4f3a2.ts.net', never)
    await assertTailnetResolution('http://100.88.12.7:18789', never)
    await assertTailnetResolution(url, never, {allowInsecure: true})
  })
})

describe('pairing (v2) invites and replies follow the same URL rules', () => {
  const base = {
    name: 'clawd',
    hostname: 'openclaw-clawd',
    id: 'a'.repeat(22),
    key: Buffer.alloc(32, 7).toString('base64url'),
    createdAt: new Date(0).toISOString(),
    expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
  }
  it.each([
    ['http://127.0.0.1:18789', /points at a loopback address/],
    ['http://169.254.169.254', /points at a link-local address/],
    ['https://agents.example.com', /outside the tailnet/],
  ])('an invite to %s is refused unless --allow-insecure-url', async (url, message) => {
    const {decodePairingInvite, encodePairingInvite} = await import('../../src/core/pairing/a2a-pairing.js')
    const line = encodePairingInvite({...base, url})
    expect(() => decodePairingInvite(line, {now: new Date()})).toThrow(message)
    expect(decodePairingInvite(line, {now: new Date(), allowInsecureUrl: true}).url).toBe(url.replace(/\/$/, ''))
  })
})
