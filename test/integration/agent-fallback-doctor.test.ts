import {spawnSync} from 'node:child_process'
import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {evalAgentFallback} from '../../src/core/checks/agent-fallback.js'
import {createDeps} from '../../src/deps.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {cliNodeMinimum, probeAgentFallback} from '../../src/services/doctor/agent-fallback-probe.js'
import {renderSkill, skillPath} from '../../src/services/skill/install.js'
import {tempDir} from '../helpers/fakes/index.js'

/**
 * doctor runs the skill's fallback for real, as OpenClaw's exec would: this host's /usr/bin/node is Node 20, too old
 * for claw-mesh, and the test runs on Node 24 (the gateway's). Nothing is faked: real node binaries, real bin/run.js.
 */
const SYSTEM_NODE = '/usr/bin/node'
const systemNode = spawnSync(SYSTEM_NODE, ['--version'], {encoding: 'utf8'}).stdout?.trim() ?? ''
const missing = /^v(1\d|2[01])\./.test(systemNode)
  ? undefined
  : `${SYSTEM_NODE} is ${systemNode || 'missing'}, not a Node older than claw-mesh needs`
if (missing && process.env.CI === 'true') throw new Error(`integration prerequisite missing under CI: ${missing}`)

function host(nodePath: string) {
  const sub = tempDir('fallback-doctor').path
  const env = {
    PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: sub,
    SHELL: '/bin/sh',
    OPENCLAW_STATE_DIR: path.join(sub, 'openclaw'),
    CLAW_MESH_HOME: path.join(sub, 'cm'),
  }
  const deps = createDeps({env, platform: 'linux', store: createMemoryStateStore({identity: 'nova'})})
  const file = skillPath(deps)
  mkdirSync(path.dirname(file), {recursive: true})
  writeFileSync(file, renderSkill(deps, {nodePath}))
  return deps
}

describe.skipIf(Boolean(missing))('agent-exec-fallback on a host whose system Node is too old', () => {
  it("fails, with the runtime check's own words, when the skill names the system node", async () => {
    const r = evalAgentFallback(await probeAgentFallback(host(SYSTEM_NODE), 15_000), cliNodeMinimum())
    expect(r.status).toBe('fail')
    expect(r.detail).toMatch(
      /does not run under OpenClaw's exec PATH \(exit 3: claw-mesh needs Node\.js 22\.12 or newer; this is Node\.js 20\./,
    )
  })

  it('passes when it names the node bootstrap ran with, and says a bare claw-mesh would start on /usr/bin/node', async () => {
    const probe = await probeAgentFallback(host(process.execPath), 15_000)
    const r = evalAgentFallback(probe, cliNodeMinimum())
    expect(r.status, r.detail).toBe('pass')
    expect(r.detail).toMatch(
      new RegExp(
        `^exec runs claw-mesh/[\\d.]+ linux-x64 node-v24\\.[\\d.]+ with ${process.execPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}; a bare claw-mesh there would start on /usr/bin/node v20\\.`,
      ),
    )
  })
})
