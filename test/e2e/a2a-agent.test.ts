import {existsSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {
  a2aRpc,
  createAgentHost,
  ownerTurn,
  pairA2a,
  toolSurface,
  waitForAgent,
  type AgentHost,
} from '../helpers/agent-host.js'
import {linkBareClawMesh, provisionClawMesh, skillAskCommand} from '../helpers/agent-skill.js'
import {createNetnsMesh, netnsUnavailable, type NetnsMesh} from '../helpers/netns.js'
import {openclawForTests} from '../helpers/openclaw.js'
import {messageText, type ModelRequest} from '../helpers/scripted-model.js'

/**
 * Agent to agent with real agent runtimes: two real OpenClaw gateways in network namespaces (no default route),
 * paired over the A2A channel by hand (minimal config; claw-mesh's provisioning is tested elsewhere), each agent's
 * model a scripted chat-completions server. A's agent is driven by its model into tool calls and must reach B's
 * agent and get B's answer back into its own turn.
 */
const oc = openclawForTests()
const missing = oc.ok ? netnsUnavailable() : oc.reason
if (missing && process.env.CI === 'true') throw new Error(`end-to-end prerequisite missing under CI: ${missing}`)
if (missing) console.warn(`skipping a2a-agent: ${missing}`)
const OC = oc as Extract<typeof oc, {ok: true}>

/** B's model names who it heard (the authenticated sender in OpenClaw's envelope) and what they said. */
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

describe.skipIf(Boolean(missing))(
  'an agent asks a peer agent over A2A and gets its answer (real gateways, scripted models)',
  () => {
    let mesh: NetnsMesh
    let a: AgentHost
    let b: AgentHost
    let tokens: {aToB: string; bToA: string}
    const skills: Record<string, string> = {}

    beforeAll(async () => {
      mesh = createNetnsMesh(['a', 'b'], {firstOctet: 93})
      ;[a, b] = await Promise.all(
        mesh.hosts.map((net) => createAgentHost({net, openclaw: OC.bin, node: OC.node, script: {name: net.name}})),
      )
      b.model.setScript(B_SCRIPT)
      tokens = pairA2a(a, b)
      // The real claw-mesh on both hosts, with its skill; and on A a bare `claw-mesh` in ~/.local/bin as npm leaves it.
      skills.a = (await provisionClawMesh(a, [{name: 'b', url: b.url, outboundToken: tokens.aToB}])).skill
      skills.b = (await provisionClawMesh(b, [{name: 'a', url: a.url, outboundToken: tokens.bToA}])).skill
      linkBareClawMesh(a)
      const started = Date.now()
      await Promise.all([a.startGateway(), b.startGateway()])
      console.log(`two gateways serving A2A after ${Date.now() - started} ms`)
      const warm = await Promise.all([waitForAgent(a, b, tokens.aToB), waitForAgent(b, a, tokens.bToA)])
      console.log(
        `agents answering after ${Date.now() - started} ms (attempts ${warm.map((w) => w.attempts).join(', ')})`,
      )
    })

    afterAll(async () => {
      await Promise.all([a?.cleanup(), b?.cleanup()])
      mesh?.destroy()
    })

    it("OpenClaw's exec puts the system's Node 20 first: a bare claw-mesh there exits 3 (why the skill names its node)", async () => {
      a.model.setScript({
        name: 'a',
        rules: [
          {
            match: {contains: 'bare version'},
            steps: [
              {tool: {name: 'exec', arguments: {command: 'claw-mesh --version; echo "exit=$?"; node --version'}}},
              {reply: 'bare: {{tool}}'},
            ],
          },
        ],
      })
      const turn = await ownerTurn(a, 'bare version')
      expect(turn.exitCode, turn.raw).toBe(0)
      expect(turn.text).toMatch(
        /claw-mesh needs Node\.js 22\.12 or newer; this is Node\.js 20\.[\s\S]*exit=3[\s\S]*v20\./,
      )
    })

    it("A's owner turn runs the skill's fallback ask (real claw-mesh, message on stdin) and answers with B's text", async () => {
      // A relayed text that would have read a file as --file= and run $(…) and backticks in the old recipe.
      const pwned = path.join(a.dir, 'pwned')
      const hostile = `--file=${a.configPath} what is the build status? $(touch ${pwned}-1) \`touch ${pwned}-2\``
      const command = skillAskCommand(skills.a, 'b', hostile)
      expect(command).toMatch(/^CLAW_MESH_HOME='[^']+' '\/[^']+\/node' '\/[^']+\/bin\/run\.js' ask /)
      a.model.setScript({
        name: 'a',
        rules: [
          {
            match: {regex: '^ask ([a-z0-9._-]+) the relayed question$'},
            // yieldMs: exec backgrounds anything slower than 10 s by default, and the answer would not be in this turn.
            steps: [
              {tool: {name: 'exec', arguments: {command, yieldMs: 120_000}}},
              {reply: '{{1}} answered: {{tool}}'},
            ],
          },
        ],
      })
      const turn = await ownerTurn(a, 'ask b the relayed question')
      console.log(`owner turn on A with the skill's fallback ask to B: ${turn.ms} ms`)
      expect(turn.exitCode, turn.raw).toBe(0)
      expect(turn.status).toBe('ok')
      expect(turn.text.trim()).toBe(`b answered: b heard a say: ${hostile}`)
      expect(existsSync(`${pwned}-1`) || existsSync(`${pwned}-2`)).toBe(false)

      // B's agent saw A as the authenticated sender, in the isolated session of (peer a, context), and the text only.
      const onB = b.model.chats().find((r) => userTurn(r).includes(hostile))!
      expect(onB).toBeDefined()
      expect(userTurn(onB)).not.toContain(tokens.bToA)
      expect(userTurn(onB)).toContain('{"sender":{"id":"a","name":"a"}}')
      expect(userTurn(onB)).toMatch(/session=agent:main:a2a:default:direct:a:/)
      // A's model really issued the exec call and got B's text back as its result.
      const chats = a.model.chats()
      expect(chats.some((r) => r.decision?.kind === 'tool' && r.decision.name === 'exec')).toBe(true)
      const toolResult = chats
        .flatMap((r) => r.body?.messages ?? [])
        .filter((m) => m.role === 'tool')
        .at(-1)
      expect(messageText(toolResult)).toContain(`b heard a say: ${hostile}`)

      // The tool surfaces the skill relies on (2026.9.6): an owner run has exec directly and the conversation tools
      // behind tool_search/tool_call; a run a peer started has exec and `message`, but no conversation tools.
      const owner = toolSurface(chats.find((r) => userTurn(r).includes('ask b the relayed question'))!)

      expect(owner.direct).toEqual(
        expect.arrayContaining(['exec', 'process', 'tool_search', 'tool_describe', 'tool_call']),
      )
      expect(owner.deferred).toEqual(
        expect.arrayContaining(['message', 'conversations_list', 'conversations_send', 'conversations_turn']),
      )
      const peerRun = toolSurface(onB)
      expect(peerRun.direct).toEqual(expect.arrayContaining(['exec', 'tool_call']))
      expect(peerRun.deferred).toContain('message')
      expect(peerRun.deferred).not.toContain('conversations_turn')
    })

    it("the native message tool reaches B as A and returns B's task id; the reply stays in B's task (GetTask), not in A's turn", async () => {
      a.model.setScript({
        name: 'a',
        rules: [
          {
            match: {regex: '^tell ([a-z0-9._-]+): (.*)$'},
            steps: [
              {
                tool: {
                  name: 'tool_call',
                  arguments: {id: 'message', args: {action: 'send', channel: 'a2a', target: '{{1}}', message: '{{2}}'}},
                },
              },
              {reply: 'sent: {{tool}}'},
            ],
          },
        ],
      })
      const before = a.model.chats().length
      const turn = await ownerTurn(a, 'tell b: deploy finished')
      console.log(`owner turn on A with a native message send: ${turn.ms} ms`)
      expect(turn.exitCode, turn.raw).toBe(0)
      expect(turn.text).toMatch(/"deliveryStatus": "sent"/)
      const taskId = /"messageId": "([0-9a-f-]{36})"/.exec(turn.text)?.[1]
      expect(taskId, turn.text).toBeDefined()

      // The message tool returns before B answers (the channel sends with returnImmediately): poll B's task as peer a.
      let task: {status?: {state?: string}; contextId?: string; artifacts?: Array<{parts: Array<{text?: string}>}>} = {}
      const deadline = Date.now() + 90_000
      while (Date.now() < deadline) {
        const r = await a2aRpc(a, b, tokens.aToB, 'GetTask', {id: taskId})
        task = r.body.result ?? {}
        if (task.status?.state !== 'TASK_STATE_WORKING') break
        await new Promise((res) => setTimeout(res, 1000))
      }
      expect(task.status?.state).toBe('TASK_STATE_COMPLETED')
      // One stable context per peer on the sending side: ctx-oc-<peer name>.
      expect(task.contextId).toBe('ctx-oc-b')
      expect(task.artifacts?.[0]?.parts[0]?.text).toBe('b heard a say: deploy finished')
      // Nothing of B's reply reached A's model: the native path is fire-and-forget.
      await new Promise((res) => setTimeout(res, 5000))
      expect(
        a.model
          .chats()
          .slice(before)
          .some((r) => userTurn(r).includes('b heard a say: deploy finished')),
      ).toBe(false)
    })

    it('conversations_turn is refused for the a2a channel (no correlated turns); the owner run is told to use conversations_send', async () => {
      a.model.setScript({
        name: 'a',
        rules: [
          {
            match: {contains: 'turn with b'},
            steps: [
              {tool: {name: 'tool_call', arguments: {id: 'conversations_list', args: {channel: 'a2a'}}}},
              {
                tool: {
                  name: 'tool_call',
                  arguments: {
                    id: 'conversations_turn',
                    args: {
                      conversationRef: '{{tool.json.result.details.conversations.0.conversationRef}}',
                      message: 'are you there?',
                      timeoutSeconds: 30,
                    },
                  },
                },
              },
              {reply: 'turn: {{tool}}'},
            ],
          },
        ],
      })
      const turn = await ownerTurn(a, 'turn with b')
      expect(turn.exitCode, turn.raw).toBe(0)
      const listed = a.model
        .chats()
        .at(-2)!
        .body!.messages.filter((m) => m.role === 'tool')
        .at(-1)
      expect(messageText(listed)).toMatch(/"conversationRef": "conv_[0-9a-f]{32}"[\s\S]*"target": "b"/)
      expect(turn.text).toContain('Channel a2a does not support correlated conversation turns; use conversations_send')
    })

    it('a run that a peer started can itself ask another peer through exec and answer the first with that reply', async () => {
      // B's agent, asked by A over A2A, asks A back (the only other gateway here) and answers A's task with it.
      b.model.setScript({
        name: 'b',
        rules: [
          {
            match: {regex: '^relay to ([a-z0-9._-]+): (.*)$'},
            steps: [
              {
                tool: {
                  name: 'exec',
                  arguments: {command: skillAskCommand(skills.b, '{{1}}', '{{2}}'), yieldMs: 120_000},
                },
              },
              {reply: 'relayed, {{1}} said: {{tool}}'},
            ],
          },
        ],
      })
      a.model.setScript({name: 'a'})
      const started = Date.now()
      const r = await a2aRpc(a, b, tokens.aToB, 'SendMessage', {
        message: {messageId: `relay-${Date.now()}`, role: 'ROLE_USER', parts: [{text: 'relay to a: ping'}]},
      })
      console.log(`A2A task on B that asks A through exec: ${Date.now() - started} ms`)
      const task = (
        r.body.result as {task: {status: {state: string}; artifacts: Array<{parts: Array<{text: string}>}>}}
      ).task
      expect(task.status.state, JSON.stringify(r.body).slice(0, 500)).toBe('TASK_STATE_COMPLETED')
      // A's agent saw B as the sender of the nested ask; its echo came back through B's exec into B's answer.
      expect(task.artifacts[0].parts[0].text.trim()).toBe('relayed, a said: reply from a: ping')
      const nested = a.model.chats().find((r2) => userTurn(r2).includes('\n\nping\n\nRuntime:'))!
      expect(userTurn(nested)).toContain('{"sender":{"id":"b","name":"b"}}')
      b.model.setScript(B_SCRIPT)
    })
  },
)
