/** A `tailscale status --json` document in the real shape (see the Tailscale reference sheet), for scripted runners. */
export interface StatusNode {
  hostname: string
  ipv4: string
  online?: boolean
  tags?: string[]
  lastSeen?: string
}

export function tailscaleStatusJson(
  opts: {self?: StatusNode; peers?: StatusNode[]; backendState?: string} = {},
): string {
  const self = opts.self ?? {hostname: 'openclaw-nova', ipv4: '100.101.102.103', tags: ['tag:claw-mesh']}
  const node = (n: StatusNode, i: number) => ({
    ID: `n${i}CNTRL`,
    HostName: n.hostname,
    DNSName: `${n.hostname.toLowerCase()}.tail4f3a2.ts.net.`,
    OS: 'linux',
    TailscaleIPs: [n.ipv4, `fd7a:115c:a1e0::${i + 1}`],
    ...(n.tags ? {Tags: n.tags} : {}),
    Online: n.online ?? true,
    LastSeen: n.online === false ? (n.lastSeen ?? '2026-08-21T22:41:09Z') : '0001-01-01T00:00:00Z',
  })
  const peers = opts.peers ?? []
  const running = (opts.backendState ?? 'Running') === 'Running'
  return JSON.stringify(
    {
      Version: '1.84.3-t1a2b3c4d5-g6e7f8a9b0',
      BackendState: opts.backendState ?? 'Running',
      TailscaleIPs: running ? [self.ipv4] : null,
      Self: node(self, 999),
      Health: [],
      MagicDNSSuffix: 'tail4f3a2.ts.net',
      CurrentTailnet: running ? {Name: 'example.com', MagicDNSSuffix: 'tail4f3a2.ts.net', MagicDNSEnabled: true} : null,
      CertDomains: [`${self.hostname}.tail4f3a2.ts.net`],
      Peer: peers.length
        ? Object.fromEntries(peers.map((p, i) => [`nodekey:${String(i).padStart(64, '0')}`, node(p, i)]))
        : null,
    },
    null,
    2,
  )
}
