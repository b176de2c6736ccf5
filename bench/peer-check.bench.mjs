#!/usr/bin/env node
// Benchmark: `claw-mesh peer check` over 50 and 100 fake peers, 10 of them silent (they accept TCP and never
// answer), with the built CLI. The whole run should take about one per-peer timeout, whatever the peer count.
// Prints markdown table rows (| what | result | notes |) for bench/run.js. Needs Node 24 (it imports the fake
// peer helper, plain erasable TypeScript) and a build (npm run build).
// Usage: node bench/peer-check.bench.mjs [--sizes 50,100] [--silent 10] [--timeout 2s] [--runs 3]
import {spawn} from 'node:child_process'
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {startFakePeers} from '../test/helpers/fake-peer.ts'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1] : fallback
}
const sizes = arg('sizes', '50,100').split(',').map(Number)
const silent = Number(arg('silent', '10'))
const timeout = arg('timeout', '2s')
const timeoutMs = timeout.endsWith('ms') ? Number(timeout.slice(0, -2)) : Number(timeout.replace(/s$/, '')) * 1000
const runs = Number(arg('runs', '3'))

function median(values) {
  const s = [...values].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/** Runs the CLI without blocking this process's event loop: the fake peers live here and must keep answering. */
function runCli(args, env) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(process.execPath, [path.join(root, 'bin', 'run.js'), ...args], {env: {...process.env, ...env}, stdio: ['ignore', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => (stdout += c))
    child.stderr.on('data', (c) => (stderr += c))
    child.on('error', reject)
    child.on('close', (code) => resolve({code, stdout, stderr, ms: Number(process.hrtime.bigint() - started) / 1e6}))
  })
}

/** A claw-mesh home holding `peers` in state.json and their tokens in secrets.json (the file backend). */
function makeHome(fleet) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'claw-bench-'))
  const peers = {}
  const secrets = {}
  fleet.peers.forEach((p, i) => {
    const name = `peer-${i}`
    peers[name] = {name, url: p.url, addedAt: new Date().toISOString(), source: 'invite', messaging: true}
    secrets[`peer/${name}`] = p.token
  })
  writeFileSync(path.join(home, 'state.json'), JSON.stringify({version: 1, peers}), {mode: 0o600})
  writeFileSync(path.join(home, 'secrets.json'), JSON.stringify(secrets), {mode: 0o600})
  return home
}

export async function benchPeerCheck() {
  const rows = []
  for (const n of sizes) {
    const fleet = await startFakePeers(n, (i) => ({mode: i < silent ? 'silent' : 'healthy', token: `bench-hooks-token-${i}-0123456789`}))
    const home = makeHome(fleet)
    const env = {CLAW_MESH_HOME: home, CLAW_MESH_SECRET_STORE: 'file', CLAW_MESH_SKIP_NEW_VERSION_CHECK: '1', CLAW_MESH_TAILSCALE: path.join(home, 'no-tailscale')}
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
      rows.push(`| \`peer check\` ${n} peers (${silent} silent), --timeout ${timeout}, median of ${runs} | ${(wall / 1000).toFixed(2)} s wall | checks ${(probe / 1000).toFixed(2)} s = ${(probe / timeoutMs).toFixed(2)}× timeout; rest is CLI start-up |`)
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
