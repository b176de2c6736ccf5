import {existsSync, readFileSync} from 'node:fs'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {createKeychainSecretStore, KeychainUnavailableError} from '../../src/infra/secrets/keychain.js'

/**
 * The real @napi-rs/keyring, on this Linux machine, with no Secret Service reachable. Left to itself the library
 * falls back to the kernel keyutils keyring (volatile, per login session); claw-mesh's adapter must refuse instead,
 * and leave nothing in /proc/keys.
 */
const service = `claw-mesh-unit-${process.pid}`
const ourKeys = () =>
  existsSync('/proc/keys')
    ? readFileSync('/proc/keys', 'utf8')
        .split('\n')
        .filter((l) => l.includes(`@${service}`))
    : []

describe.runIf(process.platform === 'linux')(
  'the Linux keychain is the Secret Service, never the kernel keyring',
  () => {
    let saved: string | undefined
    beforeEach(() => {
      saved = process.env.DBUS_SESSION_BUS_ADDRESS
      process.env.DBUS_SESSION_BUS_ADDRESS = 'unix:path=/nonexistent/claw-mesh-test-bus'
    })
    afterEach(() => {
      if (saved === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS
      else process.env.DBUS_SESSION_BUS_ADDRESS = saved
    })

    it('refuses to read or write without a Secret Service, and keeps nothing in /proc/keys', async () => {
      const store = await createKeychainSecretStore({
        service,
        platform: 'linux',
        platformLabel: 'Secret Service',
        timeoutMs: 3000,
      })
      await expect(store.get('gateway-token')).rejects.toBeInstanceOf(KeychainUnavailableError)
      await expect(store.set('gateway-token', 'would-be-volatile')).rejects.toBeInstanceOf(KeychainUnavailableError)
      await expect(store.delete('gateway-token')).rejects.toBeInstanceOf(KeychainUnavailableError)
      expect(ourKeys()).toEqual([])
    })

    it('names the cause in Linux terms', async () => {
      const store = await createKeychainSecretStore({
        service,
        platform: 'linux',
        platformLabel: 'Secret Service',
        timeoutMs: 3000,
      })
      const error = (await store.get('x').catch((e: unknown) => e)) as KeychainUnavailableError
      expect(error.reason).toMatch(/D-Bus session bus|Secret Service/)
      expect(error.hint).toMatch(/--secret-store file/)
    })
  },
)
