import {spawn, type ChildProcess} from 'node:child_process'
import {existsSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {createDeps} from '../../src/deps.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {installSkill} from '../../src/services/skill/install.js'
import {startFakePeer, type FakePeer} from '../helpers/fake-peer.js'
import {
  buildCli,
  freePort,
  killBackgroundGateway,
  killPid,
  openclawForTests,
  requireOrSkip,
  runCli,
  runTool,
  sandbox,
  type Sandbox,
} from '../helpers/openclaw.js'

/**
 * Mesh operations end to end with a REAL OpenClaw gateway on host B (run by claw-mesh's background runner: no
 * systemd user session here), host A as the sender, fake gateways for the rest of the broadcast. Gateway starts
 * are kept to four: start, watchdog restart, and the post-leave start of the restored config (token rotation of
 * both tokens applies live through the config reload).
 */
const oc = openclawForTests()
const ready = requireOrSkip('OpenClaw gateway', oc)
const OC = oc as Extract<typeof oc, {ok: true}>

// The user's own config before claw-mesh: JSON5 with a comment (a rewrite would lose it), a plain gateway token.
const original = (port: number) =>
  `// my own gateway, set up by hand\n{\n  gateway: {mode: "local", port: ${port}, bind: "loopback", auth: {mode: "token", token: "my-own-gateway-token-0123456789"}},\n  models: {catalogRefresh: {enabled: false}},\n}\n`

describe.skipIf(!ready)('mesh operations against a real gateway', () => {
  let a: Sandbox
  let b: Sandbox
  let port = 0
  let url = ''
  let healthyFake: FakePeer
  let downFake: FakePeer
  let webhook: http.Server
  const alerts: Array<Record<string, unknown>> = []
  let restored: ChildProcess | undefined

  const secretsOf = (s: Sandbox) =>
    JSON.parse(readFileSync(path.join(s.cm, 'secrets.json'), 'utf8')) as Record<string, string>
  const cm = (s: Sandbox, args: string[], input?: string) => runCli(OC, args, {env: s.env, input})
  /** POST /hooks/wake {}: 400 = token accepted (text missing), 401 = refused. Independent of claw-mesh's code. */
  const wakeStatus = async (token: string) =>
    (
      await fetch(`${url}/hooks/wake`, {
        method: 'POST',
        headers: {authorization: `Bearer ${token}`, 'content-type': 'application/json'},
        body: '{}',
      })
    ).status
  const healthz = async () =>
    fetch(`${url}/healthz`, {signal: AbortSignal.timeout(3000)}).then(
      (r) => r.status,
      () => 0,
    )

  async function addPeer(name: string, peerUrl: string, token: string) {
    const file = path.join(a.dir, `${name}.token`)
    writeFileSync(file, token, {mode: 0o600})
    // These peers listen on loopback (one machine plays every host): outside the tailnet, so the flag says so.
    const run = await cm(a, [
      'peer',
      'add',
      peerUrl,
      '--name',
      name,
      '--hooks-token',
      `file:${file}`,
      '--allow-insecure-url',
    ])
    expect(run.exitCode, run.stderr).toBe(0)
  }

  beforeAll(async () => {
    await buildCli()
    port = await freePort()
    url = `http://127.0.0.1:${port}`
    b = await sandbox(OC, 'ops-b', {CLAW_MESH_SECRET_STORE: 'file'})
    a = await sandbox(OC, 'ops-a', {CLAW_MESH_SECRET_STORE: 'file'})
    writeFileSync(b.configPath, original(port), {mode: 0o600})
    const configure = await cm(b, [
      'gateway',
      'configure',
      '--no-plugin',
      '--expose',
      'tailnet',
      '--port',
      String(port),
      '--json',
    ])
    expect(configure.exitCode, configure.stderr).toBe(0)
    const start = await cm(b, ['gateway', 'start', '--json'])
    expect(start.exitCode, start.stderr).toBe(0)
    expect(start.json()).toMatchObject({runner: 'background', healthz: {ok: true}})
    healthyFake = await startFakePeer({token: 'fake-one-hooks-token-0123456789'})
    downFake = await startFakePeer({mode: 'down'})
    webhook = http.createServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        alerts.push(JSON.parse(body) as Record<string, unknown>)
        res.writeHead(204).end()
      })
    })
    await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r))
    await addPeer('b', url, secretsOf(b)['hooks-token'])
  })

  afterAll(async () => {
    if (b) await killBackgroundGateway(b.cm)
    await killPid(restored?.pid)
    await healthyFake?.close()
    await downFake?.close()
    await new Promise((r) => (webhook ? webhook.close(r) : r(undefined)))
    for (const s of [a, b]) if (s) rmSync(s.dir, {recursive: true, force: true})
  })

  it("send from A reaches B's /hooks/agent and gets a runId; a retried send replays it instead of starting a second run", async () => {
    const first = await cm(a, [
      'send',
      'b',
      'Quick insight: the build cache lives in ~/.cache/build. No reply needed.',
      '--json',
    ])
    expect(first.exitCode, first.stderr).toBe(0)
    const r1 = first.json<{runId: string; idempotencyKey: string; attempts: number}>()
    expect(r1.runId).toMatch(/\S{8,}/)
    // The same message again (what a retry after a lost answer does): the gateway replays the admitted run.
    const again = await cm(a, [
      'send',
      'b',
      'Quick insight: the build cache lives in ~/.cache/build. No reply needed.',
      '--json',
    ])
    expect(again.json<{runId: string; idempotencyKey: string}>()).toMatchObject({
      runId: r1.runId,
      idempotencyKey: r1.idempotencyKey,
    })
    // Different text is a different task: a new run.
    const other = await cm(a, ['send', 'b', 'Another insight, a different task.', '--json'])
    expect(other.json<{runId: string}>().runId).not.toBe(r1.runId)
    expect(first.stdout + first.stderr).not.toContain(secretsOf(b)['hooks-token'])
  })

  it('send --wait holds the request until the run ends and returns its completion', async () => {
    // A test host has no model credentials, so the agent run ends in error: --wait must return that terminal
    // result (not just the admission), and the exit code says the run failed although the delivery worked.
    const run = await cm(a, [
      'send',
      'b',
      'Delegation: summarise the build log, please.',
      '--wait',
      '--timeout',
      '120s',
      '--json',
      '--idempotency-key',
      `wait-${Date.now()}`,
    ])
    expect(run.exitCode, run.stderr).toBe(1)
    const doc = run.json<{ok: boolean; runId: string; completion: {status: string}}>()
    expect(doc).toMatchObject({ok: true, runId: expect.stringMatching(/\S{8,}/), completion: {status: 'error'}})
  })

  it('broadcast to three peers with one down: 2 delivered, 1 failed, exit 5', async () => {
    await addPeer('fake', healthyFake.url, healthyFake.token)
    await addPeer('gone', downFake.url, 'gone-hooks-token-0123456789')
    const run = await cm(a, ['broadcast', 'Morning! Status: all green. Blockers: none.', '--timeout', '10s', '--json'])
    expect(run.exitCode, run.stderr).toBe(5)
    const doc = run.json<{
      summary: Record<string, number>
      results: Array<{peer: string; status: string; runId?: string; code?: string}>
    }>()
    expect(doc.summary).toEqual({delivered: 2, answered: 0, failed: 1, timeout: 0, skipped: 0})
    expect(doc.results.find((r) => r.peer === 'b')).toMatchObject({status: 'delivered', runId: expect.any(String)})
    expect(doc.results.find((r) => r.peer === 'gone')).toMatchObject({status: 'failed', code: 'peer-unreachable'})
    expect(healthyFake.messages).toHaveLength(1)
  })

  it('installs a skill the real OpenClaw loads', async () => {
    const deps = createDeps({env: b.env, platform: 'linux', io: createTestIOStreams().io})
    expect((await installSkill(deps)).action).toBe('written')
    expect((await installSkill(deps)).action).toBe('unchanged')
    const info = await runTool(OC.bin, ['skills', 'info', 'claw-mesh', '--json'], {env: b.env})
    expect(info.exitCode, info.stderr).toBe(0)
    expect(info.stdout).toMatch(/"name":\s*"claw-mesh"/)
    expect(info.stdout).toMatch(/list peers|peer/i)
  })

  it('token rotate leaves the gateway healthy, the old hooks token refused and the new one accepted', async () => {
    const old = secretsOf(b)
    const run = await cm(b, ['token', 'rotate', '--json'])
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.json()).toMatchObject({rotated: ['gateway', 'hooks'], gatewayToken: 'accepted', hooksToken: 'accepted'})
    const now = secretsOf(b)
    expect(now['hooks-token']).not.toBe(old['hooks-token'])
    expect(now['gateway-token']).not.toBe(old['gateway-token'])
    expect(await healthz()).toBe(200)
    expect(await wakeStatus(old['hooks-token'])).toBe(401)
    expect(await wakeStatus(now['hooks-token'])).toBe(400)
    // Not a TTY: the invite is not printed, the user is told how to get it; no token in the output.
    expect(run.stdout + run.stderr).not.toContain(now['hooks-token'])
    // A still holds the old token: its send is refused with what to do (exit 3).
    const refused = await cm(a, ['send', 'b', 'are you there?'])
    expect(refused.exitCode).toBe(3)
    expect(refused.stderr).toMatch(/The peer refused the hooks token — was it rotated\? Ask for a new invite/)
    await addPeer('b', url, now['hooks-token'])
    const ok = await cm(a, ['send', 'b', 'are you there?', '--json'])
    expect(ok.exitCode, ok.stderr).toBe(0)
  })

  it('watchdog run restarts a killed gateway with the background runner and sends exactly one alert for the streak', async () => {
    const hook = `webhook:http://127.0.0.1:${(webhook.address() as AddressInfo).port}/alerts`
    await killBackgroundGateway(b.cm)
    expect(await healthz()).toBe(0)
    const codes: number[] = []
    for (let i = 0; i < 2; i++)
      codes.push((await cm(b, ['watchdog', 'run', '--alert', hook, '--failures', '3'])).exitCode)
    expect(codes).toEqual([5, 5])
    expect(alerts).toHaveLength(0)
    const third = await cm(b, ['watchdog', 'run', '--alert', hook, '--failures', '3', '--json'])
    expect(third.exitCode, third.stderr).toBe(0)
    expect(third.json()).toMatchObject({healthy: false, restart: {healthy: true}, alert: {event: 'down', sent: true}})
    expect(await healthz()).toBe(200)
    const after = await cm(b, ['watchdog', 'run', '--alert', hook, '--failures', '3', '--json'])
    expect(after.json()).toMatchObject({healthy: true, failures: 0})
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({
      event: 'down',
      failures: 3,
      text: expect.stringMatching(
        /gateway is down \(3 failed health checks in a row: connection refused.*Restarted it with claw-mesh's background runner \(pid \d+\): healthy again after \d+ s/,
      ),
    })
    expect(alerts[0].content).toBe(alerts[0].text)
    expect(JSON.parse(readFileSync(path.join(b.cm, 'watchdog.json'), 'utf8'))).toMatchObject({
      failures: 0,
      down: false,
      restarts: 0,
    })
  })

  it('leave gives openclaw.json back byte for byte, removes the skill, and the gateway starts with the restored file', async () => {
    const skill = path.join(b.oc, 'skills', 'claw-mesh', 'SKILL.md')
    expect(existsSync(skill)).toBe(true)
    const pid = Number(readFileSync(path.join(b.cm, 'gateway.pid'), 'utf8').split('\n')[0])
    const run = await cm(b, ['leave', '--yes', '--json'])
    expect(run.exitCode, run.stderr).toBe(0)
    expect(run.json()).toMatchObject({restoreMode: 'bytes'})
    expect(readFileSync(b.configPath, 'utf8')).toBe(original(port))
    expect(existsSync(skill)).toBe(false)
    expect(() => process.kill(pid, 0)).toThrow()
    // The user's own gateway, from the restored file, with the user's own token.
    restored = spawn(OC.bin, ['gateway', '--port', String(port)], {env: b.env, stdio: 'ignore', detached: false})
    const deadline = Date.now() + 120_000
    while ((await healthz()) !== 200 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1000))
    expect(await healthz()).toBe(200)
    // Hooks are off again in the user's config: claw-mesh's hooks token is gone with it.
    expect(await wakeStatus(secretsOf(b)['hooks-token'])).not.toBe(400)
  })
})
