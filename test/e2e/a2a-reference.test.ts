import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {createAgentHost, pairA2a, waitForAgent, type AgentHost} from '../helpers/agent-host.js'
import {CLI, ROOT} from '../helpers/built-cli.js'
import {createNetnsMesh, netnsUnavailable, type NetnsMesh} from '../helpers/netns.js'
import {openclawForTests} from '../helpers/openclaw.js'
import path from 'node:path'

/**
 * OpenClaw's A2A endpoint, configured as claw-mesh configures it (channels.a2a.peers: token, url, outboundToken),
 * cross-checked with the reference client (@a2a-js/sdk) from a peer's namespace; then claw-mesh itself calls the
 * same endpoint as it would call any A2A 1.0 agent (peer add --a2a-token), with the version header on every request.
 */
const oc = openclawForTests()
const missing = oc.ok ? netnsUnavailable() : oc.reason
if (missing && process.env.CI === 'true') throw new Error(`end-to-end prerequisite missing under CI: ${missing}`)
if (missing) console.warn(`skipping a2a-reference: ${missing}`)
const OC = oc as Extract<typeof oc, {ok: true}>
const SDK_CLIENT = path.join(ROOT, 'test', 'helpers', 'sdk-a2a-client.mjs')

interface SdkRun {
  versions: string[]
  send?: {id: string; status: {state: string}; artifacts?: Array<{parts: Array<{text?: string}>}>}
  task?: {id: string; status: {state: string}}
  error?: string
}

describe.skipIf(Boolean(missing))(
  "OpenClaw's A2A endpoint against the A2A reference client, and claw-mesh calling it as a foreign agent",
  () => {
    let mesh: NetnsMesh
    let a: AgentHost
    let b: AgentHost
    let tokens: {aToB: string; bToA: string}

    const sdkCall = async (token: string, text: string): Promise<SdkRun> => {
      const r = await a.run(OC.node, [SDK_CLIENT], {input: JSON.stringify({base: b.url, token, text})})
      expect(r.exitCode, r.stderr).toBe(0)
      return JSON.parse(r.stdout.trim().split('\n').pop()!) as SdkRun
    }
    const cm = (args: string[], input?: string) =>
      a.run(OC.node, [CLI, ...args], {
        input,
        env: {
          CLAW_MESH_HOME: path.join(a.dir, 'claw-mesh'),
          CLAW_MESH_SECRET_STORE: 'file',
          CLAW_MESH_SKIP_NEW_VERSION_CHECK: '1',
          NO_COLOR: '1',
          CI: 'true',
        },
      })

    beforeAll(async () => {
      mesh = createNetnsMesh(['a', 'b'], {firstOctet: 94})
      ;[a, b] = await Promise.all(
        mesh.hosts.map((net) => createAgentHost({net, openclaw: OC.bin, node: OC.node, script: {name: net.name}})),
      )
      tokens = pairA2a(a, b)
      await Promise.all([a.startGateway(), b.startGateway()])
      await waitForAgent(a, b, tokens.aToB)
    })

    afterAll(async () => {
      await Promise.all([a?.cleanup(), b?.cleanup()])
      mesh?.destroy()
    })

    it("the reference client reads OpenClaw's card, picks its JSON-RPC interface and gets the agent's answer as a completed task", async () => {
      const r = await sdkCall(tokens.aToB, 'What does the reference client get?')
      expect(r.error).toBeUndefined()
      expect(r.send?.status.state).toBe('TASK_STATE_COMPLETED')
      expect(r.send?.artifacts?.flatMap((x) => x.parts.map((p) => p.text)).join('')).toContain(
        'What does the reference client get?',
      )
      expect(r.task).toMatchObject({id: r.send!.id, status: {state: 'TASK_STATE_COMPLETED'}})
      // The reference client itself sends the version header claw-mesh now sends; OpenClaw accepts it.
      expect(r.versions.length).toBeGreaterThan(0)
      expect(r.versions.every((v) => v === '1.0')).toBe(true)
    })

    it('the reference client is refused with a token OpenClaw does not know', async () => {
      const r = await sdkCall('not-a-configured-token-0123456789ab', 'hello')
      expect(r.error).toBeDefined()
      expect(r.send).toBeUndefined()
    })

    it('claw-mesh adds the same endpoint with --a2a-token, checks it the A2A way and asks it', async () => {
      const add = await cm(
        ['peer', 'add', b.url, '--name', 'b', '--a2a-token', '-', '--allow-insecure-url', '--json'],
        tokens.aToB,
      )
      expect(add.exitCode, add.stdout + add.stderr).toBe(0)
      expect(JSON.parse(add.stdout)).toMatchObject({name: 'b', kind: 'foreign', endpoint: `${b.url}/a2a/v1`})
      const check = await cm(['peer', 'check', 'b', '--json'])
      expect(check.exitCode, check.stdout + check.stderr).toBe(0)
      expect(JSON.parse(check.stdout).peers[0].probes.a2a).toMatchObject({status: 'ok', detail: 'our token accepted'})
      const ask = await cm(['ask', 'b', 'Asked as a foreign agent', '--json'])
      expect(ask.exitCode, ask.stdout + ask.stderr).toBe(0)
      expect(JSON.parse(ask.stdout)).toMatchObject({
        ok: true,
        state: 'TASK_STATE_COMPLETED',
        reply: expect.stringContaining('Asked as a foreign agent'),
      })
      expect(add.stdout + add.stderr + check.stdout + ask.stdout + ask.stderr).not.toContain(tokens.aToB)
    })
  },
)
