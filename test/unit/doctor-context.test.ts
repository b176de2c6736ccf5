import {chmodSync, readFileSync, symlinkSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {createDeps} from '../../src/deps.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {createExecaRunner} from '../../src/infra/runner.js'
import {Redactor} from '../../src/core/secrets/redact.js'
import {runDoctor} from '../../src/services/doctor/doctor.js'
import {probeFirewall} from '../../src/services/doctor/firewall-probe.js'
import {platformAdapter} from '../../src/platform/index.js'
import {resolveSecretRef} from '../../src/services/doctor/secret-ref.js'
import {tailscaleStatusJson} from '../helpers/tailscale-status-json.js'
import {fakeHost, GW_TOKEN, HOOKS_TOKEN, provisionedHost as provision} from '../fixtures/doctor/fake-host.js'
import {ownGatewayListeners} from '../helpers/listeners.js'
import {tableRunner} from '../helpers/fakes/runner.js'

const FIXTURES = path.resolve(__dirname, '../fixtures/doctor')

let cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.reverse()) await c()
  cleanups = []
})

async function provisionedHost() {
  const h = await provision()
  cleanups.push(h.cleanup)
  const {io} = createTestIOStreams()
  return {
    ...h,
    deps: createDeps({
      env: h.host.env,
      platform: 'linux',
      runner: h.runner,
      store: h.host.store,
      lookPath: h.host.lookPath,
      networkInterfaces: h.host.networkInterfaces,
      io,
      loopbackListeners: ownGatewayListeners(),
    }),
  }
}

describe('the doctor context on a provisioned host', () => {
  it('shares one tailscale status, one config validation and one loopback health probe among all checks', async () => {
    const {deps, runner, gateway, peer} = await provisionedHost()
    const result = await runDoctor(deps, {peerTimeoutMs: 1000})
    expect(runner.count('tailscale', 'status')).toBe(1)
    expect(runner.count('openclaw', 'config', 'validate')).toBe(1)
    expect(runner.count('tailscale', 'version')).toBe(0)
    // gateway-health, gateway-port and the handshake all read the same probe.
    expect(gateway.requests['/healthz']).toBe(1)
    // The peer sweep probes /healthz once; the clock check asks once more for a Date header.
    expect(peer.requests['/healthz']).toBe(2)
    // At most one authenticated probe per peer per run.
    expect(peer.requests['/hooks/wake']).toBe(1)
    const byId = Object.fromEntries(result.checks.map((c) => [c.peer ? `${c.id}:${c.peer}` : c.id, c]))
    expect(byId['tailscale-backend'].status).toBe('pass')
    expect(byId['tailscale-hostname'].status).toBe('pass')
    expect(byId['gateway-config-valid'].status).toBe('pass')
    expect(byId['gateway-token']).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining('SecretRef file:clawmesh:/gateway-token'),
    })
    expect(byId['gateway-hooks'].status).toBe('pass')
    expect(byId['gateway-health'].status).toBe('pass')
    expect(byId['gateway-port']).toMatchObject({status: 'pass', detail: expect.stringMatching(/held by the gateway/)})
    expect(byId['secrets-present']).toMatchObject({status: 'pass', detail: '3 secrets present'})
    expect(byId['secrets-file'].status).toBe('pass')
    expect(byId['peer-health:clawd'].status).toBe('pass')
    expect(byId['peer-hooks:clawd']).toMatchObject({
      status: 'pass',
      detail: expect.stringMatching(/^token accepted by /),
    })
    expect(byId['peer-path:clawd']).toMatchObject({status: 'pass', detail: 'direct via 198.51.100.7:41641, 4 ms'})
    expect(byId['clock-skew']).toMatchObject({status: 'pass', detail: expect.stringMatching(/of clawd/)})
    expect(byId['firewall'].status).toBe('pass')
    // A health answer proves nothing about a token: the fake gateway speaks no WebSocket.
    expect(byId['gateway-token-accepted'].status).toBe('fail')
    expect(result.checks.filter((c) => c.status === 'crashed')).toEqual([])
    // No secret leaks into the report.
    expect(JSON.stringify(result)).not.toMatch(new RegExp(`${GW_TOKEN}|${HOOKS_TOKEN}|${peer.token}`))
  })

  it('finds what a half-broken host gets wrong: a world-readable config, a lost hooks token, a renamed node', async () => {
    const {deps, host, runner} = await provisionedHost()
    chmodSync(host.configPath, 0o644)
    host.writeSecrets({'gateway-token': GW_TOKEN, 'peer/clawd': 'x'.repeat(20)})
    runner.answers['tailscale status --json'] = {
      stdout: tailscaleStatusJson({self: {hostname: 'openclaw-nova-1', ipv4: '100.101.102.103'}}),
    }
    const result = await runDoctor(deps, {
      peerTimeoutMs: 1000,
      only: ['gateway-config-permissions', 'secrets-present', 'gateway-hooks', 'tailscale-hostname'],
    })
    const byId = Object.fromEntries(result.checks.map((c) => [c.id, c]))
    expect(byId['gateway-config-permissions']).toMatchObject({
      status: 'fail',
      fix: {kind: 'chmod-600', path: host.configPath},
    })
    expect(byId['secrets-present']).toMatchObject({
      status: 'fail',
      detail: 'Missing from the secret store: hooks-token.',
      fix: {kind: 'restore-secret', name: 'hooks-token', from: 'hooks.token'},
    })
    expect(byId['gateway-hooks'].status).toBe('pass')
    expect(byId['tailscale-hostname'].status).toBe('fail')
    expect(result.summary.ok).toBe(false)
  })
})

describe('resolving the gateway token SecretRef as the gateway would', () => {
  const deps = {
    runner: createExecaRunner(new Redactor()),
    env: {},
    redactor: new Redactor(),
    platform: platformAdapter('linux'),
  }

  it('reads a file provider by JSON pointer, and refuses a file others can read', async () => {
    const host = fakeHost()
    cleanups.push(() => host.cleanup())
    host.writeSecrets({'gateway-token': GW_TOKEN})
    const config = {secrets: {providers: {clawmesh: {source: 'file', path: host.secretsFile, mode: 'json'}}}}
    const ref = {source: 'file' as const, provider: 'clawmesh', id: '/gateway-token'}
    expect(await resolveSecretRef(deps, config, ref, 5000)).toMatchObject({ok: true, value: GW_TOKEN})
    expect(deps.redactor.redact(`x ${GW_TOKEN}`)).toBe('x [REDACTED]')
    chmodSync(host.secretsFile, 0o644)
    const bad = await resolveSecretRef(deps, config, ref, 5000)
    expect(bad).toMatchObject({ok: false, error: expect.stringMatching(/has mode 0644/)})
    expect(JSON.stringify(bad)).not.toContain(GW_TOKEN)
  })

  it('runs an exec provider with the protocol request on stdin, and refuses a symlinked command', async () => {
    const host = fakeHost()
    cleanups.push(() => host.cleanup())
    const script = path.join(host.stateDir, 'resolver')
    writeFileSync(
      script,
      `#!/bin/sh\nread req\ncase "$req" in *gateway-token*) printf '{"protocolVersion":1,"values":{"gateway-token":"${GW_TOKEN}"}}';; *) printf '{"protocolVersion":1,"values":{},"errors":{"x":{"code":"NOT_FOUND"}}}';; esac\n`,
      {mode: 0o700},
    )
    const config = {secrets: {providers: {clawmesh: {source: 'exec', command: script, jsonOnly: true}}}}
    expect(
      await resolveSecretRef(deps, config, {source: 'exec', provider: 'clawmesh', id: 'gateway-token'}, 5000),
    ).toMatchObject({ok: true, value: GW_TOKEN})
    const link = path.join(host.stateDir, 'link')
    symlinkSync(script, link)
    const viaLink = await resolveSecretRef(
      deps,
      {secrets: {providers: {clawmesh: {source: 'exec', command: link}}}},
      {source: 'exec', provider: 'clawmesh', id: 'gateway-token'},
      5000,
    )
    expect(viaLink).toMatchObject({ok: false, error: expect.stringMatching(/symlink/)})
  })

  it('reports an undeclared provider', async () => {
    expect(await resolveSecretRef(deps, {}, {source: 'file', provider: 'nope', id: '/x'}, 1000)).toMatchObject({
      ok: false,
      error: 'secrets.providers.nope is not declared',
    })
  })
})

describe('reading the firewall', () => {
  const linux = createDeps({platform: 'linux', env: {PATH: '/usr/sbin'}, io: createTestIOStreams().io}).platform

  it('uses nft, then iptables; a non-root user gets a skip saying so', async () => {
    const runner = tableRunner({
      'nft list ruleset': {exitCode: 1, stderr: 'Operation not permitted (you must be root)'},
      'iptables -S': {
        exitCode: 4,
        stderr:
          'iptables v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)',
      },
    })
    const probe = await probeFirewall(
      {runner, platform: linux, lookPath: (name) => `/sbin/${name}`},
      {port: 18789, timeoutMs: 1000},
    )
    expect(probe).toEqual({
      tool: 'none',
      reason: 'reading the firewall rules needs root: run sudo claw-mesh doctor --only firewall',
    })
  })

  it('skips when neither tool is installed', async () => {
    const probe = await probeFirewall(
      {runner: tableRunner({}), platform: linux, lookPath: () => undefined},
      {port: 18789, timeoutMs: 1000},
    )
    expect(probe).toEqual({tool: 'none', reason: 'neither nft nor iptables is installed'})
  })

  it('parses iptables when nft is absent', async () => {
    const runner = tableRunner({
      'iptables -S': {stdout: readFileSync(path.join(FIXTURES, 'iptables-reject-port.txt'), 'utf8')},
    })
    const probe = await probeFirewall(
      {runner, platform: linux, lookPath: (name) => (name === 'iptables' ? '/sbin/iptables' : undefined)},
      {port: 18789, timeoutMs: 1000},
    )
    expect(probe).toMatchObject({tool: 'iptables', finding: {blocking: [expect.stringContaining('REJECT')]}})
  })
})
