import {describe, expect, it} from 'vitest'
import {
  humanAccounts,
  literalWebhookWarning,
  loginDefsUidMin,
  rootWarning,
} from '../../src/core/lifecycle/root-warning.js'

const PASSWD = `root:x:0:0:root:/root:/bin/bash
daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
# a comment
nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
ana:x:1000:1000:Ana:/home/ana:/bin/bash
svc:x:1001:1001::/srv/svc:/usr/sbin/nologin
bo:x:1002:1002::/home/bo:/bin/zsh
old:x:1003:1003::/home/old:/bin/false
short:x:1004
claw:x:999:999::/var/lib/claw:/bin/sh
`

describe('bootstrap as root on a shared machine', () => {
  it('finds the accounts people log in with', () => expect(humanAccounts(PASSWD)).toEqual(['ana', 'bo']))
  it('honours UID_MIN', () =>
    expect(humanAccounts(PASSWD, loginDefsUidMin('# x\nUID_MIN\t\t\t 999\n'))).toEqual(['ana', 'bo', 'claw']))
  it('UID_MIN defaults to 1000', () => expect(loginDefsUidMin(undefined)).toBe(1000))

  it.each<[string, {isRoot: boolean; humanUsers?: string[]}, RegExp | undefined]>([
    [
      'root with other users',
      {isRoot: true, humanUsers: ['ana', 'bo']},
      /runs as root on a machine with other users \(ana, bo\).*service user/,
    ],
    ['root with many', {isRoot: true, humanUsers: ['a', 'b', 'c', 'd', 'e']}, /\(a, b, c and 2 more\)/],
    ['root alone (a container, a fresh VPS)', {isRoot: true, humanUsers: []}, undefined],
    ['root, users unknown (macOS, Windows)', {isRoot: true}, undefined],
    ['an ordinary user', {isRoot: false, humanUsers: ['ana']}, undefined],
  ])('%s', (_name, probe, expected) => {
    const w = rootWarning(probe)
    if (expected) expect(w).toMatch(expected)
    else expect(w).toBeUndefined()
  })

  it.each([
    ['webhook:https://hooks.slack.com/services/T/B/SECRET', true],
    [' WEBHOOK:https://x', true],
    ['file:/run/secrets/alert', false],
    ['-', false],
    ['command:/usr/local/bin/page', false],
    [undefined, false],
  ])('a literal webhook on argv (%s) is warned about: %s', (raw, warned) =>
    expect(Boolean(literalWebhookWarning(raw))).toBe(warned),
  )
})
