#!/usr/bin/env node
// Benchmark: `claw-mesh broadcast` to 50 fake gateways, 10 of them failing (5 down: connection refused, retried
// with backoff until the budget ends; 5 silent: accept TCP, never answer), with the built CLI. Deliveries run
// concurrently, each bounded by --timeout retries included, so the run should take about one per-peer timeout.
// Prints markdown table rows (| what | result | notes |) for bench/run.js. Needs Node 24 (it imports the fake
// peer helper, plain erasable TypeScript) and a build (npm run build).
// Usage: node bench/broadcast.bench.mjs [--peers 50] [--down 5] [--silent 5] [--timeout 3s] [--runs 3]
import {rmSync} from 'node:fs'
import {startFakePeers} from '../test/helpers/fake-peer.ts'
import {arg, durationMs, median, runCli, makeFleetHome} from './lib.mjs'

const n = Number(arg('peers', '50'))
const down = Number(arg('down', '5'))
const silent = Number(arg('silent', '5'))
const timeout = arg('timeout', '3s')
const timeoutMs = durationMs(timeout)
const runs = Number(arg('runs', '3'))

export async function benchBroadcast() {
  const mode = (i) => (i < down ? 'down' : i < down + silent ? 'silent' : 'healthy')
  const fleet = await startFakePeers(n, (i) => ({mode: mode(i), token: `bench-hooks-token-${i}-0123456789`}))
  const home = makeFleetHome(fleet, {
    prefix: 'claw-bench-broadcast-',
    identity: 'bench',
    name: (i) => `peer-${String(i).padStart(2, '0')}`,
  })
  const env = {CLAW_MESH_HOME: home, CLAW_MESH_SECRET_STORE: 'file', CLAW_MESH_SKIP_NEW_VERSION_CHECK: '1'}
  const failed = down + silent
  try {
    const walls = []
    const inner = []
    for (let r = 0; r < runs; r++) {
      // A new text each run: the same text would be replayed by the healthy fakes (same idempotency key).
      const res = await runCli(['broadcast', `bench run ${r}: standup at 10`, '--timeout', timeout, '--json'], env)
      const doc = JSON.parse(res.stdout)
      if (res.code !== 5 || doc.summary.failed !== failed || doc.summary.delivered !== n - failed) {
        throw new Error(`unexpected result (exit ${res.code}): ${JSON.stringify(doc.summary)}\n${res.stderr}`)
      }
      walls.push(res.ms)
      inner.push(doc.elapsedMs)
    }
    const delivered = fleet.peers.filter((p) => p.mode === 'healthy').every((p) => p.messages.length === runs)
    if (!delivered) throw new Error('a healthy fake did not get exactly one message per run')
    const wall = median(walls)
    const sending = median(inner)
    return [
      `| \`broadcast\` to ${n} peers (${down} down, ${silent} silent), --timeout ${timeout}, median of ${runs} | ${(wall / 1000).toFixed(2)} s wall | deliveries ${(sending / 1000).toFixed(2)} s = ${(sending / timeoutMs).toFixed(2)}× the per-peer timeout; ${n - failed} delivered, ${failed} failed (exit 5); rest is CLI start-up |`,
    ]
  } finally {
    await fleet.close()
    rmSync(home, {recursive: true, force: true})
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await benchBroadcast()) console.log(row)
}
