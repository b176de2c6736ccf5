#!/usr/bin/env node
// Benchmark: the mesh_ask tool of claw-mesh's OpenClaw plugin (the bundled dist/openclaw-plugin/index.js, loaded
// as the gateway loads it and handed the plugin API surface it uses) against a wire-faithful fake gateway on
// loopback, side by side with a raw SendMessage round trip from this process to the same peer:
//   mesh_ask overhead = mesh_ask tool time − raw SendMessage time (goal ≤ 20 ms: no process start).
// It runs without OpenClaw, so the outbox uses its file fallback (the gateway uses its SQLite state store).
// Prints markdown table rows for bench/run.js. Usage: node --import tsx bench/mesh-plugin.bench.mjs [--runs 15]
import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {pathToFileURL} from 'node:url'
import {startFakePeer} from '../test/helpers/fake-peer.ts'
import {arg, median, root} from './lib.mjs'

const runs = Number(arg('runs', '15'))
const TOKEN = 'bench-mesh-token-0123456789abcdefghijkl'

async function rawSendMessage(url, text) {
  const started = process.hrtime.bigint()
  const res = await fetch(`${url}/a2a/v1`, {
    method: 'POST',
    headers: {authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json'},
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: '1',
      method: 'SendMessage',
      params: {message: {messageId: `m-${Math.random()}`, role: 'ROLE_USER', parts: [{text}]}},
    }),
  })
  const doc = await res.json()
  if (doc.result?.task?.status?.state !== 'TASK_STATE_COMPLETED')
    throw new Error(`raw SendMessage: ${JSON.stringify(doc)}`)
  return Number(process.hrtime.bigint() - started) / 1e6
}

/** The plugin's tools as the gateway would build them for one owner session. */
async function meshTools(peerUrl, dir) {
  const plugin = (await import(pathToFileURL(path.join(root, 'dist', 'openclaw-plugin', 'index.js')).href)).default
  const factories = []
  const config = {
    channels: {
      a2a: {
        enabled: true,
        peers: {nova: {token: 'in-token-0123456789', url: `${peerUrl}/a2a/v1`, outboundToken: TOKEN}},
      },
    },
  }
  const api = {
    pluginConfig: {auditDir: dir},
    config,
    logger: {warn() {}},
    registerTool: (factory) => factories.push(factory),
    registerService() {},
    on() {},
    runtime: {config: {current: () => config}, state: {resolveStateDir: () => dir}, system: {}},
  }
  plugin.register(api)
  const ctx = {agentId: 'main', sessionKey: 'agent:main:main'}
  return Object.fromEntries(
    factories
      .map((f) => f(ctx))
      .filter(Boolean)
      .map((t) => [t.name, t]),
  )
}

export async function benchMeshAsk() {
  const agentMs = 200
  const fake = await startFakePeer({a2a: {peers: {bench: TOKEN}, replyMs: agentMs, rateLimitPerMinute: 0}})
  const dir = mkdtempSync(path.join(os.tmpdir(), 'claw-bench-plugin-'))
  try {
    const tools = await meshTools(fake.url, dir)
    const tool = []
    const raw = []
    for (let r = 0; r < runs; r++) {
      raw.push(await rawSendMessage(fake.url, `raw ${r}`))
      const started = process.hrtime.bigint()
      const out = await tools.mesh_ask.execute(`call-${r}`, {peer: 'nova', message: `bench ask ${r}`})
      tool.push(Number(process.hrtime.bigint() - started) / 1e6)
      if (out.details?.ok !== true || !out.content[0].text.includes(`bench ask ${r}`))
        throw new Error(`mesh_ask failed: ${JSON.stringify(out)}`)
    }
    const overhead = median(tool) - median(raw)
    return [
      `| \`mesh_ask\` overhead: plugin tool time − raw \`SendMessage\` round trip, same peer (agent answers in ${agentMs} ms), median of ${runs} | ${overhead.toFixed(2)} ms | mesh_ask ${median(tool).toFixed(2)} ms, raw ${median(raw).toFixed(2)} ms; goal ≤ 20 ms — ${overhead <= 20 ? 'met' : 'not met'} (outbox in its file fallback; audit log on) |`,
    ]
  } finally {
    await fake.close()
    rmSync(dir, {recursive: true, force: true})
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await benchMeshAsk()) console.log(row)
}
