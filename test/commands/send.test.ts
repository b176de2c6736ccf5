import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import Send from '../../src/commands/send.js'
import {createFetchHttpClient} from '../../src/infra/http.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {startFakePeer, type FakePeer, type FakePeerMode} from '../helpers/fake-peer.js'
import {runCommand} from '../helpers/run-command.js'
import {tempDir} from '../helpers/fakes/index.js'

const TOKEN = 'clawd-hooks-token-0123456789abcdef'
let peer: FakePeer | undefined
const tmp = tempDir('send').path
afterEach(async () => {
  await peer?.close()
  peer = undefined
})

async function send(
  argv: string[],
  opts: {mode?: FakePeerMode; storedToken?: string; messaging?: boolean; stdin?: string} = {},
) {
  peer = await startFakePeer({mode: opts.mode ?? 'healthy', token: TOKEN})
  const store = createMemoryStateStore({
    identity: 'nova',
    peers: {
      clawd: {
        name: 'clawd',
        url: peer.url,
        addedAt: '2026-09-01T00:00:00Z',
        source: 'invite',
        messaging: opts.messaging ?? true,
      },
    },
  })
  const secrets = createMemorySecretStore(opts.messaging === false ? {} : {'peer/clawd': opts.storedToken ?? TOKEN})
  return runCommand(Send, argv, {
    store,
    secrets,
    http: createFetchHttpClient(),
    env: {PATH: '/nonexistent'},
    platform: 'linux',
    stdin: opts.stdin,
  })
}

describe('claw-mesh send', () => {
  it('delivers, prints the runId on stdout and the status on stderr, exit 0', async () => {
    const run = await send(['clawd', 'please review PR 12'])
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toMatch(/^[0-9a-f-]{36}\n$/)
    expect(run.stderr).toMatch(/Delivered to clawd: run [0-9a-f-]{36} \(1 attempt, \d+ ms\)/)
    expect(peer!.messages[0].headers.authorization).toBe(`Bearer ${TOKEN}`)
  })

  it('prints one JSON document with the runId and idempotency key, never the token', async () => {
    const run = await send(['clawd', 'hello', '--json', '--agent-id', 'main'])
    const doc = run.json<{ok: boolean; peer: string; runId: string; idempotencyKey: string; attempts: number}>()
    expect(doc).toMatchObject({
      ok: true,
      peer: 'clawd',
      runId: expect.any(String),
      idempotencyKey: expect.stringMatching(/^claw-mesh-v1-/),
      attempts: 1,
    })
    expect(peer!.messages[0].body.agentId).toBe('main')
    expect(run.stdout + run.stderr).not.toContain(TOKEN)
  })

  it('reads the message from stdin with - and from --file', async () => {
    let run = await send(['clawd', '-', '--bare'], {stdin: 'from stdin\n'})
    expect(run.exitCode).toBe(0)
    expect(peer!.messages[0].body.message).toBe('from stdin')
    await peer!.close()
    const file = path.join(tmp, 'msg.md')
    writeFileSync(file, '# Task\nrun the suite\n')
    run = await send(['clawd', '--file', file, '--bare'])
    expect(run.exitCode).toBe(0)
    expect(peer!.messages[0].body.message).toBe('# Task\nrun the suite')
  })

  it('uses --idempotency-key when given: re-sending replays the same run', async () => {
    const first = await send(['clawd', 'deploy', '--idempotency-key', 'deploy-2026-09-01', '--json'])
    const key = first.json<{idempotencyKey: string; runId: string}>()
    expect(key.idempotencyKey).toBe('deploy-2026-09-01')
  })

  it.each<[string, number, string[], Parameters<typeof send>[1], RegExp]>([
    ['an unknown peer', 2, ['nobody', 'hi'], {}, /There is no peer named "nobody"/],
    ['an empty message', 2, ['clawd', '   '], {}, /The message from the argument is empty/],
    ['a message over 256 KiB', 2, ['clawd', 'x'.repeat(270_000)], {}, /over the gateway's 256 KiB limit/],
    [
      'a refused token',
      3,
      ['clawd', 'hi'],
      {storedToken: 'an-old-rotated-token-0000'},
      /clawd refused the hooks token \(401\)[\s\S]*was it rotated\? Ask for a new invite: claw-mesh invite on clawd, then claw-mesh peer add/,
    ],
    ['a health-only peer', 3, ['clawd', 'hi'], {messaging: false}, /health-only peer/],
    ['--wait with --wake', 2, ['clawd', 'hi', '--wait', '--wake'], {}, /--wait cannot be combined with --wake/],
    [
      'a bad --idempotency-key',
      2,
      ['clawd', 'hi', '--idempotency-key', ' x'],
      {},
      /--idempotency-key has leading or trailing spaces/,
    ],
  ])('refuses %s: exit %i', async (_t, code, argv, opts, message) => {
    const run = await send(argv, opts)
    expect(run.exitCode).toBe(code)
    expect(run.stderr).toMatch(message)
    expect(run.stderr).not.toContain(TOKEN)
  })

  it('sends nothing at all for input errors', async () => {
    await send(['clawd', 'x'.repeat(270_000)])
    expect(peer!.connections).toBe(0)
  })

  it('reports an offline peer as unreachable with the check command, exit 1', async () => {
    const run = await send(['clawd', 'hi', '--json'], {mode: 'down'})
    expect(run.exitCode).toBe(1)
    const doc = run.json<{ok: boolean; error: {code: string; message: string; hint: string}}>()
    expect(doc.error).toMatchObject({
      code: 'peer-unreachable',
      hint: expect.stringContaining('claw-mesh peer check clawd'),
    })
    expect(doc.error.message, doc.error.message).toMatch(
      /unreachable \(after 5 attempts\) at http:\/\/127\.0\.0\.1:\d+: connection refused/,
    )
  }, 30_000)
})
