import {spawn, type ChildProcess} from 'node:child_process'
import {promises as fs} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {
  buildCli,
  freePort,
  killBackgroundGateway,
  stopTree,
  netnsAvailable,
  openclawForTests,
  probeGateway,
  requireOrSkip,
  runCli,
  runTool,
  sandbox,
  secretServiceAvailable,
  startSecretService,
  type Sandbox,
  type SecretServiceSession,
} from '../helpers/openclaw.js'

/**
 * A real gateway whose token lives in the OS keychain (gnome-keyring), read through the exec SecretRef launcher,
 * bound to a tailnet address: inside a network namespace we create, an interface carries 100.64.7.7, which is what
 * OpenClaw's `bind: "tailnet"` looks for. Where namespaces cannot be made (non-root CI), the same runs on the host
 * and the tailnet bind falls back to loopback (the test says so).
 */
const oc = openclawForTests()
const secretService = secretServiceAvailable()
const netns = netnsAvailable()
const TAILNET_IP = '100.64.7.7'

if (
  requireOrSkip('OpenClaw (real gateway)', oc) &&
  requireOrSkip('Secret Service (dbus-run-session + gnome-keyring)', secretService) &&
  oc.ok
) {
  describe('gateway with a keychain-backed token on a tailnet address', () => {
    let s: Sandbox
    let session: SecretServiceSession | undefined
    let holder: ChildProcess | undefined
    let prefix: string[] = []
    let port: number
    let launcherEnv: Record<string, string>

    beforeAll(async () => {
      await buildCli()
      s = await sandbox(oc, 'tailnet')
      port = await freePort()
      session = await startSecretService(path.join(s.dir, 'keyring-home'))
      s.env.DBUS_SESSION_BUS_ADDRESS = session.busAddress
      launcherEnv = {HOME: s.home, DBUS_SESSION_BUS_ADDRESS: session.busAddress}
      if (netns.ok) {
        // The namespace lives as long as this holder; everything claw-mesh runs joins it with nsenter.
        holder = spawn(
          'unshare',
          [
            '-n',
            'sh',
            '-c',
            `ip link set lo up && ip link add v0 type veth peer name v1 && ip addr add ${TAILNET_IP}/24 dev v0 && ip link set v0 up && ip link set v1 up && exec sleep 3600`,
          ],
          {detached: true, stdio: 'ignore'},
        )
        prefix = ['nsenter', '-t', String(holder.pid), '-n']
        const deadline = Date.now() + 10_000
        while (
          Date.now() < deadline &&
          !(
            await runTool('ip', ['-4', 'addr', 'show', 'v0'], {env: {PATH: '/usr/sbin:/usr/bin:/sbin:/bin'}, prefix})
          ).stdout.includes(TAILNET_IP)
        ) {
          await new Promise((r) => setTimeout(r, 100))
        }
      } else {
        console.log(`no network namespace here (${netns.reason}): the tailnet bind will fall back to loopback`)
      }
      await fs.writeFile(
        s.configPath,
        '{\n  // a small existing config\n  agents: {entries: {main: {name: "Orion"}}},\n}\n',
        {mode: 0o600},
      )
    })

    afterAll(async () => {
      await killBackgroundGateway(s.cm)
      await stopTree(holder)
      await session?.stop()
      if (!process.env.CLAW_MESH_KEEP_E2E)
        await fs.rm(s.dir, {recursive: true, force: true, maxRetries: 5, retryDelay: 200})
    })

    it('configures the keychain exec provider, starts, and the gateway resolves its token from the keychain', async () => {
      const conf = await runCli(
        oc,
        ['gateway', 'configure', '--no-plugin', '--secret-store', 'keychain', '--port', String(port), '--json'],
        {env: s.env, prefix},
      )
      expect(conf.exitCode, conf.stderr).toBe(0)
      expect(conf.json()).toMatchObject({validated: true, secretStore: {backend: 'keychain'}})
      // No secret file anywhere: the token is only in the keychain.
      await expect(fs.stat(path.join(s.cm, 'secrets.json'))).rejects.toThrow()
      const config = JSON.parse(await fs.readFile(s.configPath, 'utf8'))
      expect(config.gateway.auth.token).toEqual({source: 'exec', provider: 'clawmesh', id: 'gateway-token'})

      const start = await runCli(oc, ['gateway', 'start', '--json'], {env: s.env, prefix})
      expect(start.exitCode, start.stderr).toBe(0)
      const r = start.json<{startMs: number; gatewayToken: {verdict: string}; hooksToken: {verdict: string}}>()
      console.log(`keychain/tailnet gateway healthy after ${r.startMs} ms`)
      expect(r).toMatchObject({gatewayToken: {verdict: 'accepted'}, hooksToken: {verdict: 'accepted'}})

      // The token OpenClaw got came from the launcher; ask the launcher ourselves and prove it on the wire.
      const reply = await runTool(config.secrets.providers.clawmesh.command, [], {
        env: launcherEnv,
        input: JSON.stringify({protocolVersion: 1, provider: 'clawmesh', ids: ['gateway-token']}),
        prefix,
      })
      expect(reply.exitCode, reply.stderr).toBe(0)
      const gatewayToken = JSON.parse(reply.stdout).values['gateway-token'] as string
      const host = netns.ok ? TAILNET_IP : '127.0.0.1'
      const p = await probeGateway(oc, `http://${host}:${port}`, {gatewayToken, hooksToken: config.hooks.token}, prefix)
      expect(p).toMatchObject({healthz: 200, ws: {verdict: 'hello-ok', protocol: 4}, hooks: 400, hooksWrong: 401})
      expect(p.wsWrong.code === 'AUTH_TOKEN_MISMATCH' || p.wsWrong.closeCode === 1008).toBe(true)
    })

    it('a hot change (the token moved to the file store) is applied by the running gateway, without a restart', async () => {
      const pidBefore = (await fs.readFile(path.join(s.cm, 'gateway.pid'), 'utf8')).split('\n')[0].trim() // line 1: the pid, line 2: its start time
      const conf = await runCli(oc, ['gateway', 'configure', '--no-plugin', '--secret-store', 'file', '--json'], {
        env: s.env,
        prefix,
      })
      expect(conf.exitCode, conf.stderr).toBe(0)
      expect(conf.json()).toMatchObject({
        changed: true,
        apply: 'hot',
        secretStore: {backend: 'file'},
        tokens: {hooks: 'adopted'},
      })
      const start = await runCli(oc, ['gateway', 'start', '--json'], {env: s.env, prefix})
      expect(start.exitCode, start.stderr).toBe(0)
      expect(start.json()).toMatchObject({
        action: 'await-reload',
        pid: Number(pidBefore),
        gatewayToken: {verdict: 'accepted'},
        hooksToken: {verdict: 'accepted'},
      })
      const stored = JSON.parse(await fs.readFile(path.join(s.cm, 'secrets.json'), 'utf8'))
      const host = netns.ok ? TAILNET_IP : '127.0.0.1'
      const p = await probeGateway(
        oc,
        `http://${host}:${port}`,
        {gatewayToken: stored['gateway-token'], hooksToken: stored['hooks-token']},
        prefix,
      )
      expect(p).toMatchObject({healthz: 200, ws: {verdict: 'hello-ok'}, hooks: 400})
    })

    it('status shows where the token lives, the tailnet listener and the peer URL', async () => {
      const run = await runCli(oc, ['gateway', 'status', '--json'], {env: s.env, prefix})
      expect(run.exitCode, run.stderr).toBe(0)
      const st = run.json<{
        token: string
        tailnet?: {ipv4?: string; source: string; healthz?: {ok: boolean}}
        peerUrl?: string
        local: {healthz: {ok: boolean}}
      }>()
      expect(st.token).toBe(
        `file SecretRef clawmesh:/gateway-token (${path.join(s.cm, 'openclaw-gateway-token.json')})`,
      )
      expect(st.local.healthz.ok).toBe(true)
      if (netns.ok) {
        expect(st.tailnet).toMatchObject({ipv4: TAILNET_IP, source: 'interfaces', healthz: {ok: true}})
        expect(st.peerUrl).toBe(`http://${TAILNET_IP}:${port}`)
      } else {
        expect(st.tailnet?.ipv4).toBeUndefined()
      }
    })
  })
}
