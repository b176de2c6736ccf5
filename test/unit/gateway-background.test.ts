import {describe, expect, it} from 'vitest'
import {gatewayFailureReason, logTail} from '../../src/services/gateway/background.js'

// Excerpts of real `openclaw gateway` output (2026.9.6), colour codes removed.
const PORT_BUSY = `2026-11-21T18:22:55.315+00:00 [shutdown] completed cleanly in 101ms
2026-11-21T18:22:55.489+00:00 Gateway failed to start: another gateway instance is already listening on ws://127.0.0.1:40217 | listen EADDRINUSE: address already in use 127.0.0.1:40217 | EADDRINUSE
If the gateway is supervised, stop it with: openclaw gateway stop
2026-11-21T18:22:55.658+00:00 Port 40217 is already in use.`
const NO_TAILSCALE = `2026-11-21T18:23:58.433+00:00 [tailscale] serve failed: Command failed with ENOENT: tailscale serve status --json
2026-11-21T18:23:58.638+00:00 Gateway failed to start: Command failed with ENOENT: tailscale serve status --json
spawn tailscale ENOENT | ENOENT. Run openclaw gateway status --deep for diagnostics.
2026-11-21T18:23:58.700+00:00 Automatic triage is preparing the installed CLI; diagnostics will follow.`
const SECRET_MISSING = `2026-11-21T18:23:15.369+00:00 Gateway failed to start: Startup failed: required secrets are unavailable.. Run openclaw gateway status --deep for diagnostics.
2026-11-21T18:23:15.402+00:00 Automatic triage is preparing the installed CLI; diagnostics will follow.`

describe('gatewayFailureReason', () => {
  it.each([
    [
      PORT_BUSY,
      'another gateway instance is already listening on ws://127.0.0.1:40217 | listen EADDRINUSE: address already in use 127.0.0.1:40217 | EADDRINUSE',
    ],
    [NO_TAILSCALE, 'Command failed with ENOENT: tailscale serve status --json spawn tailscale ENOENT | ENOENT.'],
    [SECRET_MISSING, 'Startup failed: required secrets are unavailable..'],
    [
      '[gateway] Invalid config at /x/openclaw.json: gateway.bind: Invalid input',
      '[gateway] Invalid config at /x/openclaw.json: gateway.bind: Invalid input',
    ],
    ['2026-11-21T18:21:44.990+00:00 [gateway] http server listening', undefined],
  ])('reads the reason from the gateway output (%#)', (log, reason) => {
    expect(gatewayFailureReason(log)).toBe(reason)
  })
})

describe('logTail', () => {
  it('keeps the last non-empty lines', () => {
    expect(logTail('a\n\nb\nc\n\n', 2)).toBe('b\nc')
  })
})
