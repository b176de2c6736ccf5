import {mkdirSync, readdirSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {fleetHooksToken} from '../../src/core/pairing/a2a-pairing.js'
import {createDeps} from '../../src/deps.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {rotateTokens} from '../../src/services/tokens/rotate.js'
import {tempDir} from '../helpers/fakes/index.js'

// Everything OpenClaw- or claw-mesh-related points into a temp dir: nothing here may touch the real home.
const tmp = tempDir('rotate').path
const env = {
  HOME: tmp,
  CLAW_MESH_HOME: path.join(tmp, 'state'),
  OPENCLAW_STATE_DIR: path.join(tmp, 'openclaw'),
  PATH: '/nonexistent',
}

function deps(secrets: Record<string, string>, configured = true) {
  const store = createMemoryStateStore(
    configured
      ? {identity: 'nova', gateway: {configPath: path.join(tmp, 'openclaw', 'openclaw.json'), port: 18789}}
      : {},
  )
  const secretStore = createMemorySecretStore(secrets)
  return {
    deps: createDeps({env, platform: 'linux', store, secrets: secretStore, io: createTestIOStreams().io}),
    secretStore,
  }
}

describe('rotateTokens', () => {
  it('needs a gateway claw-mesh configured', async () => {
    await expect(rotateTokens(deps({}, false).deps, {gateway: true, hooks: true})).rejects.toMatchObject({
      code: 'gateway-not-configured',
      exitCode: 3,
    })
  })

  it("refuses to rotate a fleet member's hooks token (derived from the mesh secret, as bootstrap stores it), changing nothing", async () => {
    const secret = 'fleet-mesh-secret-0123456789abcdef'
    // What bootstrap --mesh-secret writes: the other members derive the same hooks token for nova.
    const hooks = fleetHooksToken(secret, 'nova')
    const {deps: d, secretStore} = deps({
      'hooks-token': hooks,
      'mesh-secret': secret,
      'gateway-token': 'gw-token-0123456789abcdef',
    })
    await expect(rotateTokens(d, {gateway: true, hooks: true})).rejects.toMatchObject({
      code: 'mesh-secret-fleet',
      message: expect.stringMatching(/derived from the fleet's mesh secret/),
      hint: expect.stringMatching(
        /re-run claw-mesh bootstrap with --mesh-secret file:NEW_SECRET on every host.*token rotate --gateway/,
      ),
    })
    expect(Object.fromEntries(secretStore.values)).toEqual({
      'hooks-token': hooks,
      'mesh-secret': secret,
      'gateway-token': 'gw-token-0123456789abcdef',
    })
  })

  it('puts the old tokens back when the gateway cannot be configured', async () => {
    const {deps: d, secretStore} = deps({
      'hooks-token': 'old-hooks-0123456789abcdef',
      'gateway-token': 'old-gw-0123456789abcdef',
    })
    // openclaw.json is a directory: configure refuses it before writing anything.
    mkdirSync(path.join(tmp, 'openclaw', 'openclaw.json'), {recursive: true})
    await expect(rotateTokens(d, {gateway: true, hooks: true})).rejects.toMatchObject({
      message: expect.stringMatching(/is a directory, not openclaw.json/),
    })
    expect(readdirSync(path.join(tmp, 'openclaw', 'openclaw.json'))).toEqual([])
    expect(secretStore.values.get('hooks-token')).toBe('old-hooks-0123456789abcdef')
    expect(secretStore.values.get('gateway-token')).toBe('old-gw-0123456789abcdef')
  })
})
