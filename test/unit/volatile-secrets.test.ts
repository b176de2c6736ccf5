import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {CHECKS} from '../../src/core/checks/catalog.js'
import type {DoctorContext} from '../../src/core/checks/context.js'
import {planFixes} from '../../src/core/checks/fix-plan.js'
import {evalVolatileSecrets, parseVolatileKeys} from '../../src/core/checks/secrets.js'
import {createDeps} from '../../src/deps.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {listVolatileSecrets, type VolatileStore} from '../../src/infra/secrets/keyutils.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {moveVolatileSecrets} from '../../src/services/doctor/volatile-secrets.js'
import {scriptedRunner} from '../helpers/fakes/runner.js'
import {tempDir} from '../helpers/fakes/index.js'

const PROC_KEYS = path.join(__dirname, '..', 'fixtures', 'keychain', 'proc-keys-volatile.txt')

describe('finding what an earlier claw-mesh left in the kernel keyring (/proc/keys as recorded)', () => {
  it('lists claw-mesh’s own user keys, not another service’s, not keyrings', () => {
    expect(parseVolatileKeys(readFileSync(PROC_KEYS, 'utf8'), 'claw-mesh')).toEqual([
      {id: '1e992828', name: 'gateway-token'},
      {id: '328bd8bc', name: 'probe-4242-1796606000000'},
      {id: '35e8a0cb', name: 'peer/clawd'},
    ])
  })

  it('skips keys already deleted (invalidated, awaiting the collector)', () => {
    expect(
      parseVolatileKeys(
        '1e992828 I--Q--i     2 perm 3f010000     0     0 user      keyring:gateway-token@claw-mesh: 25\n',
        'claw-mesh',
      ),
    ).toEqual([])
  })

  it('reads /proc/keys through the infra reader, and a kernel without it has none', async () => {
    expect((await listVolatileSecrets('claw-mesh', PROC_KEYS)).keys.map((k) => k.name)).toContain('gateway-token')
    expect(await listVolatileSecrets('claw-mesh', '/nonexistent/proc/keys')).toEqual({keys: []})
  })

  it.each([
    ['nothing there', [], 'pass', /no claw-mesh secret/, undefined],
    ['only a probe', [{id: '1', name: 'probe-1-2'}], 'warn', /1 probe key left/, ['probe-1-2']],
    [
      'the gateway token',
      [
        {id: '1', name: 'gateway-token'},
        {id: '2', name: 'probe'},
      ],
      'fail',
      /^gateway-token is kept in the kernel keyring: gone at reboot, and unreadable from cron/,
      ['gateway-token', 'probe'],
    ],
  ])('%s → %s', (_name, keys, status, detail, names) => {
    const r = evalVolatileSecrets({keys})
    expect(r.status).toBe(status)
    expect(r.detail).toMatch(detail)
    expect(r.fix).toEqual(names ? {kind: 'move-volatile-secrets', names} : undefined)
  })

  it('is a Linux check, and doctor --fix plans the move first', async () => {
    const check = CHECKS.find((c) => c.id === 'secrets-volatile')!
    expect(check.platforms).toEqual(['linux'])
    const outcome = await check.run({
      volatileSecrets: async () => ({keys: [{id: '1', name: 'gateway-token'}]}),
    } as unknown as DoctorContext)
    const plan = planFixes([
      {
        id: 'secrets-volatile',
        group: 'secrets',
        title: check.title,
        status: outcome.status,
        detail: outcome.detail,
        fix: outcome.fix,
        durationMs: 1,
      },
    ])
    expect(plan.steps.map((s) => s.title)).toEqual([
      'Move gateway-token out of the kernel keyring into a durable secret store',
    ])
  })
})

describe('doctor --fix moves them into the durable store', () => {
  function kernel(values: Record<string, string>): VolatileStore & {left: () => string[]} {
    const keys = new Map(Object.entries(values))
    return {read: async (n) => keys.get(n), remove: async (n) => void keys.delete(n), left: () => [...keys.keys()]}
  }
  function deps() {
    const dir = tempDir('volatile').path
    const store = createMemoryStateStore({
      identity: 'nova',
      peers: {},
      secrets: {backend: 'keychain', names: ['gateway-token', 'peer/clawd']},
    })
    return createDeps({
      env: {CLAW_MESH_HOME: dir},
      platform: 'linux',
      store,
      io: createTestIOStreams().io,
      runner: scriptedRunner([]),
    })
  }

  it('copies each secret, removes it and the probes from the kernel keyring, and records the new backend', async () => {
    const d = deps()
    const volatile = kernel({
      'gateway-token': 'gw-0123456789abcdef',
      'peer/clawd': 'peer-0123456789abcdef',
      'probe-1-2': 'claw-mesh-probe',
    })
    const target = {...createMemorySecretStore(), backend: 'file' as const, location: '/x/secrets.json'}
    const r = await moveVolatileSecrets(d, ['gateway-token', 'peer/clawd', 'probe-1-2'], {volatile, target})
    expect(r.status).toBe('applied')
    expect(r.note).toMatch(/moved gateway-token, peer\/clawd into \/x\/secrets\.json/)
    expect(r.note).toMatch(/then run: claw-mesh gateway configure --secret-store file && claw-mesh gateway start/)
    expect(Object.fromEntries(target.values)).toEqual({
      'gateway-token': 'gw-0123456789abcdef',
      'peer/clawd': 'peer-0123456789abcdef',
    })
    expect(volatile.left()).toEqual([])
    expect(d.store.read().secrets).toEqual({backend: 'file', names: ['gateway-token', 'peer/clawd']})
    expect(d.redactor.redact('gw-0123456789abcdef')).toBe('[REDACTED]')
  })

  it('keeps a value the durable store already holds, and says what it could not read', async () => {
    const d = deps()
    const volatile = kernel({'gateway-token': 'old-gw-0123456789'})
    const target = {
      ...createMemorySecretStore({'gateway-token': 'new-gw-0123456789'}),
      backend: 'keychain' as const,
      location: 'Secret Service',
    }
    const r = await moveVolatileSecrets(d, ['gateway-token', 'peer/clawd'], {volatile, target})
    expect(target.values.get('gateway-token')).toBe('new-gw-0123456789')
    expect(r.note).toMatch(/gateway-token already there/)
    expect(r.note).toMatch(
      /cannot read peer\/clawd from the kernel keyring in this session: run claw-mesh doctor --fix in the login session that ran bootstrap/,
    )
    expect(r.note).not.toMatch(/gateway configure/)
  })

  it('fails when nothing could be read (another session, after the persistent keyring expired)', async () => {
    const r = await moveVolatileSecrets(deps(), ['gateway-token'], {
      volatile: kernel({}),
      target: createMemorySecretStore(),
    })
    expect(r.status).toBe('failed')
  })
})
