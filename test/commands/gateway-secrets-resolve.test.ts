import {promises as fs} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import SecretsResolve from '../../src/commands/secrets/resolve.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {runCommand} from '../helpers/run-command.js'
import {tempDir} from '../helpers/fakes/index.js'

const tmp = () => tempDir('resolve').path

const request = (ids: string[]) => `${JSON.stringify({protocolVersion: 1, provider: 'clawmesh', ids})}\n`

describe('claw-mesh secrets resolve (OpenClaw exec provider)', () => {
  it('writes exactly one protocol reply on stdout and nothing on stderr', async () => {
    const secrets = createMemorySecretStore({
      'gateway-token': 'gw-0123456789abcdef',
      'peer/nova': 'peer-secret-0123456789',
    })
    const run = await runCommand(SecretsResolve, [], {
      stdin: request(['gateway-token', 'hooks-token', 'peer/nova']),
      secrets,
      store: createMemoryStateStore(),
    })
    expect(run.exitCode).toBe(0)
    expect(run.stderr).toBe('')
    expect(run.stdout.endsWith('\n')).toBe(true)
    expect(run.stdout.trim().split('\n')).toHaveLength(1)
    expect(JSON.parse(run.stdout)).toEqual({
      protocolVersion: 1,
      values: {'gateway-token': 'gw-0123456789abcdef'},
      errors: {'hooks-token': {code: 'NOT_ALLOWED'}, 'peer/nova': {code: 'NOT_ALLOWED'}},
    })
  })

  it('reads the file store named by the launcher without probing anything', async () => {
    const dir = tmp()
    await fs.writeFile(
      path.join(dir, 'secrets.json'),
      JSON.stringify({'gateway-token': 'gw-0123456789abcdef', 'hooks-token': 'hk-0123456789abcdef'}),
      {mode: 0o600},
    )
    const run = await runCommand(SecretsResolve, [], {
      stdin: request(['gateway-token', 'hooks-token']),
      env: {CLAW_MESH_HOME: dir, CLAW_MESH_SECRET_STORE: 'file'},
      store: createMemoryStateStore(),
    })
    expect(JSON.parse(run.stdout)).toEqual({
      protocolVersion: 1,
      values: {'gateway-token': 'gw-0123456789abcdef'},
      errors: {'hooks-token': {code: 'NOT_ALLOWED'}},
    })
  })

  it('refuses a malformed request with exit 2 and an empty stdout', async () => {
    const run = await runCommand(SecretsResolve, [], {
      stdin: '{"protocolVersion":1}',
      secrets: createMemorySecretStore(),
      store: createMemoryStateStore(),
    })
    expect(run.exitCode).toBe(2)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain('The secret request has no "ids" list of strings.')
  })
})
