import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import TailscaleJoin from '../../src/commands/tailscale/join.js'
import {planBootstrap, type BootstrapDesired, type BootstrapObserved} from '../../src/core/lifecycle/bootstrap-plan.js'
import {parseForceDaemon, planJoin, type JoinObserved} from '../../src/core/tailscale/tailscale-join-plan.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {runCommand} from '../helpers/run-command.js'
import {scriptedRunner} from '../helpers/fakes/runner.js'

/**
 * `tailscale debug prefs` on Windows: ipn.Prefs as JSON, composed from its JSON field names (ipn/prefs.go; keys zeroed).
 * ForceDaemon is `omitempty`: absent when a user signed in from the tray app, true after `tailscale set --unattended`.
 */
const prefs = (name: string) =>
  readFileSync(path.resolve(__dirname, `../fixtures/tailscale/debug-prefs-windows-${name}.json`), 'utf8')

describe('ForceDaemon from tailscale debug prefs', () => {
  it.each([
    ['client-mode', false],
    ['unattended', true],
  ])('%s → %s', (name, expected) => expect(parseForceDaemon(prefs(name))).toBe(expected))
  it.each(['', 'not json', '[]', 'null'])('%j → null (unknown)', (text) => expect(parseForceDaemon(text)).toBeNull())
})

describe('planJoin keeps a Windows node up without a logged-in user', () => {
  const running: JoinObserved = {backendState: 'Running', hostname: 'openclaw-nova', tags: [], ipv4: '100.64.0.7'}
  const want = {hostname: 'openclaw-nova', tags: [], hasKey: false, forceReauth: false, unattended: true}
  it.each<[string, Partial<JoinObserved>, Partial<typeof want>, unknown]>([
    [
      'a running node in client mode gets set --unattended',
      {forceDaemon: false},
      {},
      {action: 'set', flags: ['--unattended']},
    ],
    ['a node already unattended: nothing', {forceDaemon: true}, {}, {action: 'none'}],
    ['prefs that could not be read: nothing (no change on a guess)', {forceDaemon: null}, {}, {action: 'none'}],
    ['Linux and macOS (no unattended mode): nothing', {forceDaemon: false}, {unattended: false}, {action: 'none'}],
    [
      'a rename and client mode: one set with both',
      {forceDaemon: false, hostname: 'old-name'},
      {hostnameGiven: true} as never,
      {action: 'set', flags: ['--hostname=openclaw-nova', '--unattended']},
    ],
    [
      'a stopped node: resume, then set --unattended',
      {forceDaemon: false, backendState: 'Stopped'},
      {},
      {action: 'resume', then: ['--unattended']},
    ],
  ])('%s', (_name, observed, desired, expected) => {
    expect(planJoin({...running, ...observed}, {...want, ...desired})).toMatchObject(expected as object)
  })
})

describe('claw-mesh tailscale join on Windows', () => {
  const TS = 'C:\\Program Files\\Tailscale\\tailscale.exe'
  const status = JSON.stringify({
    BackendState: 'Running',
    TailscaleIPs: ['100.64.0.7'],
    Self: {HostName: 'openclaw-nova', DNSName: 'openclaw-nova.tail1.ts.net.', TailscaleIPs: ['100.64.0.7']},
    CurrentTailnet: {Name: 'example.com', MagicDNSSuffix: 'tail1.ts.net', MagicDNSEnabled: true},
  })
  const calls = (forceDaemon: 'client-mode' | 'unattended') => [
    {command: TS, args: ['status', '--json'], result: {stdout: status}},
    {command: TS, args: ['version'], result: {stdout: '1.90.0\n'}},
    {command: TS, args: ['debug', 'prefs'], result: {stdout: prefs(forceDaemon)}},
  ]
  it('a node signed in from the tray app: set --unattended, nothing else', async () => {
    const runner = scriptedRunner([
      ...calls('client-mode'),
      {command: TS, args: ['set', '--unattended']},
      {command: TS, args: ['status', '--json'], result: {stdout: status}},
      {command: TS, args: ['version'], result: {stdout: '1.90.0\n'}},
    ])
    const run = await runCommand(TailscaleJoin, ['--hostname', 'openclaw-nova', '--json'], {
      runner,
      store: createMemoryStateStore(),
      env: {CLAW_MESH_TAILSCALE: TS},
      platform: 'win32',
    })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.json()).toMatchObject({action: 'set', changed: true, keySent: false})
  })
  it('a node already unattended: nothing to change', async () => {
    const runner = scriptedRunner(calls('unattended'))
    const run = await runCommand(TailscaleJoin, ['--hostname', 'openclaw-nova', '--json'], {
      runner,
      store: createMemoryStateStore(),
      env: {CLAW_MESH_TAILSCALE: TS},
      platform: 'win32',
    })
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.json()).toMatchObject({action: 'none', changed: false})
  })
})

describe('bootstrap plans the same set --unattended it applies', () => {
  const summary = {
    backendState: 'Running',
    version: '1.90.0',
    hostname: 'openclaw-nova',
    machineName: 'openclaw-nova',
    dnsName: 'openclaw-nova.t.ts.net',
    ipv4: '100.64.0.1',
    ipv6: null,
    tailnet: 'example.com',
    magicDNSSuffix: 't.ts.net',
    magicDNSEnabled: true,
    keyExpiry: null,
    tags: [],
    certDomains: [],
    health: [],
    authURL: null,
    peers: [],
  }
  const observed = (forceDaemon: boolean | null): BootstrapObserved => ({
    tailscale: {cli: true, daemonUp: true, summary, forceDaemon},
    openclaw: {cli: true, version: '2026.9.6'},
    recorded: {identity: 'nova', tailscaleHostname: 'openclaw-nova'},
    configChanges: [],
    gatewayRecorded: true,
    gatewayHealthy: true,
    peerChanges: [],
    watchdog: {schedulerUsable: true, installed: true, matches: true, sameAlertRecorded: true},
    skillInstalled: true,
  })
  const desired: BootstrapDesired = {
    identity: 'nova',
    hostname: 'openclaw-nova',
    tags: [],
    forceReauth: false,
    key: 'none',
    expose: 'tailnet',
    port: 18789,
    peers: 0,
    meshSecret: false,
    install: 'allowed',
    unattended: true,
  }
  const joinStep = (o: BootstrapObserved, d = desired) => planBootstrap(o, d).find((s) => s.id === 'tailscale-join')!
  it('client mode on Windows: the join step runs `set`, with no key needed', () => {
    expect(joinStep(observed(false))).toMatchObject({
      action: 'run',
      detail: expect.stringMatching(/^set: .*client mode/),
    })
  })
  it('already unattended, or not Windows: nothing to do', () => {
    expect(joinStep(observed(true))).toMatchObject({action: 'ok'})
    expect(joinStep(observed(false), {...desired, unattended: false})).toMatchObject({action: 'ok'})
  })
})
