import {afterEach, describe, expect, it} from 'vitest'
import Broadcast from '../../src/commands/broadcast.js'
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

async function broadcast(modes: FakePeerMode[], argv: string[]) {
  fleet = await startFakePeers(modes.length, (i) => ({mode: modes[i], token: `hooks-token-${i}-0123456789`}))
  const peers: Record<string, PeerRecord> = {}
  const tokens: Record<string, string> = {}
  fleet.peers.forEach((p, i) => {
    peers[`p${i}`] = {name: `p${i}`, url: p.url, addedAt: '2026-09-01T00:00:00Z', source: 'invite', messaging: true}
    tokens[`peer/p${i}`] = p.token
  })
  return runCommand(Broadcast, argv, {
    store: createMemoryStateStore({identity: 'nova', peers}),
    secrets: createMemorySecretStore(tokens),
    http: createFetchHttpClient(),
    env: {PATH: '/nonexistent'},
    platform: 'linux',
  })
}

describe('claw-mesh broadcast', () => {
  it('prints a per-peer table and exits 0 when everyone got it', async () => {
    const run = await broadcast(['healthy', 'healthy'], ['sprint review at 3'])
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toMatch(/^PEER\s+RESULT\s+DETAIL\s+TIME\n/)
    expect(run.stdout).toMatch(/p0\s+delivered\s+run [0-9a-f-]{36}\s+\d+ ms/)
    expect(run.stderr).toMatch(/2 delivered, 0 failed, 0 skipped/)
  })

  it('exits 5 when a delivery failed, with one JSON document', async () => {
    const run = await broadcast(['healthy', 'down', 'healthy'], ['hello', '--timeout', '2s', '--json'])
    expect(run.exitCode).toBe(5)
    const doc = run.json<{
      ok: boolean
      summary: Record<string, number>
      results: Array<{peer: string; status: string; code?: string}>
    }>()
    expect(doc.summary).toEqual({delivered: 2, answered: 0, failed: 1, timeout: 0, skipped: 0})
    expect(doc.results.find((r) => r.peer === 'p1')).toMatchObject({status: 'failed', code: 'peer-unreachable'})
    expect(run.stdout).not.toMatch(/hooks-token-/)
  })

  it('wakes every peer with --wake', async () => {
    const run = await broadcast(['healthy', 'healthy'], ['check in', '--wake', '--bare'])
    expect(run.exitCode).toBe(0)
    expect(fleet!.peers.map((p) => p.messages[0].body)).toEqual([
      {text: 'check in', mode: 'now'},
      {text: 'check in', mode: 'now'},
    ])
  })
})
