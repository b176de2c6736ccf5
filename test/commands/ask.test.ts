import {afterEach, describe, expect, it} from 'vitest'
import Ask from '../../src/commands/ask.js'
import Task from '../../src/commands/task.js'
import {createFetchHttpClient} from '../../src/infra/http.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {startFakePeer, type FakePeer} from '../helpers/fake-peer.js'
import type {FakeA2aOptions} from '../helpers/fake-a2a.js'
import {runCommand} from '../helpers/run-command.js'

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

describe('claw-mesh ask', () => {
  it('prints the reply alone on stdout and nothing on stderr without a terminal (what exec and $(…) get)', async () => {
    const run = await runCommand(Ask, ['clawd', 'What fails?'], await setup())
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stdout).toBe('reply from clawd: What fails?\n')
    expect(run.stderr).toBe('')
  })

  it('shows progress and the task on a terminal', async () => {
    const run = await runCommand(Ask, ['clawd', 'hi'], {...(await setup()), tty: true})
    expect(run.stderr).toMatch(/Asking clawd…\nclawd answered in \d+ ms \(task [0-9a-f-]{36}; thread ctx-/)
  })

  it('--json gives reply, peer, taskId, contextId, state and elapsedMs; never the token', async () => {
    const run = await runCommand(Ask, ['clawd', '-', '--json'], {...(await setup()), stdin: 'from stdin\n'})
    expect(run.json()).toMatchObject({
      ok: true,
      reply: 'reply from clawd: from stdin',
      peer: 'clawd',
      taskId: expect.any(String),
      contextId: expect.stringMatching(/^ctx-/),
      state: 'TASK_STATE_COMPLETED',
      elapsedMs: expect.any(Number),
    })
    expect(run.stdout + run.stderr).not.toContain(TOKEN)
  })

  it('exits 1 with the state and reason when the task failed', async () => {
    const run = await runCommand(Ask, ['clawd', 'hi'], await setup({fail: true}))
    expect(run.exitCode).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(/task .* failed: The agent run failed\./)
  })

  it('exits 7 with the task id when the peer is still working at the timeout; task fetches it later', async () => {
    const deps = await setup({replyMs: 1500})
    const run = await runCommand(Ask, ['clawd', 'slow', '--timeout', '300ms'], deps)
    expect(run.exitCode).toBe(7)
    const id = run.stdout.trim()
    expect(id).toBe(peer!.a2a!.messages[0].taskId)
    expect(run.stderr).toMatch(new RegExp(`claw-mesh task clawd ${id}`))
    const later = await runCommand(Task, ['clawd', id, '--wait', '5s'], deps)
    expect(later.exitCode, later.stderr).toBe(0)
    expect(later.stdout).toBe('reply from clawd: slow\n')
  })

  it.each<[string, string[], RegExp]>([
    ['an unknown peer', ['nobody', 'hi'], /no peer named "nobody"/],
    ['a bad thread id', ['clawd', 'hi', '--thread', 'bad id!'], /--thread "bad id!"/],
    ['a slash command', ['clawd', '/reset'], /starts with "\/"/],
    ['an empty message', ['clawd', ''], /is empty/],
  ])('refuses %s with exit 2, sending nothing', async (_t, argv, message) => {
    const run = await runCommand(Ask, argv, await setup())
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(message)
    expect(peer!.a2a!.requests).toBe(0)
  })
})
