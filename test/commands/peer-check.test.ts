import {afterEach, describe, expect, it} from 'vitest'
import PeerCheck from '../../src/commands/peer/check.js'
import type {PeerRecord} from '../../src/core/common/state-schema.js'
import {createFetchHttpClient} from '../../src/infra/http.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {startFakePeers, type FakePeerFleet, type FakePeerMode} from '../helpers/fake-peer.js'
import {runCommand} from '../helpers/run-command.js'

let fleet: FakePeerFleet | undefined
afterEach(async () => {
  await fleet?.close()
  fleet = undefined
})

async function check(modes: FakePeerMode[], argv: string[] = []) {
  fleet = await startFakePeers(modes.length, (i) => ({mode: modes[i], token: `hooks-token-${i}-0123456789abc`}))
  const records: Record<string, PeerRecord> = {}
  const tokens: Record<string, string> = {}
  fleet.peers.forEach((p, i) => {
    records[`p${i}`] = {name: `p${i}`, url: p.url, addedAt: '2026-09-01T00:00:00Z', source: 'invite', messaging: true}
    tokens[`peer/p${i}`] = p.token
  })
  const store = createMemoryStateStore({peers: records})
  const run = await runCommand(PeerCheck, argv.includes('--timeout') ? argv : ['--timeout', '500ms', ...argv], {
    store,
    secrets: createMemorySecretStore(tokens),
    http: createFetchHttpClient(),
    env: {PATH: '/nonexistent'},
    platform: 'linux',
  })
  return {run, store}
}

describe('claw-mesh peer check', () => {
  it('exits 0 when every peer is ok', async () => {
    const {run} = await check(['healthy', 'healthy'])
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toMatch(/^PEER\s+STATUS\s+TAILNET\s+HEALTHZ\s+READYZ\s+HOOKS\s+A2A\s+LATENCY/)
    // Hooks-only peers: the A2A probes are skipped.
    expect(run.stdout).toMatch(/p0\s+ok\s+skip\s+ok 200\s+ok 200\s+ok 400\s+skip\s+\d+ ms/)
    expect(run.stdout).toMatch(/2 ok, 0 degraded, 0 down/)
    expect(run.stdout).toMatch(/note: tailnet presence not checked/)
  })

  it('exits 5 when a peer is down or degraded, with the fix for each', async () => {
    const {run, store} = await check(['healthy', 'down', 'unready'])
    expect(run.exitCode).toBe(5)
    expect(run.stdout).toMatch(/1 ok, 1 degraded, 1 down/)
    expect(run.stdout).toMatch(
      /p1 \(http:\/\/127\.0\.0\.1:\d+\): healthz: connection refused.*\n {2}→ Nothing listens at/,
    )
    expect(run.stdout).toMatch(/p2 .*readyz: not ready \(503\)\n {2}→ The gateway on p2 is live but not ready/)
    expect(store.raw().peers.p1.lastCheck?.status).toBe('down')
  })

  it('prints one JSON document and still exits 5 with --json', async () => {
    const {run} = await check(['silent'], ['--json'])
    expect(run.exitCode).toBe(5)
    const doc = run.json<{
      ok: boolean
      peers: Array<{name: string; status: string; probes: Record<string, {status: string; detail: string}>}>
      summary: Record<string, number>
    }>()
    expect(doc.ok).toBe(true)
    expect(doc.summary).toEqual({ok: 0, degraded: 0, down: 1})
    expect(doc.peers[0].probes.healthz).toMatchObject({status: 'fail', detail: 'no answer before the timeout'})
    expect(run.stdout).not.toContain('hooks-token-0')
  })

  it('refuses a bad --timeout with exit 2', async () => {
    const {run} = await check(['healthy'], ['--timeout', 'soon'])
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(/--timeout "soon" is not a duration/)
  })

  it('says there is nothing to check, exit 0, when there are no peers', async () => {
    const run = await runCommand(PeerCheck, [], {store: createMemoryStateStore(), secrets: createMemorySecretStore()})
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toMatch(/No peers to check/)
  })
})
