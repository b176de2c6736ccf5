#!/usr/bin/env node
// Benchmark: a full `claw-mesh bootstrap` on a fresh host (a network namespace with a 100.64.x.y address, the
// Tailscale simulator, the real OpenClaw gateway), then the idempotent re-run on the provisioned host.
// Reports claw-mesh's own CPU time and peak memory (CLAW_MESH_REPORT_USAGE: the CLI process itself, not the
// gateway or the tailscale calls it waits for) and the wall time apart from waiting for the gateway to start.
// The re-run is also held to its goals: at most 2 `tailscale` calls, no write of state.json or openclaw.json, and
// at most 10× a bare `node -e 0` started the same way (inside the namespace) in the same run.
// Needs root (ip netns), Node 24, OpenClaw and a build. Run through bench/run.js (it loads tsx for the helpers).
import {execFileSync} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {existsSync, readFileSync, statSync} from 'node:fs'
import {performance} from 'node:perf_hooks'
import os from 'node:os'
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
const RUNS = 7
const mesh = createNetnsMesh(['bench'], {firstOctet: 10})
const control = createControlPlane()
const host = createMeshHost({name: 'bench', net: mesh.hosts[0], control, openclaw: openclaw.bin})
try {
  // A throwaway key for the simulator, made up on the spot (the simulator accepts any well-formed key).
  const keyFile = writeKeyFile(
    control.dir,
    `tskey-auth-k${randomBytes(5).toString('hex')}CNTRL-${randomBytes(16).toString('hex')}`,
  )
  const usageFile = path.join(host.home, 'usage.jsonl')
  const args = ['bootstrap', '--identity', 'bench', '--tailscale-key', `file:${keyFile}`, '--json']
  const t0 = performance.now()
  const fresh = await host.cli(args, {env: {CLAW_MESH_REPORT_USAGE: usageFile}})
  const freshWall = performance.now() - t0
  if (fresh.exitCode !== 0) throw new Error(`bootstrap failed (${fresh.exitCode}): ${fresh.stderr}`)
  const result = fresh.json()
  const gatewayWait = result.steps.find((s) => s.id === 'gateway-start')?.durationMs ?? 0
  const usage = JSON.parse(readFileSync(usageFile, 'utf8').trim().split('\n').at(-1))
  const fingerprint = (file) =>
    existsSync(file) ? `${statSync(file).mtimeMs}:${readFileSync(file, 'base64')}` : 'absent'
  const files = [path.join(host.stateDir, 'state.json'), host.configPath]
  const reruns = []
  const tailscaleCalls = []
  let writes = 0
  // Bare node, started exactly as the CLI is (ip netns exec … node), interleaved with the re-runs so both see the
  // same load on a shared machine.
  const bare = []
  const bareNode = () => {
    const t = performance.now()
    execFileSync('ip', ['netns', 'exec', mesh.hosts[0].ns, process.execPath, '-e', '0'])
    bare.push(performance.now() - t)
  }
  for (let i = 0; i < RUNS; i++) {
    bareNode()
    const before = files.map(fingerprint)
    const calls = host.sim.argvLog().length
    const t = performance.now()
    const r = await host.cli(args)
    reruns.push(performance.now() - t)
    tailscaleCalls.push(host.sim.argvLog().length - calls)
    writes += files.filter((f, j) => fingerprint(f) !== before[j]).length
    if (r.exitCode !== 0 || !/already provisioned/.test(r.stderr))
      throw new Error(`re-run ${i} was not a no-op: ${r.stderr}`)
  }
  bareNode()
  reruns.sort((a, b) => a - b)
  bare.sort((a, b) => a - b)
  const rerun = reruns[Math.floor(RUNS / 2)]
  const node = bare[Math.floor(bare.length / 2)]
  const ratio = rerun / node
  const maxCalls = Math.max(...tailscaleCalls)
  const cpu = usage.cpuUserMs + usage.cpuSystemMs
  console.log(
    `| full bootstrap, fresh host (real gateway, simulated tailnet) | ${(freshWall / 1000).toFixed(1)} s wall, of which ${(gatewayWait / 1000).toFixed(1)} s starting the gateway: ${((freshWall - gatewayWait) / 1000).toFixed(1)} s without it | claw-mesh itself: ${cpu} ms CPU (${usage.cpuUserMs} user + ${usage.cpuSystemMs} sys), peak RSS ${(usage.maxRssKb / 1024).toFixed(0)} MiB |`,
  )
  console.log(
    `| idempotent bootstrap re-run on the provisioned host (median of ${RUNS}) | ${rerun.toFixed(0)} ms | min ${reruns[0].toFixed(0)} ms, max ${reruns.at(-1).toFixed(0)} ms; no restart, no tailscale up |`,
  )
  console.log(
    `| re-run ÷ bare \`node -e 0\` (interleaved, same namespace) | ${ratio.toFixed(1)}× (${rerun.toFixed(0)} ms ÷ ${node.toFixed(0)} ms; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs) | goal ≤ 10× ${ratio <= 10 ? '✓' : '✗ MISSED'} |`,
  )
  console.log(
    `| \`tailscale\` calls per re-run | ${maxCalls} (runs: ${tailscaleCalls.join(', ')}) | goal ≤ 2 ${maxCalls <= 2 ? '✓' : '✗ MISSED'} |`,
  )
  console.log(
    `| files written by ${RUNS} re-runs (state.json, openclaw.json) | ${writes} | goal 0 ${writes === 0 ? '✓' : '✗ MISSED'} |`,
  )
} finally {
  mesh.destroy()
  host.cleanup()
  control.cleanup()
}
