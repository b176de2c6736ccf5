import {afterEach, describe, expect, it} from 'vitest'
import {flagSuggestion, flagWords} from '../../src/base-command.js'
import Ask from '../../src/commands/ask.js'
import {createFetchHttpClient} from '../../src/infra/http.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {startFakePeer, type FakePeer} from '../helpers/fake-peer.js'
import {runCommand} from '../helpers/run-command.js'

/** Flags are what oclif parsed, never words sniffed from argv: after `--` everything is the message. */
const TOKEN = 'nova-to-clawd-a2a-token-0123456789abcdef'
let peer: FakePeer | undefined
afterEach(async () => peer?.close())

async function setup() {
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
  }
}

describe('flags come from the parser', () => {
  it.each<[string[], string[]]>([
    [
      ['clawd', 'hi', '--json'],
      ['clawd', 'hi', '--json'],
    ],
    [['nobody', '--', '--json'], ['nobody']],
    [['--', '--dry-run', '--json'], []],
    [[], []],
  ])('flagWords(%j) = %j', (argv, words) => {
    expect(flagWords(argv)).toEqual(words)
  })

  it('`ask nobody -- --json` is a human error: "--json" after -- is the message', async () => {
    const run = await runCommand(Ask, ['nobody', '--', '--json'], await setup())
    expect(run.exitCode).not.toBe(0)
    expect(run.stdout).toBe('')
    expect(run.stderr).toMatch(/^Error: .*no peer named "nobody"/)
  })

  it('`ask clawd -- --json` sends "--json" and prints the reply as text', async () => {
    const run = await runCommand(Ask, ['clawd', '--', '--json'], await setup())
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stdout).toBe('reply from clawd: --json\n')
  })

  it('a parse error still answers in JSON when --json was a flag', async () => {
    const run = await runCommand(Ask, ['clawd', 'hi', '--json', '--no-such-flag'], await setup())
    expect(run.exitCode).toBe(2)
    expect(JSON.parse(run.stdout)).toMatchObject({ok: false, error: {exitCode: 2}})
  })
})

describe('a mistyped flag or command says what was meant', () => {
  it.each<[string, string, string[], string | undefined]>([
    ['a swapped pair of letters', 'Nonexistent flag: --jsno', ['json', 'timeout'], 'json'],
    ['one letter off', 'Nonexistent flag: --timout', ['json', 'timeout'], 'timeout'],
    ['nothing close', 'Nonexistent flag: --frobnicate', ['json', 'timeout'], undefined],
    ['another parse error', 'Expected --timeout=', ['json', 'timeout'], undefined],
  ])('%s', (_what, message, flags, meant) => {
    expect(flagSuggestion(message, flags)).toBe(meant)
  })

  it('`ask clawd hi --jsno` is a usage error whose hint names --json', async () => {
    const run = await runCommand(Ask, ['clawd', 'hi', '--jsno'], await setup())
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(/Did you mean --json\?/)
  })
})
