#!/usr/bin/env node
// Benchmark runner: `npm run bench`. Runs bench/*.bench.mjs one at a time (each prints markdown table rows on
// stdout) after the built-in cold-start benchmark, and writes everything to bench/results.md with the machine,
// the date and the command. Needs a build (npm run build) first.
import {spawnSync} from 'node:child_process'
import {readdirSync, writeFileSync, existsSync, rmSync} from 'node:fs'
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

function timeCommand(argv, runs, env = {}) {
  const times = []
  for (let i = 0; i < runs; i++) {
    const t = process.hrtime.bigint()
    const r = spawnSync(argv[0], argv.slice(1), {env: {...process.env, CLAW_MESH_SKIP_NEW_VERSION_CHECK: '1', ...env}, stdio: 'ignore'})
    if (r.status !== 0) throw new Error(`${argv.join(' ')} exited ${r.status}`)
    times.push(Number(process.hrtime.bigint() - t) / 1e6)
  }
  return times
}

const rows = []
const fmt = (ms) => `${ms.toFixed(0)} ms`
// Measure what users install: the packed CLI carries oclif.manifest.json (generated at pack time), so every
// benchmark that runs the CLI (cold start, the bootstrap re-run) runs it with the manifest.
const manifest = path.join(root, 'oclif.manifest.json')
const made = !existsSync(manifest)
if (made) spawnSync(process.execPath, [path.join(root, 'node_modules', 'oclif', 'bin', 'run.js'), 'manifest'], {cwd: root, stdio: 'ignore'})
process.on('exit', () => made && rmSync(manifest, {force: true}))
if (only.length === 0 || only.includes('startup')) {
  const runs = 15
  const base = median(timeCommand([process.execPath, '-e', '0'], runs))
  const cli = path.join(root, 'bin', 'run.js')
  const version = median(timeCommand([process.execPath, cli, '--version'], runs))
  const help = median(timeCommand([process.execPath, cli, '--help'], runs))
  rows.push(`| cold start \`claw-mesh --version\` (median of ${runs}) | ${fmt(version)} | \`node -e 0\`: ${fmt(base)} (overhead ${fmt(version - base)}) |`)
  rows.push(`| cold start \`claw-mesh --help\` (median of ${runs}) | ${fmt(help)} | \`node -e 0\`: ${fmt(base)} (overhead ${fmt(help - base)}) |`)
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
