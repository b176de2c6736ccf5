import {readFileSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {Redactor} from '../../src/core/secrets/redact.js'
import {ExternalError} from '../../src/core/common/errors.js'
import {createExecaRunner} from '../../src/infra/runner.js'
import {runCli} from '../helpers/built-cli.js'
import {startHostilePeer, type HostilePeer, type HostilePeerOptions} from '../helpers/hostile-peer.js'
import {tempDir} from '../helpers/fakes/index.js'

/**
 * The built CLI against a real hostile "gateway" on loopback: it floods, lies about its size, answers with
 * terminal escapes and echoes our token back. Every case is an attack that once worked (issue 11, #6 #13 #14).
 */
const TOKEN = 'evil-peer-hooks-token-0123456789abcdefABCDEF'
const ESCAPES = '\u001b]0;pwned\u0007\u001b[32mAll peers ok'
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/ // eslint-disable-line no-control-regex

let peer: HostilePeer | undefined
const homes: string[] = []
afterEach(async () => {
  await peer?.close()
  peer = undefined
  for (const h of homes.splice(0)) rmSync(h, {recursive: true, force: true})
})

/** A claw-mesh home with one messaging peer `evil` at the hostile server, token in the file store. */
async function withPeer(opts: HostilePeerOptions) {
  peer = await startHostilePeer(opts)
  const home = tempDir('hostile-peer').path
  homes.push(home)
  writeFileSync(
    path.join(home, 'state.json'),
    JSON.stringify({
      version: 1,
      identity: 'nova',
      secrets: {backend: 'file', names: ['peer/evil']},
      peers: {evil: {name: 'evil', url: peer.url, addedAt: '2026-01-01T00:00:00Z', source: 'url', messaging: true}},
    }),
    {mode: 0o600},
  )
  writeFileSync(path.join(home, 'secrets.json'), JSON.stringify({'peer/evil': TOKEN}), {mode: 0o600})
  const usage = path.join(home, 'usage.jsonl')
  const env = {
    HOME: home,
    CLAW_MESH_HOME: home,
    CLAW_MESH_SECRET_STORE: 'file',
    CLAW_MESH_TAILSCALE: '/nonexistent/tailscale',
    CLAW_MESH_REPORT_USAGE: usage,
  }
  const maxRssMb = () =>
    Math.max(
      ...readFileSync(usage, 'utf8')
        .trim()
        .split('\n')
        .map((l) => (JSON.parse(l) as {maxRssKb: number}).maxRssKb),
    ) / 1024
  return {env, maxRssMb}
}

describe('a peer that floods: one body cap for everything read from a peer', () => {
  it('send: an endless 503 body is cut off at 1 MiB, not retried, and the CLI stays small', async () => {
    const {env, maxRssMb} = await withPeer({mode: 'flood', status: 503})
    const run = await runCli(['send', 'evil', 'hello'], {env})
    expect(run.exitCode, run.stderr).toBe(1)
    expect(run.stderr).toMatch(/answered with more than claw-mesh reads \(1 MiB\): the answer was cut off unread/)
    expect(peer!.requests).toBe(1)
    // Before the cap: 1.2 GB peak for a 256 MiB body (5 attempts), 10.6 GB in the issue's run.
    expect(maxRssMb()).toBeLessThan(300)
    expect(peer!.bytesSent).toBeLessThan(64 * 1024 * 1024)
  })

  it('send --json: a declared 8 GiB Content-Length is refused before reading, as one JSON error', async () => {
    const {env} = await withPeer({mode: 'declared', status: 200})
    const run = await runCli(['send', 'evil', 'hello', '--json'], {env})
    expect(run.exitCode).toBe(1)
    expect(run.json()).toMatchObject({ok: false, error: {code: 'peer-answer-too-large'}})
  })

  it('peer check: every probe of a flooding peer fails with the cap named, in bounded memory', async () => {
    const {env, maxRssMb} = await withPeer({mode: 'flood', status: 200})
    const run = await runCli(['peer', 'check', '--json'], {env})
    const doc = run.json<{peers: {status: string; detail: string}[]}>()
    expect(doc.peers[0].status).toBe('down')
    expect(doc.peers[0].detail).toMatch(/larger than claw-mesh's body limit/)
    expect(maxRssMb()).toBeLessThan(300)
  })
})

describe('a peer that answers with terminal escapes: nothing from outside drives the terminal', () => {
  it.each([
    ['a JSON error body', {mode: 'body', status: 400, body: JSON.stringify({ok: false, error: ESCAPES})}],
    ['a plain-text error body', {mode: 'body', status: 500, body: ESCAPES, contentType: 'text/plain'}],
    ['a run id', {mode: 'body', status: 200, body: JSON.stringify({ok: true, runId: `${ESCAPES}\u202erun`})}],
  ] as const)(
    'send: %s draws nothing (no escape, no BEL, no bidi override reaches stdout or stderr)',
    async (_what, opts) => {
      const {env} = await withPeer(opts)
      for (const json of [false, true]) {
        const run = await runCli(['send', 'evil', 'hello', ...(json ? ['--json'] : [])], {env})
        const printed = run.stdout + run.stderr
        expect(printed).not.toMatch(CONTROL)
        expect(printed).not.toContain('\u202e')
        if (json) expect(JSON.stringify(run.json())).not.toMatch(/\\u001b|\\u0007|\\u202e/)
        expect(printed).toContain(opts.status === 200 ? 'All peers okrun' : 'All peers ok')
      }
    },
  )

  it('peer list and status: escape-laden names and details already in state.json are shown stripped', async () => {
    const {env} = await withPeer({mode: 'body', status: 418, body: ESCAPES})
    const file = path.join(env.CLAW_MESH_HOME, 'state.json')
    const state = JSON.parse(readFileSync(file, 'utf8')) as {peers: {evil: Record<string, unknown>}}
    Object.assign(state.peers.evil, {
      hostname: `openclaw-evil${ESCAPES}`,
      lastCheck: {at: '2026-01-01T00:00:00Z', status: 'down', detail: ESCAPES},
    })
    writeFileSync(file, JSON.stringify(state), {mode: 0o600})
    for (const argv of [['peer', 'list'], ['peer', 'list', '--json'], ['status'], ['peer', 'check']]) {
      const run = await runCli(argv, {env})
      expect(run.stdout + run.stderr, argv.join(' ')).not.toMatch(CONTROL)
    }
  })
})

describe('a peer that echoes our secret back: redacted before anything is cut', () => {
  it('send: the token in an error body is masked, even where the 200-character cut falls inside it', async () => {
    // The token straddles character 200 of the error text: cut first, and its first half would survive.
    const error = `${'x'.repeat(180)} token ${TOKEN} refused`
    const {env} = await withPeer({mode: 'body', status: 400, body: JSON.stringify({ok: false, error})})
    const run = await runCli(['send', 'evil', 'hello'], {env})
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toContain('rejected the message')
    expect(run.stderr).not.toContain(TOKEN.slice(0, 12))
  })

  it('send: the token JSON-escaped, URL-encoded or split over lines in a peer body is masked', async () => {
    const body = JSON.stringify({
      ok: false,
      error: `enc=${encodeURIComponent(`${TOKEN}/`)} split=${TOKEN.slice(0, 20)}\n  ${TOKEN.slice(20)}`,
    })
    const {env} = await withPeer({mode: 'body', status: 400, body})
    const run = await runCli(['send', 'evil', 'hello', '--json'], {env})
    expect(run.stdout + run.stderr).not.toContain(TOKEN.slice(0, 16))
    expect(run.stdout + run.stderr).not.toContain(TOKEN.slice(-16))
  })

  it('the Runner redacts a real child’s stderr before cutting its 2,000-character tail', async () => {
    const redactor = new Redactor()
    redactor.add(TOKEN)
    const runner = createExecaRunner(redactor, {PATH: process.env.PATH})
    // The token ends 1,990 characters before the end: a cut-then-redact keeps its last characters.
    const script = `process.stderr.write('a'.repeat(5000) + ' ${TOKEN} ' + 'b'.repeat(1989)); process.exit(3)`
    const error = await runner.run(process.execPath, ['-e', script], {reject: true}).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ExternalError)
    const stderr = (error as ExternalError & {stderr: string}).stderr
    expect(stderr.length).toBeLessThanOrEqual(2000)
    expect(stderr).not.toContain(TOKEN.slice(-10))
  })
})
