import {mkdirSync, symlinkSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {createDeps} from '../../src/deps.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {probeFirewall} from '../../src/services/doctor/firewall-probe.js'
import {scriptedRunner} from '../helpers/fakes/runner.js'
import {tempDir} from '../helpers/fakes/index.js'

/**
 * macOS's Application Firewall keys its per-app rules to the real executable; Homebrew's bin/node is a symlink into
 * the Cellar (issue 17, M11). The probe must ask about the binary the gateway actually runs.
 */
const FW = '/usr/libexec/ApplicationFirewall/socketfilterfw'

describe('the macOS firewall probe', () => {
  it("asks socketfilterfw about node's real binary, not the bin/node symlink", async () => {
    const dir = tempDir('fw').path
    const real = path.join(dir, 'Cellar', 'node', '24.4.1', 'bin', 'node')
    mkdirSync(path.dirname(real), {recursive: true})
    writeFileSync(real, '')
    mkdirSync(path.join(dir, 'bin'))
    const link = path.join(dir, 'bin', 'node')
    symlinkSync(real, link)
    const runner = scriptedRunner([
      {command: FW, args: ['--getglobalstate'], result: {stdout: 'Firewall is enabled. (State = 1)\n'}},
      {command: FW, args: ['--getblockall'], result: {stdout: 'Block all DISABLED!\n'}},
      {command: FW, args: ['--getappblocked', real], result: {stdout: `The application at ${real} is permitted\n`}},
    ])
    const deps = createDeps({
      env: {HOME: dir, PATH: path.join(dir, 'bin')},
      platform: 'darwin',
      runner,
      io: createTestIOStreams().io,
      lookPath: (name) => (name === 'node' ? link : undefined),
    })
    const probe = await probeFirewall(deps, {port: 18789, timeoutMs: 1000})
    expect(probe.tool).toBe('socketfilterfw')
  })
})
