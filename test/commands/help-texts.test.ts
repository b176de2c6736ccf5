import {describe, expect, it} from 'vitest'
import Bootstrap from '../../src/commands/bootstrap.js'
import PeerAdd from '../../src/commands/peer/add.js'
import PeerDiscover from '../../src/commands/peer/discover.js'
import TokenRotate from '../../src/commands/token/rotate.js'
import FileGet from '../../src/commands/file/get.js'
import {fleetHooksToken, fleetToken} from '../../src/core/pairing/a2a-pairing.js'
import {discoverMeshPeers} from '../../src/core/pairing/mesh-discovery.js'
import {normalizePeerUrl} from '../../src/core/pairing/peer-url.js'
import type {PeerSummary, TailscaleSummary} from '../../src/core/tailscale/tailscale-status.js'

/**
 * Each test pairs what `--help` claims with what the code does, so changing one without the other fails here.
 * (These claims once contradicted the code: loopback "accepted", an openclaw- hostname "makes a peer", the mesh
 * secret "is the shared hooks token".)
 */
const flat = (text: string | undefined) => (text ?? '').replaceAll(/\s+/g, ' ')
const help = (cmd: {summary?: string; description?: string; flags?: Record<string, {description?: string}>}) =>
  flat([cmd.summary, cmd.description, ...Object.values(cmd.flags ?? {}).map((f) => f.description)].join(' '))

const node = (hostname: string, tags: string[]): PeerSummary => ({
  id: `n${hostname}`,
  hostname,
  machineName: hostname,
  dnsName: `${hostname}.tail4f3a2.ts.net`,
  ipv4: '100.88.12.7',
  ipv6: null,
  os: 'linux',
  tags,
  online: true,
  lastSeen: null,
  keyExpiry: null,
  relay: null,
  curAddr: null,
})
const tailnet = (peers: PeerSummary[]): TailscaleSummary => ({
  backendState: 'Running',
  version: null,
  hostname: 'openclaw-nova',
  machineName: 'openclaw-nova',
  dnsName: 'openclaw-nova.tail4f3a2.ts.net',
  ipv4: '100.101.102.103',
  ipv6: null,
  tailnet: 'example.com',
  magicDNSSuffix: 'tail4f3a2.ts.net',
  magicDNSEnabled: true,
  keyExpiry: null,
  tags: ['tag:claw-mesh'],
  certDomains: [],
  health: [],
  authURL: null,
  peers,
})

describe('--help says what the code does', () => {
  it('peer add: plain http only to the tailnet; loopback refused unless --allow-insecure-url', () => {
    expect(() => normalizePeerUrl('http://127.0.0.1:18789')).toThrow(/loopback/)
    expect(() => normalizePeerUrl('http://[::1]:18789')).toThrow(/loopback/)
    expect(normalizePeerUrl('http://127.0.0.1:18789', {allowInsecure: true})).toBe('http://127.0.0.1:18789')
    expect(normalizePeerUrl('http://100.88.12.7:18789')).toBe('http://100.88.12.7:18789')
    expect(() => normalizePeerUrl('http://203.0.113.7:18789')).toThrow(/plain http/)

    const text = help(PeerAdd)
    expect(text).toMatch(/Plain http is accepted only to tailnet addresses/)
    expect(text).toMatch(/loopback or link-local URL is refused/)
    expect(text).not.toMatch(/tailnet or loopback/)
    expect(flat(PeerAdd.flags['allow-insecure-url'].description)).toMatch(/loopback/)
  })

  it('peer discover: the tag makes a member, named by its MagicDNS label; an openclaw- name alone does not', () => {
    const {peers, skipped} = discoverMeshPeers(
      tailnet([node('openclaw-clawd', ['tag:claw-mesh']), node('openclaw-mallory', [])]),
    )
    expect(peers.map((p) => p.name)).toEqual(['clawd'])
    expect(skipped.map((s) => s.hostname)).toEqual(['openclaw-mallory'])

    const text = help(PeerDiscover)
    expect(text).toMatch(
      /carrying the mesh tag whose MagicDNS name is openclaw-NAME is the candidate for the peer NAME, and becomes that peer only once it proves it holds the mesh secret/,
    )
    expect(text).toMatch(/without the tag is skipped/)
    expect(text).not.toMatch(/or an openclaw- hostname/)
  })

  it('bootstrap, peer discover, token rotate: the mesh secret is never a hooks token; tokens are derived per pair', () => {
    const secret = 'fleet-mesh-secret-0123456789abcdef'
    expect(fleetHooksToken(secret, 'nova')).not.toBe(secret)
    expect(fleetToken(secret, 'nova', 'clawd')).not.toBe(fleetToken(secret, 'clawd', 'nova'))

    for (const [name, text] of [
      ['bootstrap', help(Bootstrap)],
      ['peer discover', help(PeerDiscover)],
      ['token rotate', help(TokenRotate)],
    ]) {
      expect(text, name).not.toMatch(
        /shared hooks token|one hooks token shared|hooks token is the fleet's shared|\(its hooks token\)/,
      )
      expect(text, name).toMatch(/derived from (it|the mesh secret)|derive from the mesh secret/)
    }
    expect(flat(Bootstrap.flags['mesh-secret'].description)).toMatch(
      /each pair's tokens, and this host's hooks token, are derived from it/,
    )
  })

  it('file get: its exit 4 (files left in the inbox) is the one the help names', () => {
    expect(flat(FileGet.description)).toMatch(/Exit code 4 when some files stayed in the inbox/)
  })
})
