import {afterEach, describe, expect, it} from 'vitest'
import Ask from '../../src/commands/ask.js'
import Broadcast from '../../src/commands/broadcast.js'
import PeerAdd from '../../src/commands/peer/add.js'
import PeerCheck from '../../src/commands/peer/check.js'
import PeerList from '../../src/commands/peer/list.js'
import Send from '../../src/commands/send.js'
import Task from '../../src/commands/task.js'
import {createFetchHttpClient} from '../../src/infra/http.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {runCommand} from '../helpers/run-command.js'
import {tempDir} from '../helpers/fakes/index.js'
import {startSdkPeer, type SdkPeer, type SdkPeerOptions} from '../helpers/sdk-peer.js'

const TOKEN = 'hermes-bearer-token-0123456789abcdef'
let peer: SdkPeer | undefined
afterEach(async () => {
  await peer?.close()
  peer = undefined
})

async function tokenFile(token = TOKEN): Promise<string> {
  return tempDir('a2a').write('token', `${token}\n`, 0o600)
}

/** A foreign agent (the reference SDK's server) added the way a user adds it: peer add URL --a2a-token file:PATH. */
async function added(opts: Partial<SdkPeerOptions> = {}) {
  peer = await startSdkPeer({token: TOKEN, name: 'hermes', ...opts})
  const deps = {
    store: createMemoryStateStore({identity: 'nova'}),
    secrets: createMemorySecretStore(),
    http: createFetchHttpClient(),
    platform: 'linux' as const,
    env: {PATH: '/nonexistent'},
  }
  const add = await runCommand(
    PeerAdd,
    [peer.url, '--name', 'hermes', '--a2a-token', `file:${await tokenFile()}`, '--allow-insecure-url'],
    deps,
  )
  return {deps, add}
}

describe('a foreign A2A 1.0 agent as a peer (the @a2a-js/sdk reference server)', () => {
  it('peer add reads the JSON-RPC 1.0 endpoint from the card (not its first, REST, interface), proves the token, stores it unprinted', async () => {
    const {deps, add} = await added()
    expect(add.exitCode, add.stderr).toBe(0)
    expect(add.stderr).toMatch(/Added hermes, a foreign A2A agent: calls go to http:\/\/127\.0\.0\.1:\d+\/rpc\/v1/)
    expect(deps.store.raw().peers.hermes).toMatchObject({
      url: peer!.url,
      source: 'url',
      messaging: false,
      a2a: {url: peer!.endpoint, pairedBy: 'token', kind: 'foreign'},
    })
    expect(deps.secrets.values.get('a2a/hermes/out')).toBe(TOKEN)
    expect(add.stdout + add.stderr + JSON.stringify(deps.store.raw())).not.toContain(TOKEN)
    // The card fetch and the proof both said which protocol version they speak.
    expect(peer!.requests.length).toBeGreaterThanOrEqual(2)
    expect(peer!.requests.every((r) => r.version === '1.0')).toBe(true)
    expect(peer!.requests.some((r) => r.path === '/rest')).toBe(false)
  })

  it('peer add again: the same token changes nothing; a token the agent refuses does not replace the stored one', async () => {
    const {deps} = await added()
    const again = await runCommand(
      PeerAdd,
      [peer!.url, '--name', 'hermes', '--a2a-token', `file:${await tokenFile()}`, '--allow-insecure-url', '--json'],
      deps,
    )
    expect(again.json()).toMatchObject({action: 'unchanged', changes: []})
    const next = 'hermes-bearer-token-rotated-0123456789'
    const rotated = await runCommand(
      PeerAdd,
      [peer!.url, '--name', 'hermes', '--a2a-token', `file:${await tokenFile(next)}`, '--allow-insecure-url'],
      deps,
    )
    expect(rotated.exitCode, rotated.stderr).toBe(3)
    expect(rotated.stderr).toMatch(/refused this machine's A2A token/)
    expect(deps.secrets.values.get('a2a/hermes/out')).toBe(TOKEN)
    expect(rotated.stderr).not.toContain(next)
  })

  it("peer add by URL without --a2a-token will not drop a foreign agent's A2A record", async () => {
    const {deps} = await added()
    const run = await runCommand(PeerAdd, [peer!.url, '--name', 'hermes', '--allow-insecure-url'], deps)
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(/hermes is a foreign A2A agent/)
    expect(deps.store.raw().peers.hermes.a2a).toMatchObject({kind: 'foreign'})
  })

  it('peer add will not turn a paired OpenClaw peer into a foreign one', async () => {
    peer = await startSdkPeer({token: TOKEN})
    const record = {
      name: 'hermes',
      url: 'http://100.64.0.9:18789',
      addedAt: '2026-12-01T00:00:00Z',
      source: 'invite' as const,
      messaging: false,
      a2a: {url: 'http://100.64.0.9:18789/a2a/v1', pairedBy: 'invite' as const, pairedAt: '2026-12-01T00:00:00Z'},
    }
    const deps = {
      store: createMemoryStateStore({peers: {hermes: record}}),
      secrets: createMemorySecretStore(),
      http: createFetchHttpClient(),
      platform: 'linux' as const,
    }
    const run = await runCommand(
      PeerAdd,
      [peer.url, '--name', 'hermes', '--a2a-token', `file:${await tokenFile()}`, '--allow-insecure-url'],
      deps,
    )
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(/already a claw-mesh peer/)
    expect(deps.store.raw().peers.hermes.a2a?.pairedBy).toBe('invite')
  })

  it('broadcast --wait gets its reply; an interrupted task is a failed row with the question and the ask --task line', async () => {
    const {deps} = await added()
    const run = await runCommand(Broadcast, ['artifact:all fine', '--wait', '--json'], deps)
    expect(run.exitCode, run.stdout + run.stderr).toBe(0)
    expect(run.json<{results: unknown[]}>().results).toEqual([
      expect.objectContaining({peer: 'hermes', status: 'answered', reply: 'all fine'}),
    ])
    const asked = await runCommand(Broadcast, ['input:Which one?', '--wait', '--json'], deps)
    expect(asked.exitCode).toBe(5)
    expect(asked.json<{results: unknown[]}>().results).toEqual([
      expect.objectContaining({
        status: 'failed',
        code: 'task-input-required',
        error: expect.stringMatching(
          /needs input: Which one\? \(answer: claw-mesh ask hermes --task [0-9a-f-]{36} "…"\)/,
        ),
      }),
    ])
  })

  it('peer add by the endpoint itself finds the card at its origin', async () => {
    peer = await startSdkPeer({token: TOKEN})
    const deps = {
      store: createMemoryStateStore({}),
      secrets: createMemorySecretStore(),
      http: createFetchHttpClient(),
      platform: 'linux' as const,
    }
    const run = await runCommand(
      PeerAdd,
      [peer.endpoint, '--name', 'hermes', '--a2a-token', `file:${await tokenFile()}`, '--allow-insecure-url'],
      deps,
    )
    expect(run.exitCode, run.stderr).toBe(0)
    expect(deps.store.raw().peers.hermes).toMatchObject({url: peer.url, a2a: {url: peer.endpoint}})
  })

  it('peer add refuses a token the agent refuses (exit 3), with its words, and saves nothing', async () => {
    peer = await startSdkPeer({token: TOKEN})
    const deps = {
      store: createMemoryStateStore({}),
      secrets: createMemorySecretStore(),
      http: createFetchHttpClient(),
      platform: 'linux' as const,
    }
    const wrong = 'a-wrong-token-0123456789abcdefgh'
    const run = await runCommand(
      PeerAdd,
      [peer.url, '--name', 'hermes', '--a2a-token', `file:${await tokenFile(wrong)}`, '--allow-insecure-url'],
      deps,
    )
    expect(run.exitCode).toBe(3)
    expect(run.stderr).toMatch(/hermes refused this machine's A2A token \(401\): "invalid or missing bearer token"/)
    expect(run.stderr).not.toMatch(/invite/)
    expect(run.stderr).not.toContain(wrong)
    expect(deps.store.raw().peers).toEqual({})
    expect(deps.secrets.values.size).toBe(0)
  })

  it("peer add will not send the token to another host a card names (the card is the other machine's word)", async () => {
    peer = await startSdkPeer({
      token: TOKEN,
      interfaces: [{url: 'http://127.0.0.2:9/rpc/v1', protocolBinding: 'JSONRPC', protocolVersion: '1.0'}],
    })
    const deps = {
      store: createMemoryStateStore({}),
      secrets: createMemorySecretStore(),
      http: createFetchHttpClient(),
      platform: 'linux' as const,
    }
    const run = await runCommand(
      PeerAdd,
      [peer.url, '--name', 'hermes', '--a2a-token', `file:${await tokenFile()}`, '--allow-insecure-url'],
      deps,
    )
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(/names an endpoint on another host \(127\.0\.0\.2:9\)/)
    expect(peer.requests.filter((r) => r.authorization)).toEqual([])
    expect(deps.store.raw().peers).toEqual({})
  })

  it('peer add refuses a loopback agent without --allow-insecure-url (the tailnet URL rules), sending nothing', async () => {
    peer = await startSdkPeer({token: TOKEN})
    const run = await runCommand(PeerAdd, [peer.url, '--name', 'hermes', '--a2a-token', `file:${await tokenFile()}`], {
      store: createMemoryStateStore({}),
      secrets: createMemorySecretStore(),
    })
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(/loopback address .*--allow-insecure-url/s)
    expect(peer.requests).toEqual([])
  })

  it.each<[string, string, string]>([
    ['an artifact', 'artifact:from the artifact', 'from the artifact\n'],
    ["a completed task's status.message", 'status:from the status', 'from the status\n'],
    ['a direct Message', 'message:a direct answer', 'a direct answer\n'],
    ['the default echo', 'hello', 'echo: hello\n'],
  ])('ask prints a reply given as %s (exit 0)', async (_t, text, reply) => {
    const {deps} = await added()
    const run = await runCommand(Ask, ['hermes', text], deps)
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.stdout).toBe(reply)
    expect(peer!.requests.every((r) => r.version === '1.0')).toBe(true)
  })

  it("OpenClaw's limits do not apply: a leading '/' reaches the agent", async () => {
    const {deps} = await added()
    const run = await runCommand(Ask, ['hermes', '/status'], deps)
    expect(run.exitCode, run.stderr).toBe(0)
    expect(peer!.received).toContain('/status')
  })

  it('an input-required task shows the question (exit 8); ask --task answers it and the same task completes', async () => {
    const {deps} = await added()
    const first = await runCommand(Ask, ['hermes', 'input:Which branch?', '--json'], deps)
    expect(first.exitCode).toBe(8)
    const r = first.json<{taskId: string; state: string; reason: string; interrupted: string; pending: boolean}>()
    expect(r).toMatchObject({
      state: 'TASK_STATE_INPUT_REQUIRED',
      reason: 'Which branch?',
      interrupted: 'input',
      pending: false,
    })
    const plain = await runCommand(Ask, ['hermes', 'input:Which host?'], deps)
    expect(plain.exitCode).toBe(8)
    expect(plain.stdout).toBe('Which host?\n')
    expect(plain.stderr).toMatch(/needs more input .*Answer it: claw-mesh ask hermes --task [0-9a-f-]{36} "…"/)
    const answer = await runCommand(Ask, ['hermes', 'main', '--task', r.taskId, '--json'], deps)
    expect(answer.exitCode, answer.stderr).toBe(0)
    expect(answer.json()).toMatchObject({taskId: r.taskId, state: 'TASK_STATE_COMPLETED', reply: 'answered: main'})
  })

  it('an auth-required task is shown as such (exit 8), not polled until the timeout', async () => {
    const {deps} = await added()
    const started = Date.now()
    const run = await runCommand(Ask, ['hermes', 'auth:Log in at https://example.test first', '--timeout', '30s'], deps)
    expect(run.exitCode).toBe(8)
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(run.stdout).toBe('Log in at https://example.test first\n')
    expect(run.stderr).toMatch(/needs authorization/)
  })

  it('a failed task exits 1 with its reason', async () => {
    const {deps} = await added()
    const run = await runCommand(Ask, ['hermes', 'fail:no disk space'], deps)
    expect(run.exitCode).toBe(1)
    expect(run.stderr).toMatch(/task .* failed: no disk space/)
  })

  it('a slow task: ask prints its id at the timeout (exit 7); task --wait fetches the answer', async () => {
    const {deps} = await added()
    const run = await runCommand(Ask, ['hermes', 'slow:1500', '--timeout', '400ms'], deps)
    expect(run.exitCode, run.stderr).toBe(7)
    const id = run.stdout.trim()
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    const later = await runCommand(Task, ['hermes', id, '--wait', '10s'], deps)
    expect(later.exitCode, later.stderr).toBe(0)
    expect(later.stdout).toBe('done after 1500 ms\n')
  })

  it('send returns the task id at once; task reads it', async () => {
    const {deps} = await added()
    const run = await runCommand(Send, ['hermes', 'slow:300'], deps)
    expect(run.exitCode, run.stderr).toBe(0)
    const id = run.stdout.trim()
    const later = await runCommand(Task, ['hermes', id, '--wait', '10s'], deps)
    expect(later.stdout).toBe('done after 300 ms\n')
  })

  it('send --wake to a foreign agent says it has no hooks (exit 2), not to add a hooks token', async () => {
    const {deps} = await added()
    const before = peer!.requests.length
    const run = await runCommand(Send, ['hermes', 'wake up', '--wake'], deps)
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(/hermes is a foreign A2A agent, not an OpenClaw gateway: it has no hooks/)
    expect(run.stderr).not.toMatch(/--hooks-token/)
    expect(peer!.requests.length).toBe(before)
  })

  it('task on an id the agent does not know: exit 2 with its words and a foreign hint', async () => {
    const {deps} = await added()
    const run = await runCommand(Task, ['hermes', 'no-such-task'], deps)
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(/hermes has no such task: "Task not found: no-such-task"/)
    expect(run.stderr).not.toMatch(/gateway/)
  })

  it.each<[string, number, Record<string, string>, string, RegExp, number]>([
    [
      '403',
      403,
      {},
      JSON.stringify({error: 'this client may not use hermes'}),
      /does not allow this call \(403\): "this client may not use hermes"/,
      3,
    ],
    [
      '429',
      429,
      {'retry-after': '9'},
      'Too many requests',
      /rate-limiting this machine: "Too many requests"[\s\S]*Wait 9 s/,
      1,
    ],
    [
      '503',
      503,
      {},
      JSON.stringify({error: {message: 'maintenance until 06:00'}}),
      /failed to handle the request \(HTTP 503\): "maintenance until 06:00"/,
      1,
    ],
  ])("maps HTTP %s with the peer's own message", async (_t, status, headers, body, message, exit) => {
    let gated = false
    const {deps} = await added({
      gate: (req, res) => gated && req.method === 'POST' && (res.status(status).set(headers).send(body), true),
    })
    gated = true
    const run = await runCommand(Ask, ['hermes', 'hi', '--timeout', '2s'], deps)
    expect(run.exitCode).toBe(exit)
    expect(run.stderr).toMatch(message)
  })

  it("an agent that refuses A2A 1.0 (the SDK's VersionNotSupported, -32009) is named so with its own words (exit 3)", async () => {
    peer = await startSdkPeer({
      token: TOKEN,
      interfaces: [{url: '{path}', protocolBinding: 'JSONRPC', protocolVersion: '2.0'}],
    })
    const record = {
      name: 'hermes',
      url: peer.url,
      addedAt: '2026-12-01T00:00:00Z',
      source: 'url' as const,
      messaging: false,
      a2a: {url: peer.endpoint, pairedBy: 'token' as const, kind: 'foreign' as const, pairedAt: '2026-12-01T00:00:00Z'},
    }
    const deps = {
      store: createMemoryStateStore({peers: {hermes: record}}),
      secrets: createMemorySecretStore({'a2a/hermes/out': TOKEN}),
      http: createFetchHttpClient(),
      platform: 'linux' as const,
    }
    const run = await runCommand(Ask, ['hermes', 'hi'], deps)
    expect(run.exitCode).toBe(3)
    expect(run.stderr).toMatch(
      /hermes does not speak A2A 1\.0 \(VersionNotSupported, -32009\): "The requested A2A protocol version '1\.0' is not supported\. Supported versions: 2\.0"/,
    )
    expect(run.stderr).not.toMatch(/peer check|invite/)
  })

  it('peer list and peer check show a foreign agent and check it the A2A way (card + token), not /healthz', async () => {
    const {deps} = await added()
    const list = await runCommand(PeerList, [], deps)
    expect(list.stdout).toMatch(/hermes\s+-\s+http:\/\/127\.0\.0\.1:\d+\s+a2a \(foreign\)/)
    const before = peer!.requests.length
    const check = await runCommand(PeerCheck, ['hermes', '--timeout', '2s', '--json'], deps)
    expect(check.exitCode, check.stdout + check.stderr).toBe(0)
    const r = check.json<{
      peers: Array<{status: string; kind: string; probes: Record<string, {status: string; detail: string}>}>
    }>().peers[0]
    expect(r).toMatchObject({status: 'ok', kind: 'foreign'})
    expect(r.probes.agentCard).toMatchObject({status: 'ok', detail: expect.stringMatching(/^hermes 1\.3\.0/)})
    expect(r.probes.a2a).toMatchObject({status: 'ok', detail: 'our token accepted'})
    expect(r.probes.healthz.status).toBe('skip')
    const paths = peer!.requests.slice(before).map((q) => q.path)
    expect(paths).not.toContain('/healthz')
    expect(paths).not.toContain('/hooks/wake')
  })

  it('peer check names a refused token as such', async () => {
    const {deps} = await added()
    deps.secrets.values.set('a2a/hermes/out', 'a-stale-token-0123456789abcdefgh')
    const check = await runCommand(PeerCheck, ['hermes', '--timeout', '2s'], deps)
    expect(check.exitCode).toBe(5)
    expect(check.stdout + check.stderr).toMatch(/our token refused \(401/)
    expect(check.stdout + check.stderr).toMatch(/--a2a-token file:PATH/)
  })
})
