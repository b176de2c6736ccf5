import {describe, expect, it} from 'vitest'
import {
  evalTailscaleBoot,
  gatewayBootNeedsTailscale,
  logShowsTailscaleBootFailure,
  tailscaleBootBlocker,
} from '../../src/core/tailscale/tailscale-boot.js'

// OpenClaw 2026.9.6's own lines, recorded from the real gateway with tailscaled down (test/e2e/gateway-tailscale-boot.test.ts).
const REAL_LOG = `2026-12-07T01:26:22.215+00:00 [tailscale] waiting for the local Tailscale daemon (daemon not reachable)
2026-12-07T01:27:53.887+00:00 [tailscale] serve failed: Command failed with exit code 1: /usr/bin/tailscale serve status --json
getting serve config: Failed to connect to local Tailscale daemon for /localapi/v0/serve-config; not running? Error: dial unix /var/run/tailscale/tailscaled.sock: connect: no such file or directory
2026-12-07T01:27:54.396+00:00 Gateway failed to start: Command failed with exit code 1: /usr/bin/tailscale serve status --json`

describe("OpenClaw's gateway needs tailscaled to boot (openclaw/openclaw#138770)", () => {
  it.each([
    ['serve', true],
    ['funnel', true],
    ['off', false],
    [undefined, false],
  ])('mode %s needs it: %s', (mode, needs) => {
    expect(gatewayBootNeedsTailscale(mode)).toBe(needs)
  })

  it.each([
    ['serve', {daemonUp: false}, /tailscaled is not running/],
    ['serve', {daemonUp: true, backendState: 'Stopped'}, /Tailscale is Stopped, not Running/],
    ['funnel', {daemonUp: true, backendState: 'NeedsLogin'}, /NeedsLogin/],
    ['serve', {daemonUp: true, backendState: 'Running'}, undefined],
    ['off', {daemonUp: false}, undefined],
  ] as const)('mode %s with %j blocks the boot: %s', (mode, ts, blocker) => {
    const b = tailscaleBootBlocker(mode, ts)
    if (blocker) expect(b).toMatch(blocker)
    else expect(b).toBeUndefined()
    if (blocker) expect(b).toContain('openclaw/openclaw#138770')
  })

  it('recognises the real gateway log, and not an unrelated failure', () => {
    expect(logShowsTailscaleBootFailure(REAL_LOG)).toBe(true)
    expect(logShowsTailscaleBootFailure('Gateway failed to start: Invalid config at gateway.bind')).toBe(false)
  })

  it.each([
    [
      {tailscaleMode: 'serve', tailscale: {daemonUp: false}, gatewayHealthy: false},
      'fail',
      /This is why the gateway is down/,
    ],
    [{tailscaleMode: 'serve', tailscale: {daemonUp: false}, gatewayHealthy: true}, 'warn', /next restart will fail/],
    [
      {tailscaleMode: 'serve', tailscale: {daemonUp: true, backendState: 'Running'}, gatewayHealthy: true},
      'pass',
      /Running/,
    ],
    [{tailscaleMode: 'off', tailscale: {daemonUp: false}, gatewayHealthy: false}, 'skip', /boots without tailscaled/],
  ] as const)('doctor: %j → %s', (p, status, detail) => {
    const o = evalTailscaleBoot({...p, startHint: 'sudo systemctl start tailscaled'})
    expect(o.status).toBe(status)
    expect(o.detail).toMatch(detail)
    if (status === 'fail' || status === 'warn')
      expect(o.remedy).toMatch(
        /^Start Tailscale first \(sudo systemctl start tailscaled\), then: claw-mesh gateway start/,
      )
  })

  it('a Stopped backend gets `tailscale up`, not the daemon start hint', () => {
    expect(
      evalTailscaleBoot({
        tailscaleMode: 'serve',
        tailscale: {daemonUp: true, backendState: 'Stopped'},
        gatewayHealthy: false,
        startHint: 'X',
      }).remedy,
    ).toMatch(/^Start Tailscale first \(tailscale up\)/)
  })
})
