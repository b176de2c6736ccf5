import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {keychainRefusal} from '../../src/core/os/keychain-refusal.js'
import {dbusReplyValue, judgeSecretService, sessionBusAddress} from '../../src/core/secrets/secret-service.js'

const fixture = (name: string) => readFileSync(path.join(__dirname, '..', 'fixtures', 'keychain', name), 'utf8')
const ok = (name: string) => ({exitCode: 0, stdout: fixture(name), stderr: ''})
const failed = (name: string) => ({exitCode: 1, stdout: '', stderr: fixture(name)})

describe('the keychain refusal names each platform’s real cause (recorded texts)', () => {
  it.each([
    [
      'linux',
      'keyring-linux-no-bus.txt',
      /no D-Bus session bus/,
      /Secret Service .* unlocked on your session bus, or use --secret-store file/,
    ],
    [
      'darwin',
      'keyring-darwin-interaction-not-allowed.txt',
      /login keychain is locked .*"User interaction is not allowed"/,
      /security unlock-keychain ~\/Library\/Keychains\/login\.keychain-db.*--secret-store file/,
    ],
    [
      'win32',
      'keyring-win32-no-logon-session.txt',
      /^Credential Manager is not available in an SSH \(network\) logon/,
      /^Run at the console or over RDP, or use --secret-store file/,
    ],
  ])('%s: %s', (platform, file, cause, hint) => {
    const r = keychainRefusal(platform, fixture(file).trim())
    expect(r.cause).toMatch(cause)
    expect(r.hint).toMatch(hint)
  })

  it('never gives one OS’s remedy on another', () => {
    for (const platform of ['darwin', 'win32']) {
      const r = keychainRefusal(platform, 'Platform failure: something else')
      expect(`${r.cause} ${r.hint}`).not.toMatch(/Secret Service|gnome-keyring|D-Bus/)
    }
    const linux = keychainRefusal('linux', fixture('keyring-linux-no-default-collection.txt').trim())
    expect(`${linux.cause} ${linux.hint}`).not.toMatch(/Credential Manager|unlock-keychain|RDP/)
    // And it says why claw-mesh does not use the kernel keyring instead.
    expect(linux.hint).toMatch(/never uses the kernel keyring: it forgets everything at reboot/)
  })

  it('the D-Bus check’s own finding wins over the text', () => {
    expect(keychainRefusal('linux', 'whatever', 'locked').cause).toMatch(/default keyring is locked/)
    expect(keychainRefusal('linux', 'whatever', 'no-default-collection').cause).toMatch(/no default keyring/)
  })
})

describe('judging the Secret Service from dbus-send answers (read-only)', () => {
  it.each([
    [
      'an unlocked login keyring',
      ok('dbus-send-readalias-login.txt'),
      ok('dbus-send-locked-false.txt'),
      {usable: true, collection: '/org/freedesktop/secrets/collection/login'},
    ],
    [
      'a locked one (after a reboot, over SSH)',
      ok('dbus-send-readalias-login.txt'),
      ok('dbus-send-locked-true.txt'),
      {usable: false, problem: 'locked'},
    ],
    [
      'no default keyring (gnome-keyring activated on a fresh HOME)',
      ok('dbus-send-readalias-none.txt'),
      undefined,
      {usable: false, problem: 'no-default-collection'},
    ],
    [
      'no Secret Service on the bus',
      failed('dbus-send-service-unknown.stderr.txt'),
      undefined,
      {usable: false, problem: 'no-secret-service'},
    ],
    [
      'a bus address whose socket is gone',
      failed('dbus-send-no-bus.stderr.txt'),
      undefined,
      {usable: false, problem: 'no-bus'},
    ],
  ])('%s', (_name, alias, locked, expected) => {
    expect(judgeSecretService(alias, locked)).toMatchObject(expected)
  })

  it('reads the value line of a reply', () => {
    expect(dbusReplyValue(fixture('dbus-send-readalias-none.txt'))).toBe('/')
    expect(dbusReplyValue(fixture('dbus-send-locked-false.txt'))).toBe('false')
  })
})

describe('the session bus is the same from a login shell, a service unit and cron', () => {
  const sockets = new Set(['/run/user/1000/bus'])
  const isSocket = (f: string) => sockets.has(f)
  it.each([
    [
      'a login shell',
      {DBUS_SESSION_BUS_ADDRESS: 'unix:path=/run/user/1000/bus', XDG_RUNTIME_DIR: '/run/user/1000'},
      'unix:path=/run/user/1000/bus',
    ],
    [
      'a systemd user unit (XDG_RUNTIME_DIR only)',
      {XDG_RUNTIME_DIR: '/run/user/1000/'},
      'unix:path=/run/user/1000/bus',
    ],
    ['cron (neither)', {}, 'unix:path=/run/user/1000/bus'],
  ])('%s', (_name, env, expected) => {
    expect(sessionBusAddress(env, 1000, isSocket)).toBe(expected)
  })

  it('finds none where the user has no bus', () => {
    expect(sessionBusAddress({}, 1001, isSocket)).toBeUndefined()
    expect(sessionBusAddress({XDG_RUNTIME_DIR: '/tmp/x'}, undefined, isSocket)).toBeUndefined()
  })
})
