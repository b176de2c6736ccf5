import {describe, expect, it} from 'vitest'
import {acceptedBy, connectAddress, peerIdentity, type IdentityRecord} from '../../src/core/pairing/peer-identity.js'
import {parseStatusJson, summarizeStatus} from '../../src/core/tailscale/tailscale-status.js'
import {tailscaleStatusJson} from '../helpers/tailscale-status-json.js'

const summary = summarizeStatus(
  parseStatusJson(
    tailscaleStatusJson({
      peers: [
        {hostname: 'openclaw-nova', ipv4: '100.64.0.3'},
        {hostname: 'openclaw-evil', ipv4: '100.64.0.66'},
      ],
    }),
  ),
)
const rec = (over: Partial<IdentityRecord>): IdentityRecord => ({name: 'nova', url: 'http://100.64.0.3:18789', ...over})

describe('connectAddress', () => {
  it.each<[Partial<IdentityRecord>, string | undefined]>([
    [{}, '100.64.0.3'],
    [{url: 'http://[fd7a:115c:a1e0::3]:18789'}, 'fd7a:115c:a1e0::3'],
    [
      {url: 'http://openclaw-nova.tail4f3a2.ts.net:18789', addresses: ['fd7a:115c:a1e0::3', '100.64.0.3']},
      '100.64.0.3',
    ],
    [{url: 'https://openclaw-nova.tail4f3a2.ts.net'}, undefined],
  ])('%j → %s', (over, address) => expect(connectAddress(rec(over))).toBe(address))
})

describe('peerIdentity: who answers at the address, as Tailscale says', () => {
  it.each<[string, Partial<IdentityRecord>, string]>([
    ['the paired label at the address', {hostname: 'openclaw-nova'}, 'match'],
    ['another node at the address', {url: 'http://100.64.0.66:18789', hostname: 'openclaw-nova'}, 'mismatch'],
    ['the discovered node id', {nodeId: 'n0CNTRL'}, 'match'],
    ['another node id', {nodeId: 'nOTHER'}, 'mismatch'],
    ['an address-only peer: nothing to compare', {}, 'unknown'],
    ['an address no node holds', {url: 'http://100.64.0.99:18789', hostname: 'openclaw-nova'}, 'unknown'],
    ['an https MagicDNS name', {url: 'https://openclaw-nova.tail4f3a2.ts.net', hostname: 'openclaw-nova'}, 'match'],
  ])('%s', (_name, over, verdict) => expect(peerIdentity(summary, rec(over)).verdict).toBe(verdict))

  it('is unknown without a running Tailscale', () => {
    expect(peerIdentity(undefined, rec({hostname: 'openclaw-nova'}))).toEqual({
      verdict: 'unknown',
      detail: 'tailscale status unavailable',
    })
  })
})

describe('acceptedBy: whose "accepted" it is', () => {
  it('names the node when Tailscale proves it, and says "whatever answers" otherwise', () => {
    const match = peerIdentity(summary, rec({hostname: 'openclaw-nova'}))
    expect(acceptedBy('token accepted', match, 'http://100.64.0.3:18789')).toBe(
      'token accepted by openclaw-nova (node n0CNTRL), the node nova was paired with',
    )
    const unknown = peerIdentity(summary, rec({}))
    expect(acceptedBy('token accepted', unknown, 'http://100.64.0.3:18789')).toMatch(
      /^token accepted by whatever answers at http:\/\/100\.64\.0\.3:18789 \(who that is was not proven: /,
    )
  })
})
