import {describe, expect, it} from 'vitest'
import {
  planBootstrap,
  planChangesSomething,
  planRefusal,
  type BootstrapDesired,
  type BootstrapObserved,
} from '../../src/core/lifecycle/bootstrap-plan.js'
import type {TailscaleSummary} from '../../src/core/tailscale/tailscale-status.js'

const running: TailscaleSummary = {
  backendState: 'Running',
  version: '1.84.3',
  hostname: 'openclaw-nova',
  machineName: 'openclaw-nova',
  dnsName: 'openclaw-nova.t.ts.net',
  ipv4: '100.64.0.1',
  ipv6: null,
  tailnet: 'example.com',
  magicDNSSuffix: 't.ts.net',
  magicDNSEnabled: true,
  keyExpiry: null,
  tags: [],
  certDomains: [],
  health: [],
  authURL: null,
  peers: [],
}
const provisioned: BootstrapObserved = {
  tailscale: {cli: true, daemonUp: true, summary: running},
  openclaw: {cli: true, version: '2026.9.6'},
  recorded: {identity: 'nova', tailscaleHostname: 'openclaw-nova'},
  configChanges: [],
  gatewayRecorded: true,
  gatewayHealthy: true,
  peerChanges: [],
  watchdog: {schedulerUsable: true, installed: true, matches: true, sameAlertRecorded: true},
  skillInstalled: true,
}
const fresh: BootstrapObserved = {
  tailscale: {cli: false, daemonUp: false, summary: null},
  openclaw: {cli: false, version: null},
  recorded: {},
  configChanges: null,
  gatewayRecorded: false,
  gatewayHealthy: false,
  peerChanges: ['add clawd'],
  watchdog: {schedulerUsable: true, installed: false, matches: false, sameAlertRecorded: false},
  skillInstalled: false,
}
const desired: BootstrapDesired = {
  identity: 'nova',
  hostname: 'openclaw-nova',
  tags: [],
  forceReauth: false,
  key: 'given',
  expose: 'tailnet',
  port: 18789,
  peers: 1,
  meshSecret: false,
  install: 'allowed',
}
const actions = (o: BootstrapObserved, d = desired) =>
  Object.fromEntries(planBootstrap(o, d).map((s) => [s.id, s.action]))
const join = (o: BootstrapObserved, d: Partial<BootstrapDesired>) =>
  planBootstrap(o, {...desired, ...d}).find((s) => s.id === 'tailscale-join')!
const withTs = (over: Partial<TailscaleSummary>): BootstrapObserved => ({
  ...provisioned,
  tailscale: {cli: true, daemonUp: true, summary: {...running, ...over}},
})

describe('planBootstrap', () => {
  it('a provisioned host plans nothing to run', () => {
    const steps = planBootstrap(provisioned, {...desired, alert: 'webhook:https://x'})
    expect(steps.every((s) => s.action === 'ok')).toBe(true)
    expect(planChangesSomething(steps)).toBe(false)
    expect(planRefusal(steps)).toBeUndefined()
  })

  it('a fresh machine plans every step in order', () => {
    expect(planBootstrap(fresh, desired).map((s) => `${s.id}:${s.action}`)).toEqual([
      'tailscale-install:run',
      'tailscale-join:run',
      'openclaw-install:run',
      'gateway-configure:run',
      'gateway-start:run',
      'peers:run',
      'skill:run',
    ])
  })

  it.each([
    ['allowed', 'run', undefined, undefined],
    ['ask', 'run', 'install', undefined],
    ['no-terminal', 'blocked', undefined, 'usage'],
    ['forbidden', 'blocked', undefined, 'action-needed'],
  ] as const)('installs that are %s: %s', (install, action, asks, kind) => {
    const steps = planBootstrap(fresh, {...desired, install})
    for (const id of ['tailscale-install', 'openclaw-install']) {
      const s = steps.find((x) => x.id === id)!
      expect(s).toMatchObject({action})
      expect(s.asks).toBe(asks)
      expect(s.block?.kind).toBe(kind)
      if (kind) expect(s.block!.hint).toMatch(install === 'no-terminal' ? /--install \(or --yes\)/ : /--no-install/)
    }
  })

  it.each<[string, BootstrapObserved['openclaw'], Record<string, unknown>]>([
    ['its version', {cli: true, version: '2026.9.6'}, {action: 'ok', detail: 'version 2026.9.6'}],
    [
      'a healthy gateway (not asked)',
      {cli: true, version: null, runsGateway: true},
      {action: 'ok', detail: 'its gateway is running and healthy'},
    ],
    [
      'a Node too old',
      {
        cli: true,
        version: null,
        unusable: {code: 'node-too-old', message: 'OpenClaw needs Node 24.16+', hint: 'Install Node 24'},
      },
      {
        action: 'blocked',
        title: 'OpenClaw cannot run here',
        block: {kind: 'action-needed', code: 'node-too-old', hint: 'Install Node 24'},
      },
    ],
  ])('OpenClaw found, with %s', (_name, openclaw, expected) => {
    const steps = planBootstrap({...provisioned, openclaw}, desired)
    expect(steps.find((s) => s.id === 'openclaw-install')).toMatchObject(expected)
    expect(steps.map((s) => s.detail).join(' ')).not.toMatch(/version unknown/)
    if (openclaw.unusable) expect(planRefusal(steps)).toMatchObject({kind: 'action-needed', code: 'node-too-old'})
  })

  it('blocks the join, naming both choices, rather than rename a machine it did not name (no --hostname)', () => {
    const mine = {
      ...provisioned,
      tailscale: {cli: true, daemonUp: true, summary: {...running, hostname: 'my-mac', machineName: 'my-mac'}},
    }
    const join = planBootstrap(mine, {...desired, hostnameGiven: false}).find((s) => s.id === 'tailscale-join')
    expect(join).toMatchObject({
      action: 'blocked',
      detail: expect.stringContaining('already in the tailnet as "my-mac"'),
    })
    expect(join?.block).toMatchObject({
      kind: 'usage',
      code: 'tailscale-rename-needs-consent',
      hint: expect.stringContaining('--hostname openclaw-nova'),
    })
    expect(planBootstrap(mine, {...desired, hostnameGiven: true}).find((s) => s.id === 'tailscale-join')).toMatchObject(
      {action: 'run'},
    )
    // A name claw-mesh recorded is its own: renaming it needs no consent.
    expect(
      planBootstrap(mine, {...desired, hostnameGiven: false, recordedHostname: 'my-mac'}).find(
        (s) => s.id === 'tailscale-join',
      ),
    ).toMatchObject({action: 'run'})
  })

  it.each([
    ['a daemon that is down', {tailscale: {cli: true, daemonUp: false, summary: null}}, 'tailscale-install'],
    [
      'another hostname',
      {tailscale: {cli: true, daemonUp: true, summary: {...running, hostname: 'old'}}},
      'tailscale-join',
    ],
    ['an identity not recorded yet', {recorded: {}}, 'tailscale-join'],
    ['a config change', {configChanges: ['gateway.bind']}, 'gateway-configure'],
    ['settings not recorded in state', {gatewayRecorded: false}, 'gateway-configure'],
    ['an unhealthy gateway', {gatewayHealthy: false}, 'gateway-start'],
    ['a new peer', {peerChanges: ['add b']}, 'peers'],
    ['no skill yet', {skillInstalled: false}, 'skill'],
  ])('%s makes only its step run', (_name, over, step) => {
    const plan = actions({...provisioned, ...over})
    // A config change also restarts the gateway; a daemon that is down also needs the join after it.
    const follows: Record<string, string[]> = {
      'gateway-configure': (over as {configChanges?: string[]}).configChanges ? ['gateway-start'] : [],
      'tailscale-install': ['tailscale-join'],
    }
    expect(
      Object.entries(plan)
        .filter(([, a]) => a === 'run')
        .map(([id]) => id),
    ).toEqual([step, ...(follows[step] ?? [])])
  })
})

describe('the join step', () => {
  it('a tag change is blocked with a hint naming --force-reauth (a flag bootstrap has), exit 2', () => {
    const step = join(withTs({tags: ['tag:old']}), {tags: ['tag:new']})
    expect(step).toMatchObject({
      action: 'blocked',
      detail: expect.stringContaining('tag:old'),
      block: {kind: 'usage', code: 'tailscale-tags-need-reauth'},
    })
    expect(step.block!.hint).toMatch(/--force-reauth/)
    expect(step.block!.hint).not.toMatch(/--install/)
    expect(planRefusal(planBootstrap(withTs({tags: ['tag:old']}), {...desired, tags: ['tag:new']}))).toMatchObject({
      kind: 'usage',
      code: 'tailscale-tags-need-reauth',
    })
  })

  it('--force-reauth with new --tags re-registers instead of refusing', () => {
    expect(join(withTs({tags: ['tag:old']}), {tags: ['tag:new'], forceReauth: true})).toMatchObject({
      action: 'run',
      detail: expect.stringMatching(/^up: --force-reauth/),
    })
  })

  it.each([
    ['given', 'run', undefined],
    ['ask', 'run', 'key'],
    ['none', 'blocked', undefined],
  ] as const)('a logged-out node with a key that is %s: %s', (key, action, asks) => {
    for (const o of [withTs({backendState: 'NeedsLogin'}), fresh]) {
      const step = join(o, {key})
      expect(step.action).toBe(action)
      expect(step.asks).toBe(asks)
      if (action === 'blocked')
        expect(step.block).toMatchObject({
          kind: 'usage',
          code: 'tailscale-key-missing',
          hint: expect.stringContaining('--tailscale-key'),
        })
    }
  })

  it('a running node needs no key at all', () => {
    expect(join(provisioned, {key: 'none'}).action).toBe('ok')
  })

  it('a node waiting for approval is blocked (exit 3) with where to approve it', () => {
    expect(join(withTs({backendState: 'NeedsMachineAuth'}), {})).toMatchObject({
      action: 'blocked',
      block: {kind: 'action-needed', code: 'tailscale-needs-approval'},
    })
  })
})

describe('the watchdog step', () => {
  const wd = (w: Partial<BootstrapObserved['watchdog']>) =>
    planBootstrap(
      {...provisioned, watchdog: {...provisioned.watchdog, ...w}},
      {...desired, alert: 'command:/bin/true'},
    ).find((s) => s.id === 'watchdog')
  it('appears only with an alert target', () => {
    expect(planBootstrap(provisioned, desired).some((s) => s.id === 'watchdog')).toBe(false)
  })
  it.each([
    [{installed: true, matches: false}, 'run', /Install the gateway watchdog/],
    [{installed: false, matches: false}, 'run', /Install the gateway watchdog/],
    [{schedulerUsable: false, installed: false, matches: false, sameAlertRecorded: true}, 'ok', /not scheduled/],
    [
      {schedulerUsable: false, installed: false, matches: false, sameAlertRecorded: false},
      'run',
      /Record the watchdog alert target/,
    ],
  ])('%j → %s', (w, action, title) => {
    expect(wd(w)).toMatchObject({action, title: expect.stringMatching(title)})
  })
  it('never says "installed" where no scheduler runs it', () => {
    expect(wd({schedulerUsable: false, sameAlertRecorded: true})!.title).not.toMatch(/Watchdog installed/)
  })
})

describe('planRefusal', () => {
  it('lists every blocked step and its own hint; usage wins the exit code', () => {
    const steps = planBootstrap(
      {...fresh, tailscale: {cli: true, daemonUp: true, summary: {...running, tags: ['tag:a']}}},
      {...desired, install: 'forbidden', tags: ['tag:b']},
    )
    const r = planRefusal(steps)!
    expect(r.kind).toBe('usage')
    expect(r.code).toBe('tailscale-tags-need-reauth')
    expect(r.message).toMatch(/Install OpenClaw/)
    expect(r.message).toMatch(/tag:a/)
    expect(r.hint).toMatch(/--force-reauth/)
    expect(r.hint).toMatch(/Install OpenClaw yourself/)
  })
})

describe('the gateway port on a shared machine', () => {
  const taken = (freePort?: number): BootstrapObserved => ({
    ...fresh,
    gatewayPort: {
      holder: 'foreign',
      message: '127.0.0.1:18789 is held by another user: uid 1001 (alice), pid 4242 (node openclaw gateway)',
      freePort,
    },
  })

  it("another user's listener blocks the gateway step with the next free port, before the join runs", () => {
    const steps = planBootstrap(taken(18790), desired)
    expect(steps.find((s) => s.id === 'gateway-start')).toMatchObject({
      action: 'blocked',
      detail: expect.stringContaining('uid 1001 (alice)'),
      block: {
        kind: 'action-needed',
        code: 'gateway-port-taken',
        hint: expect.stringContaining('--port 18790 (free now)'),
      },
    })
    // A blocked step refuses the whole plan (exit 3): nothing, the join included, is applied.
    expect(planRefusal(steps)).toMatchObject({kind: 'action-needed', code: 'gateway-port-taken'})
  })

  it('without a free port found, the hint still names a flag to pass', () => {
    expect(planBootstrap(taken(), desired).find((s) => s.id === 'gateway-start')!.block!.hint).toContain('--port 18790')
  })

  it.each(['free', 'ours', 'unknown'] as const)('a port that is %s does not block', (holder) => {
    const steps = planBootstrap({...fresh, gatewayPort: {holder, message: 'x'}}, desired)
    expect(steps.find((s) => s.id === 'gateway-start')!.action).toBe('run')
    expect(planRefusal(steps)).toBeUndefined()
  })
})

describe("a shared machine whose tailscaled is another user's", () => {
  const notOurs = (operator: string | null): BootstrapObserved => ({
    ...provisioned,
    recorded: {},
    tailscale: {
      cli: true,
      daemonUp: true,
      summary: {...running, hostname: 'alice-box', machineName: 'alice-box'},
      notOurs: {user: 'bob', operator},
    },
  })

  it.each([
    ['alice', /its operator alice, not for you \(bob\)/],
    [null, /run for root, not for you \(bob\)/],
  ])('operator %s: the join is blocked before anything changes, with both ways out', (operator, detail) => {
    const step = join(notOurs(operator), {})
    expect(step).toMatchObject({
      action: 'blocked',
      detail: expect.stringMatching(detail),
      block: {kind: 'action-needed', code: 'tailscale-not-yours'},
    })
    expect(step.block!.hint).toContain('CLAW_MESH_TAILSCALE_NETWORKING=userspace')
    expect(step.block!.hint).toContain('sudo tailscale set --operator=bob')
  })

  it('a node already joined as wanted needs no change, so it is not blocked', () => {
    const o: BootstrapObserved = {
      ...provisioned,
      tailscale: {...provisioned.tailscale, notOurs: {user: 'bob', operator: null}},
    }
    expect(join(o, {}).action).toBe('ok')
  })
})

describe("bootstrap's mesh plugin step", () => {
  const step = (meshPlugin: BootstrapObserved['meshPlugin']) =>
    planBootstrap({...provisioned, meshPlugin}, desired).find((s) => s.id === 'mesh-plugin')
  it.each<[string, BootstrapObserved['meshPlugin'], string | undefined, RegExp | undefined]>([
    ['not asked (no hook): no step', undefined, undefined, undefined],
    ['current: nothing to do on a re-run', {current: true}, 'ok', /plugin loaded/],
    ['missing or stale: installed', {current: false}, 'run', /openclaw plugins install/],
    [
      'an OpenClaw without the SDK: said, and the run goes on',
      {current: false, unsupported: 'OpenClaw 2026.8.1 is older than 2026.9.6'},
      'ok',
      /^skipped: OpenClaw 2026\.8\.1 is older than 2026\.9\.6; the agent uses the claw-mesh command instead$/,
    ],
  ])('%s', (_name, observed, action, detail) => {
    const s = step(observed)
    expect(s?.action).toBe(action)
    if (detail) expect(s?.detail).toMatch(detail)
  })
})
