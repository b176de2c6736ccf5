import {describe, expect, it} from 'vitest'
import {
  planGatewayStart,
  reloadOutcome,
  reloadOutcomeFor,
  type StartObservation,
} from '../../src/core/openclaw/gateway-start-plan.js'

describe('reload outcome (OpenClaw hot-reload table)', () => {
  it.each([
    ['hooks.token', 'hot'],
    ['hooks.enabled', 'hot'],
    ['gateway.auth.token', 'hot'],
    ['gateway.auth.mode', 'restart'],
    ['gateway.bind', 'restart'],
    ['gateway.tailscale.mode', 'restart'],
    ['gateway.port', 'process-restart'],
    ['gateway.reload.mode', 'none'],
    ['secrets.providers.clawmesh', 'hot'],
    ['secrets.egressProxy', 'restart'],
    ['tools.toolsBySender.channel:a2a:nova', 'hot'],
    ['something.unknown', 'restart'],
  ])('%s → %s', (path, outcome) => {
    expect(reloadOutcomeFor(path)).toBe(outcome)
  })

  it('takes the strongest outcome of all changed paths', () => {
    expect(reloadOutcome([])).toBe('none')
    expect(reloadOutcome(['hooks.token', 'gateway.auth.token'])).toBe('hot')
    expect(reloadOutcome(['hooks.token', 'gateway.bind'])).toBe('restart')
    expect(reloadOutcome(['gateway.bind', 'gateway.port'])).toBe('process-restart')
  })

  it('with reload mode off even hot changes need a restart', () => {
    expect(reloadOutcome(['hooks.token'], true)).toBe('restart')
  })
})

const obs = (o: Partial<StartObservation> = {}): StartObservation => ({
  serviceManagerUsable: false,
  serviceInstalled: false,
  backgroundAlive: false,
  healthy: false,
  pending: [],
  reloadModeOff: false,
  ...o,
})

describe('planGatewayStart', () => {
  it.each<[string, Partial<StartObservation>, string, string]>([
    ['container, nothing running → background start', {}, 'background', 'background-start'],
    [
      'container, our gateway running, nothing pending → verify',
      {backgroundAlive: true, healthy: true},
      'background',
      'verify',
    ],
    [
      'container, our gateway running, hot change → wait for the reload',
      {backgroundAlive: true, healthy: true, pending: ['hooks.token']},
      'background',
      'await-reload',
    ],
    [
      'container, our gateway running, bind change → restart',
      {backgroundAlive: true, healthy: true, pending: ['gateway.bind']},
      'background',
      'background-restart',
    ],
    [
      'container, our gateway alive but not answering → restart',
      {backgroundAlive: true, healthy: false},
      'background',
      'background-restart',
    ],
    ['external gateway, nothing pending → verify', {healthy: true}, 'external', 'verify'],
    [
      'external gateway, restart change → it restarts itself (hybrid)',
      {healthy: true, pending: ['gateway.bind']},
      'external',
      'await-reload',
    ],
    [
      'external gateway, port change → the user must restart it',
      {healthy: true, pending: ['gateway.port']},
      'external',
      'external-restart-needed',
    ],
    [
      'external gateway, reload off → the user must restart it',
      {healthy: true, pending: ['hooks.token'], reloadModeOff: true},
      'external',
      'external-restart-needed',
    ],
    ['systemd, not installed → install', {serviceManagerUsable: true}, 'service', 'service-install'],
    [
      'systemd, port changed → reinstall (port is on the unit command line)',
      {serviceManagerUsable: true, serviceInstalled: true, healthy: true, pending: ['gateway.port']},
      'service',
      'service-install',
    ],
    [
      'systemd, running, hot change → wait for the reload',
      {serviceManagerUsable: true, serviceInstalled: true, healthy: true, pending: ['hooks.token']},
      'service',
      'await-reload',
    ],
    [
      'systemd, running, bind change → restart',
      {serviceManagerUsable: true, serviceInstalled: true, healthy: true, pending: ['gateway.bind']},
      'service',
      'service-restart',
    ],
    [
      'systemd, running, nothing pending → verify',
      {serviceManagerUsable: true, serviceInstalled: true, healthy: true},
      'service',
      'verify',
    ],
    [
      'systemd, stopped, nothing pending → start',
      {serviceManagerUsable: true, serviceInstalled: true},
      'service',
      'service-start',
    ],
    [
      'systemd, stopped, changes pending → restart',
      {serviceManagerUsable: true, serviceInstalled: true, pending: ['hooks.token']},
      'service',
      'service-restart',
    ],
  ])('%s', (_name, o, runner, action) => {
    const plan = planGatewayStart(obs(o))
    expect([plan.runner, plan.action]).toEqual([runner, action])
    expect(plan.reason.length).toBeGreaterThan(0)
  })

  it('hands over from a background gateway to a service manager that appeared', () => {
    const plan = planGatewayStart(
      obs({serviceManagerUsable: true, serviceInstalled: true, backgroundAlive: true, healthy: true}),
    )
    expect(plan).toMatchObject({runner: 'service', action: 'service-restart', stopBackground: true})
  })
})
