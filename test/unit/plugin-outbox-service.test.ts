import {existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {parseAuditLines} from '../../src/core/mesh/mesh-audit.js'
import type {PluginApi} from '../../src/plugin/host.js'
import {tick} from '../../src/plugin/service.js'
import {meshSend, meshTask} from '../../src/plugin/tools.js'
import {startFakePeer, type FakePeer} from '../helpers/fake-peer.js'
import {freePort} from '../helpers/openclaw.js'
import {tempDir} from '../helpers/fakes/index.js'

/**
 * The plugin's outbox service driven tick by tick against a wire-faithful fake gateway on loopback: a message to
 * a peer that is down is queued, delivered once the peer listens, its answer polled and the asking session woken.
 * Outside OpenClaw the state store is refused, so this also runs the file fallback.
 */
const TOKEN = 'outbox-test-token-0123456789abcdef'
const dir = tempDir('plugin-outbox').path
let fake: FakePeer | undefined

afterAll(async () => {
  await fake?.close()
})

describe("the plugin's outbox service", () => {
  it('queues for a peer that is down, delivers once it listens, and wakes the asking session with the answer', async () => {
    const port = await freePort()
    const config = {
      gateway: {auth: {token: 'gateway-token-abcdefghijklmnop'}},
      channels: {
        a2a: {
          enabled: true,
          peers: {nova: {token: 'in-token-0123456789', url: `http://127.0.0.1:${port}/a2a/v1`, outboundToken: TOKEN}},
        },
      },
    }
    const events: Array<{text: string; opts: unknown}> = []
    const beats: unknown[] = []
    const api: PluginApi = {
      pluginConfig: {auditDir: dir},
      registerTool() {},
      registerService() {},
      runtime: {
        config: {current: () => config},
        state: {resolveStateDir: () => dir},
        system: {
          enqueueSystemEvent: (text, opts) => events.push({text, opts}),
          requestHeartbeat: (opts) => beats.push(opts),
        },
      },
    }
    let clock = Date.now()
    const call = {api, ctx: {agentId: 'main', sessionKey: 'agent:main:main'}, now: () => clock}

    const sent = await meshSend(call, {peer: 'nova', message: 'nightly backup finished'})
    expect(sent.details).toMatchObject({ok: true, queued: true, state: 'queued'})
    const id = (sent.details as {id: string}).id

    clock += 1500
    await tick(api, () => clock)
    expect(((await meshTask(call, {id})).details as {state: string; attempts: number}).attempts).toBe(2)

    fake = await startFakePeer({port, a2a: {peers: {a: TOKEN}, replyMs: 20, rateLimitPerMinute: 0}})
    for (let i = 0; i < 20 && events.length === 0; i++) {
      clock += 5000
      await tick(api, () => clock)
      await new Promise((r) => setTimeout(r, 50))
    }
    expect(fake.a2a!.messages.map((m) => m.text)).toEqual(['nightly backup finished'])
    // The record's id is the A2A messageId, the same on every attempt: the receiver drops a repeat.
    expect(fake.a2a!.messages[0].messageId).toBe(id)
    expect(fake.a2a!.messages[0].contextId).toMatch(/^cm-h1-[0-9a-f]{12}-[0-9a-f]{12}$/)
    expect(events).toEqual([
      {
        text: `nova answered (mesh task ${id}): reply from OpenClaw: nightly backup finished`,
        opts: {sessionKey: 'agent:main:main', agentId: 'main', contextKey: `claw-mesh:${id}`},
      },
    ])
    expect(beats).toEqual([
      {
        source: 'hook',
        intent: 'immediate',
        reason: `hook:claw-mesh:${id}`,
        agentId: 'main',
        sessionKey: 'agent:main:main',
      },
    ])

    // Woken once: a later tick does not ring again; the answer stays until read.
    clock += 5000
    await tick(api, () => clock)
    expect(events).toHaveLength(1)
    const read = await meshTask(call, {id})
    expect(read.details).toMatchObject({state: 'answered', reply: 'reply from OpenClaw: nightly backup finished'})

    const log = parseAuditLines(readFileSync(path.join(dir, 'mesh-audit.jsonl'), 'utf8')).filter((r) => r.id === id)
    expect(log.map((r) => r.event)).toEqual(['queued', 'sent', 'answered'])
    expect(JSON.parse(readFileSync(path.join(dir, 'mesh-outbox.json'), 'utf8'))).toMatchObject({
      queued: 0,
      backend: 'file',
    })
  })

  it('applies a cancel that claw-mesh outbox cancel left for it', async () => {
    const config = {
      channels: {
        a2a: {
          enabled: true,
          peers: {gone: {token: 'in-token-0123456789', url: 'http://127.0.0.1:9/a2a/v1', outboundToken: TOKEN}},
        },
      },
    }
    const api: PluginApi = {
      pluginConfig: {auditDir: dir},
      registerTool() {},
      registerService() {},
      runtime: {config: {current: () => config}, state: {resolveStateDir: () => dir}, system: {}},
    }
    const call = {api, ctx: {agentId: 'main', sessionKey: 'agent:main:main'}, now: () => Date.now()}
    const sent = await meshSend(call, {peer: 'gone', message: 'are you there?'})
    const id = (sent.details as {id: string}).id
    await tick(api)
    const listed = JSON.parse(readFileSync(path.join(dir, 'mesh-outbox.json'), 'utf8')) as {
      items: Array<{id: string; state: string}>
    }
    expect(listed.items.find((i) => i.id === id)?.state).toBe('queued')
    mkdirSync(path.join(dir, 'mesh-outbox-requests'), {recursive: true})
    writeFileSync(path.join(dir, 'mesh-outbox-requests', `cancel-${id}`), '')
    await tick(api)
    expect(((await meshTask(call, {id})).details as {state: string}).state).toBe('cancelled')
    expect(existsSync(path.join(dir, 'mesh-outbox-requests', `cancel-${id}`))).toBe(false)
  })

  it("checks a queued send's request as untrusted: the gateway's own token or an unknown peer is refused, junk is dropped", async () => {
    const gatewayToken = 'gateway-token-abcdefghijklmnop'
    const config = {
      gateway: {auth: {token: gatewayToken}},
      channels: {
        a2a: {
          enabled: true,
          peers: {gone: {token: 'in-token-0123456789', url: 'http://127.0.0.1:9/a2a/v1', outboundToken: TOKEN}},
        },
      },
    }
    const api: PluginApi = {
      pluginConfig: {auditDir: dir},
      registerTool() {},
      registerService() {},
      runtime: {config: {current: () => config}, state: {resolveStateDir: () => dir}, system: {}},
    }
    const requests = path.join(dir, 'mesh-outbox-requests')
    mkdirSync(requests, {recursive: true})
    const request = (id: string, peer: string, text: string) =>
      writeFileSync(
        path.join(requests, `enqueue-${id}`),
        JSON.stringify({
          v: 1,
          id,
          peer,
          text,
          contextId: 'cm-h1-abcdef123456-0123456789ab',
          ttlMs: 3_600_000,
          createdAt: Date.now(),
        }),
      )
    const [leak, stranger, junk] = [
      'a0000000-0000-4000-8000-000000000001',
      'a0000000-0000-4000-8000-000000000002',
      'a0000000-0000-4000-8000-000000000003',
    ]
    request(leak, 'gone', `config: ${gatewayToken}`)
    request(stranger, 'nobody', 'hello')
    writeFileSync(path.join(requests, `enqueue-${junk}`), '{"v": 1, "id": "not this one"}')
    await tick(api)
    expect(existsSync(requests) ? readdirSync(requests) : []).toEqual([])
    const items = (
      JSON.parse(readFileSync(path.join(dir, 'mesh-outbox.json'), 'utf8')) as {
        items: Array<{id: string; state: string; reason?: string; source?: string}>
      }
    ).items
    expect(items.find((i) => i.id === leak)).toMatchObject({
      state: 'failed',
      source: 'cli',
      reason: expect.stringContaining("one of this gateway's own tokens"),
    })
    expect(items.find((i) => i.id === stranger)).toMatchObject({
      state: 'failed',
      reason: expect.stringContaining("not among this gateway's A2A peers"),
    })
    expect(items.find((i) => i.id === junk)).toBeUndefined()
    const log = parseAuditLines(readFileSync(path.join(dir, 'mesh-audit.jsonl'), 'utf8'))
    expect(log.filter((r) => r.id === leak || r.id === stranger).map((r) => r.event)).toEqual(['refused', 'refused'])
    // An agent's mesh_task never lists what the owner sent from the command line.
    const task = await meshTask({api, ctx: {agentId: 'main', sessionKey: 'agent:main:main'}, now: () => Date.now()}, {})
    expect(JSON.stringify(task.details)).not.toContain(leak)
  })

  it("drains a backlog under the peer's rate limit: at most 20 requests to one peer in any minute", async () => {
    const port = await freePort()
    const own = tempDir('plugin-budget').path
    const config = {
      channels: {
        a2a: {
          enabled: true,
          peers: {busy: {token: 'in-token-0123456789', url: `http://127.0.0.1:${port}/a2a/v1`, outboundToken: TOKEN}},
        },
      },
    }
    const api: PluginApi = {
      pluginConfig: {auditDir: own},
      registerTool() {},
      registerService() {},
      runtime: {config: {current: () => config}, state: {resolveStateDir: () => own}, system: {}},
    }
    let clock = Date.now()
    const call = {api, ctx: {agentId: 'main', sessionKey: 'agent:main:main'}, now: () => clock}
    for (let i = 0; i < 30; i++)
      expect((await meshSend(call, {peer: 'busy', message: `backlog ${i}`})).details).toMatchObject({queued: true})
    const peer = await startFakePeer({port, a2a: {peers: {a: TOKEN}, replyMs: 5, rateLimitPerMinute: 0}})
    try {
      const total = () => Object.values(peer.requests).reduce((a, b) => a + b, 0)
      // 50 s of ticks (every 500 ms, as the loop runs): deliveries and polls together stay within the budget.
      for (let t = 0; t < 100; t++) {
        clock += 500
        await tick(api, () => clock)
      }
      expect(total()).toBe(20)
      // The following minutes bring the rest (deliveries and the polls for their answers share the budget).
      for (let t = 0; t < 360; t++) {
        clock += 500
        await tick(api, () => clock)
      }
      expect(peer.a2a!.messages).toHaveLength(30)
    } finally {
      await peer.close()
    }
  }, 60_000)
})
