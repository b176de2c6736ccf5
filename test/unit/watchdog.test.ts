import {readFileSync} from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import path from 'node:path'
import {afterEach, beforeEach, describe, expect, it} from 'vitest'
import {
  afterAlert,
  afterRestart,
  emptyWatchdogState,
  parseWatchdogState,
  planCheck,
  type WatchdogState,
} from '../../src/core/lifecycle/watchdog-state.js'
import {createDeps, type Deps} from '../../src/deps.js'
import {createFetchHttpClient} from '../../src/infra/http.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {runWatchdog} from '../../src/services/watchdog/run.js'
import {ownGatewayListeners} from '../helpers/listeners.js'
import {tempDir} from '../helpers/fakes/index.js'

const T0 = Date.parse('2026-09-01T12:00:00Z')
const opts = {failures: 3, cooldownMs: 30 * 60_000}
const ok = {ok: true, detail: 'HTTP 200'}
const bad = {ok: false, detail: 'connection refused'}

/** Runs checks one minute apart through the pure rules, delivering every alert. */
function simulate(probes: boolean[], start: WatchdogState = emptyWatchdogState(), minutes = 1) {
  let state = start
  const events: string[] = []
  probes.forEach((up, i) => {
    const now = new Date(T0 + i * minutes * 60_000)
    const plan = planCheck(state, up ? ok : bad, now, opts)
    state = plan.next
    if (plan.restart) events.push(`restart@${i}`)
    if (plan.alert) {
      events.push(`${plan.alert}@${i}`)
      state = afterAlert(state, plan.alert, {ok: true, detail: ''}, now)
    }
  })
  return {state, events}
}

describe('watchdog rules', () => {
  it('restarts and alerts once at the N-th failure in a row, then restarts every N more', () => {
    const {events, state} = simulate([false, false, false, false, false, false, false])
    expect(events).toEqual(['restart@2', 'down@2', 'restart@5'])
    expect(state).toMatchObject({failures: 7, down: true, alerted: true})
  })
  it('does nothing for fewer than N failures, and a success resets the streak', () => {
    expect(simulate([false, false, true, false, false, true]).events).toEqual([])
  })
  it('sends one recovery alert when health returns after an alerted outage', () => {
    const {events, state} = simulate([false, false, false, true, true])
    expect(events).toEqual(['restart@2', 'down@2', 'recovered@3'])
    expect(state).toMatchObject({failures: 0, down: false, alerted: false, pendingRecovery: false})
  })
  it('sends a "still down" reminder only after the cooldown', () => {
    const probes = Array.from({length: 40}, () => false)
    const {events} = simulate(probes)
    expect(events.filter((e) => /down/.test(e))).toEqual(['down@2', 'still-down@32'])
  })
  it('does not flood a flapping gateway: a new outage inside the cooldown is not alerted, nor its recovery', () => {
    const {events} = simulate([false, false, false, true, false, false, false, true])
    expect(events.filter((e) => !e.startsWith('restart'))).toEqual(['down@2', 'recovered@3'])
  })
  it('retries an alert that could not be delivered on the next run', () => {
    let state = emptyWatchdogState()
    for (let i = 0; i < 3; i++) state = planCheck(state, bad, new Date(T0 + i * 60_000), opts).next
    const plan = planCheck({...state, failures: 2}, bad, new Date(T0 + 3 * 60_000), opts)
    const failed = afterAlert(plan.next, plan.alert!, {ok: false, detail: 'HTTP 500'}, new Date(T0))
    expect(failed).toMatchObject({alerted: false, lastAlertError: 'HTTP 500'})
    expect(planCheck(failed, bad, new Date(T0 + 4 * 60_000), opts).alert).toBe('down')
  })
  it('a restart that brings health back ends the outage: no separate recovery alert is owed', () => {
    const plan = planCheck({...emptyWatchdogState(), failures: 2}, bad, new Date(T0), opts)
    const healed = afterRestart(plan.next, {healthy: true, detail: 'restarted'}, new Date(T0))
    const delivered = afterAlert(healed, 'down', {ok: true, detail: ''}, new Date(T0), true)
    expect(delivered).toMatchObject({failures: 0, down: false, alerted: false})
    // The run that restarted says so; the next healthy check starts the count again.
    expect(healed.restarts).toBe(1)
    const next = planCheck(delivered, ok, new Date(T0 + 60_000), opts)
    expect(next.alert).toBeUndefined()
    expect(next.next.restarts).toBe(0)
  })
  it('reads a damaged state file as a fresh start', () => {
    expect(parseWatchdogState('{not json')).toEqual(emptyWatchdogState())
    expect(parseWatchdogState('{"failures":-4}')).toEqual(emptyWatchdogState())
  })
})

describe('runWatchdog', () => {
  let gateway: http.Server
  let webhook: http.Server
  let healthy = true
  let gatewayPort = 0
  const alerts: Array<Record<string, unknown>> = []
  let dir = ''
  let now = T0

  beforeEach(async () => {
    dir = tempDir('watchdog').path
    alerts.length = 0
    healthy = true
    gateway = http.createServer((req, res) =>
      res.writeHead(healthy ? 200 : 503).end(healthy ? '{"ok":true,"status":"live"}' : '{"ok":false}'),
    )
    webhook = http.createServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        alerts.push(JSON.parse(body) as Record<string, unknown>)
        res.writeHead(200).end('ok')
      })
    })
    await new Promise<void>((r) => gateway.listen(0, '127.0.0.1', r))
    await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r))
    gatewayPort = (gateway.address() as AddressInfo).port
  })
  afterEach(async () => {
    await new Promise((r) => gateway.close(r))
    await new Promise((r) => webhook.close(r))
  })

  function deps(): Deps {
    const store = createMemoryStateStore({
      identity: 'nova',
      gateway: {port: gatewayPort},
      alert: `webhook:http://127.0.0.1:${(webhook.address() as AddressInfo).port}/hook`,
    })
    const {io} = createTestIOStreams()
    const clock = {now: () => new Date(now), sleep: async () => {}}
    return createDeps({
      env: {CLAW_MESH_HOME: dir, PATH: '/nonexistent'},
      platform: 'linux',
      store,
      secrets: createMemorySecretStore(),
      io,
      http: createFetchHttpClient(),
      clock,
      loopbackListeners: ownGatewayListeners(),
    })
  }

  it('counts failures across runs in watchdog.json, alerts once for the streak, then once on recovery', async () => {
    const d = deps()
    healthy = false
    const results = []
    for (let i = 0; i < 5; i++) {
      now = T0 + i * 120_000
      results.push(await runWatchdog(d, {failures: 3}))
    }
    expect(results.map((r) => r.failures)).toEqual([1, 2, 3, 4, 5])
    expect(results[2].restart).toMatchObject({
      attempted: true,
      healthy: false,
      detail: expect.stringMatching(/^The restart failed: The gateway is not configured/),
    })
    expect(results[2].alert).toMatchObject({event: 'down', sent: true})
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({
      event: 'down',
      failures: 3,
      host: 'nova',
      text: expect.stringMatching(/gateway is down \(3 failed health checks in a row: HTTP 503\)\. The restart failed/),
    })
    expect(alerts[0].content).toBe(alerts[0].text)
    const saved = JSON.parse(readFileSync(path.join(dir, 'watchdog.json'), 'utf8')) as WatchdogState
    expect(saved).toMatchObject({failures: 5, down: true, alerted: true, restarts: 1})

    healthy = true
    now += 120_000
    const back = await runWatchdog(d, {failures: 3})
    expect(back).toMatchObject({healthy: true, failures: 0, alert: {event: 'recovered', sent: true}})
    now += 120_000
    await runWatchdog(d, {failures: 3})
    expect(alerts.map((a) => a.event)).toEqual(['down', 'recovered'])
  })

  it('checks the configured port on loopback', async () => {
    const r = await runWatchdog(deps())
    expect(r.healthUrl).toBe(`http://127.0.0.1:${gatewayPort}/healthz`)
    expect(r).toMatchObject({healthy: true, failures: 0})
    expect(r.alert).toBeUndefined()
  })
})
