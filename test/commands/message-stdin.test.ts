import {afterEach, describe, expect, it} from 'vitest'
import Ask from '../../src/commands/ask.js'
import Send from '../../src/commands/send.js'
import {createFetchHttpClient} from '../../src/infra/http.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {startFakePeer, type FakePeer} from '../helpers/fake-peer.js'
import {runCommand} from '../helpers/run-command.js'

/**
 * The argv the skill's fallback hands claw-mesh (`ask --timeout 110s -- PEER -`, the message on stdin): text that
 * looks like a flag or holds shell syntax is the message, never an option, and `--` ends the options.
 */
const TOKEN = 'nova-to-clawd-a2a-token-0123456789abcdef'
let peer: FakePeer | undefined
afterEach(async () => peer?.close())

async function deps(stdin?: string) {
  peer = await startFakePeer({a2a: {peers: {nova: TOKEN}, name: 'clawd'}})
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
    env: {PATH: '/nonexistent'},
    stdin,
  }
}

const HOSTILE = "--file=/etc/hostname\n$(touch /tmp/cm-pwned) `id` --thread=x -- 'q'\n"

describe('a message on stdin is data (the skill fallback)', () => {
  it.each([
    ['ask', Ask, ['--timeout', '5s', '--', 'clawd', '-']],
    ['send', Send, ['--', 'clawd', '-']],
  ] as const)(
    '%s sends a text that starts with --file= and holds $(…) exactly as written',
    async (_name, Command, argv) => {
      const run = await runCommand(Command, [...argv], await deps(HOSTILE))
      expect(run.exitCode, run.stderr).toBe(0)
      expect(peer!.a2a!.messages.map((m) => m.text)).toEqual([HOSTILE.replace(/\n$/, '')])
    },
  )

  it('a peer name that looks like a flag, after --, is a peer name: nothing is read or sent', async () => {
    const run = await runCommand(Ask, ['--', '--file=/etc/hostname', '-'], await deps('hi\n'))
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(/no peer named "--file=\/etc\/hostname"/)
    expect(peer!.a2a!.messages).toEqual([])
  })

  it('after --, an argument that looks like a flag is the message (the form the review found safe)', async () => {
    const run = await runCommand(Ask, ['clawd', '--', '--file=/etc/hostname'], await deps())
    expect(run.exitCode, run.stderr).toBe(0)
    expect(peer!.a2a!.messages.map((m) => m.text)).toEqual(['--file=/etc/hostname'])
  })

  it('CRLF from a PowerShell pipe and a UTF-8 BOM are not part of the message', async () => {
    const run = await runCommand(Send, ['--', 'clawd', '-'], await deps('\uFEFFline one\r\nline two\r\n'))
    expect(run.exitCode, run.stderr).toBe(0)
    expect(peer!.a2a!.messages.map((m) => m.text)).toEqual(['line one\r\nline two'])
  })
})
