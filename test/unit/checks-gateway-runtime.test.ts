import {describe, expect, it} from 'vitest'
import type {ListenerVerdict} from '../../src/core/openclaw/port-holder.js'
import {
  evalConfigFileMode,
  evalConfigParse,
  evalConfigValid,
  evalGatewayTokenPresent,
  evalHandshake,
  evalHealth,
  evalNodeVersion,
  evalOpenClawCli,
  evalPortHolder,
  evalService,
  evalTailnetListen,
  type HttpProbe,
} from '../../src/core/checks/gateway-runtime.js'
import {REMEDY_CONFIGURE} from '../../src/core/checks/types.js'

const BIN = '/usr/local/bin/openclaw'
const live: HttpProbe = {ok: true, status: 200, body: '{"ok":true,"status":"live"}', latencyMs: 3}
const ready: HttpProbe = {ok: true, status: 200, body: '{"ready":true}', latencyMs: 2}
const refused: HttpProbe = {
  ok: false,
  failure: 'refused',
  message: 'connection refused (nothing listening on that address and port)',
}
const timeout: HttpProbe = {ok: false, failure: 'timeout', message: 'no answer before the timeout'}
const notOpenClaw: HttpProbe = {ok: true, status: 200, body: '<html>nginx</html>', latencyMs: 1}
const restart = {kind: 'restart-gateway'}

describe('openclaw-cli and openclaw-node', () => {
  it.each([
    [{bin: BIN, version: '2026.9.6', nodeVersion: 'v24.21.0'}, 'pass', 'pass'],
    [{}, 'fail', 'skip'],
    [
      {
        bin: BIN,
        nodeError: 'OpenClaw needs Node >=24.16.0 <25 || >=26.1.0, but the node on PATH (/usr/bin/node) is v20.20.2.',
        error: 'its Node cannot run it',
      },
      'fail',
      'fail',
    ],
    [{bin: BIN, version: '2026.9.6', nodeVersion: 'v25.0.0'}, 'pass', 'fail'],
    [{bin: BIN, version: '2026.9.6', nodeVersion: 'v26.1.0'}, 'pass', 'pass'],
    [{bin: BIN, version: '2026.9.6'}, 'pass', 'fail'],
    [{bin: BIN, version: '2026.9.6', nodeVersion: 'garbage'}, 'pass', 'warn'],
  ])('%j → cli %s, node %s', (probe, cli, node) => {
    expect(evalOpenClawCli(probe).status).toBe(cli)
    expect(evalNodeVersion(probe).status).toBe(node)
  })

  it('names the install command when openclaw is missing, and the Node 24 install when Node is too old', () => {
    expect(evalOpenClawCli({}).remedy).toMatch(/npm install -g openclaw/)
    expect(evalNodeVersion({bin: BIN, version: 'x', nodeVersion: 'v22.12.0'}).remedy).toMatch(/Install Node 24/)
  })
})

describe('gateway-config and gateway-config-permissions', () => {
  it.each([
    [
      {path: '/h/.openclaw/openclaw.json', exists: false},
      'fail',
      /No OpenClaw config at \/h\/\.openclaw\/openclaw\.json/,
    ],
    [
      {
        path: '/h/openclaw.json',
        exists: true,
        parseError: '/h/openclaw.json:6:1: openclaw.json is not valid JSON5 (invalid end of input).',
      },
      'fail',
      /not valid JSON5/,
    ],
    [{path: '/h/openclaw.json', exists: true, config: {}}, 'pass', /parses/],
  ] as const)('%j → %s', (probe, status, detail) => {
    const r = evalConfigParse(probe, '/h/state/backups')
    expect(r.status).toBe(status)
    expect(r.detail).toMatch(detail)
  })

  it('a config that does not parse: the remedy says where the backups are', () => {
    const r = evalConfigParse({path: '/h/openclaw.json', exists: true, parseError: 'x'}, '/h/state/backups')
    expect(r.remedy).toMatch(/openclaw\.json\.<time>\.bak in \/h\/state\/backups/)
  })

  it.each([
    [0o100600, 'pass'],
    [0o100644, 'fail'],
    [0o100660, 'fail'],
  ])('mode %o → %s, fixed by chmod 600', (mode, status) => {
    const r = evalConfigFileMode({path: '/h/my config/openclaw.json', exists: true, mode}, 'linux')
    expect(r.status).toBe(status)
    if (status === 'fail')
      expect(r).toMatchObject({
        remedy: "chmod 600 '/h/my config/openclaw.json'",
        fix: {kind: 'chmod-600', path: '/h/my config/openclaw.json'},
      })
  })

  it('skips modes on Windows and without a file', () => {
    expect(evalConfigFileMode({path: 'C:\\x', exists: true, mode: 0o666}, 'win32').status).toBe('skip')
    expect(evalConfigFileMode({path: '/x', exists: false}, 'linux').status).toBe('skip')
  })
})

describe('gateway-config-valid (openclaw config validate --json)', () => {
  it('passes a valid config and skips when the validator did not run', () => {
    expect(evalConfigValid({ran: true, valid: true, issues: []}).status).toBe('pass')
    expect(evalConfigValid({ran: false, reason: 'openclaw is not installed'})).toMatchObject({
      status: 'skip',
      detail: 'openclaw is not installed',
    })
  })

  it('fixes issues in settings claw-mesh owns by re-applying its patch (the seeds)', () => {
    const r = evalConfigValid({
      ran: true,
      valid: false,
      issues: [
        {path: 'gateway.bind', message: 'Invalid input (allowed: "auto", "lan", "loopback", "custom", "tailnet")'},
        {path: 'gateway.tailscale.mode', message: 'Invalid input (allowed: "off", "serve", "funnel")'},
      ],
    })
    expect(r).toMatchObject({status: 'fail', remedy: REMEDY_CONFIGURE, fix: {kind: 'configure-gateway'}})
    expect(r.detail).toContain('gateway.bind: Invalid input')
  })

  it('prints the exact unset commands for unknown keys and never fixes them itself', () => {
    const r = evalConfigValid({
      ran: true,
      valid: false,
      issues: [
        {path: 'gateway', message: 'Unrecognized key: "resetOnExit"'},
        {path: '<root>', message: 'Unrecognized key: "peers"'},
      ],
    })
    expect(r.status).toBe('fail')
    expect(r.remedy).toBe('openclaw config unset gateway.resetOnExit && openclaw config unset peers')
    expect(r.fix).toBeUndefined()
  })
})

describe('gateway-health', () => {
  it.each([
    ['live and ready', live, ready, 'pass'],
    ['live, not ready', live, {ok: true, status: 503, body: '{"ready":false}', latencyMs: 1} as HttpProbe, 'warn'],
    ['not running', refused, undefined, 'fail'],
    ['no answer', timeout, undefined, 'fail'],
    ['something else on the port', notOpenClaw, undefined, 'fail'],
    ['starting (503)', {ok: true, status: 503, body: '{}', latencyMs: 1} as HttpProbe, undefined, 'warn'],
  ])('%s → %s', (_name, healthz, readyz, status) => {
    const r = evalHealth(healthz, readyz, 18789, 'claw-mesh gateway start')
    expect(r.status).toBe(status)
    if (healthz === refused || healthz === timeout)
      expect(r).toMatchObject({remedy: 'claw-mesh gateway start', fix: restart})
  })
})

describe('gateway-port', () => {
  const mine: ListenerVerdict = {ours: true, holder: {uid: 1000, pid: 4242, cmdline: 'openclaw-gateway'}}
  const free: ListenerVerdict = {ours: false, reason: 'free', message: 'nothing listens on 127.0.0.1:18789'}
  const squatter: ListenerVerdict = {
    ours: false,
    reason: 'foreign',
    message:
      '127.0.0.1:18789 is held by another user: uid 65534 (nobody), pid 77 (python3 squat.py), not by you (uid 1000)',
  }
  it.each([
    ['free', refused, free, 'pass', /free/],
    ['held by your gateway', live, mine, 'pass', /held by the gateway \(pid 4242, yours\)/],
    ['held by something else', notOpenClaw, mine, 'fail', /does not answer like an OpenClaw gateway/],
    ['held by something silent', timeout, mine, 'fail', /does not answer/],
    // The squatter answers exactly like a gateway: the socket's owner is what gives it away.
    [
      'held by another user answering like a gateway',
      live,
      squatter,
      'fail',
      /held by another user: uid 65534 \(nobody\), pid 77 \(python3 squat\.py\).*sends it no token/,
    ],
  ])('%s → %s', (_name, healthz, listener, status, detail) => {
    const r = evalPortHolder(healthz, 18789, "ss -ltnp 'sport = :18789'", listener)
    expect(r.status).toBe(status)
    expect(r.detail).toMatch(detail)
    if (status === 'fail') expect(r.remedy).toContain("ss -ltnp 'sport = :18789'")
  })
})

describe('gateway-tailnet-reachable', () => {
  const base = {
    exposure: 'tailnet',
    serve: false,
    loopbackHealthy: true,
    ipv4: '100.64.0.7',
    ipv4Local: true,
    port: 18789,
  }
  it('passes when the gateway answers on the Tailscale address', () => {
    expect(evalTailnetListen({...base, probe: live})).toMatchObject({
      status: 'pass',
      detail: 'answers on 100.64.0.7:18789',
    })
  })

  it('fails with a restart when a tailnet bind started before Tailscale had an IP', () => {
    const r = evalTailnetListen({...base, probe: refused})
    expect(r.status).toBe('fail')
    expect(r.detail).toMatch(
      /healthy on 127\.0\.0\.1 but not answering on 100\.64\.0\.7:18789 .*started before Tailscale had an IP/,
    )
    expect(r.fix).toEqual(restart)
  })

  it.each([
    ['the gateway is down', {...base, loopbackHealthy: false, probe: refused}],
    ['a loopback bind', {...base, exposure: 'loopback'}],
    ['no Tailscale IPv4', {...base, ipv4: null}],
    ['userspace networking (the address is on no interface)', {...base, ipv4Local: false}],
  ])('skips when %s', (_name, input) => {
    expect(evalTailnetListen(input).status).toBe('skip')
  })

  it("userspace networking: the address is on no interface, so it is probed through tailscaled's proxy (no restart offered)", () => {
    const proxied = {...base, ipv4Local: false, viaProxy: 'http://127.0.0.1:1055'}
    expect(evalTailnetListen({...proxied, probe: live})).toMatchObject({
      status: 'pass',
      detail: "answers on 100.64.0.7:18789 (userspace networking, through tailscaled's proxy)",
    })
    const r = evalTailnetListen({...proxied, probe: refused})
    expect(r).toMatchObject({status: 'fail', remedy: expect.stringMatching(/doctor --only tailscale-proxy/)})
    expect(r.fix).toBeUndefined() // a restart changes nothing here
    expect(evalTailnetListen({...base, ipv4Local: false, probe: live}).status).toBe('skip')
  })

  it('checks the Serve URL when the gateway is published with Serve', () => {
    expect(
      evalTailnetListen({...base, serve: true, url: 'https://openclaw-nova.tail4f3a2.ts.net', probe: live}).status,
    ).toBe('pass')
    expect(
      evalTailnetListen({...base, serve: true, url: 'https://openclaw-nova.tail4f3a2.ts.net', probe: timeout}),
    ).toMatchObject({status: 'fail', fix: restart})
  })
})

describe('gateway-service', () => {
  it.each([
    [{runner: 'none'}, 'skip'],
    [{runner: 'external'}, 'skip'],
    [{runner: 'background', pid: 4242, alive: true}, 'pass'],
    [{runner: 'background', pid: 4242, alive: false}, 'fail'],
    [{runner: 'service', installed: true, running: true, linger: true}, 'pass'],
    [{runner: 'service', installed: false, running: false}, 'fail'],
    [{runner: 'service', installed: true, running: false}, 'fail'],
  ] as const)('%j → %s', (probe, status) => {
    const r = evalService(probe, 'claw-mesh gateway start')
    expect(r.status).toBe(status)
    if (status === 'fail') expect(r).toMatchObject({remedy: 'claw-mesh gateway start', fix: restart})
  })

  it('warns and enables linger when systemd lingering is off', () => {
    const r = evalService({runner: 'service', installed: true, running: true, linger: false, user: 'nova'}, 'x')
    expect(r).toMatchObject({
      status: 'warn',
      remedy: 'loginctl enable-linger nova',
      fix: {kind: 'enable-linger', user: 'nova'},
    })
  })
})

describe('gateway-token and gateway-token-accepted', () => {
  it.each([
    [{state: 'ok', where: 'the file secret store'}, 'pass'],
    [{state: 'unconfigured', why: 'no token'}, 'skip'],
    [{state: 'missing', where: 'the file secret store', restorable: true}, 'fail'],
    [{state: 'missing', where: 'the file secret store', restorable: false}, 'fail'],
    [{state: 'unresolved', where: 'SecretRef exec:clawmesh:gateway-token', error: '/x is a symlink'}, 'fail'],
    [{state: 'mismatch', where: 'openclaw.json (plain text)'}, 'fail'],
    [{state: 'unreadable', error: 'The secret file has mode 0644'}, 'skip'],
  ] as const)('%j → %s', (probe, status) => {
    expect(evalGatewayTokenPresent(probe).status).toBe(status)
  })

  it('restores a missing token from a plain copy in openclaw.json, else sends to bootstrap', () => {
    expect(evalGatewayTokenPresent({state: 'missing', where: 's', restorable: true}).fix).toEqual({
      kind: 'restore-secret',
      name: 'gateway-token',
      from: 'gateway.auth.token',
    })
    expect(evalGatewayTokenPresent({state: 'missing', where: 's', restorable: false})).toMatchObject({
      fix: undefined,
      remedy: expect.stringMatching(/claw-mesh bootstrap/),
    })
  })

  it.each([
    [{ran: true, ok: true, detail: 'hello-ok (protocol 4)'}, 'pass'],
    [{ran: false, reason: 'the gateway is not answering'}, 'skip'],
    [{ran: true, ok: false, refused: true, message: 'unauthorized: gateway token mismatch'}, 'fail'],
    [{ran: true, ok: false, refused: false, message: 'connection closed'}, 'fail'],
  ] as const)('handshake %j → %s', (probe, status) => {
    const r = evalHandshake(probe)
    expect(r.status).toBe(status)
    if ('refused' in probe && probe.refused) expect(r.fix).toEqual({kind: 'configure-gateway'})
  })

  it('diagnoses a lockout as a lockout: a warning with no reconfigure or restart offered', () => {
    const r = evalHandshake({
      ran: true,
      ok: false,
      refused: false,
      lockedOut: true,
      message:
        "locked out by the gateway's failed-auth limit (too many wrong tokens from this address); retry in 300 s (AUTH_RATE_LIMITED)",
    })
    expect(r.status).toBe('warn')
    expect(r.detail).toContain('Not verified: locked out')
    expect(r.fix).toBeUndefined()
    expect(r.remedy).not.toMatch(/gateway start|restart/)
  })
})
