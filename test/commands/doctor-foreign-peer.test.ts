import {readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import Doctor from '../../src/commands/doctor.js'
import Status from '../../src/commands/status.js'
import {provisionedHost} from '../fixtures/doctor/fake-host.js'
import {ownGatewayListeners} from '../helpers/listeners.js'
import {runCommand} from '../helpers/run-command.js'
import {startSdkPeer, type SdkPeer} from '../helpers/sdk-peer.js'

const TOKEN = 'doctor-foreign-token-0123456789abcdef'
let cleanups: (() => unknown)[] = []
let peer: SdkPeer | undefined
afterEach(async () => {
  await peer?.close()
  for (const c of cleanups.reverse()) await c()
  cleanups = []
})

async function withForeignPeer() {
  const h = await provisionedHost()
  cleanups.push(h.cleanup)
  peer = await startSdkPeer({token: TOKEN, name: 'hermes'})
  const {url, endpoint} = peer
  h.host.store.update((s) => {
    s.peers.hermes = {
      name: 'hermes',
      url,
      addedAt: '2026-12-01T00:00:00Z',
      source: 'url',
      messaging: false,
      a2a: {url: endpoint, pairedBy: 'token', kind: 'foreign', pairedAt: '2026-12-01T00:00:00Z'},
    }
  })
  const secrets = path.join(h.host.stateDir, 'secrets.json')
  writeFileSync(secrets, JSON.stringify({...JSON.parse(readFileSync(secrets, 'utf8')), 'a2a/hermes/out': TOKEN}), {
    mode: 0o600,
  })
  const deps = {
    env: h.host.env,
    platform: 'linux' as const,
    runner: h.runner,
    store: h.host.store,
    lookPath: h.host.lookPath,
    networkInterfaces: h.host.networkInterfaces,
    loopbackListeners: ownGatewayListeners(),
  }
  return {h, deps}
}

describe('claw-mesh status with a foreign A2A agent as a peer', () => {
  it('shows its kind and takes its health from its A2A answer', async () => {
    const {deps} = await withForeignPeer()
    const r = await runCommand(Status, ['--json'], deps)
    const row = r
      .json<{peers: Array<{name: string; health: string; kind?: string}>}>()
      .peers.find((p) => p.name === 'hermes')
    expect(row).toMatchObject({health: 'ok', kind: 'foreign'})
    const plain = await runCommand(Status, [], deps)
    expect(plain.stdout).toMatch(/hermes\s+-\s+ok\s+\d+ ms\s+.*a2a \(foreign\)/)
  })
})

describe('claw-mesh doctor with a foreign A2A agent as a peer', () => {
  it("says what kind of peer it is, skips OpenClaw's routes and proves the card and the token", async () => {
    const {deps} = await withForeignPeer()
    const r = await runCommand(Doctor, ['--group', 'peers', '--peer', 'hermes', '--timeout', '2s', '--json'], deps)
    const checks = Object.fromEntries(
      r.json<{checks: Array<{id: string; status: string; detail: string}>}>().checks.map((c) => [c.id, c]),
    )
    expect(checks['peer-health']).toMatchObject({
      status: 'skip',
      detail: 'not an OpenClaw gateway (a foreign A2A agent)',
    })
    expect(checks['peer-a2a']).toMatchObject({
      status: 'pass',
      detail: expect.stringMatching(/card: hermes 1\.3\.0.*our token: our token accepted/),
    })
    expect(peer!.requests.map((q) => q.path)).not.toContain('/healthz')
    expect(r.stdout + r.stderr).not.toContain(TOKEN)
  })
})
