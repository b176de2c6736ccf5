import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {createTestIOStreams} from '../../src/infra/io.js'
import {KeychainUnavailableError, PROBE_NAME} from '../../src/infra/secrets/keychain.js'
import {openSecretStore, type OpenSecretStoreOptions} from '../../src/infra/secrets/select.js'
import {createMemorySecretStore, type SecretStore} from '../../src/infra/secrets/types.js'
import {scriptedRunner, type ExpectedCall} from '../helpers/fakes/runner.js'
import {tempDir} from '../helpers/fakes/index.js'

const fixture = (name: string) => readFileSync(path.join(__dirname, '..', 'fixtures', 'keychain', name), 'utf8')
const BUS = 'unix:path=/run/user/1000/bus'
const readAlias: ExpectedCall['args'] = (a) =>
  a.includes('org.freedesktop.Secret.Service.ReadAlias') &&
  a.includes('string:default') &&
  a.includes('--dest=org.freedesktop.secrets')
const lockedQuery: ExpectedCall['args'] = (a) =>
  a.includes('/org/freedesktop/secrets/collection/login') && a.includes('string:Locked')
const dbus = (
  args: ExpectedCall['args'],
  result: {exitCode?: number; stdout?: string; stderr?: string; notFound?: boolean},
): ExpectedCall => ({
  command: 'dbus-send',
  args,
  result,
  // The bus is named to dbus-send explicitly: cron and service units have no DBUS_SESSION_BUS_ADDRESS of their own.
  onCall: (_a, opts) => expect(opts?.env?.DBUS_SESSION_BUS_ADDRESS).toBe(BUS),
})

/** A keychain adapter whose every call the OS refuses with `text` (a recorded keyring message). */
function refusingKeychain(text: string, platform: string): OpenSecretStoreOptions['keychain'] {
  const refuse = (what: string) =>
    Promise.reject(new KeychainUnavailableError(`The keychain refused ${what}: ${text}`, {platform}))
  return async () => ({
    backend: 'keychain',
    location: 'refusing',
    get: (n) => refuse(`reading ${n}`),
    set: (n) => refuse(`writing ${n}`),
    delete: (n) => refuse(`deleting ${n}`),
  })
}

/** A working keychain that records every call made to it. */
function recordingKeychain(): {
  factory: OpenSecretStoreOptions['keychain']
  store: ReturnType<typeof createMemorySecretStore>
  calls: string[]
  platforms: string[]
} {
  const store = createMemorySecretStore()
  const calls: string[] = []
  const platforms: string[] = []
  const factory: OpenSecretStoreOptions['keychain'] = async (o) => {
    platforms.push(o.platform)
    return {
      backend: 'keychain',
      location: o.platformLabel,
      get: async (n) => (calls.push(`get ${n}`), store.get(n)),
      set: async (n, v) => (calls.push(`set ${n}`), store.set(n, v)),
      delete: async (n) => (calls.push(`delete ${n}`), store.delete(n)),
    }
  }
  return {factory, store, calls, platforms}
}

async function open(opts: {
  platform: string
  env?: NodeJS.ProcessEnv
  script?: ExpectedCall[]
  keychain?: OpenSecretStoreOptions['keychain']
  readOnly: boolean
  choice?: 'auto' | 'keychain'
}): Promise<{store: SecretStore; stderr: string}> {
  const stateDir = tempDir('select').path
  const {io, stderr} = createTestIOStreams()
  const store = await openSecretStore({
    choice: opts.choice ?? 'auto',
    stateDir,
    platform: opts.platform,
    io,
    runner: scriptedRunner(opts.script ?? []),
    env: opts.env ?? {DBUS_SESSION_BUS_ADDRESS: BUS},
    readOnly: opts.readOnly,
    keychain: opts.keychain,
    timeoutMs: 1000,
  })
  expect(existsSync(path.join(stateDir, 'secrets.json'))).toBe(false)
  return {store, stderr: stderr()}
}

/** Opens the store as a dry run and as a real run: both must decide the same way. */
async function bothRuns(opts: Omit<Parameters<typeof open>[0], 'readOnly'> & {script?: ExpectedCall[]}) {
  const dry = await open({...opts, readOnly: true})
  const real = await open({...opts, readOnly: false})
  expect({backend: dry.store.backend, reason: dry.store.fallbackReason}).toEqual({
    backend: real.store.backend,
    reason: real.store.fallbackReason,
  })
  return {dry, real}
}

describe('--secret-store auto decides the same way in a dry run as in the real run', () => {
  it.runIf(!existsSync(`/run/user/${process.getuid?.()}/bus`))(
    'Linux with no session bus at all: the file store, named with why, and nothing asked of anyone',
    async () => {
      const kc = recordingKeychain()
      const {dry, real} = await bothRuns({platform: 'linux', env: {}, keychain: kc.factory})
      expect(dry.store.backend).toBe('file')
      expect(dry.store.fallbackReason).toMatch(/no D-Bus session bus/)
      expect(dry.stderr).toMatch(
        /^warning: the OS keychain cannot be used here: there is no D-Bus session bus .*Secrets would be kept in plain text in .*secrets\.json \(mode 0600\)/,
      )
      expect(real.stderr).toMatch(/Secrets will be kept in plain text/)
      expect(kc.calls).toEqual([])
    },
  )

  it.each([
    [
      'no Secret Service on the bus',
      [dbus(readAlias, {exitCode: 1, stderr: fixture('dbus-send-service-unknown.stderr.txt')})],
      /no Secret Service \(org\.freedesktop\.secrets\)/,
    ],
    [
      'a bus whose socket is gone',
      [dbus(readAlias, {exitCode: 1, stderr: fixture('dbus-send-no-bus.stderr.txt')})],
      /no D-Bus session bus/,
    ],
    [
      'no default keyring (writing would need a prompt)',
      [dbus(readAlias, {stdout: fixture('dbus-send-readalias-none.txt')})],
      /no default keyring/,
    ],
    [
      'a locked keyring (headless, after a reboot)',
      [
        dbus(readAlias, {stdout: fixture('dbus-send-readalias-login.txt')}),
        dbus(lockedQuery, {stdout: fixture('dbus-send-locked-true.txt')}),
      ],
      /locked/,
    ],
  ])('Linux, %s: the file store in both runs, and the keychain is never touched', async (_name, script, reason) => {
    const kc = recordingKeychain()
    const {dry} = await bothRuns({platform: 'linux', script, keychain: kc.factory})
    expect(dry.store.backend).toBe('file')
    expect(dry.store.fallbackReason).toMatch(reason)
    expect(kc.calls).toEqual([])
  })

  it('Linux with an unlocked Secret Service: the keychain, pinned to the Secret Service; the dry run only reads, the real run leaves nothing behind', async () => {
    const ready = [
      dbus(readAlias, {stdout: fixture('dbus-send-readalias-login.txt')}),
      dbus(lockedQuery, {stdout: fixture('dbus-send-locked-false.txt')}),
    ]
    const kc = recordingKeychain()
    const dry = await open({platform: 'linux', script: ready, keychain: kc.factory, readOnly: true})
    expect(dry.store.backend).toBe('keychain')
    expect(kc.calls).toEqual([`get ${PROBE_NAME}`])
    const real = await open({platform: 'linux', script: ready, keychain: kc.factory, readOnly: false})
    expect(real.store.backend).toBe('keychain')
    expect(kc.calls.slice(1)).toEqual([
      `get ${PROBE_NAME}`,
      `set ${PROBE_NAME}`,
      `get ${PROBE_NAME}`,
      `delete ${PROBE_NAME}`,
    ])
    expect(kc.platforms).toEqual(['linux', 'linux'])
    expect([...kc.store.values.keys()]).toEqual([])
  })

  it('a probe whose read-back fails still deletes what it wrote', async () => {
    const kc = recordingKeychain()
    const leaky: OpenSecretStoreOptions['keychain'] = async (o) => {
      const s = await kc.factory!(o)
      let reads = 0
      return {
        ...s,
        get: async (n) =>
          ++reads === 2
            ? Promise.reject(
                new KeychainUnavailableError('The keychain refused reading probe: Platform failure: boom', {
                  platform: 'darwin',
                }),
              )
            : s.get(n),
      }
    }
    const real = await open({platform: 'darwin', keychain: leaky, readOnly: false})
    expect(real.store.backend).toBe('file')
    expect(kc.calls).toContain(`delete ${PROBE_NAME}`)
    expect([...kc.store.values.keys()]).toEqual([])
  })

  it('without dbus-send, the Secret Service connection itself decides', async () => {
    const kc = recordingKeychain()
    const r = await open({
      platform: 'linux',
      script: [dbus(readAlias, {exitCode: -1, notFound: true})],
      keychain: kc.factory,
      readOnly: true,
    })
    expect(r.store.backend).toBe('keychain')
  })

  it('Windows over SSH (ERROR_NO_SUCH_LOGON_SESSION): the file store, with Credential Manager’s own reason', async () => {
    const {dry, real} = await bothRuns({
      platform: 'win32',
      keychain: refusingKeychain(fixture('keyring-win32-no-logon-session.txt').trim(), 'win32'),
    })
    expect(dry.store.backend).toBe('file')
    expect(dry.store.fallbackReason).toMatch(/^Credential Manager is not available in an SSH \(network\) logon/)
    expect(real.stderr).toMatch(/Run at the console or over RDP, or use --secret-store file/)
    expect(real.stderr).not.toMatch(/Secret Service|D-Bus/)
  })

  it('macOS over SSH with the login keychain locked: --secret-store keychain refuses with the unlock command', async () => {
    const refusal = open({
      platform: 'darwin',
      choice: 'keychain',
      keychain: refusingKeychain(fixture('keyring-darwin-interaction-not-allowed.txt').trim(), 'darwin'),
      readOnly: true,
    })
    await expect(refusal).rejects.toMatchObject({
      code: 'keychain-unavailable',
      hint: expect.stringMatching(/security unlock-keychain/),
    })
    const auto = await bothRuns({
      platform: 'darwin',
      keychain: refusingKeychain(fixture('keyring-darwin-interaction-not-allowed.txt').trim(), 'darwin'),
    })
    expect(auto.dry.store.fallbackReason).toMatch(/login keychain is locked/)
  })
})
