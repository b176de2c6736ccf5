// Shared plumbing for the benchmarks: flags, the median, running the built CLI without blocking the event loop
// (the fake gateways live in the benchmark's own process and must keep answering), and a claw-mesh home holding
// a fleet of peers.
import {spawn} from 'node:child_process'
import {mkdtempSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

export function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? process.argv[i + 1] : fallback
}

/** `2s` / `500ms` → milliseconds. */
export function durationMs(text) {
  return text.endsWith('ms') ? Number(text.slice(0, -2)) : Number(text.replace(/s$/, '')) * 1000
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

export function runCli(args, env) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint()
    const child = spawn(process.execPath, [path.join(root, 'bin', 'run.js'), ...args], {
      env: {...process.env, ...env},
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => (stdout += c))
    child.stderr.on('data', (c) => (stderr += c))
    child.on('error', reject)
    child.on('close', (code) => resolve({code, stdout, stderr, ms: Number(process.hrtime.bigint() - started) / 1e6}))
  })
}

/** A claw-mesh home (CLAW_MESH_HOME) with `fleet.peers` in state.json and their hooks tokens in secrets.json. */
export function makeFleetHome(fleet, opts = {}) {
  const home = mkdtempSync(path.join(os.tmpdir(), opts.prefix ?? 'claw-bench-'))
  const peers = {}
  const secrets = {}
  fleet.peers.forEach((p, i) => {
    const name = opts.name ? opts.name(i) : `peer-${i}`
    peers[name] = {
      name,
      url: p.url,
      addedAt: new Date().toISOString(),
      source: 'invite',
      messaging: true,
      ...(opts.hostname ? {hostname: opts.hostname(i)} : {}),
    }
    secrets[`peer/${name}`] = p.token
  })
  writeFileSync(
    path.join(home, 'state.json'),
    JSON.stringify({version: 1, ...(opts.identity ? {identity: opts.identity} : {}), peers}),
    {mode: 0o600},
  )
  writeFileSync(path.join(home, 'secrets.json'), JSON.stringify(secrets), {mode: 0o600})
  return home
}
