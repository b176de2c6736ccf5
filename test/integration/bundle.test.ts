import {mkdirSync, readdirSync, readFileSync, writeFileSync} from 'node:fs'
import {createServer} from 'node:http'
import {connect, type AddressInfo} from 'node:net'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {packageRoot} from '../../src/infra/package-root.js'
import {ROOT, runCli} from '../helpers/built-cli.js'
import {tempDir} from '../helpers/fakes/index.js'

/**
 * The built CLI starts from its bundle (dist/bundle): oclif and the commands come from there, not from the ~600
 * files tsc writes, and files the package ships (templates/, bin/run.js) are still found from a bundle chunk.
 */
const home = tempDir('bundle').path
const HOOK = path.join(ROOT, 'test', 'fixtures', 'bundle', 'record-loads.mjs')
const BUILTINS_HOOK = path.join(ROOT, 'test', 'fixtures', 'bundle', 'record-builtins.mjs')

function withPeer() {
  const cm = path.join(home, 'cm')
  mkdirSync(cm, {recursive: true})
  writeFileSync(
    path.join(cm, 'state.json'),
    JSON.stringify({
      version: 1,
      identity: 'nova',
      peers: {
        clawd: {
          name: 'clawd',
          url: 'http://100.64.0.2:18789',
          addedAt: '2026-12-01T00:00:00Z',
          source: 'invite',
          messaging: true,
        },
      },
    }),
  )
  return {CLAW_MESH_HOME: cm, HOME: home}
}

async function loadsOf(args: string[], env: Record<string, string>) {
  const loads = path.join(home, `loads-${args.join('-').replace(/\W+/g, '')}.txt`)
  writeFileSync(loads, '')
  const run = await runCli(args, {env: {...env, CLAW_MESH_TEST_LOADS: loads, NODE_OPTIONS: `--import=${HOOK}`}})
  return {
    run,
    files: readFileSync(loads, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((u) => path.relative(ROOT, new URL(u).pathname)),
  }
}

describe('the start-up bundle', () => {
  it('runs a command from dist/bundle: no file of dist/commands, dist/services or node_modules/@oclif/core loads', async () => {
    const {run, files} = await loadsOf(['peer', 'list', '--format', 'md'], withPeer())
    expect(run.exitCode, run.stderr).toBe(0)
    // The markdown comes from templates/peer-config.md, found from a bundle chunk.
    expect(run.stdout).toMatch(/^# Peer configuration \(nova\)/)
    expect(files).toContain('dist/bundle/cli.js')
    expect(
      files.filter((f) => /^dist\/(commands|services|core)\//.test(f) || f.includes('node_modules/@oclif/core/')),
    ).toEqual([])
    // Fewer than 40 files for a plain command (tsc's output was ~600).
    expect(files.length).toBeLessThan(40)
  })

  it("loads none of Node's modules a plain command does not use (each one is start-up time on every run)", async () => {
    const loads = path.join(home, 'builtins.txt')
    writeFileSync(loads, '')
    const run = await runCli(['peer', 'list'], {
      env: {...withPeer(), CLAW_MESH_TEST_BUILTINS: loads, NODE_OPTIONS: `--import=${BUILTINS_HOOK}`},
    })
    expect(run.exitCode, run.stderr).toBe(0)
    const builtins = readFileSync(loads, 'utf8').split('\n').filter(Boolean)
    expect(builtins).toContain('tty') // the recorder works: the table went to stdout
    // worker_threads, util's parseArgs and assert's diff came with listr2's `import … from 'util'` (an ES module
    // facade reads every export), crypto with its randomUUID import, perf_hooks with oclif's performance module and
    // the global `performance`, child_process with oclif's PowerShell helper, readline with its stdin reader.
    const unused = [
      'worker_threads',
      'internal/util/parse_args/parse_args',
      'internal/util/diff',
      'crypto',
      'perf_hooks',
      'child_process',
      'readline',
    ]
    expect(builtins.filter((b) => unused.includes(b))).toEqual([])
  })

  it('loads no wsl-utils on Linux: whether this is WSL comes from is-wsl alone', async () => {
    // wsl-utils only re-exports is-wsl's answer, and loads its PowerShell helpers (child_process, util) with it.
    // `--help` asks from bin/root-help.js (its own is-wsl chunk); a command from oclif's Config, inside the bundle.
    const {run, files} = await loadsOf(['--help'], {CLAW_MESH_HOME: path.join(home, 'empty'), HOME: home})
    expect(run.exitCode, run.stderr).toBe(0)
    expect(files.filter((f) => f.includes('wsl-utils'))).toEqual([])
    expect(files.filter((f) => f.includes('is-wsl'))).toHaveLength(1)
    // A command's Config asks is-wsl too: oclif's util/os.js is edited to (scripts/bundle-plugins.mjs, whose edits
    // test/unit/bundle-plugins.test.ts holds to oclif's files); inside the one-file bundle, wsl-utils' code is there
    // but runs only where oclif looks for PowerShell (Windows).
    const cli = readFileSync(path.join(ROOT, 'dist', 'bundle', 'cli.js'), 'utf8')
    expect(cli).toContain('(init_is_wsl(), is_wsl_exports))).default ? "wsl"')
  })

  it('is pure ASCII: V8 holds it as a one-byte string, and the compile cache hashes it without re-encoding', () => {
    const bundle = path.join(ROOT, 'dist', 'bundle')
    const files = readdirSync(bundle, {recursive: true, encoding: 'utf8'}).filter((f) => f.endsWith('.js'))
    expect(files).toContain('cli.js')
    for (const f of files) {
      const bytes = readFileSync(path.join(bundle, f))
      expect(
        bytes.findIndex((b) => b > 0x7f),
        f,
      ).toBe(-1)
    }
  })

  it("leaves out oclif's engines check: dead in the bundle (its package.json is not there), it only loaded semver", () => {
    const bundle = path.join(ROOT, 'dist', 'bundle')
    const chunks = [
      readFileSync(path.join(bundle, 'cli.js'), 'utf8'),
      ...readdirSync(path.join(bundle, 'chunks')).map((f) => readFileSync(path.join(bundle, 'chunks', f), 'utf8')),
    ]
    const oclif = chunks.filter((c) => c.includes('@oclif/core/lib/index.js'))
    expect(oclif).toHaveLength(1)
    expect(oclif[0]).not.toMatch(/checkNodeVersion\(\)/)
    expect(oclif[0]).toMatch(/checkCWD\(\)/)
  })

  it("loads none of oclif's plugins for a claw-mesh command, and all of them for the command list", async () => {
    // oclif's debug log names each plugin it finds; DEBUG=oclif:* turns it on.
    const plain = await runCli(['peer', 'list', '--help'], {env: {...withPeer(), DEBUG: 'oclif:*'}})
    expect(plain.exitCode, plain.stderr).toBe(0)
    expect(plain.stdout).toMatch(/USAGE\n {2}\$ claw-mesh peer list/)
    expect(plain.stderr).not.toMatch(/@oclif\/plugin-/)
    const help = await runCli(['--help'], {env: {...withPeer(), DEBUG: 'oclif:*'}})
    expect(help.stdout).toMatch(/autocomplete/)
    expect(help.stderr).toMatch(/find-root:@oclif\/plugin-autocomplete/)
    // A mistyped command, without a terminal: a usage error (exit 2) that names the command meant.
    const unknown = await runCli(['peer', 'lst'], {env: withPeer()})
    expect(unknown.exitCode).toBe(2)
    expect(unknown.stderr).toBe(
      'Error: "peer lst" is not a claw-mesh command.\n  → Did you mean: claw-mesh peer list?\n',
    )
    const far = await runCli(['frobnicate'], {env: withPeer()})
    expect(far.exitCode).toBe(2)
    expect(far.stderr).toMatch(/→ Run claw-mesh help for the list of commands/)
  })

  it('in userspace networking, peer traffic goes through the proxy from the bundle too (undici loads and tunnels)', async () => {
    // tailscaled's proxy stand-in: CONNECT to any tailnet address lands on a local gateway that answers /healthz.
    const gateway = createServer((req, res) =>
      res.writeHead(200, {'content-type': 'application/json'}).end(JSON.stringify({ok: true, status: 'live'})),
    )
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r))
    const tunnels: string[] = []
    const proxy = createServer().on('connect', (req, client) => {
      tunnels.push(req.url ?? '')
      const up = connect((gateway.address() as AddressInfo).port, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
        up.pipe(client)
        client.pipe(up)
      })
    })
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r))
    try {
      const env = {
        ...withPeer(),
        CLAW_MESH_TAILSCALE_PROXY: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`,
      }
      const run = await runCli(['peer', 'check', 'clawd', '--json', '--timeout', '5s'], {env})
      expect(tunnels).toContain('100.64.0.2:18789')
      const probes = run.json<{peers: {probes: {healthz: {status: string; detail: string}}}[]}>().peers[0].probes
      expect(probes.healthz, run.stdout).toMatchObject({status: 'ok'})
    } finally {
      proxy.close()
      gateway.close()
    }
  })

  it('doctor from the bundle: no check crashes on a bare host (files are found from the package root)', async () => {
    // A module that read a file relative to its own place found it from dist/services/… but not from dist/bundle/
    // (agent-exec-fallback read /package.json one folder too high and crashed).
    const bare = path.join(home, 'bare')
    const run = await runCli(['doctor', '--json'], {env: {CLAW_MESH_HOME: path.join(bare, 'cm'), HOME: bare}})
    const report = JSON.parse(run.stdout) as {summary: {crashed: number}; checks: {id: string; detail: string}[]}
    expect(report.summary.crashed, JSON.stringify(report.checks.filter((c) => /crashed/.test(c.detail)))).toBe(0)
  })

  it("packageRoot() is the folder of claw-mesh's package.json", () => {
    expect(packageRoot()).toBe(ROOT)
    expect(JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')).name).toBe('claw-mesh')
  })
})
