import {describe, expect, it} from 'vitest'
import {evalMeshOutbox, evalMeshPlugin} from '../../src/core/checks/mesh-plugin.js'
import {planFixes} from '../../src/core/checks/fix-plan.js'

const TOOLS = ['mesh_peers', 'mesh_ask', 'mesh_send', 'mesh_task']
const loaded = {installed: true, version: '0.2.0', enabled: true, status: 'loaded', toolNames: TOOLS}

describe('doctor: the mesh plugin', () => {
  it.each<[string, Parameters<typeof evalMeshPlugin>[0], string, boolean]>([
    ['loaded and current', {observed: loaded, bundled: '0.2.0'}, 'pass', false],
    [
      'an OpenClaw without the SDK: skipped, not failed',
      {unsupported: 'OpenClaw 2026.8.1 is older than 2026.9.6'},
      'skip',
      false,
    ],
    ['missing: fixable', {observed: {installed: false}, bundled: '0.2.0'}, 'fail', true],
    ['stale version: fixable', {observed: {...loaded, version: '0.1.0'}, bundled: '0.2.0'}, 'fail', true],
    [
      'silently skipped by OpenClaw (compat range)',
      {observed: {...loaded, status: 'disabled', enabled: true}, bundled: '0.2.0'},
      'fail',
      true,
    ],
    ["settings not claw-mesh's", {observed: loaded, bundled: '0.2.0', configStale: true}, 'warn', true],
    ['inspect itself failed', {error: 'timeout'}, 'warn', false],
  ])('%s', (_name, probe, status, fixable) => {
    const o = evalMeshPlugin(probe)
    expect(o.status).toBe(status)
    expect(o.fix?.kind === 'install-mesh-plugin').toBe(fixable)
  })

  it('doctor --fix plans one install step for it', () => {
    const o = evalMeshPlugin({observed: {installed: false}, bundled: '0.2.0'})
    const plan = planFixes([
      {
        id: 'gateway-mesh-plugin',
        group: 'gateway',
        title: 't',
        status: o.status,
        detail: o.detail,
        fix: o.fix,
        durationMs: 1,
      },
    ])
    expect(plan.steps.map((s) => s.title)).toEqual([
      "Install or update claw-mesh's OpenClaw plugin (the agent's mesh tools)",
    ])
  })
})

describe('doctor: the mesh outbox', () => {
  const now = new Date('2026-12-07T12:00:00.000Z')
  it.each<[string, Parameters<typeof evalMeshOutbox>[0], string, string]>([
    ['no summary yet', undefined, 'skip', 'no outbox summary'],
    [
      'empty',
      {updatedAt: '2026-12-07T11:59:00.000Z', queued: 0, awaitingReply: 0, dead: 0, backend: 'openclaw-state-store'},
      'pass',
      '0 queued',
    ],
    [
      'a message queued 10 minutes',
      {
        updatedAt: 'x',
        queued: 2,
        awaitingReply: 1,
        dead: 0,
        oldestQueuedAt: '2026-12-07T11:50:00.000Z',
        backend: 'file',
      },
      'pass',
      '2 queued, oldest queued 10 min ago, 1 awaiting a reply',
    ],
    [
      'queued over an hour',
      {
        updatedAt: 'x',
        queued: 1,
        awaitingReply: 0,
        dead: 0,
        oldestQueuedAt: '2026-12-07T10:00:00.000Z',
        backend: 'file',
      },
      'warn',
      'oldest queued 120 min ago',
    ],
    ['dead letters', {updatedAt: 'x', queued: 0, awaitingReply: 0, dead: 3, backend: 'file'}, 'warn', '3 undelivered'],
  ])('%s', (_name, summary, status, detail) => {
    const o = evalMeshOutbox(summary, now)
    expect(o.status).toBe(status)
    expect(o.detail).toContain(detail)
  })
})
