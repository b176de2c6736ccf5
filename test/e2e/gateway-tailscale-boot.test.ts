import {spawn, type ChildProcess} from 'node:child_process'
import {existsSync, promises as fs, readFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {
  buildCli,
  freePort,
  killBackgroundGateway,
  stopTree,
  openclawForTests,
  requireOrSkip,
  runCli,
  runTool,
  sandbox,
  type Sandbox,
} from '../helpers/openclaw.js'
import {TAILSCALE_DIR} from '../helpers/real-tailnet.js'

/**
 * OpenClaw's known boot failure on claw-mesh's path (openclaw/openclaw#138770, open on 2026.9.x), reproduced with
 * the real gateway and the real tailscale CLI and tailscaled: with `gateway.tailscale.mode: serve`, the gateway waits
 * 90 s for tailscaled and exits 1, which a service manager turns into a crash loop. claw-mesh must say so — gateway
 * start refuses before stopping anything, doctor names it, the watchdog does not add restarts to the loop.
 *
 * Both OpenClaw and claw-mesh find `tailscale` on PATH: a wrapper there points the real CLI at this sandbox's socket,
 * so nothing here touches a tailscaled of the machine's.
 */
const oc = openclawForTests()
const tailscaleCli = path.join(TAILSCALE_DIR, 'tailscale')
const tailscaled = path.join(TAILSCALE_DIR, 'tailscaled')
const tools =
  existsSync(tailscaleCli) && existsSync(tailscaled)
    ? {ok: true}
    : {ok: false, reason: `tailscale/tailscaled not built in ${TAILSCALE_DIR} (run scripts/provision.sh)`}

if (
  requireOrSkip('OpenClaw (real gateway)', oc) &&
  requireOrSkip('tailscale and tailscaled (Go-built)', tools) &&
  oc.ok
) {
  describe('a gateway with Tailscale Serve while tailscaled is down (openclaw/openclaw#138770)', () => {
    let s: Sandbox
    let port: number
    let socket: string
    let daemon: ChildProcess | undefined
    let alerts: string

    beforeAll(async () => {
      await buildCli()
      s = await sandbox(oc, 'tsboot')
      port = await freePort()
      socket = path.join(s.dir, 'tailscaled.sock')
      const bin = path.join(s.dir, 'bin')
      await fs.mkdir(bin)
      await fs.writeFile(
        path.join(bin, 'tailscale'),
        `#!/bin/sh\nexec ${JSON.stringify(tailscaleCli)} --socket=${JSON.stringify(socket)} "$@"\n`,
        {mode: 0o755},
      )
      s.env.PATH = `${bin}:${s.env.PATH}`
      alerts = path.join(s.dir, 'alerts.log')
      const conf = await runCli(
        oc,
        [
          'gateway',
          'configure',
          '--no-plugin',
          '--expose',
          'serve',
          '--secret-store',
          'file',
          '--port',
          String(port),
          '--json',
        ],
        {env: s.env},
      )
      expect(conf.exitCode, conf.stderr).toBe(0)
      expect(JSON.parse(readFileSync(s.configPath, 'utf8')).gateway.tailscale.mode).toBe('serve')
    })

    afterAll(async () => {
      await killBackgroundGateway(s.cm)
      await stopTree(daemon)
      if (!process.env.CLAW_MESH_KEEP_E2E)
        await fs.rm(s.dir, {recursive: true, force: true, maxRetries: 5, retryDelay: 200})
    })

    it('the real gateway exits 1 at boot while tailscaled is down: the upstream failure, reproduced', async () => {
      const started = Date.now()
      const run = await new Promise<{code: number | null; out: string}>((resolve) => {
        const child = spawn(oc.bin, ['gateway', '--port', String(port)], {
          env: s.env,
          stdio: ['ignore', 'pipe', 'pipe'],
        })
        let out = ''
        child.stdout.on('data', (d) => (out += d))
        child.stderr.on('data', (d) => (out += d))
        const timer = setTimeout(() => child.kill('SIGKILL'), 200_000)
        child.on('exit', (code) => {
          clearTimeout(timer)
          resolve({code, out})
        })
      })
      expect(run.code, run.out.slice(-2000)).toBe(1)
      expect(run.out).toMatch(/Gateway failed to start: .*tailscale serve status --json/)
      // tailscale 1.98 fails at once ("Failed to connect…"); 1.102 waits for the daemon and OpenClaw's 5 s command
      // timeout ends it: the gateway gives up either way.
      expect(run.out).toMatch(
        /Failed to connect to local Tailscale daemon|Command timed out after \d+ milliseconds: \S*tailscale serve status --json/,
      )
      console.log(
        `OpenClaw ${oc.version}: the gateway gave up on tailscaled after ${Math.round((Date.now() - started) / 1000)} s and exited 1`,
      )
    })

    it('gateway start refuses at once, naming the cause and the order to fix it, and starts nothing', async () => {
      const started = Date.now()
      const run = await runCli(oc, ['gateway', 'start', '--json'], {env: s.env})
      expect(run.exitCode, run.stdout + run.stderr).toBe(3)
      const doc = run.json<{error: {code: string; message: string; hint: string}}>()
      expect(doc.error.code).toBe('gateway-needs-tailscale')
      expect(doc.error.message).toMatch(
        /tailscaled is not running: OpenClaw's gateway does not boot without it \(openclaw\/openclaw#138770\)\. Nothing was stopped or started\./,
      )
      expect(doc.error.hint).toMatch(/^Start Tailscale first .*then: claw-mesh gateway start/)
      // Refused before the 90 s OpenClaw would have waited.
      expect(Date.now() - started).toBeLessThan(60_000)
      expect(existsSync(path.join(s.cm, 'gateway.pid'))).toBe(false)
    })

    it('doctor names it as the reason the gateway is down', async () => {
      const run = await runCli(oc, ['doctor', '--json', '--only', 'gateway-tailscale-boot,gateway-health'], {
        env: s.env,
      })
      const checks = Object.fromEntries(
        run
          .json<{checks: {id: string; status: string; detail: string; remedy?: string}[]}>()
          .checks.map((c) => [c.id, c]),
      )
      expect(checks['gateway-tailscale-boot']).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(/tailscaled is not running.*#138770.*This is why the gateway is down/),
        remedy: expect.stringMatching(/^Start Tailscale first/),
      })
    })

    it('the watchdog alerts with the cause and does not restart (no restarts added to the loop), round after round', async () => {
      const script = path.join(s.dir, 'alert.sh')
      await fs.writeFile(script, `#!/bin/sh\nprintf '%s\\n' "$CLAW_MESH_ALERT_TEXT" >> ${JSON.stringify(alerts)}\n`, {
        mode: 0o755,
      })
      const alert = `command:${script}`
      for (let round = 0; round < 2; round++) {
        const run = await runCli(oc, ['watchdog', 'run', '--failures', '1', '--alert', alert, '--json'], {env: s.env})
        expect(run.exitCode, run.stderr).toBe(5)
        const doc = run.json<{restart?: {attempted: boolean; detail: string}; state: {restarts: number}}>()
        expect(doc.restart).toMatchObject({
          attempted: false,
          detail: expect.stringMatching(/^Not restarted: The gateway cannot start now: .*#138770/),
        })
        expect(doc.state.restarts).toBe(0)
      }
      expect(readFileSync(alerts, 'utf8')).toMatch(/Not restarted: The gateway cannot start now/)
      expect(existsSync(path.join(s.cm, 'gateway.pid'))).toBe(false)
    })

    it('with the real tailscaled up but logged out, the refusal names the login, not the daemon', async () => {
      // No log upload, no port mapping: it must not look anything up (the stray-traffic guard fails on DNS).
      const tsEnv = {
        ...s.env,
        TS_LOGS_DIR: path.join(s.dir, 'tslogs'),
        TS_DISABLE_PORTMAPPER: '1',
        TS_NO_LOGS_NO_SUPPORT: 'true',
      }
      daemon = spawn(
        tailscaled,
        [
          '--tun=userspace-networking',
          `--socket=${socket}`,
          `--statedir=${path.join(s.dir, 'tailscaled')}`,
          '--no-logs-no-support',
          '--port=0',
        ],
        {env: tsEnv, stdio: 'ignore', detached: true},
      )
      const deadline = Date.now() + 30_000
      let status = ''
      while (Date.now() < deadline) {
        status = (await runTool(tailscaleCli, [`--socket=${socket}`, 'status', '--json'], {env: s.env})).stdout
        if (/"BackendState":\s*"NeedsLogin"/.test(status)) break
        await new Promise((r) => setTimeout(r, 300))
      }
      expect(status).toMatch(/"BackendState":\s*"NeedsLogin"/)
      const run = await runCli(oc, ['gateway', 'start', '--json'], {env: s.env})
      expect(run.exitCode).toBe(3)
      const doc = run.json<{error: {code: string; message: string; hint: string}}>()
      expect(doc.error).toMatchObject({
        code: 'gateway-needs-tailscale',
        message: expect.stringMatching(/Tailscale is NeedsLogin, not Running/),
        hint: expect.stringMatching(/^Start Tailscale first \(claw-mesh tailscale join\)/),
      })
    })
  })
}
