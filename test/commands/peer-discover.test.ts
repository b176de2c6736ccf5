import {afterEach, describe, expect, it} from 'vitest'
import PeerDiscover from '../../src/commands/peer/discover.js'
import type {State} from '../../src/core/common/state-schema.js'
import {fleetToken} from '../../src/core/pairing/a2a-pairing.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {runCommand} from '../helpers/run-command.js'
import {tempDir} from '../helpers/fakes/index.js'
import {scriptedRunner} from '../helpers/fakes/runner.js'
import {tailscaleStatusJson, type StatusNode} from '../helpers/tailscale-status-json.js'
import {startProofMembers, type MemberKind, type ProofMembers} from '../helpers/proof-members.js'

const TS = '/opt/fake/tailscale'
const MESH = 'mesh-secret-shared-0123456789'
const tailnet: StatusNode[] = [
  {hostname: 'openclaw-clawd', ipv4: '100.88.12.7', tags: ['tag:claw-mesh']},
  {hostname: 'openclaw-build-box', ipv4: '100.70.0.2', tags: ['tag:claw-mesh']},
  {hostname: 'openclaw-sleepy', ipv4: '100.70.0.3', tags: ['tag:claw-mesh'], online: false},
  {hostname: 'alices-mbp', ipv4: '100.70.3.44'},
]
/** The members' gateways: the plugin's real proof route, each with the key bootstrap derives from the mesh secret. */
const fleet: Record<string, MemberKind> = {
  '100.88.12.7': {kind: 'member', name: 'clawd', secret: MESH},
  '100.70.0.2': {kind: 'member', name: 'build-box', secret: MESH},
  '100.70.0.9': {kind: 'member', name: 'worker', secret: MESH},
}
let opened: ProofMembers[] = []
afterEach(async () => {
  await Promise.all(opened.map((m) => m.close()))
  opened = []
})

async function setup(
  state: Partial<State> = {},
  secrets: Record<string, string> = {},
  nodes: StatusNode[] | null = tailnet,
  backendState?: string,
  members: Record<string, MemberKind> = fleet,
) {
  // nodes === null: the command must refuse before it reads the tailnet.
  const runner = scriptedRunner(
    nodes === null
      ? []
      : [
          {
            command: TS,
            args: ['status', '--json'],
            result: {stdout: tailscaleStatusJson({peers: nodes, backendState})},
          },
        ],
  )
  const proof = await startProofMembers(members)
  opened.push(proof)
  return {
    runner,
    store: createMemoryStateStore({identity: 'nova', ...state}),
    secrets: createMemorySecretStore(secrets),
    http: proof.http,
    seen: proof.seen,
  }
}

type Setup = Awaited<ReturnType<typeof setup>>
const discover = (argv: string[], {seen: _seen, ...f}: Setup, env: Record<string, string> = {}, stdin?: string) =>
  runCommand(PeerDiscover, argv, {...f, env: {CLAW_MESH_TAILSCALE: TS, ...env}, platform: 'linux', stdin})

describe('claw-mesh peer discover', () => {
  it('adds tagged nodes with messaging on and per-pair A2A tokens derived from the mesh secret, stored once', async () => {
    const f = await setup({}, {'hooks-token': MESH})
    const run = await discover(['--mesh-secret', '-'], f, {}, `${MESH}\n`)
    f.runner.assertDone()
    expect(run.exitCode).toBe(0)
    const peers = f.store.raw().peers
    expect(Object.keys(peers).sort()).toEqual(['build-box', 'clawd'])
    expect(peers.clawd).toMatchObject({
      hostname: 'openclaw-clawd',
      url: 'http://100.88.12.7:18789',
      source: 'discovered',
      messaging: true,
    })
    expect(f.secrets.values.get('mesh-secret')).toBe(MESH)
    expect([...f.secrets.values.keys()].filter((k) => k.startsWith('peer/'))).toEqual([])
    expect(f.store.raw().mesh).toEqual({enabled: true, tag: 'tag:claw-mesh'})
    // Each pair has its own two tokens (what clawd presents to nova, what nova presents to clawd): never the secret.
    expect(peers.clawd.a2a).toMatchObject({url: 'http://100.88.12.7:18789/a2a/v1', pairedBy: 'fleet'})
    const pair = [
      f.secrets.values.get('a2a/clawd/in'),
      f.secrets.values.get('a2a/clawd/out'),
      f.secrets.values.get('a2a/build-box/in'),
    ]
    expect(pair.every((t) => /^[A-Za-z0-9_-]{43}$/.test(t ?? ''))).toBe(true)
    expect(new Set([...pair, MESH]).size).toBe(4)
    expect(pair[0]).toBe(fleetToken(MESH, 'clawd', 'nova'))
    expect(pair[1]).toBe(fleetToken(MESH, 'nova', 'clawd'))
    expect(run.stdout).toMatch(/added\s+build-box\s+http:\/\/100\.70\.0\.2:18789\n/)
    // Offline, it cannot prove it holds the mesh secret: nothing is written for it until it does.
    expect(peers).not.toHaveProperty('sleepy')
    expect(run.stderr).toMatch(
      /not paired sleepy \(openclaw-sleepy\): is offline.*nothing written for it\n {2}→ It is paired by the first claw-mesh peer discover/,
    )
    expect(run.stderr).toMatch(/mesh secret stored/)
    expect(run.stdout + run.stderr).not.toContain(MESH)
  })

  it('records new members with chat trust and a deny policy; --trust delegate applies to every member it records', async () => {
    const f = await setup({}, {'hooks-token': MESH})
    const first = await discover(['--mesh-secret', '-'], f, {}, `${MESH}\n`)
    expect(first.exitCode, first.stderr).toBe(0)
    expect(f.store.raw().peers.clawd.trust).toBe('chat')
    const again = await setup(f.store.raw(), Object.fromEntries(f.secrets.values))
    const run = await discover(['--trust', 'delegate'], again)
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/updated\s+clawd .*trust chat → delegate/)
    expect(again.store.raw().peers.clawd.trust).toBe('delegate')
    expect(again.store.raw().peers['build-box'].trust).toBe('delegate')
  })

  it('is a no-op on a second run with the stored secret', async () => {
    const f = await setup({}, {'hooks-token': MESH})
    await discover([], f, {CLAW_MESH_SECRET: MESH})
    const again = await setup()
    const run = await discover(['--json'], {...again, store: f.store, secrets: f.secrets})
    expect(run.json()).toMatchObject({
      ok: true,
      added: [],
      updated: [],
      meshSecret: 'unchanged',
      unchanged: [{name: 'build-box'}, {name: 'clawd'}],
    })
  })

  it('uses the gateway port and a custom tag', async () => {
    const f = await setup({gateway: {port: 28789}}, {}, [
      {hostname: 'openclaw-worker', ipv4: '100.70.0.9', tags: ['tag:agents']},
      ...tailnet,
    ])
    const run = await discover(['--tag', 'tag:agents', '--json'], f, {CLAW_MESH_SECRET: MESH})
    expect(run.json()).toMatchObject({tag: 'tag:agents', port: 28789})
    // Membership is the tag alone: openclaw-clawd carries tag:claw-mesh, not tag:agents.
    expect(Object.keys(f.store.raw().peers).sort()).toEqual(['worker'])
    expect(f.store.raw().peers.worker.url).toBe('http://100.70.0.9:28789')
  })

  it('leaves a peer added by invite alone, and notes when this host cannot be messaged by the fleet', async () => {
    const f = await setup(
      {
        peers: {
          clawd: {
            name: 'clawd',
            url: 'http://100.88.12.7:18789',
            addedAt: '2026-09-01T00:00:00Z',
            source: 'invite',
            messaging: true,
          },
        },
      },
      {'peer/clawd': 'own-token-of-clawd-0123456789', 'hooks-token': 'a-different-hooks-token-0123'},
    )
    const run = await discover([], f, {CLAW_MESH_SECRET: MESH})
    expect(run.exitCode).toBe(0)
    expect(f.store.raw().peers.clawd.source).toBe('invite')
    expect(f.secrets.values.get('peer/clawd')).toBe('own-token-of-clawd-0123456789')
    expect(run.stderr).toMatch(/kept clawd \(openclaw-clawd\): already added by invite/)
    expect(run.stderr).toMatch(/note: This machine's own hooks token is not the one derived from the mesh secret/)
  })

  it('reports previously discovered peers that left the tailnet, keeping them', async () => {
    const f = await setup(
      {
        peers: {
          gone: {
            name: 'gone',
            url: 'http://100.64.0.50:18789',
            addedAt: '2026-09-01T00:00:00Z',
            source: 'discovered',
            messaging: true,
          },
        },
      },
      {'mesh-secret': MESH},
    )
    const run = await discover([], f)
    expect(run.stderr).toMatch(/not in the tailnet now .*: gone/)
    expect(f.store.raw().peers.gone).toBeDefined()
  })

  it('reads the secret from a file', async () => {
    const mesh = tempDir('discover').write('mesh', `${MESH}\n`, 0o600)
    const f = await setup()
    const run = await discover(['--mesh-secret', `file:${mesh}`], f)
    expect(run.exitCode).toBe(0)
    expect(f.secrets.values.get('mesh-secret')).toBe(MESH)
  })

  it.each<[string, string[], Record<string, string>, RegExp]>([
    ['no mesh secret anywhere', [], {}, /No mesh secret/],
    [
      'a short mesh secret',
      [],
      {CLAW_MESH_SECRET: 'short'},
      /mesh secret from \$CLAW_MESH_SECRET is 5 characters long/,
    ],
    ['a literal --mesh-secret', ['--mesh-secret', MESH], {}, /takes file:PATH or -/],
    ['a bad tag', ['--tag', 'claw-mesh'], {CLAW_MESH_SECRET: MESH}, /is not a Tailscale tag/],
  ])('refuses %s with exit 2, changing nothing', async (_title, argv, env, message) => {
    const f = await setup({}, {}, null)
    const run = await discover(argv, f, env)
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(message)
    expect(f.store.raw().peers).toEqual({})
    expect(f.secrets.values.size).toBe(0)
    expect(run.stderr).not.toContain(MESH)
  })

  it('pairs only the members that prove they hold the mesh secret, and writes nothing for the others', async () => {
    const OTHER = 'another-fleets-secret-0123456789abc'
    // An impostor that relays the challenge to the real clawd and hands back clawd's honest answer as its own.
    const {proveMesh, meshProofKey} = await import('../../src/core/pairing/mesh-proof.js')
    const relay = (b: Record<string, unknown>) => ({
      status: 200,
      body: {
        name: 'relay',
        proof: proveMesh(meshProofKey(MESH, 'clawd'), {
          challenge: String(b.challenge),
          from: String(b.from),
          to: 'clawd',
        }),
      },
    })
    const nodes: StatusNode[] = ['clawd', 'nokey', 'noplugin', 'forged', 'relay', 'other', 'down'].map((n, i) => ({
      hostname: `openclaw-${n}`,
      ipv4: `100.70.1.${i + 1}`,
      tags: ['tag:claw-mesh'],
    }))
    const f = await setup({}, {'hooks-token': MESH}, nodes, undefined, {
      '100.70.1.1': {kind: 'member', name: 'clawd', secret: MESH},
      '100.70.1.2': {kind: 'no-key'},
      '100.70.1.3': {kind: 'no-plugin'},
      '100.70.1.4': {kind: 'custom', answer: () => ({status: 200, body: {name: 'forged', proof: 'A'.repeat(43)}})},
      '100.70.1.5': {kind: 'custom', answer: relay},
      '100.70.1.6': {kind: 'member', name: 'other', secret: OTHER},
    })
    const run = await discover(['--mesh-secret', '-', '--json'], f, {}, `${MESH}\n`)
    expect(run.exitCode, run.stderr).toBe(0)
    const out = run.json<{
      added: {name: string}[]
      unproven: {name: string; recorded: boolean; reason: string; hint: string}[]
    }>()
    expect(out.added.map((p) => p.name)).toEqual(['clawd'])
    const why = Object.fromEntries(out.unproven.map((u) => [u.name, u.reason]))
    expect(why).toEqual({
      nokey: expect.stringMatching(/plugin but no proof key: it was bootstrapped without the mesh secret/),
      noplugin: expect.stringMatching(/does not answer the mesh-secret proof \(no claw-mesh plugin/),
      forged: expect.stringMatching(/proof that does not match this mesh secret/),
      relay: expect.stringMatching(/proof that does not match this mesh secret/),
      other: expect.stringMatching(/proof that does not match this mesh secret/),
      down: expect.stringMatching(
        /did not answer the mesh-secret proof at http:\/\/100\.70\.1\.7:18789\/claw-mesh\/v1\/proof \(refused\)/,
      ),
    })
    for (const u of out.unproven) expect(u.hint).toMatch(/bootstrap --identity \w+ --mesh-secret|its gateway|next run/)
    // Nothing for an unproven node: no record, no token, no A2A entry.
    expect(Object.keys(f.store.raw().peers)).toEqual(['clawd'])
    expect([...f.secrets.values.keys()].filter((k) => k.startsWith('a2a/'))).toEqual(['a2a/clawd/in', 'a2a/clawd/out'])
    // Each impostor saw one proof request and nothing else: no bearer token, no hook, no A2A call.
    for (const ip of ['100.70.1.2', '100.70.1.3', '100.70.1.4', '100.70.1.5', '100.70.1.6']) {
      expect(f.seen.get(ip)).toEqual([
        {method: 'POST', path: '/claw-mesh/v1/proof', authorization: undefined, body: expect.any(String)},
      ])
    }
    const text = await discover(
      ['--mesh-secret', '-'],
      {
        ...f,
        runner: scriptedRunner([
          {command: TS, args: ['status', '--json'], result: {stdout: tailscaleStatusJson({peers: nodes})}},
        ]),
      },
      {},
      `${MESH}\n`,
    )
    expect(text.stderr).toMatch(
      /not paired nokey \(openclaw-nokey\): has claw-mesh's plugin but no proof key.*; nothing written for it\n {2}→ Run claw-mesh bootstrap --identity nokey --mesh-secret file:PATH on nokey/,
    )
  })

  it('keeps a recorded member that does not prove now as it was, writing nothing new for it', async () => {
    const first = await setup({}, {}, [tailnet[0]])
    expect((await discover([], first, {CLAW_MESH_SECRET: MESH})).exitCode).toBe(0)
    const before = {peers: structuredClone(first.store.raw().peers), secrets: new Map(first.secrets.values)}
    // The mesh secret rotated here; clawd's gateway is down, so it cannot prove it holds the new one.
    const NEW = 'rotated-mesh-secret-0123456789abcdef'
    const again = await setup(first.store.raw(), Object.fromEntries(first.secrets.values), [tailnet[0]], undefined, {})
    const run = await discover(['--json'], again, {CLAW_MESH_SECRET: NEW})
    expect(run.json()).toMatchObject({
      added: [],
      updated: [],
      unchanged: [],
      unproven: [{name: 'clawd', recorded: true, reason: expect.stringMatching(/did not answer/)}],
    })
    expect(again.store.raw().peers).toEqual(before.peers)
    for (const k of ['a2a/clawd/in', 'a2a/clawd/out']) expect(again.secrets.values.get(k)).toBe(before.secrets.get(k))
  })

  it('says the secret given here may be the wrong one when no member proves it', async () => {
    const f = await setup({}, {}, tailnet.slice(0, 2))
    const run = await discover([], f, {CLAW_MESH_SECRET: 'a-mistyped-mesh-secret-0123456789ab'})
    expect(run.stderr).toMatch(/note: No member proved it holds this mesh secret/)
    expect(f.store.raw().peers).toEqual({})
  })

  it('asks to connect Tailscale first (exit 3) when it is logged out', async () => {
    const f = await setup({}, {}, [], 'NeedsLogin')
    const run = await discover([], f, {CLAW_MESH_SECRET: MESH})
    expect(run.exitCode).toBe(3)
    expect(f.secrets.values.size).toBe(0)
  })
})
