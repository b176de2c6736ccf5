import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {netnsUnavailable} from '../helpers/netns.js'
import {createRealTailnet, MESH_TAG, realTailnetUnavailable, type RealTailnet} from '../helpers/real-tailnet.js'
import {findOpenClaw, requireOrSkip, type MeshHost} from '../helpers/mesh-host.js'

const openclaw = findOpenClaw()
const ready = requireOrSkip(openclaw.reason ?? netnsUnavailable() ?? realTailnetUnavailable())

interface Discovered {
  added: {name: string; url: string}[]
  updated: {name: string; url: string}[]
  unchanged: {name: string; url: string}[]
  skipped: {hostname: string; reason: string}[]
}

/**
 * A tagged node without the mesh secret (a leaked tag key, a CI runner) asks for a member's name on a real tailnet
 * (tailscaled + Headscale). Headscale keeps MagicDNS names unique, so the second `openclaw-x` is renamed; discovery
 * names members from that unique name and gives a disputed name to nobody not already pinned.
 */
describe.skipIf(!ready)('fleet identity: a tagged impostor cannot take a member\'s name', () => {
  let tailnet: RealTailnet
  let hosts: MeshHost[] = []
  let dir: string
  let common: string[]
  let impostorIp = ''

  beforeAll(async () => {
    tailnet = await createRealTailnet(['x', 'y'], {openclaw: openclaw.bin!})
    hosts = tailnet.hosts
    dir = mkdtempSync(path.join(os.tmpdir(), 'cm-fleet-id-'))
    const secretFile = path.join(dir, 'mesh-secret')
    writeFileSync(secretFile, 'fleet-secret-0123456789abcdefghijklmnop', {mode: 0o600})
    const keyFile = tailnet.keyFile(dir, {tags: [MESH_TAG]})
    common = ['--tailscale-key', `file:${keyFile}`, '--login-server', tailnet.serverUrl, '--tags', MESH_TAG, '--mesh-secret', `file:${secretFile}`, '--json']
  })
  afterAll(() => {
    tailnet?.destroy()
    if (dir) rmSync(dir, {recursive: true, force: true})
  })

  const discover = async (h: MeshHost): Promise<Discovered> => {
    const run = await h.cli(['peer', 'discover', '--json'])
    expect(run.exitCode, run.stderr).toBe(0)
    return run.json<Discovered>()
  }
  const names = (d: Discovered) => [...d.added, ...d.updated, ...d.unchanged].map((p) => p.name).sort()

  it('two members discover each other', async () => {
    for (const h of hosts) {
      const run = await h.cli(['bootstrap', '--identity', h.name, ...common])
      expect(run.exitCode === 0 || run.exitCode === 4, run.stderr).toBe(true)
    }
    expect(names(await discover(hosts[0]))).toEqual(['y'])
    expect(names(await discover(hosts[1]))).toEqual(['x'])
  })

  it('a tagged node joining as openclaw-x is renamed by the tailnet and does not become x', async () => {
    const impostor = await tailnet.addHost('evil')
    const keyFile = tailnet.keyFile(dir, {tags: [MESH_TAG]})
    const join = await impostor.cli(['tailscale', 'join', '--hostname', 'openclaw-x', '--tailscale-key', `file:${keyFile}`, '--login-server', tailnet.serverUrl, '--json'])
    expect(join.exitCode, join.stderr).toBe(0)
    const status = await impostor.cli(['tailscale', 'status', '--json'])
    const self = status.json<{machineName: string; ipv4: string}>()
    impostorIp = self.ipv4
    expect(self.machineName).not.toBe('openclaw-x')

    // y pinned x to the real node: it keeps it and reports the impostor.
    const onY = await discover(hosts[1])
    expect(names(onY)).toEqual(['x'])
    expect(JSON.stringify(onY)).not.toContain(impostorIp)
    expect(onY.skipped).toContainEqual({hostname: 'openclaw-x', reason: expect.stringMatching(/"x" is disputed/)})
    // peer check names who accepted y's token, from Tailscale's own view: the node x was discovered as.
    const check = await hosts[1].cli(['peer', 'check', 'x', '--json'])
    const probes = check.json<{peers: {probes: {hooks: {status: string; detail: string}; a2a: {status: string; detail: string}}}[]}>().peers[0].probes
    expect(probes.hooks).toMatchObject({status: 'ok', detail: expect.stringMatching(/^token accepted by openclaw-x \(node \S+\), the node x was discovered as$/)})
    expect(probes.a2a.detail).toMatch(/^our token accepted by openclaw-x /)
  })

  it('a new member adds neither claimant of the disputed name, reports both, and sends the impostor nothing', async () => {
    const fresh = await tailnet.addHost('z')
    const run = await fresh.cli(['bootstrap', '--identity', 'z', ...common])
    expect(run.exitCode === 0 || run.exitCode === 4, run.stderr).toBe(true)
    const found = await discover(fresh)
    expect(names(found)).toEqual(['y'])
    const disputed = found.skipped.filter((s) => s.hostname === 'openclaw-x')
    expect(disputed).toHaveLength(2)
    for (const s of disputed) expect(s.reason).toMatch(/"x" is disputed .*no claimant is added/)
    const state = readFileSync(path.join(fresh.stateDir, 'state.json'), 'utf8')
    expect(state).not.toContain(impostorIp)
    expect(JSON.parse(readFileSync(fresh.configPath, 'utf8')).channels.a2a.peers).not.toHaveProperty('x')
  })
})
