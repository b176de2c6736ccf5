import {promises as fsPromises} from 'node:fs'
import {afterEach, describe, expect, it, vi} from 'vitest'
import PeerCheck from '../../src/commands/peer/check.js'
import Status from '../../src/commands/status.js'
import {createDeps} from '../../src/deps.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {probeCache} from '../../src/services/machine/memo.js'
import {createMachineView} from '../../src/services/machine/view.js'
import {ownGatewayListeners} from '../helpers/listeners.js'
import {runCommand} from '../helpers/run-command.js'
import {provisionedHost, type ProvisionedHost} from '../fixtures/doctor/fake-host.js'

let cleanups: (() => unknown)[] = []
afterEach(async () => {
  vi.restoreAllMocks()
  for (const c of cleanups.reverse()) await c()
  cleanups = []
})

/** The provisioned host, its peer paired over A2A too: peer check and status then need this host's channels.a2a. */
async function host(): Promise<ProvisionedHost> {
  const h = await provisionedHost()
  cleanups.push(h.cleanup)
  h.host.store.update(
    (s) =>
      void (s.peers.clawd.a2a = {
        url: `${s.peers.clawd.url}/a2a`,
        pairedBy: 'invite',
        pairedAt: '2026-11-01T00:00:00Z',
      }),
  )
  return h
}

/** Counts the reads of one file through fs.promises.readFile (how readOpenClawConfig reads it). */
function countReads(file: string): () => number {
  const spy = vi.spyOn(fsPromises, 'readFile')
  return () => spy.mock.calls.filter(([p]) => p === file).length
}

const depsOf = (h: ProvisionedHost) =>
  createDeps({
    env: h.host.env,
    platform: 'linux',
    runner: h.runner,
    store: h.host.store,
    lookPath: h.host.lookPath,
    networkInterfaces: h.host.networkInterfaces,
    io: createTestIOStreams().io,
    loopbackListeners: ownGatewayListeners(),
  })

describe('the machine view', () => {
  it('reads openclaw.json once however many readers ask, and again only after invalidate("config")', async () => {
    const h = await host()
    const reads = countReads(h.host.configPath)
    const view = createMachineView(depsOf(h))
    await Promise.all([
      view.configFile(),
      view.configView(),
      view.config(),
      view.config(h.host.configPath),
      view.effectiveGatewayToken(),
    ])
    expect(reads()).toBe(1)
    expect(view.reads.config).toBe(1)
    view.invalidate('tailscale', 'health')
    await view.configView()
    expect(reads()).toBe(1)
    h.host.writeConfig({gateway: {port: 1234}})
    view.invalidate('config')
    expect((await view.configView())?.port).toBe(1234)
    expect((await view.config()).config).toEqual({gateway: {port: 1234}})
    expect(reads()).toBe(2)
  })

  it('runs `tailscale status --json` once for every reader, and again only after invalidate("tailscale") or invalidate()', async () => {
    const h = await host()
    const view = createMachineView(depsOf(h))
    await Promise.all([view.tailscale(), view.tailscaleStatus(), view.tailscaleCli(), view.tailnetHealth()])
    expect(h.runner.count('tailscale', 'status')).toBe(1)
    expect(h.runner.count('tailscale', 'version')).toBe(0)
    view.invalidate('config')
    await view.tailscale()
    expect(h.runner.count('tailscale', 'status')).toBe(1)
    view.invalidate('tailscale')
    await view.tailscale()
    expect(h.runner.count('tailscale', 'status')).toBe(2)
    view.invalidate()
    await Promise.all([view.tailscale(), view.configFile()])
    expect(h.runner.count('tailscale', 'status')).toBe(3)
    expect(view.reads).toEqual({tailscale: 3, config: 2})
  })

  it('probes loopback health once, and again after invalidate("health")', async () => {
    const h = await host()
    const view = createMachineView(depsOf(h))
    await Promise.all([view.loopbackHealth(), view.handshake(), view.service()])
    expect(h.gateway.requests['/healthz']).toBe(1)
    view.invalidate('health')
    await view.loopbackHealth()
    expect(h.gateway.requests['/healthz']).toBe(2)
  })

  it('state: the store is read once, again after invalidate("state"); an unreadable one is a finding for checks and an error for services', async () => {
    const h = await host()
    const read = vi.spyOn(h.host.store, 'read')
    const view = createMachineView(depsOf(h))
    expect(view.readState().identity).toBe('nova')
    expect(view.state()).toMatchObject({ok: true})
    expect(read).toHaveBeenCalledTimes(1)
    read.mockImplementation(() => {
      throw new Error('broken')
    })
    expect(view.readState().identity).toBe('nova')
    view.invalidate('state')
    expect(view.state()).toEqual({ok: false, error: 'claw-mesh state could not be read: broken'})
    expect(() => view.readState()).toThrowError('broken')
  })
})

describe('probeCache', () => {
  it('forgets exactly the memos tagged with what was invalidated', () => {
    const cache = probeCache()
    let a = 0
    let b = 0
    const fa = cache.memo(['config'], () => ++a)
    const fb = cache.memoBy(['health', 'config'], (k: string) => `${k}${++b}`)
    expect([fa(), fa(), fb('x'), fb('x')]).toEqual([1, 1, 'x1', 'x1'])
    cache.invalidate(['health'])
    expect([fa(), fb('x')]).toEqual([1, 'x2'])
    cache.invalidate(['config'])
    expect([fa(), fb('x')]).toEqual([2, 'x3'])
    cache.invalidate()
    expect([fa(), fb('x')]).toEqual([3, 'x4'])
  })
})

describe('one look at the machine per command', () => {
  it('status: one `tailscale status --json` and one read of openclaw.json, for the host and its A2A peer alike', async () => {
    const h = await host()
    const reads = countReads(h.host.configPath)
    const r = await runCommand(Status, ['--json', '--timeout', '1s'], {
      env: h.host.env,
      platform: 'linux',
      runner: h.runner,
      store: h.host.store,
      lookPath: h.host.lookPath,
      networkInterfaces: h.host.networkInterfaces,
    })
    expect(r.exitCode).toBe(0)
    expect(r.json<{peers: {name: string}[]}>().peers).toEqual([expect.objectContaining({name: 'clawd'})])
    expect(h.runner.count('tailscale', 'status')).toBe(1)
    expect(reads()).toBe(1)
  })

  it('peer check: one `tailscale status --json` and one read of openclaw.json', async () => {
    const h = await host()
    const reads = countReads(h.host.configPath)
    const r = await runCommand(PeerCheck, ['--json', '--timeout', '1s'], {
      env: h.host.env,
      platform: 'linux',
      runner: h.runner,
      store: h.host.store,
      lookPath: h.host.lookPath,
      networkInterfaces: h.host.networkInterfaces,
    })
    const doc = r.json<{peers: {name: string; probes: {tailnet: {status: string}; a2aHere: {detail: string}}}[]}>()
    expect(doc.peers[0].probes.tailnet.status).toBe('ok')
    // The A2A probe read this host's channels.a2a (no "openclaw.json not read").
    expect(doc.peers[0].probes.a2aHere.detail).not.toMatch(/not read/)
    expect(h.runner.count('tailscale', 'status')).toBe(1)
    expect(reads()).toBe(1)
  })
})
