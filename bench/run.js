#!/usr/bin/env node
// Benchmark runner: `npm run bench`. Runs bench/*.bench.mjs one at a time (each prints markdown table rows on
// stdout) after the built-in cold-start benchmark, and writes everything to bench/results.md with the machine,
// the date and the command. Needs a build (npm run build) first.
import {spawnSync} from 'node:child_process'
import {readdirSync, readFileSync, writeFileSync, existsSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

const here = path.dirname(fileURLToPath(import.meta.url))
const root = path.resolve(here, '..')
const only = process.argv.slice(2)

if (!existsSync(path.join(root, 'dist', 'commands'))) {
  console.error('bench: run `npm run build` first (dist/ is missing).')
  process.exit(2)
}

function median(values) {
  const s = [...values].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/** CPU time (user + system, ms) of the children this process has waited for: Linux's /proc/self/stat cutime+cstime. */
function childrenCpuMs() {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').replace(/^.*\) /, '').split(' ')
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100 // USER_HZ is 100 on Linux
  } catch {
    return undefined
  }
}

function timeCommand(argv, runs, env = {}) {
  const times = []
  const cpu = []
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint()
    const c = childrenCpuMs()
    const r = spawnSync(argv[0], argv.slice(1), {env: {...process.env, CLAW_MESH_SKIP_NEW_VERSION_CHECK: '1', ...env}, stdio: 'ignore'})
    if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}`)
    times.push(Number(process.hrtime.bigint() - t) / 1e6)
    if (c !== undefined) cpu.push(childrenCpuMs() - c)
  }
  times.cpu = cpu
  return times
}

const rows = []
const fmt = (ms) => `${ms.toFixed(0)} ms`
// `npm run build` writes oclif.manifest.json, so a checkout answers --help from it as an installed package does:
// every benchmark that runs the CLI (cold start, the bootstrap re-run) runs it with the manifest.
if (!existsSync(path.join(root, 'oclif.manifest.json'))) {
  console.error('bench: oclif.manifest.json is missing: run `npm run build` (it writes the manifest).')
  process.exit(2)
}
if (only.length === 0 || only.includes('startup')) {
  const runs = 15
  const baseRuns = timeCommand([process.execPath, '-e', '0'], runs)
  const base = median(baseRuns)
  const cli = path.join(root, 'bin', 'run.js')
  const version = median(timeCommand([process.execPath, cli, '--version'], runs))
  const helpRuns = timeCommand([process.execPath, cli, '--help'], runs)
  const help = median(helpRuns)
  const HELP_GOAL_MS = 150
  rows.push(`| cold start \`claw-mesh --version\` (median of ${runs}) | ${fmt(version)} | \`node -e 0\`: ${fmt(base)} (overhead ${fmt(version - base)}) |`)
  rows.push(`| cold start \`claw-mesh --help\` from the manifest (median of ${runs}) | ${fmt(help)}: node + ${fmt(help - base)} | goal: node + ≤ ${HELP_GOAL_MS} ms (${help - base <= HELP_GOAL_MS ? 'met' : 'NOT met'}) |`)
  // Wall time on a loaded machine is mostly waiting for a core; CPU time is what the command itself costs.
  if (helpRuns.cpu.length && baseRuns.cpu.length) {
    const helpCpu = median(helpRuns.cpu)
    const baseCpu = median(baseRuns.cpu)
    rows.push(`| CPU of \`claw-mesh --help\` (user + system, median of ${runs}) | ${fmt(helpCpu)}: node + ${fmt(helpCpu - baseCpu)} | \`node -e 0\`: ${fmt(baseCpu)}; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores |`)
  }
}

for (const file of readdirSync(here).filter((f) => f.endsWith('.bench.mjs')).sort()) {
  const name = file.replace(/\.bench\.mjs$/, '')
  if (only.length > 0 && !only.includes(name)) continue
  process.stderr.write(`bench: ${name}…\n`)
  // tsx lets the benchmarks reuse the test helpers (TypeScript with .js import specifiers).
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, file)], {cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 15 * 60_000})
  if (r.status !== 0) {
    rows.push(`| ${name} | failed (exit ${r.status}) | |`)
    continue
  }
  rows.push(...r.stdout.split('\n').filter((l) => l.startsWith('|')))
}

const cpu = os.cpus()[0]?.model ?? 'unknown CPU'
const doc = `# claw-mesh benchmarks

- Date: ${new Date().toISOString()}
- Machine: ${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB RAM, ${os.type()} ${os.release()}
- Node: ${process.version}
- Command: \`npm run bench${only.length ? ` -- ${only.join(' ')}` : ''}\`

| benchmark | result | reference |
|---|---|---|
${rows.join('\n')}
`
writeFileSync(path.join(here, 'results.md'), doc)
process.stdout.write(doc)
