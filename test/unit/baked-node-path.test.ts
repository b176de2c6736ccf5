import {spawnSync} from 'node:child_process'
import {mkdirSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {tempDir} from '../helpers/fakes/index.js'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {stableNodePath, versionManagerOf, versionManagerWarning} from '../../src/core/openclaw/stable-node-path.js'
import {createDeps} from '../../src/deps.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {Redactor} from '../../src/core/secrets/redact.js'
import {createExecaRunner} from '../../src/infra/runner.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {darwinAdapter} from '../../src/platform/darwin.js'
import {secretWiring, writeSecretLauncher} from '../../src/services/gateway/secret-wiring.js'
import {resolveSecretRef} from '../../src/services/doctor/secret-ref.js'
import {cliInvocation} from '../../src/services/skill/install.js'
import {installWatchdog} from '../../src/services/watchdog/install.js'
import {renderWatchdogFiles} from '../../src/services/watchdog/units.js'
import {requireTool} from '../helpers/tools.js'

/**
 * Node reports its realpath, which under Homebrew is the versioned Cellar directory `brew upgrade node` deletes
 * (issue 17, M3). Here node "runs" from a fake Homebrew prefix's Cellar (process.execPath is pointed there), and the
 * three files claw-mesh bakes a node path into must name the upgrade-proof <prefix>/opt/node/bin/node instead.
 */
let dir: string
let prefix: string
let realExecPath: string
const CELLAR = () => path.join(prefix, 'Cellar', 'node', '24.4.1', 'bin', 'node')
const STABLE = () => path.join(prefix, 'opt', 'node', 'bin', 'node')
const touch = (file: string) => {
  mkdirSync(path.dirname(file), {recursive: true})
  writeFileSync(file, '')
}
const runAs = (nodePath: string) =>
  Object.defineProperty(process, 'execPath', {value: nodePath, configurable: true, writable: true})

beforeEach(() => {
  dir = tempDir('baked-node').path
  prefix = path.join(dir, 'homebrew')
  touch(CELLAR())
  touch(STABLE())
  realExecPath = process.execPath
})
afterEach(() => {
  runAs(realExecPath)
})

const macDeps = () =>
  createDeps({
    env: {HOME: path.join(dir, 'home'), CLAW_MESH_HOME: path.join(dir, 'state'), PATH: '/usr/bin:/bin'},
    platform: 'darwin',
    io: createTestIOStreams().io,
    store: createMemoryStateStore({}),
    secrets: createMemorySecretStore(),
  })

describe('the node path baked into long-lived files', () => {
  it.each([
    [
      '/opt/homebrew/Cellar/node/24.4.1/bin/node',
      ['/opt/homebrew/opt/node/bin/node'],
      '/opt/homebrew/opt/node/bin/node',
    ],
    ['/opt/homebrew/Cellar/node/24.4.1/bin/node', ['/opt/homebrew/bin/node'], '/opt/homebrew/bin/node'],
    [
      '/opt/homebrew/Cellar/node@24/24.16.0/bin/node',
      ['/opt/homebrew/opt/node@24/bin/node'],
      '/opt/homebrew/opt/node@24/bin/node',
    ],
    ['/opt/homebrew/Cellar/node/24.4.1/bin/node', [], '/opt/homebrew/Cellar/node/24.4.1/bin/node'],
    ['/usr/local/bin/node', ['/usr/local/opt/node/bin/node'], '/usr/local/bin/node'],
  ])('%s with %j present → %s', (node, present, baked) => {
    expect(stableNodePath(node, (p) => present.includes(p))).toBe(baked)
  })

  it.each([
    ['/Users/nova/.nvm/versions/node/v24.16.0/bin/node', 'nvm'],
    ['/Users/nova/.volta/tools/image/node/24.16.0/bin/node', 'volta'],
    ['/Users/nova/.asdf/installs/nodejs/24.16.0/bin/node', 'asdf'],
    ['/Users/nova/Library/Application Support/fnm/node-versions/v24/installation/bin/node', 'fnm'],
    ['/opt/homebrew/opt/node/bin/node', undefined],
  ])('%s is managed by %s', (node, manager) => {
    expect(versionManagerOf(node)).toBe(manager)
    expect(versionManagerWarning(node, 'x') !== undefined).toBe(manager !== undefined)
  })

  it('the watchdog LaunchAgent: a plist launchd accepts (plistlib, launchd.plist(5) types) whose node survives brew upgrade', () => {
    runAs(CELLAR())
    const {files} = renderWatchdogFiles(macDeps(), {intervalSec: 120, failures: 3, cooldownSec: 1800})
    const python = requireTool('python3', 'python3')
    if (!python) return
    const file = path.join(dir, 'watchdog.plist')
    writeFileSync(file, files[0].content)
    // launchd.plist(5): each key with the type launchd reads it as.
    const script = `
import plistlib, sys, json
d = plistlib.load(open(sys.argv[1], 'rb'))
types = {'Label': str, 'ProgramArguments': list, 'EnvironmentVariables': dict, 'WorkingDirectory': str, 'StartInterval': int,
         'RunAtLoad': bool, 'ProcessType': str, 'StandardOutPath': str, 'StandardErrorPath': str}
bad = [k for k, v in d.items() if k not in types or type(v) is not types[k]]
bad += ['ProgramArguments[]' for a in d['ProgramArguments'] if type(a) is not str]
bad += ['EnvironmentVariables{}' for v in d['EnvironmentVariables'].values() if type(v) is not str]
if d.get('ProcessType') not in ('Background', 'Standard', 'Adaptive', 'Interactive'): bad.append('ProcessType value')
print(json.dumps({'bad': bad, 'args': d['ProgramArguments'], 'path': d['EnvironmentVariables']['PATH']}))
`
    const r = spawnSync(python, ['-c', script, file], {encoding: 'utf8'})
    expect(r.stderr).toBe('')
    const parsed = JSON.parse(r.stdout) as {bad: string[]; args: string[]; path: string}
    expect(parsed.bad).toEqual([])
    expect(parsed.args[0]).toBe(STABLE())
    expect(parsed.args[0]).not.toMatch(/\/Cellar\/|\/\.nvm\/versions\//)
    expect(parsed.path.split(':')[0]).toBe(path.dirname(STABLE()))
  })

  it('the secret resolver launcher OpenClaw execs', () => {
    runAs(CELLAR())
    const store = {...createMemorySecretStore(), backend: 'keychain' as const, location: 'macOS Keychain'}
    const wiring = secretWiring(store, {platform: darwinAdapter, stateDir: path.join(dir, 'state')})
    expect(wiring.launcher?.content).toContain(`exec '${STABLE()}'`)
    expect(wiring.launcher?.content).not.toMatch(/\/Cellar\/|\/\.nvm\/versions\//)
  })

  it("the skill's command line when claw-mesh is not on PATH", () => {
    runAs(CELLAR())
    const cli = cliInvocation(macDeps())
    expect(cli).toContain(`'${STABLE()}'`)
    expect(cli).not.toMatch(/\/Cellar\//)
  })

  it("a version manager's node: the watchdog install says what will break it", async () => {
    const nvm = path.join(dir, '.nvm', 'versions', 'node', 'v24.16.0', 'bin', 'node')
    runAs(nvm)
    const r = await installWatchdog(macDeps(), {print: true})
    expect(r.notes?.join(' ')).toMatch(/The watchdog job runs node from nvm .*nvm uninstall/)
  })

  it('doctor: a launcher whose node a brew upgrade removed names that node and the fix, instead of a bare exit 127', async () => {
    const store = {...createMemorySecretStore(), backend: 'keychain' as const, location: 'macOS Keychain'}
    // An older claw-mesh baked the Cellar path; `brew upgrade node` then removed that version's directory.
    const wiring = secretWiring(store, {platform: darwinAdapter, stateDir: path.join(dir, 'state'), nodePath: CELLAR()})
    await writeSecretLauncher(wiring.launcher!)
    rmSync(path.join(prefix, 'Cellar', 'node', '24.4.1'), {recursive: true})
    const config = {secrets: {providers: {[wiring.ref.provider]: wiring.provider}}}
    const r = await resolveSecretRef(
      {runner: createExecaRunner(new Redactor()), env: {}, redactor: new Redactor(), platform: darwinAdapter},
      config,
      wiring.ref,
      5000,
    )
    expect(r).toMatchObject({
      ok: false,
      error: expect.stringContaining(`runs node from ${CELLAR()}, which no longer exists`),
    })
    expect(r.ok ? '' : r.error).toMatch(/claw-mesh gateway configure/)
  })
})
