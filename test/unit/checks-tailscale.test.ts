import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {
  evalBackendState,
  evalHostname,
  evalHttpsCerts,
  evalKeyExpiry,
  evalMagicDNS,
  evalTailscaleCli,
  evalTailscaleDaemon,
  evalUserspaceProxy,
  type TailscaleProbe,
} from '../../src/core/checks/tailscale.js'
import {parseStatusJson, summarizeStatus} from '../../src/core/tailscale/tailscale-status.js'
import {darwinAdapter} from '../../src/platform/darwin.js'
import {linuxAdapter} from '../../src/platform/linux.js'
import {win32Adapter} from '../../src/platform/win32.js'

const FIXTURES = path.resolve(__dirname, '../fixtures/doctor')
const raw = (name: string) => JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8')) as Record<string, unknown>

/** The running fixture with some top-level or Self fields replaced. */
function running(patch: Record<string, unknown> = {}, self: Record<string, unknown> = {}): TailscaleProbe {
  const doc = raw('status-running.json')
  Object.assign(doc, patch)
  doc.Self = {...(doc.Self as object), ...self}
  return {kind: 'ok', cli: '/usr/bin/tailscale', summary: summarizeStatus(parseStatusJson(JSON.stringify(doc)))}
}
const needsLogin: TailscaleProbe = {
  kind: 'ok',
  cli: '/usr/bin/tailscale',
  summary: summarizeStatus(parseStatusJson(readFileSync(path.join(FIXTURES, 'status-needs-login.json'), 'utf8'))),
}
const NOW = new Date('2026-11-21T12:00:00Z')

describe('tailscale-cli', () => {
  it.each([
    [{cli: '/usr/bin/tailscale', version: '1.84.3'}, 'pass', /tailscale 1\.84\.3/],
    [{}, 'fail', /not found/],
    [{cli: '/usr/bin/tailscale', versionError: 'exec format error'}, 'warn', /exec format error/],
  ])('%j → %s', (probe, status, detail) => {
    const r = evalTailscaleCli(probe)
    expect(r.status).toBe(status)
    expect(r.detail).toMatch(detail)
    if (status === 'fail') expect(r.remedy).toBe('claw-mesh tailscale install')
  })
})

describe('tailscale-daemon', () => {
  it.each([
    [
      'linux',
      linuxAdapter,
      "failed to connect to local tailscaled; it doesn't appear to be running (sudo systemctl start tailscaled ?)",
    ],
    ['macOS', darwinAdapter, 'failed to connect to local Tailscale service; is Tailscale running?'],
    ['Windows', win32Adapter, 'failed to connect to local tailscaled process; is the Tailscale service running?'],
  ])('on %s names the daemon with the text that OS prints, and how to start it', (_os, adapter, text) => {
    const r = evalTailscaleDaemon(
      {kind: 'daemon-down', cli: 'tailscale', stderr: text},
      {daemonDownText: adapter.tailscaleDaemonDownText, startHint: adapter.tailscaleStartHint},
    )
    expect(r.status).toBe('fail')
    expect(r.detail).toBe(text)
    expect(r.remedy).toBe(adapter.tailscaleStartHint)
  })

  it('quotes what the CLI said when it differs from the usual text (raw socket error)', () => {
    const stderr =
      'Failed to connect to local Tailscale daemon for /localapi/v0/status; not running? Error: dial unix /var/run/tailscale/tailscaled.sock: connect: no such file or directory'
    const r = evalTailscaleDaemon(
      {kind: 'daemon-down', cli: 'tailscale', stderr},
      {daemonDownText: linuxAdapter.tailscaleDaemonDownText, startHint: 'x'},
    )
    expect(r.detail).toContain('dial unix /var/run/tailscale/tailscaled.sock')
  })

  it('passes when status answered, skips without a CLI, fails on other errors', () => {
    expect(evalTailscaleDaemon(running(), {daemonDownText: '', startHint: ''}).status).toBe('pass')
    expect(evalTailscaleDaemon({kind: 'missing'}, {daemonDownText: '', startHint: ''}).status).toBe('skip')
    const r = evalTailscaleDaemon(
      {kind: 'error', cli: '/usr/bin/tailscale', message: 'exit 1'},
      {daemonDownText: '', startHint: ''},
    )
    expect(r).toMatchObject({status: 'fail', remedy: '/usr/bin/tailscale status'})
  })
})

describe('tailscale-backend', () => {
  const join = 'claw-mesh tailscale join --hostname openclaw-nova --tailscale-key file:PATH'
  it.each([
    ['Running', running(), 'pass', /Running as openclaw-nova\.tail4f3a2\.ts\.net \(100\.101\.102\.103\)/, undefined],
    ['NeedsLogin', needsLogin, 'fail', /Logged out/, join],
    ['NoState', running({BackendState: 'NoState'}), 'fail', /Logged out \(NoState\)/, join],
    [
      'NeedsMachineAuth',
      running({BackendState: 'NeedsMachineAuth'}),
      'fail',
      /approve/,
      'Approve it at https://login.tailscale.com/admin/machines',
    ],
    ['Stopped', running({BackendState: 'Stopped'}), 'fail', /stopped/, 'tailscale up'],
    ['Starting', running({BackendState: 'Starting'}), 'warn', /starting/, expect.stringContaining('tailscale status')],
    [
      'Running with a health warning',
      running({Health: ["Tailscale could not connect to the 'fra' relay server."]}),
      'warn',
      /relay server/,
      expect.stringContaining('tailscale status'),
    ],
  ])('%s → %s', (_name, probe, status, detail, remedy) => {
    const r = evalBackendState(probe, join)
    expect(r.status).toBe(status)
    expect(r.detail).toMatch(detail)
    expect(r.remedy).toEqual(remedy)
  })
})

describe('tailscale-key-expiry', () => {
  it.each([
    ['far away', '2027-05-02T09:14:22Z', 'pass', /expires on 2027-05-02/],
    ['disabled (no KeyExpiry)', undefined, 'pass', /disabled/],
    ['in 13 days', '2026-12-04T12:00:00Z', 'warn', /expires in 13 days/],
    ['in 5 hours', '2026-11-21T17:00:00Z', 'warn', /expires in 5 hours/],
    ['yesterday', '2026-11-20T12:00:00Z', 'fail', /expired on 2026-11-20/],
  ])('%s → %s', (_name, expiry, status, detail) => {
    const r = evalKeyExpiry(running({}, {KeyExpiry: expiry}), NOW)
    expect(r.status).toBe(status)
    expect(r.detail).toMatch(detail)
    if (status !== 'pass') expect(r.remedy).toMatch(/--force-reauth/)
  })

  it('skips when the node is not running', () => {
    expect(evalKeyExpiry(needsLogin, NOW).status).toBe('skip')
  })
})

describe('tailscale-hostname', () => {
  it('passes when the node has the name claw-mesh set', () => {
    expect(evalHostname(running(), 'openclaw-nova')).toMatchObject({status: 'pass', detail: 'openclaw-nova'})
  })

  it('fails when Tailscale renamed the node name-1 because the name was taken', () => {
    const r = evalHostname(running({}, {DNSName: 'openclaw-nova-1.tail4f3a2.ts.net.'}), 'openclaw-nova')
    expect(r.status).toBe('fail')
    expect(r.detail).toMatch(/renamed this node "openclaw-nova-1"/)
    expect(r.remedy).toBe(
      'Remove the old "openclaw-nova" machine at https://login.tailscale.com/admin/machines, then run: tailscale set --hostname=openclaw-nova',
    )
  })

  it('warns when the node has another name entirely', () => {
    const r = evalHostname(running({}, {HostName: 'laptop', DNSName: 'laptop.tail4f3a2.ts.net.'}), 'openclaw-nova')
    expect(r).toMatchObject({status: 'warn', remedy: 'claw-mesh tailscale join --hostname openclaw-nova'})
  })

  it('skips before claw-mesh set a hostname, and when not running', () => {
    expect(evalHostname(running(), undefined).status).toBe('skip')
    expect(evalHostname(needsLogin, 'openclaw-nova').status).toBe('skip')
  })
})

describe('tailscale-magicdns', () => {
  const off = running({
    CurrentTailnet: {Name: 'example.com', MagicDNSSuffix: 'tail4f3a2.ts.net', MagicDNSEnabled: false},
  })
  it.each([
    ['on', running(), 'tailnet', 'pass'],
    ['off, exposed on the tailnet IP', off, 'tailnet', 'warn'],
    ['off, exposed with Serve', off, 'serve', 'fail'],
  ])('%s → %s', (_name, probe, expose, status) => {
    const r = evalMagicDNS(probe, expose)
    expect(r.status).toBe(status)
    if (status !== 'pass') expect(r.remedy).toBe('Enable MagicDNS at https://login.tailscale.com/admin/dns')
  })

  it("names Headscale's dns.magic_dns, not tailscale.com's admin page, on a self-hosted control server", () => {
    const r = evalMagicDNS(off, 'tailnet', 'https://headscale.example.com')
    expect(r.remedy).toMatch(
      /on the control server https:\/\/headscale\.example\.com: on Headscale, set dns\.magic_dns: true/,
    )
    expect(r.remedy).not.toContain('login.tailscale.com')
  })
})

describe('tailscale-https', () => {
  it.each([
    ['serve with certificates', running(), 'serve', 'pass'],
    ['serve without CertDomains', running({CertDomains: null}), 'serve', 'fail'],
    ['serve, CertDomains for another name', running({CertDomains: ['other.tail4f3a2.ts.net']}), 'serve', 'warn'],
    ['not serve', running({CertDomains: null}), 'tailnet', 'skip'],
  ])('%s → %s', (_name, probe, expose, status) => {
    const r = evalHttpsCerts(probe, expose)
    expect(r.status).toBe(status)
    if (status === 'fail') expect(r.remedy).toBe('Enable HTTPS Certificates at https://login.tailscale.com/admin/dns')
  })

  it("on Headscale says that it issues no node certificates and proposes --expose tailnet, not tailscale.com's admin page", () => {
    const r = evalHttpsCerts(running({CertDomains: null}), 'serve', 'https://headscale.example.com')
    expect(r.status).toBe('fail')
    expect(r.remedy).toMatch(
      /The control server https:\/\/headscale\.example\.com \(Headscale\) does not issue HTTPS certificates for node names/,
    )
    expect(r.remedy).toContain('claw-mesh gateway configure --expose tailnet')
    expect(r.remedy).not.toContain('login.tailscale.com')
    // tailscale.com recorded as the login server explicitly: its admin page is still the fix.
    expect(evalHttpsCerts(running({CertDomains: null}), 'serve', 'https://controlplane.tailscale.com').remedy).toBe(
      'Enable HTTPS Certificates at https://login.tailscale.com/admin/dns',
    )
  })
})

describe('tailscale-proxy', () => {
  const userspace = running({TUN: false})
  it('reads TUN from tailscale status', () => {
    expect(userspace.kind === 'ok' && userspace.summary.tun).toBe(false)
    expect(running({TUN: true}).kind === 'ok' && (running({TUN: true}) as {summary: {tun: boolean}}).summary.tun).toBe(
      true,
    )
  })

  it.each([
    [
      'userspace, proxy answers',
      userspace,
      {proxy: 'http://127.0.0.2:1055', answers: true},
      'pass',
      /through tailscaled's proxy at http:\/\/127\.0\.0\.2:1055/,
    ],
    // tailscaled hands inbound tailnet connections to 127.0.0.1:<port>: a proxy there is an open proxy for the tailnet.
    [
      'userspace, proxy on 127.0.0.1 (served to the tailnet)',
      userspace,
      {proxy: 'http://127.0.0.1:1055', answers: true},
      'fail',
      /any tailnet node can use it, unauthenticated/,
    ],
    ['userspace, no proxy known', userspace, {}, 'fail', /userspace networking .* knows no proxy/],
    ['userspace, proxy dead', userspace, {proxy: 'http://127.0.0.1:1055', answers: false}, 'fail', /does not answer/],
    [
      'userspace, bad setting',
      userspace,
      {error: 'CLAW_MESH_TAILSCALE_PROXY="x" is not tailscaled\'s proxy on loopback.'},
      'fail',
      /CLAW_MESH_TAILSCALE_PROXY/,
    ],
    ['kernel TUN', running({TUN: true}), {}, 'skip', /kernel TUN/],
    [
      'kernel TUN, a dead proxy still set',
      running({TUN: true}),
      {proxy: 'http://127.0.0.1:1055', answers: false},
      'warn',
      /does not answer/,
    ],
    [
      'daemon down',
      {kind: 'daemon-down', cli: '/usr/bin/tailscale', stderr: 'x'} as TailscaleProbe,
      {},
      'skip',
      /unavailable/,
    ],
  ])('%s → %s', (_name, probe, proxy, status, detail) => {
    const r = evalUserspaceProxy(probe, proxy)
    expect(r.status).toBe(status)
    expect(r.detail).toMatch(detail)
    if (status === 'fail')
      expect(r.remedy).toMatch(/tailscale install --networking userspace|CLAW_MESH_TAILSCALE_PROXY/)
  })
})
