import {describe, expect, it} from 'vitest'
import {evalPeerHooks} from '../../src/core/checks/peers.js'
import {renderMeshStatus} from '../../src/render/status.js'
import type {PeerStatusLine, StatusResult} from '../../src/services/status/status.js'

/** A peer messaged over A2A has no hooks token, and its messaging is on: status and doctor say so. */
describe('how this host messages a peer', () => {
  const line = (over: Partial<PeerStatusLine>): PeerStatusLine => ({
    name: 'clawd',
    url: 'http://100.64.0.2:18789',
    online: true,
    health: 'ok',
    lastSeen: 'now',
    messaging: true,
    via: 'a2a',
    ...over,
  })
  const status = (peers: PeerStatusLine[]): StatusResult => ({
    at: '2026-12-07T00:00:00Z',
    host: {tailscale: 'Running', gatewayPort: 18789, gateway: 'ok'} as StatusResult['host'],
    peers,
    elapsedMs: 1,
  })

  it.each<[string, Partial<PeerStatusLine>, string]>([
    ['an A2A pair', {via: 'a2a', trust: 'chat'}, 'a2a'],
    ['a hooks-only peer', {via: 'hooks'}, 'hooks'],
    ['a health-only peer', {via: 'none', messaging: false}, 'off'],
    ['a foreign agent', {via: 'a2a', kind: 'foreign'}, 'a2a (foreign)'],
  ])('status shows %s as messaging "%s"', (_what, over, shown) => {
    const row = renderMeshStatus(status([line(over)]), false)
      .split('\n')
      .find((l) => l.startsWith('clawd'))!
    expect(row.split(/ {2,}/)[5]).toBe(shown)
  })

  it('doctor: an A2A pair without a hooks token is not "messaging off"', () => {
    const none = {status: 'skip' as const, detail: 'no hooks token'}
    expect(evalPeerHooks(false, none, undefined, true).detail).toMatch(/go over A2A/)
    expect(evalPeerHooks(false, none, undefined, false).detail).toMatch(/messaging off/)
  })
})
