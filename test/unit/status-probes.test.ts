import {rmSync} from 'node:fs'
import {afterEach, describe, expect, it} from 'vitest'
import {createDeps} from '../../src/deps.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {meshStatus} from '../../src/services/status/status.js'
import {ownGatewayListeners} from '../helpers/listeners.js'
import {provisionedHost as provision} from '../fixtures/doctor/fake-host.js'

let cleanups: (() => Promise<void> | void)[] = []
afterEach(async () => {
  for (const c of cleanups.reverse()) await c()
  cleanups = []
})

async function host() {
  const h = await provision()
  cleanups.push(h.cleanup)
  const {io} = createTestIOStreams()
  const deps = createDeps({
    env: h.host.env,
    platform: 'linux',
    runner: h.runner,
    store: h.host.store,
    lookPath: h.host.lookPath,
    networkInterfaces: h.host.networkInterfaces,
    io,
    loopbackListeners: ownGatewayListeners(),
  })
  return {...h, deps}
}

describe('status: what it probes on this host', () => {
  it('with an openclaw.json, asks the gateway on loopback once for /healthz and once for /readyz', async () => {
    const {deps, gateway} = await host()
    const result = await meshStatus(deps, {peerTimeoutMs: 1000})
    expect(result.host).toMatchObject({
      gateway: 'ok',
      gatewayPort: gateway.port,
      gatewayDetail: `127.0.0.1:${gateway.port}`,
    })
    expect(gateway.requests['/healthz']).toBe(1)
    expect(gateway.requests['/readyz']).toBe(1)
  })

  it('without an openclaw.json, sends nothing to the gateway port (the answer would be "unknown" anyway)', async () => {
    const {deps, gateway, host: h} = await host()
    rmSync(h.configPath)
    const result = await meshStatus(deps, {peerTimeoutMs: 1000})
    // The port is still the one the state records, as when the probe ran.
    expect(result.host).toMatchObject({
      gateway: 'unknown',
      gatewayPort: gateway.port,
      gatewayDetail: 'no openclaw.json (claw-mesh bootstrap)',
    })
    expect(gateway.requests['/healthz'] ?? 0).toBe(0)
    expect(gateway.requests['/readyz'] ?? 0).toBe(0)
  })
})
