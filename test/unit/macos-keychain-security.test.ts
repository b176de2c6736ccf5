import {existsSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {createDeps} from '../../src/deps.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {createKeychainSecretStore, KeychainUnavailableError} from '../../src/infra/secrets/keychain.js'
import {openSecretStore} from '../../src/infra/secrets/select.js'
import type {Runner} from '../../src/infra/runner.js'
import {openResolverStore, resolveSecretRequest} from '../../src/services/gateway/secret-resolve.js'
import {fakeKeychain, hex} from '../helpers/fake-keychain.js'
import {scriptedRunner, tempDir} from '../helpers/fakes/index.js'

/**
 * macOS's Keychain through /usr/bin/security (finding M4), against test/helpers/fake-security.mjs: Apple's tool and
 * the legacy keychain's per-item list of trusted programs, emulated from Apple's source. The point: claw-mesh never
 * touches the Keychain as node, so which node runs it (an upgrade, the gateway's PATH node) cannot matter.
 */
const OLD_NODE = '/opt/homebrew/Cellar/node/22.9.0/bin/node'
const open = (runner: Runner, timeoutMs = 10_000) =>
  createKeychainSecretStore({
    service: 'claw-mesh',
    platform: 'darwin',
    platformLabel: 'macOS Keychain',
    runner,
    timeoutMs,
  })

const VALUES: Record<string, string> = {
  'gateway-token': 'Zm9vYmFyYmF6cXV4LXRva2VuLTQzLWNoYXJzLWxvbmctYWJj',
  'hooks-token':
    '  spaces inside and around, "double" and \'single\' quotes, a back\\slash and $(rm -rf ~) `x` ; | &  ',
  'peer/clawd': 'ünïcødé 🔑 日本語 and an emoji',
  // A hex token: `-w` would print it exactly like the hex of a non-ASCII value; -g tells them apart.
  'a2a/clawd/in': 'deadbeef00ff7f80',
  'alert-webhook': 'https://hooks.example.com/T0/B1?token=a"b\'c\\d -X 00 -T /tmp/evil',
  'invite/abc': '',
}

describe('macOS: the Keychain through /usr/bin/security', () => {
  it('gives back every value byte for byte (spaces, quotes, backslashes, unicode, hex-looking, empty)', async () => {
    const kc = fakeKeychain()
    const store = open(kc.runner())
    for (const [name, value] of Object.entries(VALUES)) await (await store).set(name, value)
    for (const [name, value] of Object.entries(VALUES)) expect(await (await store).get(name)).toBe(value)
    // Stored as the UTF-8 bytes of the value, as keyring-rs stored them: items move between the two unchanged.
    for (const [name, value] of Object.entries(VALUES))
      expect(kc.read().items.find((i) => i.account === name)?.data).toBe(hex(value))
  })

  it('never puts a secret in argv: it goes to security -i on stdin, as hex', async () => {
    const kc = fakeKeychain()
    const store = await open(kc.runner())
    for (const [name, value] of Object.entries(VALUES)) await store.set(name, value)
    for (const name of Object.keys(VALUES)) await store.get(name)
    const {calls} = kc.read()
    const writes = calls.filter((c) => c.stdin !== '')
    expect(writes).toHaveLength(Object.keys(VALUES).length)
    for (const c of writes) expect(c.argv).toEqual(['-i'])
    for (const [name, value] of Object.entries(VALUES).filter(([, v]) => v.length >= 4)) {
      for (const c of calls) expect(c.argv.join(' ')).not.toContain(value.trim())
      for (const c of calls) expect(c.argv.join(' ')).not.toContain(hex(value))
      const write = writes.find((c) => c.stdin.includes(`-a "${name}"`))
      expect(write?.stdin).toContain(`-X ${hex(value)}\n`)
      expect(write?.stdin).not.toContain(value.trim())
    }
  })

  it('keeps reading after a node upgrade, over SSH: every item trusts /usr/bin/security, not a node', async () => {
    const kc = fakeKeychain()
    // Written by one claw-mesh run (whatever node ran it)…
    await (await open(kc.runner())).set('gateway-token', VALUES['gateway-token'])
    // …read by another after `brew upgrade node`, by the gateway's resolver under launchd or a skill run over SSH:
    // no desktop to answer a prompt.
    const later = kc.runner({gui: false})
    expect(await (await open(later)).get('gateway-token')).toBe(VALUES['gateway-token'])
    expect(kc.read().items.map((i) => i.trusted)).toEqual([['/usr/bin/security']])
    expect(new Set(kc.read().calls.map((c) => c.caller))).toEqual(new Set(['/usr/bin/security']))
    expect(later.commands.every((c) => c === '/usr/bin/security')).toBe(true)
  })

  it('an item an older claw-mesh wrote through node fails over SSH with the remedy that fixes it', async () => {
    const kc = fakeKeychain()
    kc.seed({service: 'claw-mesh', account: 'gateway-token', data: hex('old-token'), trusted: [OLD_NODE]})
    const error = (await (
      await open(kc.runner())
    )
      .get('gateway-token')
      .catch((e: unknown) => e)) as KeychainUnavailableError
    expect(error).toBeInstanceOf(KeychainUnavailableError)
    expect(error.message).toMatch(
      /reading gateway-token: User interaction is not allowed\. The login keychain is unlocked, but this item does not trust \/usr\/bin\/security/,
    )
    expect(error.reason).toMatch(/written by an older claw-mesh trusts only the node binary that wrote it/)
    expect(error.hint).toMatch(
      /At the Mac's desktop .*run `claw-mesh gateway configure` once and click Always Allow.*`claw-mesh token rotate`/,
    )
    expect(error.hint).not.toMatch(/unlock-keychain/)
  })

  it('a locked keychain over SSH is named as such (unlock it), not as an old item', async () => {
    const kc = fakeKeychain({locked: true})
    kc.seed({service: 'claw-mesh', account: 'gateway-token', data: hex('t'), trusted: ['/usr/bin/security']})
    const store = await open(kc.runner())
    for (const attempt of [
      () => store.get('gateway-token'),
      () => store.set('hooks-token', 'x'),
      () => store.delete('gateway-token'),
    ]) {
      const error = (await attempt().catch((e: unknown) => e)) as KeychainUnavailableError
      expect(error).toBeInstanceOf(KeychainUnavailableError)
      expect(error.reason).toMatch(/login keychain is locked .*"User interaction is not allowed"/)
      expect(error.hint).toMatch(/security unlock-keychain/)
    }
    expect(kc.read().items).toHaveLength(1)
  })

  it('at the desktop, Always Allow on an old item adds security for good: SSH reads work afterwards', async () => {
    const kc = fakeKeychain()
    kc.seed({service: 'claw-mesh', account: 'hooks-token', data: hex('old hooks'), trusted: [OLD_NODE]})
    expect(await (await open(kc.runner({gui: true, dialog: 'always-allow'}))).get('hooks-token')).toBe('old hooks')
    expect(await (await open(kc.runner())).get('hooks-token')).toBe('old hooks')
    expect(kc.read().items[0].trusted).toEqual([OLD_NODE, '/usr/bin/security'])
  })

  it('a prompt nobody answers is abandoned at the timeout with a remedy, not waited on forever', async () => {
    const kc = fakeKeychain()
    kc.seed({service: 'claw-mesh', account: 'gateway-token', data: hex('old'), trusted: [OLD_NODE]})
    const error = (await (
      await open(kc.runner({gui: true}), 1500)
    )
      .get('gateway-token')
      .catch((e: unknown) => e)) as KeychainUnavailableError
    expect(error).toBeInstanceOf(KeychainUnavailableError)
    expect(error.message).toMatch(/did not answer within 1500 ms \(reading gateway-token\)/)
    expect(error.hint).toMatch(/Answer the prompt at the Mac \(Always Allow\)/)
  })

  it('not found is undefined for a read and false for a delete; a delete removes the item', async () => {
    const kc = fakeKeychain()
    const store = await open(kc.runner())
    expect(await store.get('peer/nobody')).toBeUndefined()
    expect(await store.delete('peer/nobody')).toBe(false)
    await store.set('peer/x', 'v1')
    await store.set('peer/x', 'v2') // -U: the same item, updated
    expect(kc.read().items).toHaveLength(1)
    expect(await store.get('peer/x')).toBe('v2')
    expect(await store.delete('peer/x')).toBe(true)
    expect(await store.get('peer/x')).toBeUndefined()
  })

  it('auto picks the Keychain when security works, and its probe leaves nothing behind', async () => {
    const kc = fakeKeychain()
    const stateDir = tempDir('mac-select').path
    const {io, stderr} = createTestIOStreams()
    const store = await openSecretStore({
      choice: 'auto',
      stateDir,
      platform: 'darwin',
      io,
      runner: kc.runner(),
      env: {},
      timeoutMs: 10_000,
    })
    expect(store.backend).toBe('keychain')
    expect(store.location).toMatch(/through \/usr\/bin\/security/)
    expect(stderr()).toBe('')
    expect(kc.read().items).toEqual([])
    expect(existsSync(path.join(stateDir, 'secrets.json'))).toBe(false)
  })
})

describe("macOS: the gateway's secret resolver", () => {
  it("answers OpenClaw from the Keychain through the Runner's /usr/bin/security, over SSH", async () => {
    const kc = fakeKeychain()
    kc.seed({service: 'claw-mesh', account: 'gateway-token', data: hex('tok "é"'), trusted: ['/usr/bin/security']})
    const home = tempDir('mac-resolver').path
    const runner = kc.runner()
    const {io} = createTestIOStreams()
    const deps = createDeps({
      platform: 'darwin',
      runner,
      io,
      env: {HOME: home, CLAW_MESH_HOME: home, CLAW_MESH_SECRET_STORE: 'keychain'},
    })
    const answer = await resolveSecretRequest(
      await openResolverStore(deps),
      '{"protocolVersion":1,"provider":"clawmesh","ids":["gateway-token"]}',
    )
    expect(answer).toEqual({protocolVersion: 1, values: {'gateway-token': 'tok "é"'}})
    expect(runner.commands).toEqual(['/usr/bin/security'])
  })
})

describe('Windows and Linux keep @napi-rs/keyring', () => {
  /** Any program run or started fails the test, even if the store catches the error. */
  const noRunner = () => scriptedRunner([])
  it.each([
    ['win32', 'Windows Credential Manager'],
    ['linux', 'Secret Service'],
  ])('%s: the keyring module, never a program, even when given the Runner', async (platform, label) => {
    const store = await createKeychainSecretStore({
      service: `claw-mesh-unit-${process.pid}`,
      platform,
      platformLabel: label,
      runner: noRunner(),
      timeoutMs: 3000,
    })
    expect(store.location).toBe(`${label} (service "claw-mesh-unit-${process.pid}")`)
    // On this Linux host the module answers from whatever store it finds, or refuses; either way no program ran.
    const got = await store.get('m4-never-set').catch((e: unknown) => e)
    expect(String(got)).not.toMatch(/program was run/)
  })
})
