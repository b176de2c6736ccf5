import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {createDeps} from '../../src/deps.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {planOpenClawInstall} from '../../src/services/openclaw/install.js'
import {locateOpenClaw} from '../../src/services/openclaw/locate.js'
import {tempDir} from '../helpers/fakes/index.js'

const tmp = (): string => tempDir('oc-install').path
function binDir(names: string[]): string {
  const dir = tmp()
  for (const n of names) writeFileSync(path.join(dir, n), '')
  return dir
}
const deps = (env: Record<string, string>) =>
  createDeps({
    env: {HOME: '/home/u', ...env},
    platform: 'linux',
    store: createMemoryStateStore(),
    io: createTestIOStreams().io,
  })

describe('installing OpenClaw', () => {
  it('plans a global npm install when openclaw is missing (printable with --dry-run)', () => {
    const bin = binDir(['npm', 'node'])
    const plan = planOpenClawInstall(deps({PATH: bin}))
    expect(plan.steps).toEqual([
      {
        title: 'Install openclaw with npm (~95 MB download, ~650 MB installed)',
        command: path.join(bin, 'npm'),
        args: ['install', '-g', 'openclaw'],
      },
    ])
    expect(plan.notes.join(' ')).toMatch(/Node 24\.16\+/)
  })

  it('pins a version when asked', () => {
    const plan = planOpenClawInstall(deps({PATH: binDir(['npm']), CLAW_MESH_OPENCLAW_SPEC: 'openclaw@2026.9.6'}))
    expect(plan.steps[0].args).toEqual(['install', '-g', 'openclaw@2026.9.6'])
  })

  it('has nothing to do when openclaw is already on PATH', () => {
    const bin = binDir(['npm', 'openclaw'])
    expect(planOpenClawInstall(deps({PATH: bin}))).toMatchObject({
      method: 'already installed',
      steps: [],
      present: path.join(bin, 'openclaw'),
    })
  })

  it('asks for Node/npm when npm is missing', () => {
    expect(() => planOpenClawInstall(deps({PATH: binDir([])}))).toThrowError(/npm is not on PATH/)
  })
})

describe('locating OpenClaw', () => {
  it('prefers $CLAW_MESH_OPENCLAW over PATH', () => {
    const a = binDir(['openclaw'])
    const b = binDir(['openclaw'])
    expect(locateOpenClaw(deps({PATH: a, CLAW_MESH_OPENCLAW: path.join(b, 'openclaw')}))).toMatchObject({
      bin: path.join(b, 'openclaw'),
      source: 'CLAW_MESH_OPENCLAW',
    })
    expect(locateOpenClaw(deps({PATH: a}))).toMatchObject({bin: path.join(a, 'openclaw'), source: 'PATH'})
  })

  it('says so when $CLAW_MESH_OPENCLAW points nowhere', () => {
    expect(() => locateOpenClaw(deps({CLAW_MESH_OPENCLAW: '/nope/openclaw'}))).toThrowError(
      '$CLAW_MESH_OPENCLAW points at /nope/openclaw, which does not exist.',
    )
  })

  it('uses the profile configure recorded', () => {
    const d = deps({PATH: ''})
    d.store.update((s) => void (s.gateway = {profile: 'work'}))
    expect(locateOpenClaw(d).paths.configPath).toBe('/home/u/.openclaw-work/openclaw.json')
  })
})
