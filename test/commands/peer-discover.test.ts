import {promises as fs} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import PeerDiscover from '../../src/commands/peer/discover.js'
import type {State} from '../../src/core/state-schema.js'
import {fleetToken} from '../../src/core/a2a-pairing.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {runCommand} from '../helpers/run-command.js'
import {scriptedRunner} from '../helpers/scripted-runner.js'
import {tailscaleStatusJson, type StatusNode} from '../helpers/tailscale-status-json.js'

const TS = '/opt/fake/tailscale'
const MESH = 'mesh-secret-shared-0123456789'
const tailnet: StatusNode[] = [
  {hostname: 'openclaw-clawd', ipv4: '100.88.12.7', tags: ['tag:claw-mesh']},
  {hostname: 'openclaw-build-box', ipv4: '100.70.0.2', tags: ['tag:claw-mesh'], online: false},
  {hostname: 'alices-mbp', ipv4: '100.70.3.44'},
]

function setup(state: Partial<State> = {}, secrets: Record<string, string> = {}, nodes: StatusNode[] | null = tailnet, backendState?: string) {
  // nodes === null: the command must refuse before it reads the tailnet.
  const runner = scriptedRunner(nodes === null ? [] : [{command: TS, args: ['status', '--json'], result: {stdout: tailscaleStatusJson({peers: nodes, backendState})}}])
  return {runner, store: createMemoryStateStore({identity: 'nova', ...state}), secrets: createMemorySecretStore(secrets)}
}

const discover = (argv: string[], f: ReturnType<typeof setup>, env: Record<string, string> = {}, stdin?: string) =>
  runCommand(PeerDiscover, argv, {...f, env: {CLAW_MESH_TAILSCALE: TS, ...env}, platform: 'linux', stdin})

describe('claw-mesh peer discover', () => {
  it('adds tagged nodes with messaging on and per-pair A2A tokens derived from the mesh secret, stored once', async () => {
    const f = setup({}, {'hooks-token': MESH})
    const run = await discover(['--mesh-secret', '-'], f, {}, `${MESH}\n`)
    f.runner.verify()
    expect(run.exitCode).toBe(0)
    const peers = f.store.raw().peers
    expect(Object.keys(peers).sort()).toEqual(['build-box', 'clawd'])
    expect(peers.clawd).toMatchObject({hostname: 'openclaw-clawd', url: 'http://100.88.12.7:18789', source: 'discovered', messaging: true})
    expect(f.secrets.values.get('mesh-secret')).toBe(MESH)
    expect([...f.secrets.values.keys()].filter((k) => k.startsWith('peer/'))).toEqual([])
    expect(f.store.raw().mesh).toEqual({enabled: true, tag: 'tag:claw-mesh'})
    // Each pair has its own two tokens (what clawd presents to nova, what nova presents to clawd): never the secret.
    expect(peers.clawd.a2a).toMatchObject({url: 'http://100.88.12.7:18789/a2a/v1', pairedBy: 'fleet'})
    const pair = [f.secrets.values.get('a2a/clawd/in'), f.secrets.values.get('a2a/clawd/out'), f.secrets.values.get('a2a/build-box/in')]
    expect(pair.every((t) => /^[A-Za-z0-9_-]{43}$/.test(t ?? ''))).toBe(true)
    expect(new Set([...pair, MESH]).size).toBe(4)
    expect(pair[0]).toBe(fleetToken(MESH, 'clawd', 'nova'))
    expect(pair[1]).toBe(fleetToken(MESH, 'nova', 'clawd'))
    expect(run.stdout).toMatch(/added\s+build-box\s+http:\/\/100\.70\.0\.2:18789 {2}\(offline\)/)
    expect(run.stderr).toMatch(/mesh secret stored/)
    expect(run.stdout + run.stderr).not.toContain(MESH)
  })

  it('records new members with chat trust and a deny policy; --trust delegate applies to every member it records', async () => {
    const f = setup({}, {'hooks-token': MESH})
    const first = await discover(['--mesh-secret', '-'], f, {}, `${MESH}\n`)
    expect(first.exitCode, first.stderr).toBe(0)
    expect(f.store.raw().peers.clawd.trust).toBe('chat')
    const again = setup(f.store.raw(), Object.fromEntries(f.secrets.values))
    const run = await discover(['--trust', 'delegate'], again)
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stdout).toMatch(/updated\s+clawd .*trust chat → delegate/)
    expect(again.store.raw().peers.clawd.trust).toBe('delegate')
    expect(again.store.raw().peers['build-box'].trust).toBe('delegate')
  })

  it('is a no-op on a second run with the stored secret', async () => {
    const f = setup({}, {'hooks-token': MESH})
    await discover([], f, {CLAW_MESH_SECRET: MESH})
    const again = setup()
    const run = await discover(['--json'], {...again, store: f.store, secrets: f.secrets})
    expect(run.json()).toMatchObject({ok: true, added: [], updated: [], meshSecret: 'unchanged', unchanged: [{name: 'build-box'}, {name: 'clawd'}]})
  })

  it('uses the gateway port and a custom tag', async () => {
    const f = setup({gateway: {port: 28789}}, {}, [{hostname: 'openclaw-worker', ipv4: '100.70.0.9', tags: ['tag:agents']}, ...tailnet])
    const run = await discover(['--tag', 'tag:agents', '--json'], f, {CLAW_MESH_SECRET: MESH})
    expect(run.json()).toMatchObject({tag: 'tag:agents', port: 28789})
    // Membership is the tag alone: openclaw-clawd carries tag:claw-mesh, not tag:agents.
    expect(Object.keys(f.store.raw().peers).sort()).toEqual(['worker'])
    expect(f.store.raw().peers.worker.url).toBe('http://100.70.0.9:28789')
  })

  it('leaves a peer added by invite alone, and notes when this host cannot be messaged by the fleet', async () => {
    const f = setup({peers: {clawd: {name: 'clawd', url: 'http://100.88.12.7:18789', addedAt: '2026-09-01T00:00:00Z', source: 'invite', messaging: true}}}, {'peer/clawd': 'own-token-of-clawd-0123456789', 'hooks-token': 'a-different-hooks-token-0123'})
    const run = await discover([], f, {CLAW_MESH_SECRET: MESH})
    expect(run.exitCode).toBe(0)
    expect(f.store.raw().peers.clawd.source).toBe('invite')
    expect(f.secrets.values.get('peer/clawd')).toBe('own-token-of-clawd-0123456789')
    expect(run.stderr).toMatch(/kept clawd \(openclaw-clawd\): already added by invite/)
    expect(run.stderr).toMatch(/note: This machine's own hooks token is not the one derived from the mesh secret/)
  })

  it('reports previously discovered peers that left the tailnet, keeping them', async () => {
    const f = setup({peers: {gone: {name: 'gone', url: 'http://100.64.0.50:18789', addedAt: '2026-09-01T00:00:00Z', source: 'discovered', messaging: true}}}, {'mesh-secret': MESH})
    const run = await discover([], f)
    expect(run.stderr).toMatch(/not in the tailnet now .*: gone/)
    expect(f.store.raw().peers.gone).toBeDefined()
  })

  it('reads the secret from a file', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'claw-mesh-'))
    await fs.writeFile(path.join(dir, 'mesh'), `${MESH}\n`, {mode: 0o600})
    const f = setup()
    const run = await discover(['--mesh-secret', `file:${path.join(dir, 'mesh')}`], f)
    expect(run.exitCode).toBe(0)
    expect(f.secrets.values.get('mesh-secret')).toBe(MESH)
    await fs.rm(dir, {recursive: true})
  })

  it.each<[string, string[], Record<string, string>, RegExp]>([
    ['no mesh secret anywhere', [], {}, /No mesh secret/],
    ['a short mesh secret', [], {CLAW_MESH_SECRET: 'short'}, /mesh secret from \$CLAW_MESH_SECRET is 5 characters long/],
    ['a literal --mesh-secret', ['--mesh-secret', MESH], {}, /takes file:PATH or -/],
    ['a bad tag', ['--tag', 'claw-mesh'], {CLAW_MESH_SECRET: MESH}, /is not a Tailscale tag/],
  ])('refuses %s with exit 2, changing nothing', async (_title, argv, env, message) => {
    const f = setup({}, {}, null)
    const run = await discover(argv, f, env)
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(message)
    expect(f.store.raw().peers).toEqual({})
    expect(f.secrets.values.size).toBe(0)
    expect(run.stderr).not.toContain(MESH)
  })

  it('asks to connect Tailscale first (exit 3) when it is logged out', async () => {
    const f = setup({}, {}, [], 'NeedsLogin')
    const run = await discover([], f, {CLAW_MESH_SECRET: MESH})
    expect(run.exitCode).toBe(3)
    expect(f.secrets.values.size).toBe(0)
  })
})
