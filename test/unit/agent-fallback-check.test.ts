import {describe, expect, it} from 'vitest'
import {
  evalAgentFallback,
  nodeAtLeast,
  openclawExecPath,
  type AgentFallbackProbe,
} from '../../src/core/checks/agent-fallback.js'
import {openclawInternal, openclawInternalsUnavailable} from '../helpers/openclaw-internals.js'

const program = {node: '/opt/node24/bin/node', entry: '/opt/claw-mesh/bin/run.js'}
const skill = {path: '/home/u/.openclaw/skills/claw-mesh/SKILL.md', installed: true, program}
const ok: AgentFallbackProbe = {
  skill,
  nodeExists: true,
  entryExists: true,
  run: {exitCode: 0, output: 'claw-mesh/0.1.0 linux-x64 node-v24.16.0'},
}

describe('agent-exec-fallback', () => {
  it.each<[string, AgentFallbackProbe, string, RegExp]>([
    ['no skill', {skill: {path: skill.path, installed: false}}, 'skip', /no claw-mesh skill/],
    [
      'a skill from an older claw-mesh',
      {skill: {path: skill.path, installed: true}},
      'warn',
      /older claw-mesh: its exec recipe runs a bare claw-mesh/,
    ],
    ['its node is gone', {...ok, nodeExists: false}, 'fail', /runs \/opt\/node24\/bin\/node, which does not exist/],
    ['its entry is gone', {...ok, entryExists: false}, 'fail', /bin\/run\.js, which does not exist/],
    [
      'its node is too old',
      {...ok, run: {exitCode: 3, output: 'claw-mesh needs Node.js 22.12 or newer; this is Node.js 20.20.2'}},
      'fail',
      /does not run under OpenClaw's exec PATH \(exit 3: claw-mesh needs Node\.js 22\.12/,
    ],
    ['it runs', ok, 'pass', /^exec runs claw-mesh\/0\.1\.0 .* with \/opt\/node24\/bin\/node$/],
    [
      'it runs, and a bare claw-mesh would not',
      {...ok, bareNode: {path: '/usr/bin/node', version: 'v20.20.2'}},
      'pass',
      /a bare claw-mesh there would start on \/usr\/bin\/node v20\.20\.2 and fail/,
    ],
  ])('%s → %s', (_name, probe, status, detail) => {
    const r = evalAgentFallback(probe, '>=22.12')
    expect(r.status).toBe(status)
    expect(r.detail).toMatch(detail)
    if (status === 'fail' || status === 'warn') expect(r.remedy).toMatch(/claw-mesh bootstrap/)
  })

  it.each([
    ['v20.20.2', false],
    ['v22.11.0', false],
    ['v22.12.0', true],
    ['v24.16.0', true],
    ['garbage', false],
  ])('node %s satisfies >=22.12: %s', (version, expected) => expect(nodeAtLeast(version, '>=22.12')).toBe(expected))
})

describe.skipIf(openclawInternalsUnavailable())(
  "OpenClaw's exec PATH is the one doctor runs the fallback under",
  {timeout: 60_000},
  () => {
    it.each([
      ['/opt/node24/bin:/usr/bin:/bin', '/usr/local/bin:/usr/bin:/bin:/usr/games'],
      ['/opt/node24/bin', undefined],
      ['/a: /b::/a', ' /c:/a'],
    ])('gateway PATH %j, login shell PATH %j', async (gatewayPath, loginShell) => {
      const applyShellPath = await openclawInternal<(env: Record<string, string>, shellPath: string | null) => void>(
        'bash-tools.exec-runtime',
        'applyShellPath',
      )
      const env = {PATH: gatewayPath}
      applyShellPath(env, loginShell ?? null)
      expect(openclawExecPath(gatewayPath, loginShell, ':')).toBe(env.PATH)
    })
  },
)
