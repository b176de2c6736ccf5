import {execFile} from 'node:child_process'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import {stripVTControlCharacters} from 'node:util'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {CLI, ROOT, cliEnv} from '../helpers/built-cli.js'

/**
 * `claw-mesh --help` is printed by bin/root-help.js without oclif's Config; these compare it, byte for byte, with
 * what oclif itself prints: the unbundled CLI (bench/unbundled.mjs: oclif from node_modules, as before the bundle)
 * and the bundled CLI with a DEBUG namespace set (the fast path steps aside for a debug log).
 */
const home = mkdtempSync(path.join(os.tmpdir(), 'claw-root-help-'))
afterAll(() => rmSync(home, {recursive: true, force: true}))
const UNBUNDLED = path.join(ROOT, 'bench', 'unbundled.mjs')
const HOOK = path.join(ROOT, 'test', 'fixtures', 'bundle', 'record-loads.mjs')

function run(
  script: string,
  args: string[],
  env: Record<string, string | undefined> = {},
): Promise<{code: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script, ...args],
      {env: cliEnv({HOME: home, XDG_CONFIG_HOME: undefined, XDG_DATA_HOME: undefined, ...env})},
      (error, stdout, stderr) => resolve({code: error ? Number(error.code) : 0, stdout, stderr}),
    )
  })
}

/** The fast path's output and oclif's for the same arguments and environment. */
async function both(args: string[], env: Record<string, string | undefined> = {}) {
  const loads = path.join(home, `loads-${Math.random()}.txt`)
  writeFileSync(loads, '')
  const [fast, unbundled, bundledOclif] = await Promise.all([
    run(CLI, args, {...env, CLAW_MESH_TEST_LOADS: loads, NODE_OPTIONS: `--import=${HOOK}`}),
    run(UNBUNDLED, args, env),
    run(CLI, args, {...env, DEBUG: 'claw-mesh-test-nothing'}),
  ])
  const files = readFileSync(loads, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((u) => path.relative(ROOT, new URL(u).pathname))
  return {fast, unbundled, bundledOclif, files}
}

describe('the root help without oclif', () => {
  it.each([
    ['--help', '80 columns (no terminal)', {}],
    ['--help', '40 columns', {OCLIF_COLUMNS: '40'}],
    ['--help', '57 columns', {OCLIF_COLUMNS: '57'}],
    ['--help', '200 columns', {OCLIF_COLUMNS: '200'}],
    ['--help', 'colour forced (bold headers)', {FORCE_COLOR: '1', NO_COLOR: undefined}],
    ['', 'no arguments', {}],
  ])('%s, %s: exactly what oclif prints, from the fast path', async (arg, _name, env) => {
    const {fast, unbundled, bundledOclif, files} = await both(arg ? [arg] : [], env)
    expect(fast.code, fast.stderr).toBe(0)
    expect(fast.stderr).toBe('')
    expect(stripVTControlCharacters(fast.stdout)).toMatch(/^Turn separate machines[^]*\nCOMMANDS\n {2}ask /)
    expect(fast.stdout).toBe(unbundled.stdout)
    expect(fast.stdout).toBe(bundledOclif.stdout)
    // It was the fast path: oclif's Config (the CLI bundle) never loaded.
    expect(files).toContain('bin/root-help.js')
    expect(files).not.toContain('dist/bundle/cli.js')
  })

  it("steps aside for a user theme or user plugins (oclif reads both) and prints oclif's help", async () => {
    const config = path.join(home, 'themed', 'config')
    mkdirSync(path.join(config, 'claw-mesh'), {recursive: true})
    writeFileSync(
      path.join(config, 'claw-mesh', 'theme.json'),
      JSON.stringify({sectionHeader: 'red', command: 'green'}),
    )
    const themed = await both(['--help'], {XDG_CONFIG_HOME: config, FORCE_COLOR: '1', NO_COLOR: undefined})
    expect(themed.files).toContain('dist/bundle/cli.js')
    expect(themed.fast.stdout).toContain('\u001B[31m') // the theme's red headers
    expect(themed.fast.stdout).toBe(themed.unbundled.stdout)

    const data = path.join(home, 'plugins', 'data')
    mkdirSync(path.join(data, 'claw-mesh'), {recursive: true})
    writeFileSync(path.join(data, 'claw-mesh', 'package.json'), JSON.stringify({oclif: {plugins: []}}))
    const plugins = await both(['--help'], {XDG_DATA_HOME: data})
    expect(plugins.files).toContain('dist/bundle/cli.js')
    expect(plugins.fast.stdout).toBe(plugins.unbundled.stdout)
  })
})
