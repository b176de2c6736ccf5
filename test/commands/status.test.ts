import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import Status from '../../src/commands/status.js'
import {InterruptedError} from '../../src/core/common/errors.js'
import type {Clock} from '../../src/infra/clock.js'
import {createStateStore} from '../../src/infra/state-store.js'
import {runCommand} from '../helpers/run-command.js'
import {tailscaleStatusJson} from '../helpers/tailscale-status-json.js'
import {provisionedHost, type ProvisionedHost} from '../fixtures/doctor/fake-host.js'
import type {StatusResult} from '../../src/services/status/status.js'

let cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.reverse()) await c()
  cleanups = []
})

async function provisioned(): Promise<ProvisionedHost> {
  const h = await provisionedHost()
  cleanups.push(h.cleanup)
  return h
}

const run = (h: ProvisionedHost, argv: string[], extra: {tty?: boolean; clock?: Clock} = {}) =>
  runCommand(Status, argv, {
    env: h.host.env,
    platform: 'linux',
    runner: h.runner,
    store: h.host.store,
    lookPath: h.host.lookPath,
    networkInterfaces: h.host.networkInterfaces,
    ...extra,
  })

describe('claw-mesh status on a state.json it cannot read', () => {
  it.each([
    ['not JSON', '{"version": 1, "identity": "nova",', /state\.json is not valid JSON\./],
    [
      'a field of the wrong type',
      '{"version": 1, "identity": "nova", "peers": {"clawd": {"name": "clawd", "url": 5}}}',
      /state\.json is not valid: peers\.clawd\.url: /,
    ],
  ])('%s: names the file (and the field), exit 2, instead of "Identity: not set"', async (_what, text, message) => {
    const h = await provisioned()
    writeFileSync(path.join(h.host.stateDir, 'state.json'), text, {mode: 0o600})
    const r = await runCommand(Status, [], {
      env: h.host.env,
      platform: 'linux',
      runner: h.runner,
      store: createStateStore(h.host.stateDir),
      lookPath: h.host.lookPath,
      networkInterfaces: h.host.networkInterfaces,
    })
    expect(r.stderr).toMatch(message)
    expect(r.stderr).toMatch(/Fix or move the file away/)
    expect(r.stdout).not.toMatch(/Identity: not set/)
    expect(r.exitCode).toBe(2)
  })
})

describe('claw-mesh status', () => {
  it('--json: this host (identity, tailnet name and IP, gateway URL and health) and every peer', async () => {
    const h = await provisioned()
    h.host.store.update((s) => {
      s.peers.alice = {
        name: 'alice',
        hostname: 'alices-mbp',
        url: 'http://127.0.0.1:1',
        addedAt: '2026-11-01T00:00:00Z',
        source: 'url',
        messaging: false,
      }
    })
    h.runner.answers['tailscale status --json'] = {
      stdout: tailscaleStatusJson({
        peers: [
          {hostname: 'openclaw-clawd', ipv4: '100.88.12.7'},
          {hostname: 'alices-mbp', ipv4: '100.70.3.44', online: false, lastSeen: '2026-08-21T22:41:09Z'},
        ],
      }),
    }
    const r = await run(h, ['--json', '--timeout', '1s'])
    expect(r.exitCode).toBe(0)
    const doc = r.json<StatusResult & {ok: boolean}>()
    expect(doc.host).toMatchObject({
      identity: 'nova',
      tailscale: 'Running',
      hostname: 'openclaw-nova',
      dnsName: 'openclaw-nova.tail4f3a2.ts.net',
      ipv4: '100.101.102.103',
      gatewayUrl: `http://100.101.102.103:${h.gateway.port}`,
      gateway: 'ok',
    })
    expect(doc.peers).toEqual([
      expect.objectContaining({
        name: 'alice',
        online: false,
        health: 'down',
        lastSeen: '2026-08-21T22:41:09Z',
        messaging: false,
      }),
      expect.objectContaining({
        name: 'clawd',
        online: true,
        health: 'ok',
        lastSeen: 'now',
        messaging: true,
        latencyMs: expect.any(Number),
      }),
    ])
    // One tailscale status for host and peers alike; no ping (status is a glance, doctor measures paths).
    expect(h.runner.count('tailscale', 'status')).toBe(1)
    expect(h.runner.count('tailscale', 'ping')).toBe(0)
  })

  it('prints the host, then one row a peer', async () => {
    const h = await provisioned()
    const r = await run(h, ['--timeout', '1s'])
    expect(r.stdout).toMatch(
      /This host\n {2}Identity: +nova\n {2}Tailscale: +Running +openclaw-nova\.tail4f3a2\.ts\.net +100\.101\.102\.103/,
    )
    expect(r.stdout).toMatch(/Gateway: +ok +127\.0\.0\.1:\d+/)
    expect(r.stdout).toMatch(
      /PEER +ONLINE +HEALTH +LATENCY +LAST SEEN +MESSAGING +TRUST +URL\nclawd +yes +ok +\d+ ms +now +hooks +- +http:\/\/127\.0\.0\.1:\d+/,
    )
  })

  it('shows a stopped gateway as down', async () => {
    const h = await provisioned()
    await h.gateway.close()
    const r = await run(h, ['--json', '--timeout', '1s'])
    expect(r.json<StatusResult>().host).toMatchObject({
      gateway: 'down',
      gatewayDetail: expect.stringMatching(/connection refused/),
    })
  })

  it('--watch without a terminal is a usage error naming the alternative', async () => {
    const h = await provisioned()
    const r = await run(h, ['--watch'])
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/--watch needs a terminal/)
    expect(r.stderr).toMatch(/claw-mesh status --json periodically/)
    expect(h.runner.calls).toEqual([])
  })

  it('--watch with --json is refused (one document only)', async () => {
    const h = await provisioned()
    const r = await run(h, ['--watch', '--json'], {tty: true})
    expect(r.exitCode).toBe(2)
    expect(r.json<{error: {message: string}}>().error.message).toMatch(/--watch cannot be combined with --json/)
  })

  it('--watch redraws in place every interval until interrupted', async () => {
    const h = await provisioned()
    const sleeps: number[] = []
    const clock: Clock = {
      now: () => new Date(),
      sleep: async (ms) => {
        sleeps.push(ms)
        if (sleeps.length === 2) throw new InterruptedError()
      },
    }
    const r = await run(h, ['--watch', '--interval', '2s', '--timeout', '1s'], {tty: true, clock})
    expect(sleeps).toEqual([2000, 2000])
    const frames = r.stdout.split('\u001b[H\u001b[2J').filter(Boolean)
    expect(frames).toHaveLength(2)
    expect(frames[1]).toMatch(/This host[\s\S]*clawd[\s\S]*Refreshing every 2s; Ctrl-C to stop\./)
    expect(r.exitCode).toBe(130)
  })

  it('refuses an interval under a second', async () => {
    const h = await provisioned()
    const r = await run(h, ['--watch', '--interval', '100ms'], {tty: true})
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(/--interval 100ms is too short/)
  })
})
