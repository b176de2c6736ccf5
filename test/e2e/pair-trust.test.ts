import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {planPairTrust, type TrustLevel} from '../../src/core/pairing/pair-trust.js'
import {planAssignments} from '../../src/core/openclaw/openclaw-config-patch.js'
import {parseOpenClawConfig, serializeOpenClawConfig} from '../../src/core/openclaw/openclaw-config.js'
import {
  a2aRpc,
  createAgentHost,
  ownerTurn,
  pairA2a,
  toolSurface,
  waitForAgent,
  type AgentHost,
} from '../helpers/agent-host.js'
import {createNetnsMesh, netnsUnavailable, type NetnsMesh} from '../helpers/netns.js'
import {openclawForTests} from '../helpers/openclaw.js'
import {messageText, type ModelRequest} from '../helpers/scripted-model.js'

/**
 * Per-pair trust with real agent runtimes: two real OpenClaw gateways paired over A2A, B's tool policy for peer `a`
 * written by claw-mesh's own patch (the assignments `gateway configure` writes), and B's scripted model asking for
 * `exec` in a run that A's message started. Under `chat` the tool is not offered and nothing runs on B; under
 * `delegate` it runs. The level changes on a running gateway (no restart), as `claw-mesh peer trust` does it.
 */
const oc = openclawForTests()
const missing = oc.ok ? netnsUnavailable() : oc.reason
if (missing && process.env.CI === 'true') throw new Error(`end-to-end prerequisite missing under CI: ${missing}`)
if (missing) console.warn(`skipping pair-trust: ${missing}`)
const OC = oc as Extract<typeof oc, {ok: true}>

const userTurn = (r: ModelRequest) =>
  (r.body?.messages ?? [])
    .filter((m) => m.role === 'user')
    .map(messageText)
    .join('\n')

/** B's openclaw.json with peer a's trust set by claw-mesh's planner and patcher (what configure writes). */
function writeTrust(b: AgentHost, level: TrustLevel): string[] {
  const current = parseOpenClawConfig(readFileSync(b.configPath, 'utf8'), b.configPath)
  const trust = planPairTrust(current, {peers: [{name: 'a', trust: level}], owned: ['a']})
  const plan = planAssignments(current, trust.assignments)
  writeFileSync(b.configPath, serializeOpenClawConfig(plan.next), {mode: 0o600})
  return plan.changes.map((c) => c.path)
}

describe.skipIf(Boolean(missing))(
  "a peer's message runs commands on this host only under the pair's delegate trust (real gateways)",
  () => {
    let mesh: NetnsMesh
    let a: AgentHost
    let b: AgentHost
    let tokens: {aToB: string; bToA: string}
    let marker: string

    /** A's message to B that makes B's model call exec; returns B's answer and the request B's model saw. */
    async function askBToRun(nonce: string): Promise<{state: string; reply: string; seen: ModelRequest}> {
      const r = await a2aRpc(a, b, tokens.aToB, 'SendMessage', {
        message: {messageId: `trust-${nonce}`, role: 'ROLE_USER', parts: [{text: `run probe ${nonce}`}]},
      })
      const task = (
        r.body.result as
          {task?: {status?: {state?: string}; artifacts?: Array<{parts: Array<{text?: string}>}>}} | undefined
      )?.task
      const seen = b.model.chats().find((req) => userTurn(req).includes(`run probe ${nonce}`))
      expect(seen, JSON.stringify(r.body).slice(0, 400)).toBeDefined()
      return {
        state: task?.status?.state ?? `HTTP ${r.status}`,
        reply: task?.artifacts?.[0]?.parts[0]?.text ?? '',
        seen: seen!,
      }
    }

    beforeAll(async () => {
      mesh = createNetnsMesh(['a', 'b'], {firstOctet: 95})
      ;[a, b] = await Promise.all(
        mesh.hosts.map((net) => createAgentHost({net, openclaw: OC.bin, node: OC.node, script: {name: net.name}})),
      )
      marker = path.join(b.dir, 'exec-ran')
      b.model.setScript({
        name: 'b',
        rules: [
          {
            match: {regex: '^run probe ([a-z0-9-]+)$'},
            steps: [
              {tool: {name: 'exec', arguments: {command: `echo ran-{{1}} | tee -a ${marker}`}}},
              {reply: 'exec said: {{tool}}'},
            ],
          },
        ],
      })
      tokens = pairA2a(a, b)
      // The default level, written before the gateway ever starts: a new pair is never live without its policy.
      expect(writeTrust(b, 'chat')).toEqual(['tools.toolsBySender.channel:a2a:a'])
      const valid = await b.openclaw(['config', 'validate'])
      expect(valid.exitCode, valid.stdout + valid.stderr).toBe(0)
      await Promise.all([a.startGateway(), b.startGateway()])
      await waitForAgent(a, b, tokens.aToB)
    })

    afterAll(async () => {
      await Promise.all([a?.cleanup(), b?.cleanup()])
      mesh?.destroy()
    })

    it('chat (the default): a run A started is not offered exec or file tools, and the command never runs on B', async () => {
      const answer = await askBToRun('chat-1')
      const surface = toolSurface(answer.seen)
      expect(surface.direct).not.toContain('exec')
      expect([...surface.direct, ...surface.deferred]).not.toEqual(expect.arrayContaining(['exec']))
      for (const tool of ['process', 'write', 'edit', 'apply_patch', 'read'])
        expect([...surface.direct, ...surface.deferred]).not.toContain(tool)
      // Messaging stays.
      expect(surface.deferred).toContain('message')
      // The model asked anyway: OpenClaw refused the call, and nothing ran on B.
      expect(
        b.model
          .chats()
          .some(
            (r) =>
              r.decision?.kind === 'tool' && r.decision.name === 'exec' && userTurn(r).includes('run probe chat-1'),
          ),
      ).toBe(true)
      expect(answer.reply).not.toContain('ran-chat-1')
      expect(existsSync(marker)).toBe(false)
      console.log(`chat: task ${answer.state}, reply ${JSON.stringify(answer.reply.slice(0, 160))}`)
    })

    it("the owner's own runs on B keep exec under a chat pair (the policy is per sender)", async () => {
      const before = b.model.chats().length
      const turn = await ownerTurn(b, 'hello from the owner')
      expect(turn.exitCode, turn.raw).toBe(0)
      const own = b.model
        .chats()
        .slice(before)
        .find((r) => userTurn(r).includes('hello from the owner'))!
      expect(toolSurface(own).direct).toContain('exec')
    })

    it('delegate, set on the running gateway: the same request runs exec on B and its output comes back to A', async () => {
      expect(writeTrust(b, 'delegate')).toEqual(['tools.toolsBySender.channel:a2a:a'])
      // A running gateway applies the policy by itself: ask until the run is offered exec.
      const deadline = Date.now() + 60_000
      let answer = await askBToRun('delegate-1')
      for (let i = 2; !toolSurface(answer.seen).direct.includes('exec') && Date.now() < deadline; i++) {
        await new Promise((r) => setTimeout(r, 2000))
        answer = await askBToRun(`delegate-${i}`)
      }
      const nonce = /run probe (delegate-\d+)/.exec(userTurn(answer.seen))![1]
      expect(toolSurface(answer.seen).direct).toContain('exec')
      expect(answer.state).toBe('TASK_STATE_COMPLETED')
      expect(answer.reply).toContain(`ran-${nonce}`)
      expect(readFileSync(marker, 'utf8')).toContain(`ran-${nonce}`)
    })

    it('back to chat: exec is withdrawn again without a restart', async () => {
      writeTrust(b, 'chat')
      const deadline = Date.now() + 60_000
      let answer = await askBToRun('back-1')
      for (let i = 2; toolSurface(answer.seen).direct.includes('exec') && Date.now() < deadline; i++) {
        await new Promise((r) => setTimeout(r, 2000))
        answer = await askBToRun(`back-${i}`)
      }
      const nonce = /run probe (back-\d+)/.exec(userTurn(answer.seen))![1]
      expect(toolSurface(answer.seen).direct).not.toContain('exec')
      expect(readFileSync(marker, 'utf8')).not.toContain(`ran-${nonce}`)
    })
  },
)
