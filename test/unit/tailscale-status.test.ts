import {describe, expect, it} from 'vitest'
import {parseStatusJson, summarizeStatus} from '../../src/core/tailscale/tailscale-status.js'
import {tailscaleSummarySchema} from '../../src/core/tailscale/tailscale-summary-schema.js'

const RUNNING = JSON.stringify(
  {
    Version: '1.84.3-t1a2b3c4d5-g6e7f8a9b0',
    TUN: true,
    BackendState: 'Running',
    HaveNodeKey: true,
    AuthURL: '',
    TailscaleIPs: ['100.101.102.103', 'fd7a:115c:a1e0::1f01:6667'],
    Self: {
      ID: 'n1',
      HostName: 'openclaw-nova',
      DNSName: 'openclaw-nova.tail4f3a2.ts.net.',
      OS: 'linux',
      TailscaleIPs: ['100.101.102.103', 'fd7a:115c:a1e0::1f01:6667'],
      Tags: ['tag:claw-mesh'],
      Online: true,
      LastSeen: '0001-01-01T00:00:00Z',
      KeyExpiry: '2027-05-02T09:14:22Z',
      FutureField: {x: 1},
    },
    Health: [],
    MagicDNSSuffix: 'tail4f3a2.ts.net',
    CurrentTailnet: {Name: 'example.com', MagicDNSSuffix: 'tail4f3a2.ts.net', MagicDNSEnabled: true},
    CertDomains: ['openclaw-nova.tail4f3a2.ts.net'],
    Peer: {
      'nodekey:b': {
        HostName: 'openclaw-clawd',
        DNSName: 'openclaw-clawd.tail4f3a2.ts.net.',
        OS: 'macOS',
        TailscaleIPs: ['100.88.12.7'],
        Tags: ['tag:claw-mesh'],
        Online: true,
        LastSeen: '0001-01-01T00:00:00Z',
        Relay: 'ams',
      },
      'nodekey:a': {
        HostName: 'alices-mbp',
        DNSName: 'alices-mbp.tail4f3a2.ts.net.',
        OS: 'macOS',
        TailscaleIPs: ['100.70.3.44'],
        Online: false,
        LastSeen: '2026-08-21T22:41:09Z',
      },
    },
    User: {},
  },
  null,
  2,
)

describe('summarizeStatus', () => {
  it('reads a running node with peers, dropping the trailing dot and ignoring unknown fields', () => {
    const s = summarizeStatus(parseStatusJson(RUNNING))
    expect(tailscaleSummarySchema.parse(s)).toEqual(s)
    expect(s).toMatchObject({
      backendState: 'Running',
      hostname: 'openclaw-nova',
      dnsName: 'openclaw-nova.tail4f3a2.ts.net',
      ipv4: '100.101.102.103',
      ipv6: 'fd7a:115c:a1e0::1f01:6667',
      tailnet: 'example.com',
      magicDNSEnabled: true,
      keyExpiry: '2027-05-02T09:14:22Z',
      tags: ['tag:claw-mesh'],
    })
    expect(s.peers.map((p) => [p.hostname, p.online, p.lastSeen])).toEqual([
      ['alices-mbp', false, '2026-08-21T22:41:09Z'],
      ['openclaw-clawd', true, null],
    ])
  })

  it('tolerates a logged-out node: null IPs, null Peer, no tailnet', () => {
    const s = summarizeStatus(
      parseStatusJson(
        JSON.stringify({
          BackendState: 'NeedsLogin',
          TailscaleIPs: null,
          Self: {HostName: 'x', Online: false},
          Peer: null,
          CurrentTailnet: null,
          AuthURL: 'https://login.tailscale.com/a/abc',
        }),
      ),
    )
    expect(s).toMatchObject({
      backendState: 'NeedsLogin',
      ipv4: null,
      tailnet: null,
      peers: [],
      magicDNSEnabled: false,
      authURL: 'https://login.tailscale.com/a/abc',
    })
  })

  it('tolerates missing optional fields entirely', () => {
    const s = summarizeStatus(parseStatusJson('{}'))
    expect(s.backendState).toBe('NoState')
    expect(s.peers).toEqual([])
  })

  it('explains output that is not JSON', () => {
    expect(() => parseStatusJson('Logged out.')).toThrowError(/not JSON/)
  })
})
