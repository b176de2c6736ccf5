import {describe, expect, it} from 'vitest'
import {
  classifyPeer,
  readinessVerdict,
  roundDelay,
  waitForPeers,
  type PeerObservation,
  type PeerProbe,
  type PeerTarget,
  type WaitResult,
} from '../../src/core/pairing/peer-readiness.js'
import {parsePeerWait} from '../../src/services/bootstrap/options.js'
import {fakeClock, httpStubs} from '../helpers/fakes/index.js'

const node = {online: true, dnsName: 'openclaw-beta.tail4f3a2.ts.net', ipv4: '100.64.0.2', ipv6: 'fd7a:115c:a1e0::2'}

describe('one peer, one round: the first gap a user would fix (pure)', () => {
  it.each<[string, PeerObservation, PeerProbe['gap']]>([
    ['no node has its address', {gatewayAnswers: false, magicDNS: true}, 'not-in-tailnet'],
    [
      'listed offline, gateway silent',
      {node: {...node, online: false}, gatewayAnswers: false, magicDNS: true},
      'offline',
    ],
    [
      'online, neither the gateway nor tailscale ping answers',
      {node, gatewayAnswers: false, pingAnswers: false, magicDNS: true},
      'no-path',
    ],
    [
      'online, ping answers, the gateway port does not',
      {node, gatewayAnswers: false, pingAnswers: true, magicDNS: true},
      'gateway-closed',
    ],
    [
      'reachable, MagicDNS on, the name does not resolve here',
      {node, gatewayAnswers: true, magicDNS: true, resolved: []},
      'name-unresolved',
    ],
    [
      'reachable, the name resolves elsewhere (a LAN resolver)',
      {node, gatewayAnswers: true, magicDNS: true, resolved: ['192.168.1.9']},
      'name-unresolved',
    ],
    [
      'reachable, the name resolves to its tailnet address',
      {node, gatewayAnswers: true, magicDNS: true, resolved: ['100.64.0.2']},
      undefined,
    ],
    [
      'reachable, by its IPv6 tailnet address',
      {node, gatewayAnswers: true, magicDNS: true, resolved: ['fd7a:115c:a1e0::2']},
      undefined,
    ],
    ['reachable, MagicDNS off: names are not asked for', {node, gatewayAnswers: true, magicDNS: false}, undefined],
    [
      'listed offline, but its gateway answers: ready (Online lags)',
      {node: {...node, online: false}, gatewayAnswers: true, magicDNS: false},
      undefined,
    ],
  ])('%s → %s', (_name, o, gap) => {
    expect(classifyPeer('beta', o).gap).toBe(gap)
  })

  it('says what the name resolved to', () => {
    expect(classifyPeer('beta', {node, gatewayAnswers: true, magicDNS: true, resolved: ['192.168.1.9']}).detail).toBe(
      'openclaw-beta.tail4f3a2.ts.net resolves to 192.168.1.9, not 100.64.0.2, fd7a:115c:a1e0::2',
    )
  })
})

/** A clock that moves only when slept on, or when a round says it took time (advance). */
const sleepingClock = () => fakeClock({autoAdvance: true})

const beta: PeerTarget = {name: 'beta', url: 'http://100.64.0.2:18789', kind: 'named'}
const gamma: PeerTarget = {name: 'gamma', url: 'http://100.64.0.3:18789', kind: 'fleet'}

describe('waiting for the peers (fake clock)', () => {
  it('ends as soon as every peer is ready; a peer seen ready is not probed again; progress names who is missing', async () => {
    const clock = sleepingClock()
    const progress: string[] = []
    const asked: string[][] = []
    // beta is ready from the second round, gamma (its name) from the fourth.
    let round = 0
    const r = await waitForPeers({
      timeoutMs: 60_000,
      clock,
      progress: (t) => progress.push(t),
      async round(ready) {
        round++
        const targets = [beta, gamma].filter((t) => !ready.has(t.name))
        asked.push(targets.map((t) => t.name))
        return {
          targets: [beta, gamma],
          probes: targets.map((t) =>
            t.name === 'beta'
              ? {name: 'beta', gap: round >= 2 ? undefined : 'offline'}
              : {name: 'gamma', gap: round >= 4 ? undefined : 'name-unresolved'},
          ),
        }
      },
    })
    expect(r).toMatchObject({ready: ['beta', 'gamma'], missing: [], rounds: 4})
    expect(asked).toEqual([['beta', 'gamma'], ['beta', 'gamma'], ['gamma'], ['gamma']])
    expect(clock.slept).toEqual([250, 500, 1000])
    expect(r.elapsedMs).toBe(1750)
    expect(progress[0]).toBe(
      'waiting for peers on the tailnet: 0 of 2 ready; still missing beta (offline), gamma (its MagicDNS name does not resolve here) — 0s of 60s',
    )
    expect(progress[2]).toMatch(/1 of 2 ready; still missing gamma \(its MagicDNS name does not resolve here\)/)
  })

  it('stops at the bound, never sleeping past it, and returns what is still missing', async () => {
    const clock = sleepingClock()
    const r = await waitForPeers({
      timeoutMs: 5000,
      clock,
      progress: () => {},
      round: async () => ({targets: [beta], probes: [{name: 'beta', gap: 'no-path', detail: '100.64.0.2'}]}),
    })
    expect(r.missing).toEqual([{name: 'beta', gap: 'no-path', detail: '100.64.0.2'}])
    expect(r.elapsedMs).toBe(5000)
    expect(clock.slept.reduce((a, b) => a + b, 0)).toBe(5000)
    expect(clock.slept.at(-1)).toBeLessThanOrEqual(2000)
  })

  it('counts the time rounds themselves take (slow probes) against the bound', async () => {
    const clock = sleepingClock()
    const r = await waitForPeers({
      timeoutMs: 3000,
      clock,
      progress: () => {},
      round: async () => {
        void clock.advance(2500)
        return {targets: [beta], probes: [{name: 'beta', gap: 'offline'}]}
      },
    })
    expect(r.rounds).toBe(2)
    expect(clock.slept).toEqual([250])
  })

  it('no peers at all: one round, no wait', async () => {
    const clock = sleepingClock()
    const r = await waitForPeers({
      timeoutMs: 60_000,
      clock,
      progress: () => {},
      round: async () => ({targets: [], probes: []}),
    })
    expect(r).toMatchObject({rounds: 1, ready: [], missing: [], elapsedMs: 0})
  })

  it('backs off to a round every 2 s', () => {
    expect([1, 2, 3, 4, 5, 9].map(roundDelay)).toEqual([250, 500, 1000, 2000, 2000, 2000])
  })
})

const result = (over: Partial<WaitResult>): WaitResult => ({
  targets: [beta, gamma],
  ready: [],
  missing: [],
  elapsedMs: 60_000,
  rounds: 30,
  ...over,
})

describe('what a timeout means (pure)', () => {
  it.each<[string, Partial<WaitResult>, boolean, string | undefined]>([
    ['all ready', {ready: ['beta', 'gamma']}, true, undefined],
    [
      'a fleet member offline, without --wait-for-peers: a warning only',
      {ready: ['beta'], missing: [{name: 'gamma', gap: 'offline'}]},
      false,
      undefined,
    ],
    [
      'a --peer missing, without --wait-for-peers: a warning only',
      {ready: ['gamma'], missing: [{name: 'beta', gap: 'no-path'}]},
      false,
      undefined,
    ],
    [
      'a --peer missing, with --wait-for-peers: fails',
      {ready: ['gamma'], missing: [{name: 'beta', gap: 'no-path'}]},
      true,
      'Peers not ready after 60s (--wait-for-peers): --peer beta.',
    ],
    [
      'one fleet member offline among ready ones, with --wait-for-peers: a warning',
      {targets: [gamma, {...gamma, name: 'delta'}], ready: ['gamma'], missing: [{name: 'delta', gap: 'offline'}]},
      true,
      undefined,
    ],
    [
      'no fleet member ready, with --wait-for-peers: fails',
      {targets: [gamma], missing: [{name: 'gamma', gap: 'offline'}]},
      true,
      'Peers not ready after 60s (--wait-for-peers): every fleet member (gamma).',
    ],
  ])('%s', (_name, over, strict, failure) => {
    const v = readinessVerdict(result(over), {strict, userspace: false})
    expect(v.failure).toBe(failure)
    expect(v.warnings).toHaveLength(over.missing?.length ?? 0)
  })

  it('each warning names the peer, what is missing and what to do', () => {
    const v = readinessVerdict(
      result({
        missing: [
          {
            name: 'beta',
            gap: 'name-unresolved',
            detail: 'openclaw-beta.tail4f3a2.ts.net does not resolve',
            dnsName: 'openclaw-beta.tail4f3a2.ts.net',
          },
          {name: 'gamma', gap: 'gateway-closed', detail: '100.64.0.3'},
        ],
      }),
      {strict: false, userspace: false},
    )
    expect(v.warnings).toEqual([
      "beta not ready after 60s: its MagicDNS name does not resolve here (openclaw-beta.tail4f3a2.ts.net does not resolve); let this host use Tailscale's DNS: tailscale set --accept-dns=true (and check that /etc/resolv.conf or systemd-resolved uses 100.100.100.100); use beta's tailnet IP meanwhile.",
      'gamma not ready after 60s: its gateway port does not answer (100.64.0.3); start its gateway: claw-mesh gateway start (on gamma), or check the port in its URL.',
    ])
  })
})

describe('--peer-wait', () => {
  it.each<[string, number]>([
    ['60s', 60_000],
    ['2m', 120_000],
    ['0', 0],
    ['0s', 0],
    ['00ms', 0],
    ['90', 90_000],
  ])('%s → %d ms', (value, ms) => {
    expect(parsePeerWait(value)).toBe(ms)
  })
  it('refuses a value that is not a duration, naming the flag', () => {
    expect(() => parsePeerWait('soon')).toThrow(/--peer-wait "soon" is not a duration/)
  })
})

describe('how this host resolves a MagicDNS name', () => {
  it('in userspace networking (no TUN) by tailscaled, from the netmap: the system resolver is never asked', async () => {
    const {createDeps} = await import('../../src/deps.js')
    const {createTestIOStreams} = await import('../../src/infra/io.js')
    const {createMemoryStateStore} = await import('../../src/infra/state-store.js')
    const {scriptedRunner} = await import('../helpers/fakes/runner.js')
    const {tailscaleStatusJson} = await import('../helpers/tailscale-status-json.js')
    const {awaitPeerReadiness} = await import('../../src/services/bootstrap/peer-readiness.js')
    const doc = {
      ...JSON.parse(tailscaleStatusJson({peers: [{hostname: 'openclaw-beta', ipv4: '100.64.0.2'}]})),
      TUN: false,
    }
    const asked: string[] = []
    const deps = createDeps({
      env: {
        HOME: '/nonexistent',
        CLAW_MESH_HOME: '/nonexistent/cm',
        CLAW_MESH_TAILSCALE: '/opt/fake/tailscale',
        PATH: '/nonexistent',
      },
      io: createTestIOStreams().io,
      platform: 'linux',
      store: createMemoryStateStore({}),
      tailscaleProxy: 'http://127.0.0.2:1055',
      runner: scriptedRunner([
        {command: '/opt/fake/tailscale', args: ['status', '--json'], result: {stdout: JSON.stringify(doc)}},
      ]),
      // beta's gateway answers (through the proxy): any HTTP answer means the port is open.
      http: httpStubs().on('GET', 'http://100.64.0.2:18789/healthz', {body: {}}, {times: 'any'}).client,
      resolveHost: async (host) => {
        asked.push(host)
        return []
      },
    })
    const r = await awaitPeerReadiness(deps, {
      peers: [{name: 'beta', url: 'http://100.64.0.2:18789'}],
      timeoutMs: 5000,
      strict: false,
      progress: () => {},
    })
    expect(r).toMatchObject({ready: ['beta'], missing: []})
    expect(asked).toEqual([])
  })
})

describe('bootstrap flags for the wait', () => {
  it('default 60 s; --wait-for-peers with --peer-wait 0 is refused (exit 2), naming both flags', async () => {
    const {bootstrapOptions} = await import('../../src/services/bootstrap/options.js')
    const {exitCodeOf} = await import('../../src/core/common/errors.js')
    const base = {
      'force-reauth': false,
      ephemeral: true,
      'accept-risk': [],
      peer: [],
      'allow-insecure-url': false,
      yes: false,
      'peer-timeout': '5s',
      timeout: '120s',
      'dry-run': false,
    }
    expect(bootstrapOptions(base, {identity: 'nova', peers: []}, 'linux')).toMatchObject({
      peerWaitMs: 60_000,
      waitForPeers: false,
    })
    expect(
      bootstrapOptions({...base, 'peer-wait': '0', 'wait-for-peers': false}, {identity: 'nova', peers: []}, 'linux'),
    ).toMatchObject({peerWaitMs: 0})
    let error: unknown
    try {
      bootstrapOptions({...base, 'peer-wait': '0', 'wait-for-peers': true}, {identity: 'nova', peers: []}, 'linux')
    } catch (e) {
      error = e
    }
    expect(exitCodeOf(error as never)).toBe(2)
    expect((error as Error).message).toMatch(/--wait-for-peers .* --peer-wait 0/)
  })
})
