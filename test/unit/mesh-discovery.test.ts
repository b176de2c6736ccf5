import {describe, expect, it} from 'vitest'
import {a2aEndpoint} from '../../src/core/a2a/a2a-protocol.js'
import {discoverMeshPeers, meshNameOf, previewDiscovery, type KnownPeer} from '../../src/core/pairing/mesh-discovery.js'
import type {PeerSummary, TailscaleSummary} from '../../src/core/tailscale/tailscale-status.js'

const M = ['tag:claw-mesh']
const node = (hostname: string, over: Partial<PeerSummary> = {}): PeerSummary => ({
  id: `n${hostname}CNTRL`,
  hostname,
  machineName: hostname.toLowerCase(),
  dnsName: `${hostname.toLowerCase()}.tail4f3a2.ts.net`,
  ipv4: '100.88.12.7',
  ipv6: null,
  os: 'linux',
  tags: [],
  online: true,
  lastSeen: null,
  keyExpiry: null,
  relay: null,
  curAddr: null,
  ...over,
})

const summary = (peers: PeerSummary[], hostname = 'openclaw-nova'): TailscaleSummary => ({
  backendState: 'Running',
  version: null,
  hostname,
  machineName: hostname,
  dnsName: `${hostname}.tail4f3a2.ts.net`,
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

describe('meshNameOf', () => {
  it.each([
    ['openclaw-clawd', 'clawd'],
    ['build-box', 'build-box'],
    ['openclaw-', 'openclaw-'],
  ])('%s → %s', (hostname, name) => expect(meshNameOf(hostname)).toBe(name))
})

describe('discoverMeshPeers', () => {
  it.each<[string, PeerSummary[], Array<{name: string; url: string}>]>([
    [
      'a tagged node without the openclaw- prefix is no member',
      [node('build-box', {tags: ['tag:claw-mesh'], ipv4: '100.70.0.2'})],
      [],
    ],
    [
      'openclaw- hostnames with the tag lose the prefix',
      [node('openclaw-clawd', {tags: M, ipv4: '100.88.12.7'})],
      [{name: 'clawd', url: 'http://100.88.12.7:18789'}],
    ],
    ['openclaw- hostnames without the tag: not members', [node('openclaw-clawd', {ipv4: '100.88.12.7'})], []],
    ['neither: ignored', [node('alices-mbp', {tags: ['tag:laptop']})], []],
    [
      'offline members are still members',
      [node('openclaw-zed', {tags: M, online: false, ipv4: '100.64.0.9'})],
      [{name: 'zed', url: 'http://100.64.0.9:18789'}],
    ],
    [
      'upper-case OS hostnames give lower-case names',
      [node('OpenClaw-Build-Box', {tags: ['tag:claw-mesh'], ipv4: '100.70.0.3'})],
      [{name: 'build-box', url: 'http://100.70.0.3:18789'}],
    ],
    [
      'the name is the MagicDNS label, not the HostName',
      [
        node('openclaw-web', {
          tags: M,
          ipv4: '100.70.0.5',
          machineName: 'openclaw-web-2',
          dnsName: 'openclaw-web-2.tail4f3a2.ts.net',
        }),
      ],
      [],
    ],
    [
      'the review\'s impostor: a tagged bare "zed" next to openclaw-zed does not take the name',
      [
        node('zed', {tags: M, ipv4: '100.64.1.66', id: 'nEVIL'}),
        node('openclaw-zed', {tags: M, ipv4: '100.64.1.3', id: 'nREAL'}),
      ],
      [{name: 'zed', url: 'http://100.64.1.3:18789'}],
    ],
    [
      'sorted by name',
      [node('openclaw-zed', {tags: M, ipv4: '100.64.0.9'}), node('openclaw-amy', {tags: M, ipv4: '100.64.0.8'})],
      [
        {name: 'amy', url: 'http://100.64.0.8:18789'},
        {name: 'zed', url: 'http://100.64.0.9:18789'},
      ],
    ],
  ])('%s', (_title, peers, expected) => {
    expect(discoverMeshPeers(summary(peers)).peers.map(({name, url}) => ({name, url}))).toEqual(expected)
  })

  it('uses the configured tag and port', () => {
    const peers = [
      node('openclaw-worker', {tags: ['tag:agents'], ipv4: '100.70.0.4'}),
      node('openclaw-other', {tags: ['tag:claw-mesh']}),
    ]
    const found = discoverMeshPeers(summary(peers), {tag: 'tag:agents', port: 28789})
    expect(found.peers).toEqual([
      {
        name: 'worker',
        hostname: 'openclaw-worker',
        url: 'http://100.70.0.4:28789',
        online: true,
        nodeId: 'nopenclaw-workerCNTRL',
      },
    ])
  })

  it('never trusts a hostname: an untagged openclaw- node is skipped and says why', () => {
    const found = discoverMeshPeers(summary([node('openclaw-evil', {ipv4: '100.64.0.66'})]))
    expect(found.peers).toEqual([])
    expect(found.skipped).toEqual([
      {hostname: 'openclaw-evil', reason: 'is named like a member but does not carry tag:claw-mesh: not trusted'},
    ])
  })

  it('does not follow a name to another node: a pinned name held by a new node id is skipped', () => {
    const found = discoverMeshPeers(summary([node('openclaw-clawd', {tags: M, id: 'nNEWCNTRL'})]), {
      pinned: {clawd: 'nOLDCNTRL'},
    })
    expect(found.peers).toEqual([])
    expect(found.skipped[0].reason).toMatch(/belongs to node nOLDCNTRL, not nNEWCNTRL.*peer remove clawd/)
    expect(
      discoverMeshPeers(summary([node('openclaw-clawd', {tags: M, id: 'nOLDCNTRL'})]), {pinned: {clawd: 'nOLDCNTRL'}})
        .peers,
    ).toHaveLength(1)
  })

  it.each<[string, PeerSummary[], RegExp]>([
    ["a node with this host's own hostname", [node('openclaw-nova', {tags: M})], /same hostname as this machine/],
    [
      'a member without an IPv4',
      [node('openclaw-v6only', {tags: M, ipv4: null, ipv6: 'fd7a:115c:a1e0::5'})],
      /no Tailscale IPv4/,
    ],
    [
      'a tagged node whose tailnet name lacks the prefix',
      [node('clawd', {tags: M, ipv4: '100.64.0.3'})],
      /tailnet name "clawd" does not start with openclaw-/,
    ],
    [
      'a tagged node without a MagicDNS name',
      [node('openclaw-clawd', {tags: M, machineName: null, dnsName: null})],
      /no MagicDNS name/,
    ],
    [
      "a node asking for this machine's own name",
      [node('OpenClaw-Nova', {tags: M, id: 'nX', machineName: 'openclaw-nova-1'})],
      /this machine's own name "nova"/,
    ],
    ['a name that is not a DNS label', [node('openclaw-bad_name', {tags: M, ipv4: '100.64.0.4'})], /may only contain/],
  ])('skips %s, saying why', (_title, peers, reason) => {
    const found = discoverMeshPeers(summary(peers))
    expect(found.skipped).toHaveLength(1)
    expect(found.skipped[0].reason).toMatch(reason)
  })
})

describe('discoverMeshPeers: a disputed name goes to no claimant', () => {
  // Headscale and Tailscale rename the second `openclaw-nova` to `openclaw-nova-1`: it still asks for "nova".
  const real = node('openclaw-nova', {tags: M, ipv4: '100.64.1.3', id: 'nREAL'})
  const second = node('openclaw-nova', {
    tags: M,
    ipv4: '100.64.1.66',
    id: 'nEVIL',
    machineName: 'openclaw-nova-1',
    dnsName: 'openclaw-nova-1.tail4f3a2.ts.net',
  })
  const self = 'openclaw-me'

  it('skips both claimants of an unpinned name and reports each', () => {
    const found = discoverMeshPeers(summary([real, second], self))
    expect(found.peers).toEqual([])
    expect(found.skipped.map((s) => s.reason)).toEqual([
      expect.stringMatching(/"nova" is disputed with openclaw-nova \(openclaw-nova-1\.tail4f3a2\.ts\.net\)/),
      expect.stringMatching(/"nova" is disputed with openclaw-nova \(openclaw-nova\.tail4f3a2\.ts\.net\)/),
    ])
  })

  it('keeps the claimant the name is pinned to and skips the other', () => {
    const found = discoverMeshPeers(summary([real, second], self), {pinned: {nova: 'nREAL'}})
    expect(found.peers.map((p) => [p.name, p.nodeId])).toEqual([['nova', 'nREAL']])
    expect(found.skipped).toHaveLength(1)
    expect(found.skipped[0]).toMatchObject({hostname: 'openclaw-nova', reason: expect.stringMatching(/disputed/)})
  })

  it('does not hand the name to the renamed node even when it is alone', () => {
    const found = discoverMeshPeers(summary([second], self))
    expect(found.peers).toEqual([])
    expect(found.skipped[0].reason).toMatch(/asks for the name "nova", which the tailnet gave to another node/)
  })

  it('skips two nodes whose labels map to one name (different tailnet suffixes)', () => {
    const shared = node('openclaw-nova', {
      tags: M,
      ipv4: '100.64.1.77',
      id: 'nSHARED',
      dnsName: 'openclaw-nova.other.ts.net',
    })
    const found = discoverMeshPeers(summary([real, shared], self))
    expect(found.peers).toEqual([])
    expect(found.skipped).toHaveLength(2)
  })
})

describe('previewDiscovery: what discovery would record, changing nothing', () => {
  const member = {tags: ['tag:claw-mesh']}
  const found = discoverMeshPeers(
    summary([
      node('openclaw-x', {ipv4: '100.64.8.11', ...member}),
      node('openclaw-y', {ipv4: '100.64.8.12', ...member}),
    ]),
    {port: 18789},
  ).peers
  const rec = (name: string, ip: string, over: Partial<KnownPeer> = {}): KnownPeer => ({
    url: `http://${ip}:18789`,
    hostname: `openclaw-${name}`,
    messaging: true,
    source: 'discovered',
    a2a: {url: a2aEndpoint(`http://${ip}:18789`)},
    nodeId: found.find((p) => p.name === name)?.nodeId,
    ...over,
  })
  it.each<[string, Record<string, KnownPeer>, string[]]>([
    ['nothing recorded yet', {}, ['add x', 'add y']],
    ['a provisioned fleet host', {x: rec('x', '100.64.8.11'), y: rec('y', '100.64.8.12')}, []],
    ['one member still to add', {x: rec('x', '100.64.8.11')}, ['add y']],
    ['a member whose address moved', {x: rec('x', '100.64.8.99'), y: rec('y', '100.64.8.12')}, ['update x']],
    [
      'a member recorded with messaging off',
      {x: rec('x', '100.64.8.11', {messaging: false}), y: rec('y', '100.64.8.12')},
      ['update x'],
    ],
    [
      'a member recorded under another hostname',
      {x: rec('x', '100.64.8.11', {hostname: 'openclaw-old'}), y: rec('y', '100.64.8.12')},
      ['update x'],
    ],
    [
      'a member recorded without its A2A endpoint',
      {x: rec('x', '100.64.8.11', {a2a: undefined}), y: rec('y', '100.64.8.12')},
      ['update x'],
    ],
    [
      'a member recorded under another node id',
      {x: rec('x', '100.64.8.11', {nodeId: 'nOLD'}), y: rec('y', '100.64.8.12')},
      ['update x'],
    ],
    [
      'a peer added by invite is kept as it is',
      {x: rec('x', '100.64.9.9', {source: 'invite'}), y: rec('y', '100.64.8.12')},
      [],
    ],
  ])('%s', (_name, known, expected) => {
    expect(previewDiscovery(found, known)).toEqual(expected)
  })
})
