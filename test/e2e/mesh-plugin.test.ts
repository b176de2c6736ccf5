import {existsSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {parseAuditLines} from '../../src/core/mesh-audit.js'
import {MESH_PLUGIN_ID, parsePluginInspect, pluginInstallArgs} from '../../src/core/plugin-plan.js'
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
const missing = oc.ok ? (netnsUnavailable() ?? (existsSync(path.join(PLUGIN_DIR, 'index.js')) ? undefined : 'dist/openclaw-plugin missing: run npm run build')) : oc.reason
if (missing && process.env.CI === 'true') throw new Error(`end-to-end prerequisite missing under CI: ${missing}`)
if (missing) console.warn(`skipping mesh-plugin: ${missing}`)
const OC = oc as Extract<typeof oc, {ok: true}>

const B_SCRIPT = {name: 'b', rules: [{match: {regex: '"sender":\\{"id":"([a-z0-9._-]+)"', on: 'raw' as const}, reply: 'b heard {{1}} say: {{user}}'}]}
const userTurn = (r: ModelRequest) => (r.body?.messages ?? []).filter((m) => m.role === 'user').map(messageText).join('\n')

function patchConfig(host: AgentHost, patch: (c: Record<string, any>) => void): void {
  const config = JSON.parse(readFileSync(host.configPath, 'utf8')) as Record<string, any>
  patch(config)
  writeFileSync(host.configPath, JSON.stringify(config, null, 2), {mode: 0o600})
}

function auditOf(host: AgentHost) {
  const file = path.join(host.dir, 'claw-mesh', 'mesh-audit.jsonl')
  return existsSync(file) ? parseAuditLines(readFileSync(file, 'utf8')) : []
}

async function installPlugin(host: AgentHost): Promise<void> {
  const r = await host.openclaw(pluginInstallArgs(PLUGIN_DIR))
  expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0)
  const set = await host.openclaw(['config', 'set', `plugins.entries.${MESH_PLUGIN_ID}.config`, JSON.stringify({auditDir: path.join(host.dir, 'claw-mesh'), hopLimit: 2})])
  expect(set.exitCode, `${set.stdout}\n${set.stderr}`).toBe(0)
  // Wake-ups need a heartbeat runner: one that never fires on its own and sends its output nowhere.
  patchConfig(host, (c) => {
    c.agents.defaults.heartbeat = {every: '24h', target: 'none'}
  })
}

describe.skipIf(Boolean(missing))("claw-mesh's plugin gives agents native mesh tools (real gateways, scripted models)", () => {
  let mesh: NetnsMesh
  let a: AgentHost
  let b: AgentHost
  let tokens: {aToB: string; bToA: string}

  beforeAll(async () => {
    mesh = createNetnsMesh(['a', 'b'], {firstOctet: 94})
    ;[a, b] = await Promise.all(mesh.hosts.map((net) => createAgentHost({net, openclaw: OC.bin, node: OC.node, script: {name: net.name}})))
    b.model.setScript(B_SCRIPT)
    tokens = pairA2a(a, b)
    await Promise.all([installPlugin(a), installPlugin(b)])
    const started = Date.now()
    await Promise.all([a.startGateway(), b.startGateway()])
    await Promise.all([waitForAgent(a, b, tokens.aToB), waitForAgent(b, a, tokens.bToA)])
    console.log(`two gateways with the plugin answering after ${Date.now() - started} ms`)
  })

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
    a.model.setScript({name: 'a', rules: [{match: {regex: '^meshask ([a-z0-9._-]+): (.*)$'}, steps: [{tool: {name: 'mesh_ask', arguments: {peer: '{{1}}', message: '{{2}}'}}}, {reply: '{{1}} answered: {{tool}}'}]}]})
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
})
