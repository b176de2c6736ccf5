import {spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {findOpenClaw, requireOrSkip, type MeshHost} from '../helpers/mesh-host.js'
import {netnsUnavailable} from '../helpers/netns.js'
import {createRealTailnet, realTailnetUnavailable, type RealTailnet} from '../helpers/real-tailnet.js'
import {configureScriptedModel, startScriptedModel, type ScriptedModel} from '../helpers/scripted-model.js'

const openclaw = findOpenClaw()
const ready = requireOrSkip(openclaw.reason ?? netnsUnavailable() ?? realTailnetUnavailable())

interface InstallJson {
  alreadyInstalled: boolean
  daemonPid?: number
  plan: {method: string; networking?: string; proxy?: string; steps: {args: string[]}[]}
}
interface DoctorJson {
  checks: {id: string; status: string; detail?: string; summary?: string}[]
}

/**
 * A container host: no service manager, and claw-mesh told to run tailscaled in userspace networking (no TUN
 * device, no 100.x interface). claw-mesh starts the daemon itself with its proxy on loopback and a state dir, and
 * must still pair, ask, be asked and send files — next to a normal kernel-TUN host, on a real Headscale tailnet.
 */
describe.skipIf(!ready)('container mode: a userspace-networking host in a real tailnet', () => {
  let tailnet: RealTailnet
  let k: MeshHost
  let u: MeshHost
  const models: Record<string, ScriptedModel> = {}
  let work: string
  let keyFile: string
  let installed: InstallJson

  const nsLinks = (h: MeshHost) => spawnSync('ip', ['-n', h.ns!, '-o', 'link'], {encoding: 'utf8'}).stdout
  const nsPids = (h: MeshHost) =>
    spawnSync('ip', ['netns', 'pids', h.ns!], {encoding: 'utf8'}).stdout.split('\n').filter(Boolean).map(Number)

  async function pair(a: MeshHost, b: MeshHost): Promise<void> {
    const invite = await a.cli(['invite'])
    expect(invite.exitCode, invite.stderr).toBe(0)
    const answered = await b.cli(['peer', 'add', '--invite', '-', '--json'], {input: invite.stdout})
    expect(answered.exitCode, answered.stdout + answered.stderr).toBe(0)
    const done = await a.cli(['peer', 'add', '--invite', '-'], {
      input: answered.json<{replyInvite: string}>().replyInvite,
    })
    expect(done.exitCode, done.stderr).toBe(0)
    for (const [from, to] of [
      [a, b],
      [b, a],
    ]) {
      for (let i = 0; ; i++) {
        const run = await from.cli(['peer', 'check', to.name, '--json'])
        const probes = run.json<{peers: {probes: {a2a: {status: string}; a2aHere: {status: string}}}[]}>().peers[0]
          ?.probes
        if (probes?.a2a.status === 'ok' && probes.a2aHere.status === 'ok') break
        if (i > 30) throw new Error(`${from.name} → ${to.name}: A2A never settled: ${run.stdout}`)
        await new Promise((r) => setTimeout(r, 2000))
      }
    }
  }

  beforeAll(async () => {
    tailnet = await createRealTailnet(['k'], {openclaw: openclaw.bin!})
    k = tailnet.hosts[0]
    u = await tailnet.addHost('u', {daemon: 'claw-mesh'})
    work = mkdtempSync(path.join(os.tmpdir(), 'cm-userspace-'))
    // Nodes of one user (untagged): Taildrop works between those.
    keyFile = tailnet.keyFile(work)
    for (const h of [k, u]) {
      models[h.name] = await startScriptedModel({
        dir: path.join(work, `model-${h.name}`),
        script: {name: `model-${h.name}`},
        prefix: ['ip', 'netns', 'exec', h.ns!],
      })
      configureScriptedModel(h.configPath, models[h.name].baseUrl)
    }
  }, 600_000)

  afterAll(() => {
    for (const m of Object.values(models)) m.stop()
    tailnet?.destroy()
    if (work) rmSync(work, {recursive: true, force: true})
  })

  it('tailscale install --networking userspace starts tailscaled itself: a state dir, its proxy on loopback, no TUN interface', async () => {
    const run = await u.cli(['tailscale', 'install', '--networking', 'userspace', '--json'])
    expect(run.exitCode, run.stdout + run.stderr).toBe(0)
    installed = run.json<InstallJson>()
    expect(installed).toMatchObject({
      alreadyInstalled: false,
      plan: {networking: 'userspace', proxy: expect.stringMatching(/^http:\/\/127\.0\.0\.2:\d+$/)},
    })
    expect(installed.plan.steps[0].args).toEqual(
      expect.arrayContaining(['--tun=userspace-networking', `--statedir=${path.join(u.stateDir, 'tailscaled')}`]),
    )
    expect(nsPids(u)).toContain(installed.daemonPid)
    expect(nsLinks(u)).not.toMatch(/tailscale0/)
    const state = JSON.parse(readFileSync(path.join(u.stateDir, 'state.json'), 'utf8')) as {
      tailscale: {networking: string; proxy: string}
    }
    expect(state.tailscale).toMatchObject({networking: 'userspace', proxy: installed.plan.proxy})
    // Run twice: the daemon answers, nothing else is started.
    const again = await u.cli(['tailscale', 'install', '--networking', 'userspace', '--json'])
    expect(again.json<InstallJson>().alreadyInstalled).toBe(true)
  })

  it('bootstraps both hosts; the userspace gateway is reached at its tailnet address through tailscaled, and doctor says how', async () => {
    const runs = await Promise.all(
      [k, u].map((h) =>
        h.cli([
          'bootstrap',
          '--identity',
          h.name,
          '--tailscale-key',
          `file:${keyFile}`,
          '--login-server',
          tailnet.serverUrl,
          '--json',
        ]),
      ),
    )
    for (const run of runs) expect(run.exitCode, run.stdout + run.stderr).toBe(0)
    const status = await u.cli(['tailscale', 'status', '--json'])
    expect(status.json<{tun: boolean; ipv4: string}>()).toMatchObject({tun: false, ipv4: u.ip})
    const doctor = await u.cli(['doctor', '--only', 'tailscale-proxy,gateway-tailnet-reachable', '--json'])
    const checks = Object.fromEntries(doctor.json<DoctorJson>().checks.map((c) => [c.id, c]))
    expect(checks['tailscale-proxy'], doctor.stdout).toMatchObject({status: 'pass'})
    expect(checks['gateway-tailnet-reachable'], doctor.stdout).toMatchObject({status: 'pass'})
    expect(JSON.stringify(checks['gateway-tailnet-reachable'])).toMatch(/through tailscaled's proxy/)
    // Every tailnet connection reaches the gateway as 127.0.0.1: silent local pairing approval is off there.
    const config = readFileSync(u.configPath, 'utf8')
    expect(config).toMatch(/"autoApproveLocal":\s*false/)
    // Loopback stays exempt from the failed-auth limit: counting tailnet clients as 127.0.0.1 would let any tailnet
    // node lock the operator out (10 bad tokens, 5 minutes), and the tokens are 256-bit.
    expect(config).not.toMatch(/"exemptLoopback":\s*false/)
    expect(readFileSync(k.configPath, 'utf8')).not.toMatch(/autoApproveLocal/)
    // OpenClaw's own security audit finds nothing claw-mesh's exposure causes, on either host.
    for (const h of [k, u]) {
      const audit = (await h.cli(['doctor', '--only', 'openclaw-security-audit', '--json'])).json<DoctorJson>()
        .checks[0]
      console.info(`${h.name}: ${audit.status} ${audit.detail ?? audit.summary ?? ''}`)
      expect(JSON.stringify(audit)).not.toMatch(/allowed_origins_required|auth_no_rate_limit/)
      expect(audit.status).not.toBe('skip')
    }
  })

  it('pairs both ways, and each agent asks the other and gets its reply', async () => {
    await pair(k, u)
    const toU = await k.cli(['ask', 'u', 'Hello from the kernel host', '--json'])
    expect(toU.exitCode, toU.stdout + toU.stderr).toBe(0)
    expect(toU.json<{reply: string}>().reply).toContain('reply from model-u: Hello from the kernel host')
    const toK = await u.cli(['ask', 'k', 'Hello from the container', '--json'])
    expect(toK.exitCode, toK.stdout + toK.stderr).toBe(0)
    expect(toK.json<{reply: string}>().reply).toContain('reply from model-k: Hello from the container')
  })

  it("tailscaled's proxy is claw-mesh's alone: a tailnet node cannot use it through the userspace host's tailnet address", async () => {
    const port = new URL(installed.plan.proxy!).port
    const curl = (h: MeshHost, args: string[]) =>
      spawnSync(
        'ip',
        ['netns', 'exec', h.ns!, 'curl', '-s', '-o', '/dev/null', '-w', '%{http_code}', '-m', '5', ...args],
        {encoding: 'utf8'},
      )
    // netstack hands k's connection to u:<port> to 127.0.0.1:<port>; the proxy listens on 127.0.0.2, so nothing answers.
    const fromTailnet = curl(k, ['-x', `http://${u.ip}:${port}`, `http://${k.ip}:18789/healthz`])
    expect(fromTailnet.status, `k used u's proxy: ${fromTailnet.stdout}`).not.toBe(0)
    const direct = curl(k, [`http://${u.ip}:${port}/`])
    expect(direct.status, `k reached u's proxy port: ${direct.stdout}`).not.toBe(0)
    // On u itself the proxy works: it is how claw-mesh reaches its peers.
    const own = curl(u, ['-x', installed.plan.proxy!, `http://${k.ip}:18789/healthz`])
    expect(own.stdout).toBe('200')
  })

  it('Taildrop works from the userspace host (its daemon has a state dir)', async () => {
    const file = path.join(u.home, 'report.txt')
    writeFileSync(file, 'userspace taildrop\n')
    const sent = await u.cli(['file', 'send', 'k', file, '--timeout', '60s'])
    expect(sent.exitCode, sent.stdout + sent.stderr).toBe(0)
    const inbox = path.join(k.home, 'inbox')
    const got = await k.cli(['file', 'get', inbox, '--wait', '--timeout', '60s', '--json'])
    expect(got.exitCode, got.stdout + got.stderr).toBe(0)
    expect(readFileSync(path.join(inbox, 'report.txt'), 'utf8')).toBe('userspace taildrop\n')
  })

  it('a restarted daemon is the same node: claw-mesh starts it again from its state dir, and the peers still talk', async () => {
    const ip = u.ip
    process.kill(installed.daemonPid!, 'SIGTERM')
    for (let i = 0; i < 100 && nsPids(u).includes(installed.daemonPid!); i++)
      await new Promise((r) => setTimeout(r, 100))
    expect(existsSync(path.join(u.stateDir, 'tailscaled', 'tailscaled.state'))).toBe(true)
    const down = await u.cli(['doctor', '--only', 'tailscale-daemon', '--json'])
    expect(down.json<DoctorJson>().checks[0].status).toBe('fail')
    const again = await u.cli(['tailscale', 'install', '--networking', 'userspace', '--json'])
    expect(again.exitCode, again.stdout + again.stderr).toBe(0)
    let state = ''
    for (let i = 0; i < 100 && state !== 'Running'; i++) {
      state = (await u.tailscale(['status', '--json'])).stdout.match(/"BackendState":\s*"(\w+)"/)?.[1] ?? ''
      if (state !== 'Running') await new Promise((r) => setTimeout(r, 200))
    }
    expect(state).toBe('Running')
    expect(u.ip).toBe(ip)
    let answer = await u.cli(['ask', 'k', 'Still there?', '--json'])
    // The fresh daemon may take a moment to have a path to k again.
    for (let i = 0; i < 10 && answer.exitCode !== 0; i++) {
      await new Promise((r) => setTimeout(r, 2000))
      answer = await u.cli(['ask', 'k', 'Still there?', '--json'])
    }
    expect(answer.exitCode, answer.stdout + answer.stderr).toBe(0)
    expect(answer.json<{reply: string}>().reply).toContain('Still there?')
  })

  it('after a reboot (its tailscaled and gateway gone), the line bootstrap printed brings the host back into the mesh', async () => {
    const boot = await u.cli(['bootstrap', '--identity', 'u', '--json'])
    expect(boot.exitCode, boot.stdout + boot.stderr).toBe(0)
    const reboot = boot.json<{reboot: {survives: boolean | null; detail: string; command?: string; cron?: string}}>()
      .reboot
    expect(reboot).toMatchObject({survives: false, command: 'claw-mesh watchdog run --failures 1'})
    expect(reboot.detail).toMatch(/the gateway \(a background process\) and the tailscaled claw-mesh started/)
    expect(reboot.cron).toMatch(/^@reboot .*CLAW_MESH_HOME=.* watchdog run --failures 1 >> .*boot\.log' 2>&1$/)
    // The "reboot": both processes go.
    const daemonPid = (
      JSON.parse(readFileSync(path.join(u.stateDir, 'state.json'), 'utf8')) as {tailscale: {daemonPid: number}}
    ).tailscale.daemonPid
    const gatewayPid = Number(readFileSync(path.join(u.stateDir, 'gateway.pid'), 'utf8').split('\n')[0])
    for (const pid of [gatewayPid, daemonPid]) process.kill(pid, 'SIGKILL')
    for (let i = 0; i < 100 && [gatewayPid, daemonPid].some((p) => nsPids(u).includes(p)); i++)
      await new Promise((r) => setTimeout(r, 100))
    // What cron runs at boot (the same command; cron's line only adds the environment and a log).
    const back = await u.cli(['watchdog', 'run', '--failures', '1', '--json'], {timeoutMs: 280_000})
    expect(back.exitCode, back.stdout + back.stderr).toBe(0)
    const doc = back.json<{tailscaled?: {restarted: boolean}; restart?: {attempted: boolean; healthy: boolean}}>()
    expect(doc.tailscaled).toMatchObject({restarted: true})
    expect(doc.restart).toMatchObject({attempted: true, healthy: true})
    let answer = await k.cli(['ask', 'u', 'Back after the reboot?', '--json'])
    for (let i = 0; i < 15 && answer.exitCode !== 0; i++) {
      await new Promise((r) => setTimeout(r, 2000))
      answer = await k.cli(['ask', 'u', 'Back after the reboot?', '--json'])
    }
    expect(answer.exitCode, answer.stdout + answer.stderr).toBe(0)
    expect(answer.json<{reply: string}>().reply).toContain('Back after the reboot?')
  })
})
