import {afterEach, describe, expect, it, vi} from 'vitest'
import {CHECKS} from '../../src/core/checks/catalog.js'
import {CHECK_GROUPS, type CheckDefinition} from '../../src/core/checks/types.js'
import {expandChecks, runChecks} from '../../src/services/doctor/run-checks.js'

type Ctx = {log: string[]}
const check = (
  id: string,
  run: CheckDefinition<Ctx>['run'],
  extra: Partial<CheckDefinition<Ctx>> = {},
): CheckDefinition<Ctx> => ({id, title: id, group: 'system', platforms: ['linux', 'darwin', 'win32'], run, ...extra})

afterEach(() => {
  vi.useRealTimers()
})

describe('runChecks', () => {
  it('reports a check that throws as crashed, apart from one that returned fail', async () => {
    const results = await runChecks({
      ctx: {log: []},
      platform: 'linux',
      peers: [],
      timeoutMs: 1000,
      checks: [
        check('fails', async () => ({status: 'fail', detail: 'port 18789 is held', remedy: 'ss -ltnp'})),
        check('throws', async () => {
          throw new TypeError("Cannot read properties of undefined (reading 'port')\n    at x.js:1")
        }),
        check('returns-garbage', async () => 'ok' as never),
      ],
    })
    expect(results[0]).toMatchObject({id: 'fails', status: 'fail', detail: 'port 18789 is held', remedy: 'ss -ltnp'})
    expect(results[1]).toMatchObject({
      id: 'throws',
      status: 'crashed',
      detail: "the check crashed: Cannot read properties of undefined (reading 'port')",
    })
    expect(results[1].detail).not.toContain('x.js')
    expect(results[1].remedy).toMatch(/bug in claw-mesh/)
    expect(results[2]).toMatchObject({status: 'crashed', detail: expect.stringMatching(/instead of a verdict/)})
  })

  it('fails a check that misses its deadline, without waiting for it (fake timers)', async () => {
    vi.useFakeTimers()
    const never = new Promise<never>(() => {})
    const pending = runChecks({
      ctx: {log: []},
      platform: 'linux',
      peers: [],
      timeoutMs: 5000,
      checks: [
        check('hangs', () => never),
        check('quick', async () => ({status: 'pass', detail: 'ok'})),
        check('own-deadline', () => never, {timeoutMs: () => 100}),
      ],
    })
    await vi.advanceTimersByTimeAsync(5000)
    const results = await pending
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['hangs', 'fail'],
      ['quick', 'pass'],
      ['own-deadline', 'fail'],
    ])
    expect(results[0].detail).toBe('timed out: the check did not finish within 5000 ms')
    expect(results[2].detail).toBe('timed out: the check did not finish within 100 ms')
    expect(results[0].remedy).toBe('Run it alone to see where it hangs: claw-mesh doctor --only hangs')
  })

  it('runs checks concurrently: all start before any finishes, and results keep catalogue order', async () => {
    const started: string[] = []
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    const slow = (id: string, ms: number) =>
      check(id, async () => {
        started.push(id)
        await gate
        await new Promise((r) => setTimeout(r, ms))
        return {status: 'pass', detail: id}
      })
    const pending = runChecks({
      ctx: {log: []},
      platform: 'linux',
      peers: [],
      timeoutMs: 2000,
      checks: [slow('a', 30), slow('b', 1), slow('c', 15)],
    })
    await new Promise((r) => setTimeout(r, 5))
    expect(started).toEqual(['a', 'b', 'c'])
    release()
    const t = performance.now()
    const results = await pending
    expect(performance.now() - t).toBeLessThan(200)
    expect(results.map((r) => r.id)).toEqual(['a', 'b', 'c'])
    expect(results.every((r) => typeof r.durationMs === 'number')).toBe(true)
  })

  it('runs per-peer checks once per peer and drops checks for other platforms', async () => {
    const seen: (string | undefined)[] = []
    const results = await runChecks({
      ctx: {log: []},
      platform: 'win32',
      peers: ['clawd', 'nova'],
      timeoutMs: 1000,
      checks: [
        check('per-peer', async (_ctx, peer) => (seen.push(peer), {status: 'pass', detail: `${peer} ok`}), {
          perPeer: true,
          group: 'peers',
        }),
        check('posix-only', async () => ({status: 'pass', detail: ''}), {platforms: ['linux', 'darwin']}),
      ],
    })
    expect(seen).toEqual(['clawd', 'nova'])
    expect(results.map((r) => [r.id, r.peer, r.detail])).toEqual([
      ['per-peer', 'clawd', 'clawd ok'],
      ['per-peer', 'nova', 'nova ok'],
    ])
  })

  it('keeps a remedy and fix only on warn and fail', async () => {
    const results = await runChecks({
      ctx: {log: []},
      platform: 'linux',
      peers: [],
      timeoutMs: 1000,
      checks: [
        check('p', async () => ({status: 'pass', detail: 'x', remedy: 'nothing', fix: {kind: 'restart-gateway'}})),
      ],
    })
    expect(results[0]).not.toHaveProperty('remedy')
    expect(results[0]).not.toHaveProperty('fix')
  })
})

describe('the check catalogue', () => {
  it('has unique kebab-case ids, known groups and platforms', () => {
    const ids = CHECKS.map((c) => c.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const c of CHECKS) {
      expect(c.id).toMatch(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/)
      expect(CHECK_GROUPS).toContain(c.group)
      expect(c.platforms.length).toBeGreaterThan(0)
    }
  })

  it('lists each group together, in report order', () => {
    const order = CHECKS.map((c) => c.group).filter((g, i, all) => all.indexOf(g) === i)
    expect(order).toEqual(['tailscale', 'gateway', 'secrets', 'peers', 'system'])
  })

  it('expands to platform-specific sets', () => {
    const linux = expandChecks(CHECKS, 'linux', []).map((i) => i.check.id)
    const windows = expandChecks(CHECKS, 'win32', []).map((i) => i.check.id)
    expect(linux).toContain('secrets-file')
    expect(windows).not.toContain('secrets-file')
    expect(windows).not.toContain('gateway-config-permissions')
  })
})
