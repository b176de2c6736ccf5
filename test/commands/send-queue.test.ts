import {existsSync, readFileSync, readdirSync, statSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import Send from '../../src/commands/send.js'
import {parseAuditLines, type OutboxSummaryFile} from '../../src/core/mesh/mesh-audit.js'
import {parseEnqueueRequest} from '../../src/core/a2a/send-queue.js'
import {createFetchHttpClient} from '../../src/infra/http.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import type {PluginApi} from '../../src/plugin/host.js'
import {tick} from '../../src/plugin/service.js'
import {startFakePeer, type FakePeer} from '../helpers/fake-peer.js'
import {freePort} from '../helpers/openclaw.js'
import {runCommand} from '../helpers/run-command.js'
import {tempDir} from '../helpers/fakes/index.js'

/**
 * `claw-mesh send` to a peer that is away: queued through the mesh plugin's outbox (the request file the plugin's
 * own service picks up, driven here tick by tick), or failed at once where queueing would be wrong.
 */
const TOKEN = 'nova-to-clawd-a2a-token-0123456789abcdef'
let fake: FakePeer | undefined
afterEach(async () => {
  await fake?.close()
  fake = undefined
})

/** This host: claw-mesh's state dir, with the plugin's outbox summary as a running plugin leaves it. */
function host(opts: {summaryAt?: string | null; inGateway?: boolean} = {}) {
  const home = tempDir('send-queue-home').path
  if (opts.summaryAt !== null) {
    const summary: OutboxSummaryFile = {
      updatedAt: opts.summaryAt ?? new Date().toISOString(),
      queued: 0,
      awaitingReply: 0,
      dead: 0,
      backend: 'file',
      items: [],
    }
    writeFileSync(path.join(home, 'mesh-outbox.json'), JSON.stringify(summary))
  }
  return home
}

async function send(argv: string[], home: string, port: number, opts: {inGateway?: boolean} = {}) {
  const url = `http://127.0.0.1:${port}/a2a/v1`
  const store = createMemoryStateStore({
    identity: 'nova',
    gateway: {a2aPeers: opts.inGateway === false ? [] : ['clawd']},
    peers: {
      clawd: {
        name: 'clawd',
        url: `http://127.0.0.1:${port}`,
        addedAt: '2026-12-01T00:00:00Z',
        source: 'invite',
        messaging: false,
        a2a: {url, pairedBy: 'invite', pairedAt: '2026-12-01T00:00:00Z'},
      },
    },
  })
  const secrets = createMemorySecretStore({
    'a2a/clawd/out': TOKEN,
    'gateway-token': 'this-hosts-gateway-token-0123456789abcdef',
  })
  return runCommand(Send, argv, {
    store,
    secrets,
    http: createFetchHttpClient(),
    env: {CLAW_MESH_HOME: home},
    platform: 'linux',
  })
}

const requests = (home: string) =>
  existsSync(path.join(home, 'mesh-outbox-requests')) ? readdirSync(path.join(home, 'mesh-outbox-requests')) : []

describe('claw-mesh send to a peer that is away', () => {
  it('queues (exit 10, the id on stdout); the plugin delivers it once, under the same id, when the peer is back', async () => {
    const home = host()
    const port = await freePort()
    const run = await send(['clawd', 'nightly backup finished'], home, port)
    expect(run.exitCode, run.stderr).toBe(10)
    const id = run.stdout.trim()
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    expect(run.stderr).toContain(`Queued for clawd: it is away now (connection refused`)
    expect(run.stderr).toContain('claw-mesh outbox list --all')
    const dir = path.join(home, 'mesh-outbox-requests')
    expect(readdirSync(dir)).toEqual([`enqueue-${id}`])
    expect(statSync(dir).mode & 0o777).toBe(0o700)
    expect(statSync(path.join(dir, `enqueue-${id}`)).mode & 0o777).toBe(0o600)
    // Nothing half-written is left beside it.
    expect(readdirSync(home).filter((n) => n.endsWith('.tmp'))).toEqual([])
    const parsed = parseEnqueueRequest(`enqueue-${id}`, readFileSync(path.join(dir, `enqueue-${id}`), 'utf8'))
    expect(parsed).toMatchObject({
      ok: true,
      request: {id, peer: 'clawd', text: 'nightly backup finished', ttlMs: 24 * 3_600_000},
    })
    const thread = (parsed as {request: {contextId: string}}).request.contextId

    // The plugin on this host: its audit dir is claw-mesh's state dir, where the request waits.
    const config = {
      channels: {
        a2a: {
          enabled: true,
          peers: {clawd: {token: 'in-token-0123456789', url: `http://127.0.0.1:${port}/a2a/v1`, outboundToken: TOKEN}},
        },
      },
    }
    const events: unknown[] = []
    const api: PluginApi = {
      pluginConfig: {auditDir: home},
      registerTool() {},
      registerService() {},
      runtime: {
        config: {current: () => config},
        state: {resolveStateDir: () => home},
        system: {enqueueSystemEvent: (t) => events.push(t), requestHeartbeat: () => undefined},
      },
    }
    let clock = Date.now()
    await tick(api, () => clock)
    expect(requests(home)).toEqual([])
    const summary = () => JSON.parse(readFileSync(path.join(home, 'mesh-outbox.json'), 'utf8')) as OutboxSummaryFile
    expect(summary().items).toMatchObject([{id, peer: 'clawd', kind: 'send', state: 'queued', thread, source: 'cli'}])

    fake = await startFakePeer({port, a2a: {peers: {nova: TOKEN}, replyMs: 20, rateLimitPerMinute: 0}})
    for (let i = 0; i < 20 && summary().items?.[0]?.state !== 'answered'; i++) {
      clock += 5000
      await tick(api, () => clock)
      await new Promise((r) => setTimeout(r, 50))
    }
    // Exactly once, under the CLI's message id and thread: had the CLI's own attempt reached the peer, it would drop this one.
    expect(fake.a2a!.messages.map((m) => [m.text, m.messageId, m.contextId])).toEqual([
      ['nightly backup finished', id, thread],
    ])
    expect(summary().items?.[0]).toMatchObject({id, state: 'answered', taskId: expect.any(String)})
    // No session asked: nobody is woken; the answer stays in the outbox and the log.
    expect(events).toEqual([])
    const log = parseAuditLines(readFileSync(path.join(home, 'mesh-audit.jsonl'), 'utf8')).filter((r) => r.id === id)
    expect(log.map((r) => r.event)).toEqual(['queued', 'sent', 'answered'])
    // A request applied twice (a crash between recording and removing it) makes no second record.
    writeFileSync(path.join(dir, `enqueue-${id}`), JSON.stringify((parsed as {request: unknown}).request))
    clock += 5000
    await tick(api, () => clock)
    expect(summary().items?.filter((i) => i.id === id)).toHaveLength(1)
    expect(fake.a2a!.messages).toHaveLength(1)
  })

  it('a peer that took the message but never answered (timeout): queued under the id and thread the peer already saw', async () => {
    // A peer that reads the request and then says nothing: the CLI cannot know whether its agent got the message.
    const seen: Array<{messageId: string; contextId: string}> = []
    const server = http.createServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        const m = (JSON.parse(body) as {params: {message: {messageId: string; contextId: string}}}).params.message
        seen.push({messageId: m.messageId, contextId: m.contextId})
      })
      res.on('close', () => undefined)
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    try {
      const home = host()
      const run = await send(
        ['clawd', 'did you get this?', '--timeout', '500ms'],
        home,
        (server.address() as AddressInfo).port,
      )
      expect(run.exitCode, run.stderr).toBe(10)
      expect(run.stderr).toContain('no answer before the timeout')
      const id = run.stdout.trim()
      const parsed = parseEnqueueRequest(
        `enqueue-${id}`,
        readFileSync(path.join(home, 'mesh-outbox-requests', `enqueue-${id}`), 'utf8'),
      )
      // The retry the plugin makes is the same message: the peer's duplicate filter drops it if the first one arrived.
      expect(seen).toEqual([{messageId: id, contextId: (parsed as {request: {contextId: string}}).request.contextId}])
    } finally {
      server.closeAllConnections()
      await new Promise((r) => server.close(r))
    }
  })

  it('--json: ok (send did what was asked), queued, the id; exit 10', async () => {
    const run = await send(['clawd', 'hello', '--json', '--ttl', '2h'], host(), await freePort())
    expect(run.exitCode).toBe(10)
    expect(run.json()).toMatchObject({
      ok: true,
      via: 'a2a',
      queued: true,
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      peer: 'clawd',
      reason: expect.stringContaining('refused'),
    })
  })

  it.each<[string, string[], {summaryAt?: string | null; inGateway?: boolean}, number, RegExp]>([
    ['--no-queue', ['clawd', 'hi', '--no-queue'], {}, 1, /clawd's gateway is unreachable/],
    ['--wait (an answer was asked for)', ['clawd', 'hi', '--wait', '--timeout', '2s'], {}, 1, /unreachable/],
    [
      'the plugin never ran here',
      ['clawd', 'hi'],
      {summaryAt: null},
      1,
      /Not queued: claw-mesh's OpenClaw plugin has never reported its outbox[\s\S]*doctor --fix/,
    ],
    [
      'the plugin stopped reporting',
      ['clawd', 'hi'],
      {summaryAt: '2026-01-01T00:00:00Z'},
      1,
      /Not queued: the mesh plugin last reported its outbox at 2026-01-01/,
    ],
    [
      'a peer the gateway does not know',
      ['clawd', 'hi'],
      {inGateway: false},
      1,
      /Not queued: clawd is not among this gateway's A2A peers/,
    ],
    [
      'a message over the plugin cap',
      ['clawd', 'x'.repeat(40_000)],
      {},
      1,
      /Not queued: the message does not pass the mesh plugin's outbound check \(the message is 40000 bytes/,
    ],
    [
      "a message with one of this host's secrets",
      ['clawd', 'cfg this-hosts-gateway-token-0123456789abcdef'],
      {},
      2,
      /contains .*nothing was sent/,
    ],
    ['a --ttl out of range', ['clawd', 'hi', '--ttl', '30s'], {}, 2, /--ttl 30s is out of range/],
  ])('does not queue with %s', async (_what, argv, h, code, message) => {
    const home = host(h)
    const run = await send(argv, home, await freePort(), {inGateway: h.inGateway})
    expect(run.exitCode, run.stderr).toBe(code)
    expect(run.stderr).toMatch(message)
    expect(requests(home)).toEqual([])
  })

  it('does not queue what the peer refused: a token it does not accept fails at once (exit 3)', async () => {
    fake = await startFakePeer({a2a: {peers: {nova: 'another-token-0123456789abcdef'}}})
    const home = host()
    const run = await send(['clawd', 'hi'], home, fake.port)
    expect(run.exitCode).toBe(3)
    expect(run.stderr).toMatch(/refused this machine's A2A token \(401\)/)
    expect(requests(home)).toEqual([])
  })

  it('a peer that is there gets it directly (exit 0), nothing queued', async () => {
    fake = await startFakePeer({a2a: {peers: {nova: TOKEN}, replyMs: 20}})
    const home = host()
    const run = await send(['clawd', 'hi'], home, fake.port)
    expect(run.exitCode, run.stderr).toBe(0)
    expect(requests(home)).toEqual([])
  })
})
