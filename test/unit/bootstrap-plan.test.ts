import {describe, expect, it} from 'vitest'
import {planBootstrap, planChangesSomething, type BootstrapDesired, type BootstrapObserved} from '../../src/core/bootstrap-plan.js'
import type {TailscaleSummary} from '../../src/core/tailscale-status.js'

const running: TailscaleSummary = {
  backendState: 'Running', version: '1.84.3', hostname: 'openclaw-nova', machineName: 'openclaw-nova', dnsName: 'openclaw-nova.t.ts.net', ipv4: '100.64.0.1', ipv6: null,
  tailnet: 'example.com', magicDNSSuffix: 't.ts.net', magicDNSEnabled: true, keyExpiry: null, tags: [], certDomains: [], health: [], authURL: null, peers: [],
}
const provisioned: BootstrapObserved = {
  tailscale: {cli: true, daemonUp: true, summary: running},
  openclaw: {cli: true, version: '2026.9.6'},
  configChanges: [],
  gatewayHealthy: true,
  peerChanges: [],
  watchdog: {installed: true, matches: true},
  skillInstalled: true,
}
const fresh: BootstrapObserved = {
  tailscale: {cli: false, daemonUp: false, summary: null},
  openclaw: {cli: false, version: null},
  configChanges: null,
  gatewayHealthy: false,
  peerChanges: ['add clawd'],
  watchdog: {installed: false, matches: false},
  skillInstalled: false,
}
const desired: BootstrapDesired = {identity: 'nova', hostname: 'openclaw-nova', tags: [], expose: 'tailnet', port: 18789, peers: 1, meshSecret: false, install: true}
const actions = (o: BootstrapObserved, d = desired) => Object.fromEntries(planBootstrap(o, d).map((s) => [s.id, s.action]))

describe('planBootstrap', () => {
  it('a provisioned host plans nothing to run', () => {
    const steps = planBootstrap(provisioned, {...desired, alert: 'webhook:https://x'})
    expect(steps.every((s) => s.action === 'ok')).toBe(true)
    expect(planChangesSomething(steps)).toBe(false)
  })

  it('a fresh machine plans every step in order', () => {
    expect(planBootstrap(fresh, desired).map((s) => `${s.id}:${s.action}`)).toEqual([
      'tailscale-install:run', 'tailscale-join:run', 'openclaw-install:run', 'gateway-configure:run', 'gateway-start:run', 'peers:run', 'skill:run',
    ])
  })

  it('blocks the join, naming both choices, rather than rename a machine it did not name (no --hostname)', () => {
    const mine = {...provisioned, tailscale: {cli: true, daemonUp: true, summary: {...running, hostname: 'my-mac', machineName: 'my-mac'}}}
    const join = planBootstrap(mine, {...desired, hostnameGiven: false}).find((s) => s.id === 'tailscale-join')
    expect(join).toMatchObject({action: 'blocked', detail: expect.stringContaining('already in the tailnet as "my-mac"')})
    expect(planBootstrap(mine, {...desired, hostnameGiven: true}).find((s) => s.id === 'tailscale-join')).toMatchObject({action: 'run'})
  })

  it('--no-install blocks the installs instead of running them', () => {
    expect(actions(fresh, {...desired, install: false})).toMatchObject({'tailscale-install': 'blocked', 'openclaw-install': 'blocked'})
  })

  it.each([
    ['a daemon that is down', {tailscale: {cli: true, daemonUp: false, summary: null}}, 'tailscale-install'],
    ['another hostname', {tailscale: {cli: true, daemonUp: true, summary: {...running, hostname: 'old'}}}, 'tailscale-join'],
    ['a config change', {configChanges: ['gateway.bind']}, 'gateway-configure'],
    ['an unhealthy gateway', {gatewayHealthy: false}, 'gateway-start'],
    ['a new peer', {peerChanges: ['add b']}, 'peers'],
    ['no skill yet', {skillInstalled: false}, 'skill'],
  ])('%s makes only its step run', (_name, over, step) => {
    const plan = actions({...provisioned, ...over} as BootstrapObserved)
    // A config change also restarts the gateway; a daemon that is down also needs the join after it.
    const follows: Record<string, string[]> = {'gateway-configure': ['gateway-start'], 'tailscale-install': ['tailscale-join']}
    expect(Object.entries(plan).filter(([, a]) => a === 'run').map(([id]) => id)).toEqual([step, ...(follows[step] ?? [])])
  })

  it('a tag change is blocked with the reason, not applied silently', () => {
    const steps = planBootstrap({...provisioned, tailscale: {cli: true, daemonUp: true, summary: {...running, tags: ['tag:old']}}}, {...desired, tags: ['tag:new']})
    expect(steps.find((s) => s.id === 'tailscale-join')).toMatchObject({action: 'blocked', detail: expect.stringContaining('tag:old')})
  })

  it('the watchdog step appears only with an alert target', () => {
    expect(planBootstrap(provisioned, desired).some((s) => s.id === 'watchdog')).toBe(false)
    expect(actions({...provisioned, watchdog: {installed: true, matches: false}}, {...desired, alert: 'command:/bin/true'}).watchdog).toBe('run')
  })
})
