import {chmodSync, readFileSync, statSync} from 'node:fs'
import {afterEach, describe, expect, it} from 'vitest'
import Doctor from '../../src/commands/doctor.js'
import {CHECK_GROUPS} from '../../src/core/checks/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {runCommand} from '../helpers/run-command.js'
import {fakeHost, HOOKS_TOKEN, provisionedHost, type ProvisionedHost} from '../fixtures/doctor/fake-host.js'
import {ownGatewayListeners} from '../helpers/listeners.js'
import {tailscaleStatusJson} from '../helpers/tailscale-status-json.js'
import {tableRunner} from '../helpers/fakes/runner.js'

interface JsonCheck {
  id: string
  group: string
  title: string
  status: string
  detail: string
  remedy?: string
  durationMs: number
  peer?: string
}
interface JsonDoctor {
  ok: boolean
  checks: JsonCheck[]
  summary: {total: number; pass: number; warn: number; fail: number; skip: number; crashed: number; ok: boolean}
  next?: string
  durationMs: number
  fix?: {steps: {kind: string; status: string; note: string}[]; manual: unknown[]}
}

let cleanups: (() => unknown)[] = []
afterEach(async () => {
  for (const c of cleanups.reverse()) await c()
  cleanups = []
})

async function provisioned(): Promise<ProvisionedHost> {
  const h = await provisionedHost()
  cleanups.push(h.cleanup)
  return h
}

const run = (h: ProvisionedHost, argv: string[], extra: {tty?: boolean; stdin?: string} = {}) =>
  runCommand(Doctor, argv, {
    env: h.host.env,
    platform: 'linux',
    runner: h.runner,
    store: h.host.store,
    lookPath: h.host.lookPath,
    networkInterfaces: h.host.networkInterfaces,
    loopbackListeners: ownGatewayListeners(),
    ...extra,
  })

describe('claw-mesh doctor on a fresh machine (no state, no tailscale, no openclaw)', () => {
  it('says what is missing and that bootstrap is next: no crash, no stack trace, exit 5', async () => {
    const host = fakeHost()
    cleanups.push(host.cleanup)
    const env = {
      CLAW_MESH_HOME: host.stateDir,
      CLAW_MESH_SECRET_STORE: 'file',
      HOME: host.dir,
      PATH: '/nonexistent/bin',
      NO_COLOR: '1',
    }
    // No command may run: there is nothing to run.
    const r = await runCommand(Doctor, [], {
      env,
      platform: 'linux',
      runner: tableRunner({}),
      store: createMemoryStateStore(),
      lookPath: () => undefined,
      networkInterfaces: host.networkInterfaces,
    })
    expect(r.exitCode).toBe(5)
    expect(r.stdout).toMatch(/✗ Tailscale CLI installed +The tailscale CLI was not found/)
    expect(r.stdout).toMatch(/→ claw-mesh tailscale install/)
    expect(r.stdout).toMatch(/✗ OpenClaw CLI installed +The openclaw CLI was not found/)
    expect(r.stdout).toContain('Next: claw-mesh bootstrap')
    expect(r.stdout + r.stderr).not.toMatch(/crashed|\n\s+at .*\.(ts|js):\d+/)
  })

  it('--json: one document with every check, its remedy, the summary and the next step', async () => {
    const host = fakeHost()
    cleanups.push(host.cleanup)
    const env = {
      CLAW_MESH_HOME: host.stateDir,
      CLAW_MESH_SECRET_STORE: 'file',
      HOME: host.dir,
      PATH: '/nonexistent/bin',
    }
    const r = await runCommand(Doctor, ['--json'], {
      env,
      platform: 'linux',
      runner: tableRunner({}),
      store: createMemoryStateStore(),
      lookPath: () => undefined,
      networkInterfaces: host.networkInterfaces,
    })
    expect(r.exitCode).toBe(5)
    const doc = r.json<JsonDoctor>()
    expect(doc.next).toBe('claw-mesh bootstrap')
    expect(doc.summary).toMatchObject({ok: false, crashed: 0})
    expect(doc.summary.total).toBe(doc.checks.length)
    for (const c of doc.checks) {
      expect(Object.keys(c)).toEqual(expect.arrayContaining(['id', 'group', 'title', 'status', 'detail', 'durationMs']))
      expect(CHECK_GROUPS).toContain(c.group)
      if (c.status === 'fail') expect(c.remedy).toBeTruthy()
    }
    expect(doc.checks.find((c) => c.id === 'tailscale-cli')).toMatchObject({
      status: 'fail',
      remedy: 'claw-mesh tailscale install',
    })
  })
})

describe('claw-mesh doctor on a provisioned host', () => {
  it('groups checks, one line each, remedies beneath failures, and exits 5 for the one failure', async () => {
    const h = await provisioned()
    const r = await run(h, ['--timeout', '1s'])
    expect(r.stdout).toMatch(/^Tailscale\n/)
    for (const title of ['Gateway', 'Secrets', 'Peers', 'System'])
      expect(r.stdout).toMatch(new RegExp(`\\n${title}\\n`))
    expect(r.stdout).toMatch(/✓ clawd: Peer gateway \/healthz +live and ready/)
    // The fake gateway answers health but not the WebSocket handshake: that one check fails.
    expect(r.stdout).toMatch(
      /✗ Gateway accepts the token \(WebSocket\) +WebSocket connect failed.*\n {6}→ openclaw gateway status --deep/,
    )
    expect(r.stdout).toMatch(/PROBLEMS FOUND: \d+ passed, \d+ warnings?, 1 failed/)
    expect(r.exitCode).toBe(5)
    expect(r.stdout).not.toContain(HOOKS_TOKEN)
  })

  it('exits 0 when nothing failed (warnings allowed)', async () => {
    const h = await provisioned()
    h.runner.answers['tailscale ping'] = {
      stdout: 'pong from openclaw-clawd (100.88.12.7) via DERP(ams) in 38ms\n',
      exitCode: 1,
    }
    const r = await run(h, ['--group', 'peers', '--timeout', '1s', '--json'])
    const doc = r.json<JsonDoctor>()
    expect(doc.checks.find((c) => c.id === 'peer-path')).toMatchObject({
      status: 'warn',
      peer: 'clawd',
      detail: expect.stringMatching(/relayed through DERP\(ams\), 38 ms/),
    })
    expect(doc.summary).toMatchObject({fail: 0, warn: 1, ok: true})
    expect(r.exitCode).toBe(0)
  })

  it('exits 5 when a check crashed, and reports it as crashed, not failed', async () => {
    const h = await provisioned()
    h.runner.answers['tailscale status --json'] = () => {
      throw new Error('EMFILE: too many open files')
    }
    const r = await run(h, ['--group', 'tailscale', '--json'])
    const doc = r.json<JsonDoctor>()
    expect(doc.checks.find((c) => c.id === 'tailscale-daemon')).toMatchObject({
      status: 'crashed',
      detail: 'the check crashed: EMFILE: too many open files',
    })
    expect(doc.summary.crashed).toBeGreaterThan(0)
    expect(r.exitCode).toBe(5)
  })

  it('--only runs just the named checks; an unknown id is a usage error listing the ids', async () => {
    const h = await provisioned()
    const r = await run(h, ['--only', 'gateway-bind,secrets-file', '--json'])
    expect(r.json<JsonDoctor>().checks.map((c) => c.id)).toEqual(['gateway-bind', 'secrets-file'])
    expect(r.exitCode).toBe(0)
    const bad = await run(h, ['--only', 'gateway-bnid'])
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toMatch(/unknown check id gateway-bnid/)
    expect(bad.stderr).toMatch(/Check ids: tailscale-cli, .*gateway-bind/)
  })

  it('on a Headscale tailnet names dns.magic_dns, and never offers the defaultSessionKey audit fix', async () => {
    const h = await provisioned()
    h.host.store.update((s) => void (s.tailscale = {...s.tailscale, loginServer: 'https://headscale.example.com'}))
    const status = JSON.parse(tailscaleStatusJson()) as {CurrentTailnet: {MagicDNSEnabled: boolean}}
    status.CurrentTailnet.MagicDNSEnabled = false
    const audit = {
      ts: 1,
      summary: {critical: 0, warn: 1, info: 0},
      findings: [
        {
          checkId: 'hooks.default_session_key_unset',
          severity: 'warn',
          title: 'hooks.defaultSessionKey is not configured',
          detail: '…',
          remediation: 'Set hooks.defaultSessionKey (for example, "hook:ingress").',
        },
      ],
    }
    const runner = tableRunner({
      'tailscale status --json': {stdout: JSON.stringify(status)},
      'openclaw security audit --json': {stdout: JSON.stringify(audit)},
      'openclaw --version': {stdout: 'OpenClaw 2026.9.6 (eb377ac)\n'},
      'node --version': {stdout: 'v24.21.0\n'},
      'openclaw config validate --json': {stdout: '{"valid":true,"path":"x","warnings":[]}'},
    })
    const r = await runCommand(Doctor, ['--only', 'tailscale-magicdns,openclaw-security-audit', '--json'], {
      env: h.host.env,
      platform: 'linux',
      runner,
      store: h.host.store,
      lookPath: h.host.lookPath,
      networkInterfaces: h.host.networkInterfaces,
      loopbackListeners: ownGatewayListeners(),
    })
    const checks = r.json<JsonDoctor>().checks
    const dns = checks.find((c) => c.id === 'tailscale-magicdns')!
    expect(dns.remedy).toMatch(/https:\/\/headscale\.example\.com: on Headscale, set dns\.magic_dns: true/)
    expect(dns.remedy).not.toContain('login.tailscale.com')
    const audited = checks.find((c) => c.id === 'openclaw-security-audit')!
    expect(audited.detail).toMatch(/hooks\.default_session_key_unset .*kept on purpose/)
    expect(audited.remedy ?? '').not.toMatch(/defaultSessionKey/)
  })

  it('--peer narrows peer checks to one known peer; an unknown one is a usage error', async () => {
    const h = await provisioned()
    const r = await run(h, ['--group', 'peers', '--peer', 'clawd', '--timeout', '1s', '--json'])
    expect(
      new Set(
        r
          .json<JsonDoctor>()
          .checks.filter((c) => c.peer)
          .map((c) => c.peer),
      ),
    ).toEqual(new Set(['clawd']))
    const bad = await run(h, ['--peer', 'nobody'])
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toMatch(/no peer named "nobody"[\s\S]*Known peers: clawd/)
  })
})

describe('claw-mesh doctor --fix', () => {
  it('chmods files, restores the lost token the chmod uncovered, and re-checks: one --fix run is enough', async () => {
    const h = await provisioned()
    chmodSync(h.host.configPath, 0o644)
    h.host.writeSecrets({'gateway-token': 'gw-token-0123456789abcdefghij', 'peer/clawd': h.peer.token}, 0o644)
    const only = ['--only', 'gateway-config-permissions,secrets-file,secrets-present']
    const before = await run(h, [...only, '--json'])
    // Catalogue order; the insecure secret file blocks every read, which secrets-present reports (not a crash).
    expect(before.json<JsonDoctor>().checks.map((c) => [c.id, c.status])).toEqual([
      ['gateway-config-permissions', 'fail'],
      ['secrets-present', 'fail'],
      ['secrets-file', 'fail'],
    ])

    const r = await run(h, [...only, '--fix', '--json'])
    const doc = r.json<JsonDoctor>()
    // With the file private again, the store opens and the lost hooks token is found missing: the same run restores it.
    expect(doc.fix?.steps.map((s) => [s.kind, s.status])).toEqual([
      ['chmod-600', 'applied'],
      ['chmod-600', 'applied'],
      ['restore-secret', 'applied'],
    ])
    expect(statSync(h.host.configPath).mode & 0o777).toBe(0o600)
    expect(statSync(h.host.secretsFile).mode & 0o777).toBe(0o600)
    expect(JSON.parse(readFileSync(h.host.secretsFile, 'utf8'))['hooks-token']).toBe(HOOKS_TOKEN)
    expect(doc.checks.every((c) => c.status === 'pass')).toBe(true)
    expect(r.exitCode).toBe(0)
    expect(r.stdout + r.stderr).not.toContain(HOOKS_TOKEN)

    const again = await run(h, [...only, '--fix', '--json'])
    expect(again.json<JsonDoctor>().fix?.steps).toEqual([])
    expect(again.exitCode).toBe(0)
  })

  it('offers --fix only when a failing check has a safe fix', async () => {
    const h = await provisioned()
    h.runner.answers['nft list ruleset'] = {
      stdout: readFileSync(new URL('../fixtures/doctor/nft-drop-port.txt', import.meta.url), 'utf8').replaceAll(
        '18789',
        String(h.gateway.port),
      ),
    }
    const risky = await run(h, ['--only', 'firewall'])
    expect(risky.exitCode).toBe(5)
    expect(risky.stdout).not.toMatch(/doctor --fix/)
    chmodSync(h.host.configPath, 0o644)
    const fixable = await run(h, ['--only', 'gateway-config-permissions'])
    expect(fixable.stdout).toMatch(/Apply the safe fixes with: claw-mesh doctor --fix/)
  })

  it('removes stale peer records only with --yes when there is no terminal', async () => {
    const h = await provisioned()
    h.host.store.update((s) => {
      s.peers.ghost = {
        name: 'ghost',
        hostname: 'openclaw-ghost',
        url: 'http://100.77.0.1:18789',
        addedAt: '2026-11-01T00:00:00Z',
        source: 'url',
        messaging: false,
      }
    })
    const only = ['--only', 'peer-stale']
    const noYes = await run(h, [...only, '--fix', '--json'])
    expect(noYes.json<JsonDoctor>().fix?.steps).toEqual([
      expect.objectContaining({kind: 'remove-stale-peers', status: 'skipped', note: expect.stringMatching(/--yes/)}),
    ])
    expect(h.host.store.read().peers.ghost).toBeDefined()

    const wakes = h.peer.requests['/hooks/wake'] ?? 0
    const yes = await run(h, ['--group', 'peers', '--timeout', '500ms', '--fix', '--yes', '--json'])
    // One authenticated probe of clawd in the first pass; the re-run after the fix checks only peer-stale.
    expect(h.peer.requests['/hooks/wake']).toBe(wakes + 1)
    expect(yes.json<JsonDoctor>().fix?.steps).toEqual([
      expect.objectContaining({kind: 'remove-stale-peers', status: 'applied', note: 'removed ghost'}),
    ])
    expect(h.host.store.read().peers.ghost).toBeUndefined()
    expect(yes.json<JsonDoctor>().checks.find((c) => c.id === 'peer-stale')).toMatchObject({status: 'pass'})
  })

  it('prints risky remedies instead of running them', async () => {
    const h = await provisioned()
    h.runner.answers['nft list ruleset'] = {
      stdout: readFileSync(new URL('../fixtures/doctor/nft-drop-port.txt', import.meta.url), 'utf8').replaceAll(
        '18789',
        String(h.gateway.port),
      ),
    }
    const r = await run(h, ['--only', 'firewall', '--fix'])
    expect(r.stdout).toMatch(/✗ Firewall lets the tailnet reach the gateway port +nft: 1 rule drop/)
    expect(r.stdout).toMatch(/→ Allow it \(as root\): nft add rule/)
    expect(r.stdout).toMatch(/Fixes\n {2}nothing doctor can fix by itself\./)
    expect(
      h.runner.calls.filter((c) => c.command.endsWith('nft')).every((c) => c.args.join(' ') === 'list ruleset'),
    ).toBe(true)
    expect(r.exitCode).toBe(5)
  })
})
