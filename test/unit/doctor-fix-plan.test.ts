import {describe, expect, it} from 'vitest'
import {planFixes} from '../../src/core/checks/fix-plan.js'
import type {CheckResult} from '../../src/core/checks/types.js'
import {withStartAfterConfigure} from '../../src/services/doctor/fix.js'

const result = (id: string, status: CheckResult['status'], extra: Partial<CheckResult> = {}): CheckResult => ({
  id,
  group: 'gateway',
  title: id,
  status,
  detail: 'd',
  durationMs: 1,
  ...extra,
})

describe('planFixes', () => {
  it('plans nothing for a healthy run', () => {
    expect(planFixes([result('a', 'pass'), result('b', 'skip'), result('c', 'warn', {remedy: undefined})])).toEqual({
      steps: [],
      manual: [],
    })
  })

  it('runs each fix once however many checks ask for it, remembering which checks it answers', () => {
    const plan = planFixes([
      result('gateway-bind', 'fail', {fix: {kind: 'configure-gateway'}, remedy: 'x'}),
      result('gateway-tailscale-mode', 'fail', {fix: {kind: 'configure-gateway'}, remedy: 'x'}),
      result('gateway-auth', 'fail', {fix: {kind: 'configure-gateway'}, remedy: 'x'}),
    ])
    expect(plan.steps).toHaveLength(1)
    expect(plan.steps[0]).toMatchObject({
      action: {kind: 'configure-gateway'},
      checks: ['gateway-bind', 'gateway-tailscale-mode', 'gateway-auth'],
      confirm: false,
    })
  })

  it('orders permissions and secrets before the config, the config before the restart, stale peers last', () => {
    const plan = planFixes([
      result('peer-stale', 'warn', {group: 'peers', fix: {kind: 'remove-stale-peers', names: ['ghost']}}),
      result('gateway-health', 'fail', {fix: {kind: 'restart-gateway'}}),
      result('gateway-mode', 'fail', {fix: {kind: 'configure-gateway'}}),
      result('secrets-present', 'fail', {
        group: 'secrets',
        fix: {kind: 'restore-secret', name: 'hooks-token', from: 'hooks.token'},
      }),
      result('gateway-config-permissions', 'fail', {fix: {kind: 'chmod-600', path: '/c/openclaw.json'}}),
      result('gateway-service', 'warn', {fix: {kind: 'enable-linger', user: 'nova'}}),
    ])
    expect(plan.steps.map((s) => s.action.kind)).toEqual([
      'chmod-600',
      'restore-secret',
      'configure-gateway',
      'restart-gateway',
      'enable-linger',
      'remove-stale-peers',
    ])
    expect(plan.steps.at(-1)).toMatchObject({confirm: true, groups: ['peers']})
  })

  it('keeps separate chmod steps per file and merges stale peer names', () => {
    const plan = planFixes([
      result('gateway-config-permissions', 'fail', {fix: {kind: 'chmod-600', path: '/a'}}),
      result('secrets-file', 'fail', {group: 'secrets', fix: {kind: 'chmod-600', path: '/b'}}),
      result('peer-stale', 'warn', {fix: {kind: 'remove-stale-peers', names: ['b']}}),
      result('peer-stale', 'warn', {peer: 'x', fix: {kind: 'remove-stale-peers', names: ['a', 'b']}}),
    ])
    expect(plan.steps.filter((s) => s.action.kind === 'chmod-600')).toHaveLength(2)
    expect(plan.steps.find((s) => s.action.kind === 'remove-stale-peers')?.action).toEqual({
      kind: 'remove-stale-peers',
      names: ['a', 'b'],
    })
  })

  it('lists failures without a safe fix as manual remedies (printed, never run)', () => {
    const plan = planFixes([
      result('firewall', 'fail', {group: 'system', remedy: 'iptables -I INPUT …'}),
      result('peer-health', 'crashed', {peer: 'nova', remedy: 'bug'}),
      result('tailscale-hostname', 'warn', {
        group: 'tailscale',
        remedy: 'claw-mesh tailscale join --hostname openclaw-nova',
      }),
    ])
    expect(plan.steps).toEqual([])
    expect(plan.manual).toEqual([
      {check: 'firewall', status: 'fail', remedy: 'iptables -I INPUT …'},
      {check: 'tailscale-hostname', status: 'warn', remedy: 'claw-mesh tailscale join --hostname openclaw-nova'},
    ])
  })

  it('a configure step always brings a start step after it (start applies and verifies it)', () => {
    const plan = withStartAfterConfigure(
      planFixes([
        result('gateway-bind', 'fail', {fix: {kind: 'configure-gateway'}}),
        result('secrets-file', 'fail', {fix: {kind: 'chmod-600', path: '/s'}}),
      ]),
    )
    expect(plan.steps.map((s) => s.action.kind)).toEqual(['chmod-600', 'configure-gateway', 'restart-gateway'])
    const already = withStartAfterConfigure(
      planFixes([
        result('gateway-bind', 'fail', {fix: {kind: 'configure-gateway'}}),
        result('gateway-health', 'fail', {fix: {kind: 'restart-gateway'}}),
      ]),
    )
    expect(already.steps.map((s) => s.action.kind)).toEqual(['configure-gateway', 'restart-gateway'])
  })
})
