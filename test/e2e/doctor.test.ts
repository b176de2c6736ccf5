import {spawnSync} from 'node:child_process'
import {chmodSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {findOpenClaw, requireOrSkip, type MeshHost} from '../helpers/mesh-host.js'
import {netnsUnavailable} from '../helpers/netns.js'
import {createRealTailnet, realTailnetUnavailable, type RealTailnet} from '../helpers/real-tailnet.js'

/**
 * `claw-mesh doctor` against a REAL OpenClaw gateway. The seed documents' configs are each diagnosed with the right
 * remedy, and `doctor --fix` turns each into a config the real `openclaw config validate` accepts and a gateway
 * that is healthy and accepts claw-mesh's tokens (WebSocket handshake, hooks). One host, one gateway: each fix
 * restarts it (11–17 s a start), so the three seeds cost three starts.
 *
 * The host is a namespace on a real tailnet (its own tailscaled, Headscale in the hub), so `bind: "tailnet"`
 * really binds the address tailscaled gave it and doctor reads the real `tailscale status --json`.
 */
const openclaw = findOpenClaw()
const ready = requireOrSkip(openclaw.reason ?? netnsUnavailable() ?? realTailnetUnavailable())

interface Check {
  id: string
  status: string
  detail: string
  remedy?: string
}
interface Report {
  checks: Check[]
  summary: {ok: boolean; fail: number; crashed: number}
  next?: string
  fix?: {steps: {kind: string; status: string; note: string}[]}
}

describe.skipIf(!ready)('doctor against a real gateway, with the seed configs', () => {
  let tailnet: RealTailnet
  let host: MeshHost

  beforeAll(async () => {
    tailnet = await createRealTailnet(['doc'], {openclaw: openclaw.bin!})
    host = tailnet.hosts[0]
    const keyFile = tailnet.keyFile(host.home)
    const join = await host.cli([
      'tailscale',
      'join',
      '--hostname',
      'openclaw-doc',
      '--tailscale-key',
      `file:${keyFile}`,
      '--login-server',
      tailnet.serverUrl,
      '--json',
    ])
    expect(join.exitCode, join.stderr).toBe(0)
    mkdirSync(path.dirname(host.configPath), {recursive: true, mode: 0o700})
  })

  afterAll(() => {
    tailnet?.destroy()
  })

  const doctor = async (args: string[]) => {
    const run = await host.cli(['doctor', '--json', ...args], {timeoutMs: 280_000})
    expect([0, 5], run.stderr).toContain(run.exitCode)
    const report = run.json<Report>()
    return {run, report, check: (id: string) => report.checks.find((c) => c.id === id)!}
  }

  /** The real validator, on the file as doctor left it. */
  const validate = () => {
    const r = spawnSync(openclaw.bin!, ['config', 'validate', '--json'], {
      env: {...host.env, OPENCLAW_CONFIG_PATH: host.configPath},
      encoding: 'utf8',
      timeout: 60_000,
    })
    return JSON.parse(r.stdout.slice(r.stdout.indexOf('{'))) as {valid: boolean; issues?: unknown[]}
  }

  /** After --fix: valid config, healthy gateway that accepts claw-mesh's token, reachable where peers look. */
  const expectHealed = async (report: Report) => {
    expect(report.fix?.steps.map((s) => [s.kind, s.status])).toEqual(
      expect.arrayContaining([
        ['configure-gateway', 'applied'],
        ['restart-gateway', 'applied'],
      ]),
    )
    expect(validate()).toMatchObject({valid: true})
    const after = await doctor(['--group', 'gateway'])
    for (const id of [
      'gateway-config-valid',
      'gateway-mode',
      'gateway-bind',
      'gateway-tailscale-mode',
      'gateway-auth',
      'gateway-token',
      'gateway-token-accepted',
      'gateway-hooks',
      'gateway-port',
      'gateway-service',
      'gateway-health',
      'gateway-tailnet-reachable',
    ]) {
      expect(after.check(id).status, `${id}: ${after.check(id).detail}`).toBe('pass')
    }
    expect(after.run.exitCode).toBe(0)
    const config = JSON.parse(readFileSync(host.configPath, 'utf8'))
    expect(config.gateway).toMatchObject({
      mode: 'local',
      bind: 'tailnet',
      auth: {mode: 'token'},
      tailscale: {mode: 'off'},
    })
    expect(config.hooks.enabled).toBe(true)
  }

  it('seed 000 ("bind": "0.0.0.0", port 8080, no auth): diagnosed, then fixed into a healthy gateway', async () => {
    writeFileSync(
      host.configPath,
      '// from the seed skill\n{\n  "gateway": {\n    "bind": "0.0.0.0",\n    "port": 8080,\n  },\n}\n',
      {mode: 0o600},
    )
    const {run, report, check} = await doctor([])
    expect(run.exitCode).toBe(5)
    expect(check('gateway-bind')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/"0\.0\.0\.0", which is not an OpenClaw bind mode: .*every interface/),
      remedy: expect.stringMatching(
        /^claw-mesh gateway configure && claw-mesh gateway start; by hand: openclaw config set gateway\.bind tailnet$/,
      ),
    })
    // The real validator agrees, in its own words.
    expect(check('gateway-config-valid')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/gateway\.bind: Invalid input/),
    })
    expect(check('gateway-mode')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/gateway\.mode is not set/),
    })
    expect(check('gateway-auth')).toMatchObject({status: 'fail', detail: expect.stringMatching(/without auth/)})
    expect(check('gateway-hooks').status).toBe('fail')
    expect(report.summary.crashed).toBe(0)

    const fixed = await doctor(['--fix'])
    await expectHealed(fixed.report)
    expect(JSON.parse(readFileSync(host.configPath, 'utf8')).gateway.port).toBe(8080)
  })

  it('seed 002 ("tailscale": {"mode": "on"}): diagnosed as a refused start, then fixed', async () => {
    // The seed's script overwrote the whole file; the running gateway refuses the invalid edit and keeps going.
    writeFileSync(
      host.configPath,
      '{\n  "gateway": {\n    "mode": "local",\n    "tailscale": { "mode": "on" }\n  }\n}\n',
      {mode: 0o600},
    )
    const {run, check} = await doctor(['--group', 'gateway'])
    expect(run.exitCode).toBe(5)
    expect(check('gateway-tailscale-mode')).toMatchObject({
      status: 'fail',
      detail: 'gateway.tailscale.mode is "on": the gateway refuses to start (allowed: off, serve, funnel).',
      remedy:
        'claw-mesh gateway configure && claw-mesh gateway start; by hand: openclaw config set gateway.tailscale.mode off',
    })
    expect(check('gateway-config-valid')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/gateway\.tailscale\.mode: Invalid input/),
    })
    expect(check('gateway-hooks')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/hooks\.enabled is not true/),
    })

    const fixed = await doctor(['--group', 'gateway', '--fix'])
    await expectHealed(fixed.report)
  })

  it('port 8080 on every interface with auth "none": diagnosed, then fixed', async () => {
    writeFileSync(
      host.configPath,
      JSON.stringify({gateway: {mode: 'local', port: 8080, bind: 'lan', auth: {mode: 'none'}}}, null, 2),
    )
    chmodSync(host.configPath, 0o644)
    const {run, check} = await doctor(['--group', 'gateway'])
    expect(run.exitCode).toBe(5)
    expect(check('gateway-auth')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/binds beyond loopback \("lan"\) without auth \(gateway\.auth\.mode is "none"\)/),
    })
    expect(check('gateway-bind')).toMatchObject({status: 'fail', detail: expect.stringMatching(/every interface/)})
    expect(check('gateway-config-permissions')).toMatchObject({status: 'fail', remedy: `chmod 600 ${host.configPath}`})

    const fixed = await doctor(['--group', 'gateway', '--fix'])
    expect(fixed.report.fix?.steps[0]).toMatchObject({kind: 'chmod-600', status: 'applied'})
    await expectHealed(fixed.report)
  })
})
