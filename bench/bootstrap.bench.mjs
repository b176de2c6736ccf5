#!/usr/bin/env node
// Benchmark: a full `claw-mesh bootstrap` on a fresh host (a network namespace with a 100.64.x.y address, the
// Tailscale simulator, the real OpenClaw gateway), then the idempotent re-run on the provisioned host.
// Reports claw-mesh's own CPU time and peak memory (CLAW_MESH_REPORT_USAGE: the CLI process itself, not the
// gateway or the tailscale calls it waits for) and the wall time apart from waiting for the gateway to start.
// Needs root (ip netns), Node 24, OpenClaw and a build. Run through bench/run.js (it loads tsx for the helpers).
import {randomBytes} from 'node:crypto'
import {readFileSync} from 'node:fs'
import {performance} from 'node:perf_hooks'
import path from 'node:path'
import {createNetnsMesh, netnsUnavailable} from '../test/helpers/netns.ts'
import {createControlPlane} from '../test/helpers/tailscale-sim.ts'
import {createMeshHost, findOpenClaw, writeKeyFile} from '../test/helpers/mesh-host.ts'

const openclaw = findOpenClaw()
const why = openclaw.reason ?? netnsUnavailable()
if (why) {
  console.log(`| bootstrap | skipped: ${why} | |`)
  process.exit(0)
}
const RUNS = 5
const mesh = createNetnsMesh(['bench'], {firstOctet: 10})
const control = createControlPlane()
const host = createMeshHost({name: 'bench', net: mesh.hosts[0], control, openclaw: openclaw.bin})
try {
  // A throwaway key for the simulator, made up on the spot (the simulator accepts any well-formed key).
  const keyFile = writeKeyFile(control.dir, `tskey-auth-k${randomBytes(5).toString('hex')}CNTRL-${randomBytes(16).toString('hex')}`)
  const usageFile = path.join(host.home, 'usage.jsonl')
  const args = ['bootstrap', '--identity', 'bench', '--tailscale-key', `file:${keyFile}`, '--json']
  const t0 = performance.now()
  const fresh = await host.cli(args, {env: {CLAW_MESH_REPORT_USAGE: usageFile}})
  const freshWall = performance.now() - t0
  if (fresh.exitCode !== 0) throw new Error(`bootstrap failed (${fresh.exitCode}): ${fresh.stderr}`)
  const result = fresh.json()
  const gatewayWait = result.steps.find((s) => s.id === 'gateway-start')?.durationMs ?? 0
  const usage = JSON.parse(readFileSync(usageFile, 'utf8').trim().split('\n').at(-1))
  const reruns = []
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now()
    const r = await host.cli(args)
    reruns.push(performance.now() - t)
    if (r.exitCode !== 0 || !/already provisioned/.test(r.stderr)) throw new Error(`re-run ${i} was not a no-op: ${r.stderr}`)
  }
  reruns.sort((a, b) => a - b)
  const cpu = usage.cpuUserMs + usage.cpuSystemMs
  console.log(`| full bootstrap, fresh host (real gateway, simulated tailnet) | ${(freshWall / 1000).toFixed(1)} s wall, of which ${(gatewayWait / 1000).toFixed(1)} s starting the gateway: ${((freshWall - gatewayWait) / 1000).toFixed(1)} s without it | claw-mesh itself: ${cpu} ms CPU (${usage.cpuUserMs} user + ${usage.cpuSystemMs} sys), peak RSS ${(usage.maxRssKb / 1024).toFixed(0)} MiB |`)
  console.log(`| idempotent bootstrap re-run on the provisioned host (median of ${RUNS}) | ${reruns[Math.floor(RUNS / 2)].toFixed(0)} ms | min ${reruns[0].toFixed(0)} ms, max ${reruns.at(-1).toFixed(0)} ms; no write, no restart, no tailscale up |`)
} finally {
  mesh.destroy()
  host.cleanup()
  control.cleanup()
}
