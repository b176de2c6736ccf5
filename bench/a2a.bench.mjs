#!/usr/bin/env node
// Benchmark: the A2A commands against wire-faithful fake gateways (test/helpers/fake-a2a.ts) on loopback, with
// the built CLI, side by side with a raw baseline in the same run:
//   - `claw-mesh ask` wall time minus a raw SendMessage round trip (fetch from this process) to the same peer
//     (goal: ≤ 100 ms);
//   - `claw-mesh broadcast --wait` to 20 peers whose agents answer in 200…1,150 ms (goal: the slowest single reply
//     + 0.5 s).
// Prints markdown table rows for bench/run.js. Usage: node bench/a2a.bench.mjs [--runs 7] [--peers 20]
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {startFakePeer} from '../test/helpers/fake-peer.ts'
import {arg, median, runCli} from './lib.mjs'

const runs = Number(arg('runs', '7'))
const n = Number(arg('peers', '20'))
const TOKEN = (i) => `bench-a2a-token-${i}-0123456789abcdefghijkl`

/** A claw-mesh home whose peers are paired over A2A with the given fakes. */
function a2aHome(fakes) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'claw-bench-a2a-'))
  const peers = {}
  const secrets = {}
  fakes.forEach((p, i) => {
    const name = `peer-${String(i).padStart(2, '0')}`
    peers[name] = {
      name,
      url: p.url,
      addedAt: new Date().toISOString(),
      source: 'invite',
      messaging: false,
      a2a: {url: `${p.url}/a2a/v1`, pairedBy: 'invite', pairedAt: new Date().toISOString()},
    }
    secrets[`a2a/${name}/out`] = TOKEN(i)
    secrets[`a2a/${name}/in`] = `${TOKEN(i)}-in`
  })
  writeFileSync(path.join(home, 'state.json'), JSON.stringify({version: 1, identity: 'bench', peers}), {mode: 0o600})
  writeFileSync(path.join(home, 'secrets.json'), JSON.stringify(secrets), {mode: 0o600})
  return home
}

async function rawSendMessage(url, token, text) {
  const started = process.hrtime.bigint()
  const res = await fetch(`${url}/a2a/v1`, {
    method: 'POST',
    headers: {authorization: `Bearer ${token}`, 'content-type': 'application/json'},
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

export async function benchAsk() {
  const agentMs = 200
  const fake = await startFakePeer({a2a: {peers: {bench: TOKEN(0)}, replyMs: agentMs, rateLimitPerMinute: 0}})
  const home = a2aHome([fake])
  const env = {CLAW_MESH_HOME: home, CLAW_MESH_SECRET_STORE: 'file', CLAW_MESH_SKIP_NEW_VERSION_CHECK: '1'}
  try {
    const cli = []
    const raw = []
    for (let r = 0; r < runs; r++) {
      raw.push(await rawSendMessage(fake.url, TOKEN(0), `raw ${r}`))
      const res = await runCli(['ask', 'peer-00', `bench ask ${r}`, '--json'], env)
      const doc = JSON.parse(res.stdout)
      if (res.code !== 0 || doc.reply !== `reply from OpenClaw: bench ask ${r}`)
        throw new Error(`ask failed (exit ${res.code}): ${res.stdout}${res.stderr}`)
      cli.push(res.ms)
    }
    const overhead = median(cli) - median(raw)
    return [
      `| \`ask\` overhead: \`claw-mesh ask\` wall − raw \`SendMessage\` round trip, same peer (agent answers in ${agentMs} ms), median of ${runs} | ${overhead.toFixed(0)} ms | ask ${median(cli).toFixed(0)} ms, raw ${median(raw).toFixed(0)} ms; goal ≤ 100 ms — ${overhead <= 100 ? 'met' : 'not met'} (includes Node and CLI start-up) |`,
    ]
  } finally {
    await fake.close()
    rmSync(home, {recursive: true, force: true})
  }
}

export async function benchBroadcastWait() {
  const replyMs = (i) => 200 + i * 50
  const slowest = replyMs(n - 1)
  const fakes = await Promise.all(
    Array.from({length: n}, (_, i) =>
      startFakePeer({a2a: {peers: {bench: TOKEN(i)}, replyMs: replyMs(i), name: `peer-${i}`, rateLimitPerMinute: 0}}),
    ),
  )
  const home = a2aHome(fakes)
  const env = {CLAW_MESH_HOME: home, CLAW_MESH_SECRET_STORE: 'file', CLAW_MESH_SKIP_NEW_VERSION_CHECK: '1'}
  try {
    const walls = []
    const inner = []
    for (let r = 0; r < Math.min(runs, 5); r++) {
      const res = await runCli(['broadcast', `bench status ${r}?`, '--wait', '--json'], env)
      const doc = JSON.parse(res.stdout)
      if (res.code !== 0 || doc.summary.answered !== n)
        throw new Error(`broadcast --wait (exit ${res.code}): ${JSON.stringify(doc.summary)}\n${res.stderr}`)
      walls.push(res.ms)
      inner.push(doc.elapsedMs)
    }
    const wall = median(walls)
    return [
      `| \`broadcast --wait\` to ${n} A2A peers (replies in ${replyMs(0)}…${slowest} ms), median of ${walls.length} | ${(wall / 1000).toFixed(2)} s wall | asking ${(median(inner) / 1000).toFixed(2)} s; slowest reply ${(slowest / 1000).toFixed(2)} s; goal ≤ slowest + 0.5 s = ${((slowest + 500) / 1000).toFixed(2)} s — ${wall <= slowest + 500 ? 'met' : 'not met'} (wall includes CLI start-up) |`,
    ]
  } finally {
    await Promise.all(fakes.map((f) => f.close()))
    rmSync(home, {recursive: true, force: true})
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of [...(await benchAsk()), ...(await benchBroadcastWait())]) console.log(row)
}
