#!/usr/bin/env node
// Benchmark: `claw-mesh peer check` over 50 and 100 fake peers, 10 of them silent (they accept TCP and never
// answer), with the built CLI. The whole run should take about one per-peer timeout, whatever the peer count.
// Prints markdown table rows (| what | result | notes |) for bench/run.js. Needs Node 24 (it imports the fake
// peer helper, plain erasable TypeScript) and a build (npm run build).
// Usage: node bench/peer-check.bench.mjs [--sizes 50,100] [--silent 10] [--timeout 2s] [--runs 3]
import {rmSync} from 'node:fs'
import path from 'node:path'
import {startFakePeers} from '../test/helpers/fake-peer.ts'
import {arg, durationMs, median, runCli, makeFleetHome} from './lib.mjs'

const sizes = arg('sizes', '50,100').split(',').map(Number)
const silent = Number(arg('silent', '10'))
const timeout = arg('timeout', '2s')
const timeoutMs = durationMs(timeout)
const runs = Number(arg('runs', '3'))

export async function benchPeerCheck() {
  const rows = []
  for (const n of sizes) {
    const fleet = await startFakePeers(n, (i) => ({
      mode: i < silent ? 'silent' : 'healthy',
      token: `bench-hooks-token-${i}-0123456789`,
    }))
    const home = makeFleetHome(fleet)
    const env = {
      CLAW_MESH_HOME: home,
      CLAW_MESH_SECRET_STORE: 'file',
      CLAW_MESH_SKIP_NEW_VERSION_CHECK: '1',
      CLAW_MESH_TAILSCALE: path.join(home, 'no-tailscale'),
    }
    try {
      const walls = []
      const inner = []
      for (let r = 0; r < runs; r++) {
        const res = await runCli(['peer', 'check', '--timeout', timeout, '--json'], env)
        const doc = JSON.parse(res.stdout)
        if (res.code !== 5 || doc.summary.down !== silent || doc.summary.ok !== n - silent) {
          throw new Error(`unexpected result (exit ${res.code}): ${JSON.stringify(doc.summary)}\n${res.stderr}`)
        }
        walls.push(res.ms)
        inner.push(doc.elapsedMs)
      }
      const wall = median(walls)
      const probe = median(inner)
      rows.push(
        `| \`peer check\` ${n} peers (${silent} silent), --timeout ${timeout}, median of ${runs} | ${(wall / 1000).toFixed(2)} s wall | checks ${(probe / 1000).toFixed(2)} s = ${(probe / timeoutMs).toFixed(2)}× timeout; rest is CLI start-up |`,
      )
    } finally {
      await fleet.close()
      rmSync(home, {recursive: true, force: true})
    }
  }
  return rows
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await benchPeerCheck()) console.log(row)
}
