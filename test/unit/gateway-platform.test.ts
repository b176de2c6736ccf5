import {execFileSync} from 'node:child_process'
import {promises as fs} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {nodeRunsOpenClaw} from '../../src/core/openclaw/node-version.js'
import {isTailnetIPv4, tailnetIPv4FromInterfaces} from '../../src/core/tailscale/tailnet-address.js'
import {shQuote} from '../../src/platform/gateway-common.js'
import {platformAdapter} from '../../src/platform/index.js'
import type {ProbeRun} from '../../src/platform/types.js'
import {writeSecretLauncher} from '../../src/services/gateway/secret-wiring.js'
import {tempDir} from '../helpers/fakes/index.js'

const tmp = (): string => tempDir('launch').path
const run = (
  answers: Record<string, {exitCode: number; stdout?: string; stderr?: string; notFound?: boolean}>,
): ProbeRun & {calls: string[]} => {
  const calls: string[] = []
  const fn = (async (cmd: string, args: string[]) => {
    const key = [cmd, ...args].join(' ')
    calls.push(key)
    const a = answers[key] ?? {exitCode: 127, notFound: true}
    return {exitCode: a.exitCode, stdout: a.stdout ?? '', stderr: a.stderr ?? '', notFound: a.notFound ?? false}
  }) as ProbeRun & {calls: string[]}
  fn.calls = calls
  return fn
}

describe('linux gateway service probe', () => {
  const gw = platformAdapter('linux').gateway

  it('uses systemd --user when the user manager answers', async () => {
    expect(
      await gw.probeServiceManager(
        run({'systemctl --user show-environment': {exitCode: 0, stdout: 'HOME=/root\n'}}),
        {},
      ),
    ).toEqual({usable: true, detail: 'systemd user manager answers'})
  })

  it('explains a container without a user session', async () => {
    const r = await gw.probeServiceManager(
      run({'systemctl --user show-environment': {exitCode: 1, stderr: 'Failed to connect to bus: No medium found\n'}}),
      {},
    )
    expect(r).toEqual({usable: false, detail: 'no systemd user session (Failed to connect to bus: No medium found)'})
  })

  it('names the unit per profile', () => {
    expect(gw.serviceLocation('/home/u')).toBe('/home/u/.config/systemd/user/openclaw-gateway.service')
    expect(gw.serviceLocation('/home/u', 'work')).toBe('/home/u/.config/systemd/user/openclaw-gateway-work.service')
  })

  it('tells the user to enable linger when it is off', async () => {
    expect(
      await gw.serviceNotes(run({'loginctl show-user nova --property=Linger': {exitCode: 0, stdout: 'Linger=no\n'}}), {
        USER: 'nova',
      }),
    ).toEqual(['Linger is off for nova: the gateway stops when you log out. Run: loginctl enable-linger nova'])
    expect(
      await gw.serviceNotes(run({'loginctl show-user nova --property=Linger': {exitCode: 0, stdout: 'Linger=yes\n'}}), {
        USER: 'nova',
      }),
    ).toEqual([])
  })
})

describe('secret launcher (POSIX)', () => {
  it('execs the absolute node on claw-mesh with the store settings, quoting every path', async () => {
    const l = platformAdapter('linux').gateway.secretLauncher({
      nodePath: "/opt/node's/bin/node",
      cliEntry: '/opt/claw mesh/bin/run.js',
      stateDir: '/home/u/.local/state/claw-mesh',
      backend: 'keychain',
    })
    expect(l.command).toBe('/home/u/.local/state/claw-mesh/bin/secret-resolver')
    expect(l.content).toContain(`exec '/opt/node'\\''s/bin/node' '/opt/claw mesh/bin/run.js' secrets resolve`)
    expect(l.content).toContain("CLAW_MESH_HOME='/home/u/.local/state/claw-mesh'")
    expect(l.content).toContain("CLAW_MESH_SECRET_STORE='keychain'")
  })

  it('is a script /bin/sh runs as written', () => {
    const dir = tmp()
    const l = platformAdapter('linux').gateway.secretLauncher({
      nodePath: '/bin/echo',
      cliEntry: "a 'b' c",
      stateDir: dir,
      backend: 'file',
    })
    const out = execFileSync('/bin/sh', ['-c', l.content!.replace(/^exec /m, '')]).toString()
    expect(out).toBe("a 'b' c secrets resolve\n")
  })

  it('is written once as a private regular file, replacing a symlink, and not rewritten when unchanged', async () => {
    const dir = tmp()
    const file = path.join(dir, 'bin', 'secret-resolver')
    await fs.mkdir(path.dirname(file))
    await fs.symlink('/bin/sh', file)
    expect(await writeSecretLauncher({file, content: '#!/bin/sh\necho hi\n'})).toBe(true)
    const st = await fs.lstat(file)
    expect(st.isSymbolicLink()).toBe(false)
    expect(st.mode & 0o777).toBe(0o700)
    expect(await writeSecretLauncher({file, content: '#!/bin/sh\necho hi\n'})).toBe(false)
    expect(await writeSecretLauncher({file, content: '#!/bin/sh\necho changed\n'})).toBe(true)
  })

  it('runs node directly on Windows, with the settings in the provider env', () => {
    const l = platformAdapter('win32').gateway.secretLauncher({
      nodePath: 'C:\\node\\node.exe',
      cliEntry: 'C:\\cm\\bin\\run.js',
      stateDir: 'C:\\s',
      backend: 'keychain',
    })
    expect(l).toMatchObject({
      command: 'C:\\node\\node.exe',
      args: ['C:\\cm\\bin\\run.js', 'secrets', 'resolve'],
      env: {CLAW_MESH_HOME: 'C:\\s', CLAW_MESH_SECRET_STORE: 'keychain'},
    })
    expect(l.file).toBeUndefined()
  })

  it('quotes for sh', () => {
    expect(shQuote("it's")).toBe(`'it'\\''s'`)
  })
})

describe('runtime facts', () => {
  it.each([
    ['v24.21.0', true],
    ['v24.16.0', true],
    ['v24.15.9', false],
    ['v25.2.0', false],
    ['v26.0.0', false],
    ['v26.1.0', true],
    ['v27.0.0', true],
    ['v22.12.0', false],
    ['v20.20.2', false],
    ['garbage', false],
  ])('Node %s runs OpenClaw: %s', (version, ok) => {
    expect(nodeRunsOpenClaw(version)).toBe(ok)
  })

  it.each([
    ['100.64.0.1', true],
    ['100.127.255.254', true],
    ['100.63.0.1', false],
    ['100.128.0.1', false],
    ['10.0.0.1', false],
    ['fd7a:115c:a1e0::1', false],
  ])('%s is a tailnet IPv4: %s', (address, expected) => {
    expect(isTailnetIPv4(address)).toBe(expected)
  })

  it('finds the first tailnet IPv4 on the interfaces, as the gateway does', () => {
    expect(
      tailnetIPv4FromInterfaces({
        lo: [{address: '127.0.0.1', family: 'IPv4', internal: true}],
        eth0: [{address: '192.0.2.2', family: 'IPv4'}],
        tailscale0: [
          {address: 'fd7a:115c:a1e0::7', family: 'IPv6'},
          {address: '100.101.102.103', family: 4},
        ],
      }),
    ).toBe('100.101.102.103')
    expect(tailnetIPv4FromInterfaces({eth0: [{address: '192.0.2.2', family: 'IPv4'}]})).toBeUndefined()
  })
})
