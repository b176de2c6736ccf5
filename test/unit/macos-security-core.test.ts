import {describe, expect, it} from 'vitest'
import {keychainRefusal} from '../../src/core/os/keychain-refusal.js'
import {parseFoundPassword, securityAddLine, securityOutcome} from '../../src/core/os/macos-security.js'

describe('what security find-generic-password -g prints, read back (print_buffer, keychain_utilities.c)', () => {
  it.each([
    ['printable ASCII, in quotes', 'password: "s3cret token"\n', 's3cret token'],
    ['quotes inside stay as they are (only backslash and non-ASCII switch to hex)', 'password: "a"b\'c"\n', 'a"b\'c'],
    ['a backslash: hex, then the escaped text', 'password: 0x615C62  "a\\134b"\n', 'a\\b'],
    ['UTF-8: hex, then the escaped text', 'password: 0x68C3A9  "h\\303\\251"\n', 'hé'],
    ['bytes with nothing printable: hex and one space', 'password: 0x0A0D \n', '\n\r'],
    ['a hex-looking token is text, not hex', 'password: "deadbeef"\n', 'deadbeef'],
    ['empty', 'password: \n', ''],
    ['after other stderr lines', 'keychain: "/x"\npassword: "v"\n', 'v'],
  ])('%s', (_what, stderr, value) => {
    expect(parseFoundPassword(stderr)).toBe(value)
  })

  it('no password line is no answer', () => {
    expect(
      parseFoundPassword(
        'security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain.\n',
      ),
    ).toBeUndefined()
  })
})

describe('the security -i line that stores a value', () => {
  it('carries the value as hex, trusts /usr/bin/security, updates in place, and quotes the names', () => {
    expect(securityAddLine('claw-mesh', 'peer/o"x\\y', 'é v')).toBe(
      'add-generic-password -U -s "claw-mesh" -a "peer/o\\"x\\\\y" -T "/usr/bin/security" -X c3a92076\n',
    )
  })
  it('refuses a name that would end the line', () => {
    expect(() => securityAddLine('claw-mesh', 'peer/a\nfind-generic-password', 'v')).toThrow(/control character/)
  })
})

describe('security exit statuses (OSStatus modulo 256)', () => {
  it.each([
    [0, 'ok'],
    [44, 'not-found'],
    [36, 'interaction-not-allowed'],
    [128, 'denied'],
    [51, 'denied'],
    [1, 'failed'],
    [45, 'failed'],
  ] as const)('%i → %s', (code, outcome) => {
    expect(securityOutcome(code)).toBe(outcome)
  })
})

describe('macOS refusals found through security', () => {
  it('an old item names Always Allow at the desktop and token rotate, not unlocking', () => {
    const r = keychainRefusal('darwin', 'whatever', 'item-not-trusted')
    expect(r.cause).toMatch(/older claw-mesh trusts only the node binary/)
    expect(r.hint).toMatch(/claw-mesh gateway configure.*Always Allow.*claw-mesh token rotate.*--secret-store file/)
  })
  it('a Mac problem given on Linux falls back to the Linux wording', () => {
    expect(keychainRefusal('linux', 'Failed to connect to socket', 'item-not-trusted').cause).toMatch(
      /no D-Bus session bus/,
    )
  })
})
