import {promises as fs} from 'node:fs'
import path from 'node:path'
import {beforeEach, describe, expect, it} from 'vitest'
import GatewayConfigure from '../../src/commands/gateway/configure.js'
import {isWeakToken, tokenStrengthBits} from '../../src/core/secrets/token-strength.js'
import {createFileSecretStore, gatewayProviderFileFor} from '../../src/infra/secrets/file.js'
import {newToken} from '../../src/services/gateway/secret-wiring.js'
import {runCommand} from '../helpers/run-command.js'
import {tempDir} from '../helpers/fakes/index.js'

/**
 * What configure leaves for OpenClaw to read (#17) and what it does with a weak token already in openclaw.json
 * (#7). The real file secret store and state store, in a temporary home.
 */
let dir: string
let configPath: string
let env: Record<string, string>
beforeEach(() => {
  dir = tempDir('secret-files').path
  configPath = path.join(dir, 'oc', 'openclaw.json')
  env = {
    HOME: path.join(dir, 'home'),
    CLAW_MESH_HOME: path.join(dir, 'cm'),
    OPENCLAW_CONFIG_PATH: configPath,
    CLAW_MESH_SECRET_STORE: 'file',
    PATH: '/nonexistent',
  }
})

async function writeConfig(config: unknown) {
  await fs.mkdir(path.dirname(configPath), {recursive: true})
  await fs.writeFile(configPath, JSON.stringify(config), {mode: 0o600})
}
const readJson = async (file: string) => JSON.parse(await fs.readFile(file, 'utf8')) as Record<string, unknown>
const secretsFile = () => path.join(dir, 'cm', 'secrets.json')

describe('the file OpenClaw reads holds only the gateway token', () => {
  it('configure points the file provider at a 0600 file with the gateway token alone, never at secrets.json', async () => {
    const run = await runCommand(GatewayConfigure, ['--json'], {env, platform: 'linux'})
    expect(run.exitCode, run.stderr).toBe(0)
    const config = await readJson(configPath)
    const provider = (config.secrets as {providers: {clawmesh: {path: string; source: string}}}).providers.clawmesh
    expect(provider.source).toBe('file')
    expect(provider.path).not.toBe(secretsFile())
    const secrets = await readJson(secretsFile())
    expect(await readJson(provider.path)).toEqual({'gateway-token': secrets['gateway-token']})
    expect((await fs.stat(provider.path)).mode & 0o777).toBe(0o600)
    // The hooks token is in openclaw.json already; the store keeps it, the provider file does not.
    expect(secrets['hooks-token']).toEqual(expect.any(String))
    expect(JSON.stringify(await readJson(provider.path))).not.toContain(secrets['hooks-token'] as string)
  })

  it('a store written before the split (mesh secret, peer tokens in secrets.json) is split on the next configure', async () => {
    await fs.mkdir(path.join(dir, 'cm'), {recursive: true, mode: 0o700})
    const old = {
      'gateway-token': newToken(),
      'hooks-token': newToken(),
      'mesh-secret': newToken(),
      'peer/nova': newToken(),
    }
    await fs.writeFile(secretsFile(), JSON.stringify(old), {mode: 0o600})
    await writeConfig({
      secrets: {providers: {clawmesh: {source: 'file', path: secretsFile(), mode: 'json'}}},
      gateway: {auth: {mode: 'token', token: {source: 'file', provider: 'clawmesh', id: '/gateway-token'}}},
    })
    const run = await runCommand(GatewayConfigure, [], {env, platform: 'linux'})
    expect(run.exitCode, run.stderr).toBe(0)
    const provider = ((await readJson(configPath)).secrets as {providers: {clawmesh: {path: string}}}).providers
      .clawmesh
    const exposed = await fs.readFile(provider.path, 'utf8')
    expect(JSON.parse(exposed)).toEqual({'gateway-token': old['gateway-token']})
    for (const secret of [old['hooks-token'], old['mesh-secret'], old['peer/nova']])
      expect(exposed).not.toContain(secret)
  })

  it('the file store keeps the provider file in step on every gateway-token write and delete (rotate, leave)', async () => {
    const store = createFileSecretStore(path.join(dir, 'cm', 'secrets.json'), {platform: 'linux'})
    const providerFile = gatewayProviderFileFor(store.file)
    await store.set('peer/nova', newToken())
    await expect(fs.stat(providerFile)).rejects.toThrow()
    const first = newToken()
    await store.set('gateway-token', first)
    expect(await readJson(providerFile)).toEqual({'gateway-token': first})
    const rotated = newToken()
    await store.set('gateway-token', rotated)
    expect(await readJson(providerFile)).toEqual({'gateway-token': rotated})
    expect((await fs.stat(providerFile)).mode & 0o777).toBe(0o600)
    await store.delete('gateway-token')
    await expect(fs.stat(providerFile)).rejects.toThrow()
  })
})

describe('a weak token in openclaw.json is not exposed to the tailnet', () => {
  const WEAK = 'a'.repeat(16)

  it.each([
    ['16 × a', WEAK, true],
    ['a short random string', 'Xq3vR8kZt2Lw9pYc', true],
    ['a 48-character hex token (192 bits)', '0123456789abcdef'.repeat(3), true],
    ['64 × ab', 'ab'.repeat(32), true],
    ['a 64-character hex token (256 bits)', '0123456789abcdef'.repeat(4), false],
    ['claw-mesh’s own 32 random bytes', newToken(), false],
  ])('%s is weak: %s', (_what, token, weak) => {
    expect(isWeakToken(token)).toBe(weak)
  })

  it('mints 256-bit tokens, every time', () => {
    for (let i = 0; i < 500; i++) expect(tokenStrengthBits(newToken())).toBeGreaterThanOrEqual(256)
  })

  it('configure replaces a weak gateway token and a weak hooks token before widening the bind, and says so', async () => {
    await writeConfig({
      gateway: {bind: 'loopback', auth: {mode: 'token', token: WEAK}},
      hooks: {enabled: true, token: `${WEAK}b`},
    })
    const run = await runCommand(GatewayConfigure, ['--json'], {env, platform: 'linux'})
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.json()).toMatchObject({tokens: {gateway: 'replaced', hooks: 'replaced'}, expose: 'tailnet'})
    expect(run.json<{notes: string[]}>().notes.join('\n')).toMatch(
      /weaker than 256 bits: replaced .*--accept-risk weak-tokens/,
    )
    const written = await fs.readFile(configPath, 'utf8')
    expect(written).not.toContain(WEAK)
    const secrets = await readJson(secretsFile())
    expect(tokenStrengthBits(secrets['gateway-token'] as string)).toBeGreaterThanOrEqual(256)
    expect(tokenStrengthBits(secrets['hooks-token'] as string)).toBeGreaterThanOrEqual(256)
  })

  it('a weak token an older claw-mesh put in the store is replaced too', async () => {
    await fs.mkdir(path.join(dir, 'cm'), {recursive: true, mode: 0o700})
    await fs.writeFile(secretsFile(), JSON.stringify({'gateway-token': WEAK, 'hooks-token': newToken()}), {mode: 0o600})
    const run = await runCommand(GatewayConfigure, ['--json'], {env, platform: 'linux'})
    expect(run.json()).toMatchObject({tokens: {gateway: 'replaced', hooks: 'store'}})
    expect((await readJson(secretsFile()))['gateway-token']).not.toBe(WEAK)
  })

  it('--accept-risk weak-tokens keeps it, with a note to rotate', async () => {
    await writeConfig({gateway: {auth: {mode: 'token', token: WEAK}}})
    const run = await runCommand(GatewayConfigure, ['--json', '--accept-risk', 'weak-tokens'], {env, platform: 'linux'})
    expect(run.json()).toMatchObject({tokens: {gateway: 'kept-weak'}})
    expect(run.json<{notes: string[]}>().notes.join('\n')).toMatch(/kept \(--accept-risk weak-tokens\): rotate it/)
    expect((await readJson(secretsFile()))['gateway-token']).toBe(WEAK)
  })
})
