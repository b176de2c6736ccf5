import {afterEach, describe, expect, it} from 'vitest'
import Ask from '../../src/commands/ask.js'
import Send from '../../src/commands/send.js'
import {createFetchHttpClient} from '../../src/infra/http.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import type {FakeA2aOptions} from '../helpers/fake-a2a.js'
import {startFakePeer, type FakePeer} from '../helpers/fake-peer.js'
import {runCommand} from '../helpers/run-command.js'

/**
 * The --json contract: `"ok": false` comes only with an `error` (the command could not do its work); a command that
 * ran prints `"ok": true` and its verdict is the exit code. An A2A task's own "completed" must not leak into `ok`.
 */
const TOKEN = 'nova-to-clawd-a2a-token-0123456789abcdef'
let peer: FakePeer | undefined
afterEach(async () => peer?.close())

async function setup(a2a: Partial<FakeA2aOptions> = {}) {
  peer = await startFakePeer({a2a: {peers: {nova: TOKEN}, name: 'clawd', ...a2a}})
  const store = createMemoryStateStore({
    identity: 'nova',
    peers: {
      clawd: {
        name: 'clawd',
        url: peer.url,
        addedAt: '2026-12-01T00:00:00Z',
        source: 'invite',
        messaging: false,
        a2a: {url: `${peer.url}/a2a/v1`, pairedBy: 'invite', pairedAt: '2026-12-01T00:00:00Z'},
      },
    },
  })
  return {
    store,
    secrets: createMemorySecretStore({'a2a/clawd/out': TOKEN}),
    http: createFetchHttpClient(),
    platform: 'linux',
  }
}

describe('"ok" in --json means the command ran', () => {
  it('send: a task accepted and still working is ok, exit 0', async () => {
    const run = await runCommand(Send, ['clawd', 'hello', '--json'], await setup({replyMs: 1500}))
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.json()).toMatchObject({ok: true})
    expect(run.json()).not.toHaveProperty('error')
  })

  it('ask past --timeout: ok, pending, exit 7 with the task id', async () => {
    const run = await runCommand(Ask, ['clawd', 'slow', '--timeout', '300ms', '--json'], await setup({replyMs: 1500}))
    expect(run.exitCode).toBe(7)
    expect(run.json()).toMatchObject({ok: true, pending: true, taskId: expect.any(String)})
  })

  it('ask whose task failed: ok (it ran), the failed state, exit 1', async () => {
    const run = await runCommand(Ask, ['clawd', 'hi', '--json'], await setup({fail: true}))
    expect(run.exitCode).toBe(1)
    expect(run.json()).toMatchObject({ok: true, state: 'TASK_STATE_FAILED'})
  })
})
