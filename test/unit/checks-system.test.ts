import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {
  clockSkewMs,
  evalClockSkew,
  evalFirewall,
  parseIptablesRules,
  parseMacFirewall,
  parseNetshRules,
  parseNftRuleset,
} from '../../src/core/checks/system.js'

const FIXTURES = path.resolve(__dirname, '../fixtures/doctor')
const text = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8')
const T0 = Date.parse('2026-11-21T12:00:00Z')

/** A sample where the peer's clock reads `offsetMs` ahead of ours (a 100 ms round trip). */
const sample = (offsetMs: number) => ({
  peer: 'nova',
  date: new Date(T0 + 50 + offsetMs).toUTCString(),
  sentAt: T0,
  receivedAt: T0 + 100,
})

describe('clock-skew', () => {
  it.each([
    ['in sync', 0, 'pass', /within 1 s of nova/],
    ['20 s', 20_000, 'pass', /within 20 s/],
    ['45 s behind', 45_000, 'warn', /45 s behind nova's/],
    ['45 s ahead', -45_000, 'warn', /45 s ahead of nova's/],
    ['10 min', 600_000, 'fail', /10 min behind nova's: tokens and TLS/],
    ['3 h', -3 * 3600_000, 'fail', /3\.0 h ahead of/],
  ])('%s → %s', (_name, offset, status, detail) => {
    const r = evalClockSkew(sample(offset), 'linux')
    expect(r.status).toBe(status)
    expect(r.detail).toMatch(detail)
    if (status !== 'pass') expect(r.remedy).toMatch(/timedatectl set-ntp true/)
  })

  it('uses the OS time-sync command in the remedy', () => {
    expect(evalClockSkew(sample(600_000), 'darwin').remedy).toMatch(/sntp/)
    expect(evalClockSkew(sample(600_000), 'win32').remedy).toMatch(/w32tm \/resync/)
  })

  it('skips without a peer or with an unreadable Date header', () => {
    expect(evalClockSkew(undefined, 'linux', 'no peers to compare clocks with')).toMatchObject({
      status: 'skip',
      detail: 'no peers to compare clocks with',
    })
    expect(evalClockSkew({...sample(0), date: 'yesterday'}, 'linux').status).toBe('skip')
  })

  it('compares at the midpoint of the request, allowing for the header rounding to the second', () => {
    expect(Math.abs(clockSkewMs(sample(0))!)).toBeLessThanOrEqual(1000)
  })
})

describe('firewall parsing', () => {
  it("nft: Tailscale's own rules (incl. its != tailscale0 drops) and forward-chain drops are not findings", () => {
    expect(parseNftRuleset(text('nft-tailscale.txt'), 18789)).toEqual({blocking: [], policyDrop: undefined})
  })

  it('nft: a drop of the gateway port on tailscale0 is a finding; the same port on eth0 is not', () => {
    const f = parseNftRuleset(text('nft-drop-port.txt'), 18789)
    expect(f.blocking).toHaveLength(1)
    expect(f.blocking[0]).toContain('iifname "tailscale0" tcp dport { 8080, 18789 }')
    expect(parseNftRuleset(text('nft-drop-port.txt'), 9999).blocking).toEqual([])
  })

  it('nft: a default-drop input policy with nothing letting the tailnet in is reported', () => {
    expect(parseNftRuleset(text('nft-policy-drop.txt'), 18789).policyDrop).toBe('chain input: policy drop')
  })

  it("iptables: Tailscale's chains pass; a REJECT of a port range holding the gateway port is a finding", () => {
    expect(parseIptablesRules(text('iptables-tailscale.txt'), 18789)).toEqual({blocking: [], policyDrop: undefined})
    const f = parseIptablesRules(text('iptables-reject-port.txt'), 18789)
    expect(f.blocking).toEqual([
      '-A INPUT -p tcp -m multiport --dports 8000:9000,18789 -j REJECT --reject-with icmp-port-unreachable',
    ])
    expect(f.policyDrop).toBe('-P INPUT DROP')
  })

  it('netsh: enabled inbound Block rules on the port are findings; disabled and Allow rules are not', () => {
    const f = parseNetshRules(text('netsh-block.txt'), 18789)
    expect(f.blocking).toEqual(['rule "Block gateway" (LocalPort 18789, TCP)'])
    expect(parseNetshRules(text('netsh-block.txt'), 8080).blocking).toEqual([])
  })

  it.each([
    ['off', {globalState: 'Firewall is disabled. (State = 0)'}, false, 0],
    [
      'on, node allowed',
      {
        globalState: 'Firewall is enabled. (State = 1)',
        blockAll: 'Firewall has block all state set to disabled.',
        appBlocked: 'The application /opt/homebrew/bin/node is permitted',
      },
      true,
      0,
    ],
    [
      'block all',
      {globalState: 'Firewall is enabled. (State = 1)', blockAll: 'Block all INCOMING connections: ENABLED'},
      true,
      1,
    ],
    [
      'node blocked',
      {
        globalState: 'Firewall is enabled. (State = 1)',
        appBlocked: 'The application /opt/homebrew/bin/node is blocked',
        node: '/opt/homebrew/bin/node',
      },
      true,
      1,
    ],
  ])('macOS socketfilterfw: %s', (_name, input, enabled, findings) => {
    const f = parseMacFirewall(input)
    expect(f.enabled).toBe(enabled)
    expect(f.blocking).toHaveLength(findings)
  })

  it('reports, never disables: a finding fails with the exact allow rule; tools that need root are a skip', () => {
    const r = evalFirewall(
      {tool: 'iptables', finding: parseIptablesRules(text('iptables-reject-port.txt'), 18789)},
      18789,
    )
    expect(r).toMatchObject({
      status: 'fail',
      remedy: 'Allow it (as root): iptables -I INPUT -i tailscale0 -p tcp --dport 18789 -j ACCEPT',
    })
    expect(r.fix).toBeUndefined()
    expect(
      evalFirewall({tool: 'nft', finding: parseNftRuleset(text('nft-policy-drop.txt'), 18789)}, 18789).status,
    ).toBe('warn')
    expect(evalFirewall({tool: 'nft', finding: parseNftRuleset(text('nft-tailscale.txt'), 18789)}, 18789).status).toBe(
      'pass',
    )
    expect(
      evalFirewall(
        {tool: 'none', reason: 'reading the firewall rules needs root: run sudo claw-mesh doctor --only firewall'},
        18789,
      ).status,
    ).toBe('skip')
  })
})
