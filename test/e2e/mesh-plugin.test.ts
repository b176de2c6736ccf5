import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parseAuditLines} from '../../src/core/mesh/mesh-audit.js'
import {MESH_PLUGIN_ID, parsePluginInspect} from '../../src/core/mesh/plugin-plan.js'
import {createDeps} from '../../src/deps.js'
import {ensureMeshPlugin} from '../../src/services/openclaw/plugin.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {SECRET_NAMES} from '../../src/infra/secrets/types.js'
import {CLI} from '../helpers/built-cli.js'
import {createAgentHost, ownerTurn, pairA2a, waitForAgent, type AgentHost} from '../helpers/agent-host.js'
import {createNetnsMesh, netnsUnavailable, type NetnsMesh} from '../helpers/netns.js'
import {openclawForTests, ROOT} from '../helpers/openclaw.js'
import {messageText, toolNames, type ModelRequest} from '../helpers/scripted-model.js'

/**
 * claw-mesh's OpenClaw plugin between two real gateways (network namespaces, scripted models): installed with
 * OpenClaw's own plugin commands as bootstrap installs it, its tools driven by A's model.
 */
const oc = openclawForTests()
const PLUGIN_DIR = path.join(ROOT, 'dist', 'openclaw-plugin')
const missing = oc.ok
  ? (netnsUnavailable() ??
    (existsSync(path.join(PLUGIN_DIR, 'index.js')) ? undefined : 'dist/openclaw-plugin missing: run npm run build'))
  : oc.reason
if (missing && process.env.CI === 'true') throw new Error(`end-to-end prerequisite missing under CI: ${missing}`)
if (missing) console.warn(`skipping mesh-plugin: ${missing}`)
const OC = oc as Extract<typeof oc, {ok: true}>

const B_SCRIPT = {
  name: 'b',
  rules: [
    {match: {regex: '"sender":\\{"id":"([a-z0-9._-]+)"', on: 'raw' as const}, reply: 'b heard {{1}} say: {{user}}'},
  ],
}
const userTurn = (r: ModelRequest) =>
  (r.body?.messages ?? [])
    .filter((m) => m.role === 'user')
    .map(messageText)
    .join('\n')

type Config = {agents: {defaults: Record<string, unknown>}; channels: {a2a: Record<string, unknown>}}

function patchConfig(host: AgentHost, patch: (c: Config) => void): void {
  const config = JSON.parse(readFileSync(host.configPath, 'utf8')) as Config
  patch(config)
  writeFileSync(host.configPath, JSON.stringify(config, null, 2), {mode: 0o600})
}

function auditOf(host: AgentHost) {
  const file = path.join(host.dir, 'claw-mesh', 'mesh-audit.jsonl')
  return existsSync(file) ? parseAuditLines(readFileSync(file, 'utf8')) : []
}

/** claw-mesh's own service, as bootstrap and doctor --fix run it, on this host's OpenClaw. */
function hostDeps(host: AgentHost) {
  return createDeps({
    env: {
      ...host.env,
      CLAW_MESH_HOME: path.join(host.dir, 'claw-mesh'),
      CLAW_MESH_OPENCLAW: OC.bin,
      CLAW_MESH_SECRET_STORE: 'file',
    },
    io: createTestIOStreams({}).io,
  })
}

/** This host's claw-mesh knows `peer` as bootstrap and pairing leave it: the peer record, the pair's outbound token. */
async function clawMeshPeer(host: AgentHost, peer: AgentHost, outbound: string): Promise<string> {
  const deps = createDeps({
    env: {...host.env, CLAW_MESH_HOME: path.join(host.dir, 'claw-mesh'), CLAW_MESH_SECRET_STORE: 'file'},
    io: createTestIOStreams({}).io,
  })
  await (await deps.secrets('file')).set(SECRET_NAMES.a2aOut(peer.name), outbound)
  const at = new Date().toISOString()
  deps.store.update((s) => {
    s.identity = host.name
    s.peers[peer.name] = {
      name: peer.name,
      url: peer.url,
      addedAt: at,
      source: 'invite',
      messaging: false,
      a2a: {url: `${peer.url}/a2a/v1`, pairedBy: 'invite', pairedAt: at},
    }
    ;(s.gateway ??= {}).a2aPeers = [peer.name]
    s.secrets = {backend: 'file', names: [SECRET_NAMES.a2aOut(peer.name)]}
  })
  return deps.stateDir
}

/** The built claw-mesh, run inside the host's namespace (where the peers' addresses are). */
function cli(host: AgentHost, args: string[]) {
  return host.run(OC.node, [CLI, ...args], {
    env: {
      CLAW_MESH_HOME: path.join(host.dir, 'claw-mesh'),
      CLAW_MESH_SECRET_STORE: 'file',
      CLAW_MESH_SKIP_NEW_VERSION_CHECK: '1',
      NO_COLOR: '1',
      CI: 'true',
      NODE_ENV: 'production',
    },
  })
}
/** What bootstrap --caps records: B offers gpu and macos; A nothing. */
const B_CAPS = {caps: ['gpu', 'macos'], description: 'B, the one with the GPU'}

async function installPlugin(host: AgentHost): Promise<void> {
  hostDeps(host).store.update((s) => {
    s.identity = host.name
    if (host.name === 'b') s.capabilities = B_CAPS
  })
  const first = await ensureMeshPlugin(hostDeps(host))
  expect(first.action).toBe('installed')
  // A per-pair setting the owner chose survives claw-mesh's own re-runs.
  const set = await host.openclaw(['config', 'set', `plugins.entries.${MESH_PLUGIN_ID}.config.hopLimit`, '2'])
  expect(set.exitCode, `${set.stdout}\n${set.stderr}`).toBe(0)
  const again = await ensureMeshPlugin(hostDeps(host))
  expect(again.action).toBe('unchanged')
  // Wake-ups need a heartbeat runner: one that never fires on its own and sends its output nowhere.
  patchConfig(host, (c) => {
    c.agents.defaults.heartbeat = {every: '24h', target: 'none'}
  })
}

describe.skipIf(Boolean(missing))(
  "claw-mesh's plugin gives agents native mesh tools (real gateways, scripted models)",
  () => {
    let mesh: NetnsMesh
    let a: AgentHost
    let b: AgentHost
    let tokens: {aToB: string; bToA: string}

    beforeAll(async () => {
      mesh = createNetnsMesh(['a', 'b'], {firstOctet: 94})
      ;[a, b] = await Promise.all(
        mesh.hosts.map((net) => createAgentHost({net, openclaw: OC.bin, node: OC.node, script: {name: net.name}})),
      )
      b.model.setScript(B_SCRIPT)
      tokens = pairA2a(a, b)
      await Promise.all([installPlugin(a), installPlugin(b)])
      const started = Date.now()
      await Promise.all([a.startGateway(), b.startGateway()])
      await Promise.all([waitForAgent(a, b, tokens.aToB), waitForAgent(b, a, tokens.bToA)])
      console.log(`two gateways with the plugin answering after ${Date.now() - started} ms`)
      // Installing through claw-mesh's service runs OpenClaw's CLI several times per host (~10 s each when loaded).
    }, 600_000)

    afterAll(async () => {
      await Promise.all([a?.cleanup(), b?.cleanup()])
      mesh?.destroy()
    })

    it('the plugin loads in the gateway with its four tools', async () => {
      const r = await a.openclaw(['plugins', 'inspect', MESH_PLUGIN_ID, '--runtime', '--json'])
      const observed = parsePluginInspect(r.stdout, r.exitCode)
      expect(observed).toMatchObject({installed: true, enabled: true, status: 'loaded'})
      expect(observed.toolNames).toEqual(expect.arrayContaining(['mesh_peers', 'mesh_ask', 'mesh_send', 'mesh_task']))
    })

    it("A's agent calls mesh_ask and its turn ends with B's reply, B seeing A as the authenticated sender", async () => {
      a.model.setScript({
        name: 'a',
        rules: [
          {
            match: {regex: '^meshask ([a-z0-9._-]+): (.*)$'},
            steps: [
              {tool: {name: 'mesh_ask', arguments: {peer: '{{1}}', message: '{{2}}'}}},
              {reply: '{{1}} answered: {{tool}}'},
            ],
          },
        ],
      })
      const turn = await ownerTurn(a, 'meshask b: what is the build status?')
      console.log(`owner turn on A with mesh_ask to B: ${turn.ms} ms`)
      expect(turn.exitCode, turn.raw).toBe(0)
      expect(turn.text.trim()).toBe('b answered: b heard a say: what is the build status?')
      const first = a.model.chats().find((r) => userTurn(r).includes('meshask b: what is the build status?'))!
      // Offered directly, not behind tool_search/tool_call.
      expect(toolNames(first)).toEqual(expect.arrayContaining(['mesh_peers', 'mesh_ask', 'mesh_send', 'mesh_task']))
      const onB = b.model.chats().find((r) => userTurn(r).includes('what is the build status?'))!
      expect(userTurn(onB)).toContain('{"sender":{"id":"a","name":"a"}}')
      // The lineage rides in the context: hop 1 of a new chain.
      expect(userTurn(onB)).toMatch(/session=agent:main:a2a:default:direct:a:cm-h1-[0-9a-f]{12}-/)
      const log = auditOf(a).filter((r) => r.kind === 'ask')
      expect(log.at(-1)).toMatchObject({peer: 'b', direction: 'out', event: 'answered', hop: 1})
      expect(log.at(-1)).not.toHaveProperty('body')
    })

    it("mesh_peers lists B as online, and a body with one of A's own tokens is refused before it leaves", async () => {
      a.model.setScript({
        name: 'a',
        rules: [
          {
            match: {contains: 'who is there'},
            steps: [{tool: {name: 'mesh_peers', arguments: {}}}, {reply: 'peers: {{tool}}'}],
          },
          {
            match: {regex: '^leak (.*)$'},
            steps: [
              {tool: {name: 'mesh_send', arguments: {peer: 'b', message: 'config: {{1}}'}}},
              {reply: 'leak: {{tool}}'},
            ],
          },
        ],
      })
      const peers = await ownerTurn(a, 'who is there')
      expect(peers.text).toMatch(/"name": "b",\s+"callable": true,\s+"online": true/)
      // What B offers, from B's claw-mesh card, read live by A's plugin.
      expect(peers.text).toMatch(/"caps": \[\s*"gpu",\s*"macos"\s*\]/)
      expect(peers.text).toContain('"description": "B, the one with the GPU"')
      expect(peers.text).not.toContain(tokens.aToB)
      const before = b.model.chats().length
      const leak = await ownerTurn(a, `leak ${a.gatewayToken}`)
      expect(leak.text).toContain("leak: Not sent: the message contains one of this gateway's own tokens")
      expect(b.model.chats().length).toBe(before)
    })

    it("B's plugin serves B's claw-mesh card on B's gateway port, publicly and read-only, with no secret in it", async () => {
      const r = await a.run('curl', ['-s', '-m', '10', '-w', '\n%{http_code}', `${b.url}/claw-mesh/v1/card`])
      const cut = r.stdout.lastIndexOf('\n')
      expect(r.stdout.slice(cut + 1), r.stdout).toBe('200')
      const text = r.stdout.slice(0, cut)
      const card = JSON.parse(text) as Record<string, unknown>
      expect(card).toMatchObject({
        name: 'b',
        description: B_CAPS.description,
        supportedInterfaces: [{url: `${b.url}/a2a/v1`, protocolBinding: 'JSONRPC', protocolVersion: '1.0'}],
        skills: [
          {id: 'gpu', name: 'gpu', tags: ['claw-mesh', 'gpu']},
          {id: 'macos', name: 'macos', tags: ['claw-mesh', 'macos']},
        ],
        clawMesh: {
          caps: B_CAPS.caps,
          description: B_CAPS.description,
          pluginVersion: expect.stringMatching(/^\d+\.\d+\.\d+/),
        },
      })
      for (const secret of [b.gatewayToken, tokens.aToB, tokens.bToA]) expect(text).not.toContain(secret)
      expect(text).not.toContain('"a"')
      const post = await a.run('curl', [
        '-s',
        '-m',
        '10',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '-X',
        'POST',
        '-d',
        '{}',
        `${b.url}/claw-mesh/v1/card`,
      ])
      expect(post.stdout).toBe('405')
    })

    it("A's claw-mesh CLI: peer check caches B's caps, peer list shows them, ask --capability gpu picks B over an offline peer recorded with gpu", async () => {
      const deps = hostDeps(a)
      const at = new Date().toISOString()
      const a2a = (url: string) => ({
        url: `${url}/a2a/v1`,
        pairedBy: 'invite' as const,
        pairedAt: at,
        kind: 'openclaw' as const,
      })
      // "a0" sorts before b and was recorded with gpu, but nothing listens at its address (in A's namespace).
      deps.store.update((s) => {
        s.peers.b = {name: 'b', url: b.url, addedAt: at, source: 'invite', messaging: false, a2a: a2a(b.url)}
        s.peers.a0 = {
          name: 'a0',
          url: 'http://127.0.0.1:9',
          addedAt: at,
          source: 'invite',
          messaging: false,
          a2a: a2a('http://127.0.0.1:9'),
          card: {at, caps: ['gpu']},
        }
      })
      const secrets = await deps.secrets()
      await secrets.set('a2a/b/out', tokens.aToB)
      await secrets.set('a2a/a0/out', 'a0-token-0123456789abcdefghijklmnop')
      const cli = (args: string[]) =>
        a.run(process.execPath, [CLI, ...args], {
          env: {
            CLAW_MESH_HOME: path.join(a.dir, 'claw-mesh'),
            CLAW_MESH_SECRET_STORE: 'file',
            CLAW_MESH_OPENCLAW: OC.bin,
            CLAW_MESH_SKIP_NEW_VERSION_CHECK: '1',
            NODE_ENV: 'production',
            CI: 'true',
          },
        })

      await cli(['peer', 'check', 'b', '--timeout', '10s'])
      expect(deps.store.read().peers.b.card).toMatchObject({caps: B_CAPS.caps, description: B_CAPS.description})
      const list = await cli(['peer', 'list'])
      expect(list.exitCode, list.stderr).toBe(0)
      expect(list.stdout).toMatch(/^b +.* gpu,macos +invite/m)
      expect(list.stdout).toMatch(/^a0 +.* gpu +invite/m)

      const asked = await cli(['ask', '--capability', 'gpu', 'which machine renders?'])
      expect(asked.exitCode, asked.stderr).toBe(0)
      expect(asked.stderr).toBe('Asking b (it offers gpu).\n')
      expect(asked.stdout).toBe('b heard a say: which machine renders?\n')

      const none = await cli(['ask', '--capability', 'imessage', 'text mom', '--json'])
      expect(none.exitCode).toBe(11)
      expect(JSON.parse(none.stdout)).toMatchObject({ok: false, error: {code: 'no-capable-peer', exitCode: 11}})
      deps.store.update((s) => {
        delete s.peers.a0
        delete s.peers.b
      })
    })

    it("A's agent calls mesh_ask with a capability instead of a peer, and the result names the peer chosen", async () => {
      a.model.setScript({
        name: 'a',
        rules: [
          {
            match: {regex: '^meshcap ([a-z0-9-]+): (.*)$'},
            steps: [
              {tool: {name: 'mesh_ask', arguments: {capability: '{{1}}', message: '{{2}}'}}},
              {reply: 'cap: {{tool}}'},
            ],
          },
        ],
      })
      const turn = await ownerTurn(a, 'meshcap gpu: render the preview')
      expect(turn.exitCode, turn.raw).toBe(0)
      expect(turn.text.trim()).toBe('cap: Asked b (it offers gpu). b heard a say: render the preview')
      const none = await ownerTurn(a, 'meshcap imessage: text mom')
      expect(none.text).toContain('cap: Not sent: no online peer offers imessage now')
    })

    it("with B's gateway stopped, A's mesh_send queues; B comes back and gets it; B's answer wakes A's session", async () => {
      a.model.setScript({
        name: 'a',
        rules: [
          {
            match: {regex: '^meshsend ([a-z0-9._-]+): (.*)$'},
            steps: [
              {tool: {name: 'mesh_send', arguments: {peer: '{{1}}', message: '{{2}}'}}},
              {reply: 'send: {{tool}}'},
            ],
          },
          // The woken turn: the event names the task; the agent reads the whole answer through mesh_task.
          {
            match: {regex: 'answered \\(mesh task ([0-9a-f-]{36})\\)', on: 'raw'},
            steps: [{tool: {name: 'mesh_task', arguments: {id: '{{1}}'}}}, {reply: 'read: {{tool}}'}],
          },
        ],
      })
      await b.stopGateway()
      const turn = await ownerTurn(a, 'meshsend b: nightly backup finished')
      expect(turn.exitCode, turn.raw).toBe(0)
      expect(turn.text).toMatch(/^send: Queued: b is not reachable now/)
      const id =
        /"id": "([0-9a-f-]{36})"/.exec(turn.text)?.[1] ?? /mesh_task \{"id": "([0-9a-f-]{36})"\}/.exec(turn.text)?.[1]
      expect(id, turn.text).toBeDefined()

      await b.startGateway()
      const back = Date.now()
      const onB = await b.model.waitForChat((r) => userTurn(r).includes('nightly backup finished'), 180_000)
      console.log(`queued mesh_send reached B's model ${Date.now() - back} ms after B's A2A endpoint answered`)
      expect(userTurn(onB)).toContain('{"sender":{"id":"a","name":"a"}}')

      const woken = await a.model.waitForChat(
        (r) => JSON.stringify(r.body?.messages ?? []).includes(`answered (mesh task ${id})`),
        120_000,
      )
      console.log(`A's session woken ${Date.now() - back} ms after B came back`)
      expect(JSON.stringify(woken.body?.messages)).toContain('b heard a say: nightly backup finished')
      const read = await a.model.waitForChat(
        (r) =>
          (r.body?.messages ?? []).some((m) => m.role === 'tool' && messageText(m).includes('"state": "answered"')),
        60_000,
      )
      expect(messageText((read.body?.messages ?? []).filter((m) => m.role === 'tool').at(-1))).toContain(
        'b heard a say: nightly backup finished',
      )
      // Delivered once: B's agent saw the message in exactly one run.
      expect(b.model.chats().filter((r) => userTurn(r).includes('nightly backup finished')).length).toBe(1)
      const log = auditOf(a).filter((r) => r.id === id)
      expect(log.map((r) => r.event)).toEqual(['queued', 'sent', 'answered'])
      const accepted = Date.parse(log[1].at) - back
      console.log(`queued mesh_send accepted by B's A2A endpoint ${accepted} ms after it answered again (goal ≤ 5000)`)
      expect(accepted).toBeLessThanOrEqual(5000)
    })

    it("claw-mesh send to B while B's gateway is stopped exits 10 (queued); B comes back and its agent gets it once", async () => {
      const home = await clawMeshPeer(a, b, tokens.aToB)
      await b.stopGateway()
      const text = 'from the command line: the release is tagged'
      const sent = await cli(a, ['send', 'b', text, '--json'])
      expect(sent.exitCode, sent.stderr).toBe(10)
      const doc = JSON.parse(sent.stdout) as {ok: boolean; queued: boolean; id: string; reason: string}
      expect(doc).toMatchObject({ok: true, queued: true, peer: 'b', reason: expect.stringContaining('refused')})

      await b.startGateway()
      const back = Date.now()
      const onB = await b.model
        .waitForChat((r) => userTurn(r).includes(text), 180_000)
        .catch(async (error: Error) => {
          // What A's plugin made of the request, for the failure message.
          const list = await cli(a, ['outbox', 'list', '--all', '--json'])
          const logs = (h: AgentHost) =>
            existsSync(path.join(h.dir, 'gateway.log'))
              ? readFileSync(path.join(h.dir, 'gateway.log'), 'utf8')
                  .split('\n')
                  .filter((l) => /claw-mesh|a2a/i.test(l))
                  .slice(-30)
                  .join('\n')
              : ''
          throw new Error(
            `${error.message}\noutbox on a: ${list.stdout}\naudit on a: ${JSON.stringify(auditOf(a).filter((r) => r.id === doc.id))}\na's gateway log:\n${logs(a)}\nb's gateway log:\n${logs(b)}`,
          )
        })
      console.log(`queued claw-mesh send reached B's model ${Date.now() - back} ms after B's gateway started`)
      expect(userTurn(onB)).toContain('{"sender":{"id":"a","name":"a"}}')
      let listed: {items: Array<{id: string; state: string; source?: string; taskId?: string}>} = {items: []}
      for (let i = 0; i < 60 && listed.items.find((x) => x.id === doc.id)?.state !== 'answered'; i++) {
        await new Promise((r) => setTimeout(r, 1000))
        listed = JSON.parse((await cli(a, ['outbox', 'list', '--all', '--json'])).stdout) as typeof listed
      }
      expect(listed.items.find((x) => x.id === doc.id)).toMatchObject({
        state: 'answered',
        source: 'cli',
        taskId: expect.any(String),
      })
      // Exactly once to B's agent, and nobody on A is woken for it (no session asked).
      expect(b.model.chats().filter((r) => userTurn(r).includes(text)).length).toBe(1)
      expect(
        a.model.chats().filter((r) => JSON.stringify(r.body?.messages ?? []).includes(`mesh task ${doc.id}`)).length,
      ).toBe(0)
      expect(
        auditOf(a)
          .filter((r) => r.id === doc.id)
          .map((r) => r.event),
      ).toEqual(['queued', 'sent', 'answered'])
      expect(existsSync(path.join(home, 'mesh-outbox-requests', `enqueue-${doc.id}`))).toBe(false)
    })

    it('two agents asking each other forever stop at the hop limit, and the agent is told why', async () => {
      const loop = (peer: string) => ({
        match: {regex: '^loop: (.*)$'},
        steps: [
          {tool: {name: 'mesh_ask', arguments: {peer, message: 'loop: {{1}}'}}},
          {reply: `${peer === 'a' ? 'b' : 'a'} relayed: {{tool}}`},
        ],
      })
      a.model.setScript({
        name: 'a',
        rules: [
          {
            match: {regex: '^meshask ([a-z0-9._-]+): (.*)$'},
            steps: [
              {tool: {name: 'mesh_ask', arguments: {peer: '{{1}}', message: '{{2}}'}}},
              {reply: '{{1}} answered: {{tool}}'},
            ],
          },
          loop('b'),
        ],
      })
      b.model.setScript({name: 'b', rules: [loop('a')]})
      const turn = await ownerTurn(a, 'meshask b: loop: ping')
      expect(turn.exitCode, turn.raw).toBe(0)
      // owner → b (hop 1) → a (hop 2, the limit) → b refused: hop 3.
      expect(turn.text).toContain('b answered: b relayed: a relayed: Not sent: this would be hop 3')
      const refused = auditOf(a).filter((r) => r.event === 'refused')
      expect(refused.at(-1)).toMatchObject({peer: 'b', hop: 3, reason: 'hop-limit'})
      // The receiving side logged what reached it, with the lineage.
      expect(auditOf(b).filter((r) => r.direction === 'in' && r.hop === 1).length).toBeGreaterThan(0)
      b.model.setScript(B_SCRIPT)
    })

    it("a mesh_ask answered after the peer's reply window wakes A's session with the answer", async () => {
      patchConfig(b, (c) => {
        c.channels.a2a.replyTimeoutMs = 5000
      })
      await new Promise((r) => setTimeout(r, 6000))
      b.model.setScript({
        name: 'b',
        rules: [{match: {contains: 'slow question'}, delayMs: 12_000, reply: 'slow answer from b'}],
      })
      a.model.setScript({
        name: 'a',
        rules: [
          {
            match: {regex: '^meshask ([a-z0-9._-]+): (.*)$'},
            steps: [
              {tool: {name: 'mesh_ask', arguments: {peer: '{{1}}', message: '{{2}}'}}},
              {reply: 'asked: {{tool}}'},
            ],
          },
          {match: {regex: 'answered \\(mesh task ([0-9a-f-]{36})\\)', on: 'raw'}, reply: 'noted'},
        ],
      })
      const turn = await ownerTurn(a, 'meshask b: slow question')
      expect(turn.exitCode, turn.raw).toBe(0)
      expect(turn.text).toContain('asked: b is still working on it')
      const woken = await a.model.waitForChat(
        (r) => JSON.stringify(r.body?.messages ?? []).includes('slow answer from b'),
        120_000,
      )
      expect(JSON.stringify(woken.body?.messages)).toMatch(/b answered \(mesh task [0-9a-f-]{36}\): slow answer from b/)
    })
  },
)
