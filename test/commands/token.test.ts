import path from 'node:path'
import {describe, expect, it} from 'vitest'
import TokenRotate from '../../src/commands/token/rotate.js'
import {fleetHooksToken} from '../../src/core/pairing/a2a-pairing.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {runCommand} from '../helpers/run-command.js'
import {tempDir} from '../helpers/fakes/index.js'

const tmp = tempDir('token').path
const env = {
  HOME: tmp,
  CLAW_MESH_HOME: path.join(tmp, 'state'),
  OPENCLAW_STATE_DIR: path.join(tmp, 'openclaw'),
  PATH: '/nonexistent',
}

describe('claw-mesh token rotate', () => {
  it('exits 3 when claw-mesh has not configured the gateway', async () => {
    const run = await runCommand(TokenRotate, [], {
      env,
      platform: 'linux',
      store: createMemoryStateStore(),
      secrets: createMemorySecretStore(),
    })
    expect(run.exitCode).toBe(3)
    expect(run.stderr).toMatch(/not configured by claw-mesh[\s\S]*→ Run claw-mesh bootstrap/)
  })

  it('exits 3 in a mesh-secret fleet, naming --gateway and the bootstrap re-run, and never prints the secret', async () => {
    const secret = 'fleet-mesh-secret-0123456789abcdef'
    // As bootstrap --mesh-secret leaves it: the hooks token derived from the secret and this host's name.
    const hooks = fleetHooksToken(secret, 'nova')
    const store = createMemoryStateStore({
      identity: 'nova',
      gateway: {configPath: path.join(tmp, 'openclaw', 'openclaw.json')},
    })
    const run = await runCommand(TokenRotate, ['--hooks', '--json'], {
      env,
      platform: 'linux',
      store,
      secrets: createMemorySecretStore({'hooks-token': hooks, 'mesh-secret': secret}),
    })
    expect(run.exitCode).toBe(3)
    expect(run.json<{error: {code: string}}>().error.code).toBe('mesh-secret-fleet')
    expect(run.stdout + run.stderr).not.toContain(secret)
    expect(run.stdout + run.stderr).not.toContain(hooks)
  })
})
