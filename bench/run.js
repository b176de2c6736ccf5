#!/usr/bin/env node
// Benchmark runner: `npm run bench`. Runs bench/*.bench.mjs one at a time (each prints markdown table rows on
// stdout) after the built-in cold-start benchmark, and writes everything to bench/results.md with the machine,
// the date and the command. Needs a build (npm run build) first.
import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
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
    const fields = readFileSync('/proc/self/stat', 'utf8')
      .replace(/^.*\) /, '')
      .split(' ')
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
    const r = spawnSync(argv[0], argv.slice(1), {
      env: {...process.env, CLAW_MESH_SKIP_NEW_VERSION_CHECK: '1', ...env},
      stdio: 'ignore',
    })
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
  // Side by side, round-robin: every command runs right after \`node -e 0\`, so a busy machine slows both alike.
  // CPU (user + system of the child) is what the command costs; wall time on a loaded machine is mostly waiting.
  const runs = 31
  const home = mkdtempSync(path.join(os.tmpdir(), 'claw-bench-start-'))
  // Nothing to probe: an empty claw-mesh home, and a PATH with only node on it (no tailscale, no openclaw).
  const env = {CLAW_MESH_HOME: path.join(home, 'cm'), HOME: home, PATH: path.dirname(process.execPath)}
  const cli = path.join(root, 'bin', 'run.js')
  const old = path.join(here, 'unbundled.mjs')
  const cases = [
    {key: 'node', argv: [process.execPath, '-e', '0']},
    {key: 'version', label: '`claw-mesh --version`', argv: [process.execPath, cli, '--version']},
    {key: 'help', label: '`claw-mesh --help`', argv: [process.execPath, cli, '--help'], goal: 50},
    {key: 'list', label: '`claw-mesh peer list`', argv: [process.execPath, cli, 'peer', 'list'], goal: 80},
    {
      key: 'status',
      label: '`claw-mesh status --json` (nothing to probe)',
      argv: [process.execPath, cli, 'status', '--json'],
      goal: 80,
    },
    {
      key: 'list-old',
      label: '`peer list` without the bundle (baseline)',
      argv: [process.execPath, old, 'peer', 'list'],
    },
  ]
  const got = Object.fromEntries(cases.map((c) => [c.key, {wall: [], cpu: []}]))
  for (let i = 0; i < runs; i++) {
    for (const c of cases) {
      const t = timeCommand(c.argv, 1, env)
      got[c.key].wall.push(t[0])
      if (t.cpu.length) got[c.key].cpu.push(t.cpu[0])
    }
  }
  const med = (key, kind) => median(got[key][kind])
  const haveCpu = got.node.cpu.length === runs
  for (const c of cases.slice(1)) {
    const cpuOver = haveCpu ? med(c.key, 'cpu') - med('node', 'cpu') : undefined
    const verdict =
      c.goal === undefined || cpuOver === undefined
        ? ''
        : `; goal node + ≤ ${c.goal} ms CPU (${cpuOver <= c.goal ? 'met' : 'NOT met'})`
    const cpuText = cpuOver === undefined ? '' : `CPU ${fmt(med(c.key, 'cpu'))} = node + ${fmt(cpuOver)}, `
    rows.push(
      `| start-up ${c.label} (medians of ${runs}) | ${cpuText}wall ${fmt(med(c.key, 'wall'))} = node + ${fmt(med(c.key, 'wall') - med('node', 'wall'))} | \`node -e 0\`: CPU ${haveCpu ? fmt(med('node', 'cpu')) : 'n/a'}, wall ${fmt(med('node', 'wall'))}${verdict} |`,
    )
  }
  if (haveCpu)
    rows.push(
      `| start-up: \`peer list\` bundled vs unbundled | CPU ${(med('list', 'cpu') / med('list-old', 'cpu')).toFixed(2)}× | load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores |`,
    )
  rmSync(home, {recursive: true, force: true})
}

for (const file of readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .sort()) {
  const name = file.replace(/\.bench\.mjs$/, '')
  if (only.length > 0 && !only.includes(name)) continue
  process.stderr.write(`bench: ${name}…\n`)
  // tsx lets the benchmarks reuse the test helpers (TypeScript with .js import specifiers).
  const r = spawnSync(process.execPath, ['--import', 'tsx', path.join(here, file)], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 15 * 60_000,
  })
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
