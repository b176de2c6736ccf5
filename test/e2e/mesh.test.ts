import {spawn} from 'node:child_process'
import {readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import {netnsUnavailable} from '../helpers/netns.js'
import {createRealTailnet, MESH_TAG, realTailnetUnavailable, type RealTailnet} from '../helpers/real-tailnet.js'
import {findOpenClaw, fingerprint, requireOrSkip, type MeshHost} from '../helpers/mesh-host.js'

const openclaw = findOpenClaw()
const ready = requireOrSkip(openclaw.reason ?? netnsUnavailable() ?? realTailnetUnavailable())

describe.skipIf(!ready)(
  'three hosts in network namespaces, real gateways, a real tailnet (tailscaled + Headscale)',
  () => {
    let tailnet: RealTailnet
    const hosts: Record<string, MeshHost> = {}
    const invites: Record<string, string> = {}
    const replies: Record<string, string> = {}
    let keyFile: string
    let KEY: string
    let keys: string
    let login: string[]

    beforeAll(async () => {
      tailnet = await createRealTailnet(['a', 'b', 'c'], {openclaw: openclaw.bin!})
      for (const h of tailnet.hosts) hosts[h.name] = h
      keys = mkdtempSync(path.join(os.tmpdir(), 'cm-mesh-keys-'))
      // A reusable key of one user: untagged nodes of one owner, so Taildrop works between them.
      keyFile = tailnet.keyFile(keys)
      KEY = readFileSync(keyFile, 'utf8').trim()
      login = ['--login-server', tailnet.serverUrl]
    })

    afterAll(() => {
      tailnet?.destroy()
      if (keys) rmSync(keys, {recursive: true, force: true})
    })

    /**
     * Secret hygiene, over everything this suite produced: every secret value (Tailscale key, each host's gateway
     * and hooks tokens) must be absent from stdout, stderr and --json of every run (but the invites, which are the
     * secret the user asked for), from every argv the Tailscale simulator and the wrapped openclaw saw, and from every
     * file written outside the secret stores and openclaw.json (and its 0600 backups).
     */
    function secretHygiene(): string[] {
      const secrets = new Map<string, string>([[KEY, 'tailscale key']])
      for (const h of Object.values(hosts)) {
        const store = JSON.parse(readFileSync(path.join(h.stateDir, 'secrets.json'), 'utf8')) as Record<string, string>
        for (const [name, value] of Object.entries(store))
          if (value.length >= 16) secrets.set(value, `${h.name}:${name}`)
      }
      expect(secrets.size).toBeGreaterThanOrEqual(1 + 2 * 3)
      const leaks: string[] = []
      const scan = (where: string, text: string) => {
        for (const [value, name] of secrets) if (text.includes(value)) leaks.push(`${name} in ${where}`)
      }
      for (const h of Object.values(hosts)) {
        for (const run of h.transcript) {
          if (run.args[0] !== 'invite') scan(`[${h.name}] stdout of ${run.args.join(' ')}`, run.stdout)
          scan(`[${h.name}] stderr of ${run.args.join(' ')}`, run.stderr)
        }
        scan(`[${h.name}] tailscale argv`, JSON.stringify(h.tailscaleArgv()))
        scan(`[${h.name}] openclaw argv`, h.openclawArgv().join('\n'))
        expect(h.openclawArgv().length).toBeGreaterThan(0)
        // openclaw.json and its copies (claw-mesh's backups, OpenClaw's own .bak/.last-good) hold hooks.token by
        // design: they must be private instead.
        const configCopy = (f: string) =>
          f.startsWith('claw-mesh/backups/') || /^\.openclaw\/openclaw\.json(\..+)?$/.test(f)
        // The gateway token's own file (what OpenClaw's file provider reads) holds that one token by design.
        const allowed = (f: string) =>
          f === 'claw-mesh/secrets.json' ||
          f === 'claw-mesh/openclaw-gateway-token.json' ||
          configCopy(f) ||
          f === 'my.invite' ||
          f === 'openclaw-argv.log' ||
          f === 'tailscale-argv.log'
        for (const f of readdirSync(h.home, {recursive: true}).map(String)) {
          const file = path.join(h.home, f)
          if (!statSync(file).isFile()) continue
          if (configCopy(f)) expect(statSync(file).mode & 0o077, `${file} must be private`).toBe(0)
          if (!allowed(f)) scan(`[${h.name}] ${f}`, readFileSync(file, 'latin1'))
        }
      }
      // OpenClaw's own log (shared by every gateway on this machine, whatever its state dir).
      const logDir = '/tmp/openclaw'
      for (const f of readdirSync(logDir).filter((n) => n.endsWith('.log')))
        scan(`${logDir}/${f}`, readFileSync(path.join(logDir, f), 'latin1'))
      return leaks
    }

    /** One invite of `name` for `peer` (an invite pairs once), saved where the peer reads it. */
    async function inviteOf(name: string, peer: string): Promise<string> {
      const run = await hosts[name].cli(['invite', '--json'])
      expect(run.exitCode, run.stderr).toBe(0)
      const invite = run.json<{invite: string}>().invite
      const file = path.join(hosts[peer].home, `${name}.invite`)
      writeFileSync(file, invite, {mode: 0o600})
      invites[`${name}>${peer}`] = file
      return file
    }

    /** Runs a pairing reply on the inviter, then waits until both gateways reloaded the pair. */
    async function complete(on: string, reply: string, peer: string): Promise<void> {
      const run = await hosts[on].cli(['peer', 'add', '--invite', '-'], {input: reply})
      expect(run.exitCode, run.stderr).toBe(0)
      for (const [from, to] of [
        [on, peer],
        [peer, on],
      ]) {
        for (let i = 0; ; i++) {
          const check = await hosts[from].cli(['peer', 'check', to, '--json'])
          if (check.json<{peers: {probes: {a2a: {status: string}}}[]}>().peers[0]?.probes.a2a.status === 'ok') break
          if (i > 30) throw new Error(`${from} → ${to} never accepted: ${check.stdout}`)
          await new Promise((r) => setTimeout(r, 2000))
        }
      }
    }

    it('bootstraps host A from nothing: tailnet joined, gateway healthy on its tailnet address', async () => {
      const a = hosts.a
      const run = await a.cli([
        'bootstrap',
        '--identity',
        'a',
        '--tailscale-key',
        `file:${keyFile}`,
        ...login,
        '--json',
      ])
      expect(run.exitCode, run.stderr).toBe(0)
      expect(a.ip).toMatch(/^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./)
      expect(a.tailscaleArgv().find((argv) => argv.includes('up'))).toEqual(
        expect.arrayContaining([`--login-server=${tailnet.serverUrl}`]),
      )
      const result = run.json<{
        changed: boolean
        tailnet: {ipv4: string; hostname: string}
        gateway: {url: string; healthy: boolean}
      }>()
      expect(result).toMatchObject({
        changed: true,
        tailnet: {ipv4: a.ip, hostname: 'openclaw-a'},
        gateway: {url: `http://${a.ip}:18789`, healthy: true},
      })
      const config = JSON.parse(readFileSync(a.configPath, 'utf8'))
      expect(config.gateway).toMatchObject({mode: 'local', bind: 'tailnet', port: 18789, tailscale: {mode: 'off'}})
      expect(JSON.stringify(config)).not.toContain(KEY)
      expect(config.channels.a2a).toMatchObject({
        enabled: true,
        advertisedUrl: `http://${a.ip}:18789`,
        exposeAgents: ['main'],
      })
      await inviteOf('a', 'b')
      await inviteOf('a', 'c')
    })

    it("bootstraps B and C with A's invites; each verifies A and prints the reply for A", async () => {
      // The login server from the environment this time (CLAW_MESH_LOGIN_SERVER).
      const runs = await Promise.all(
        ['b', 'c'].map((n) =>
          hosts[n].cli(
            [
              'bootstrap',
              '--identity',
              n,
              '--tailscale-key',
              `file:${keyFile}`,
              '--peer',
              `file:${invites[`a>${n}`]}`,
              '--json',
            ],
            {env: {CLAW_MESH_LOGIN_SERVER: tailnet.serverUrl}},
          ),
        ),
      )
      for (const [i, run] of runs.entries()) {
        expect(run.exitCode, run.stdout + run.stderr).toBe(0)
        // A has not run the reply yet: A2A is pending, not failed, and the mesh is not declared broken.
        expect(run.json<{peers: {name: string; status: string}[]}>().peers).toEqual([
          expect.objectContaining({name: 'a', status: 'ok'}),
        ])
        const reply = run.json<{replyInvites: {peer: string; replyInvite: string}[]}>().replyInvites
        expect(reply).toEqual([{peer: 'a', replyInvite: expect.stringMatching(/^claw-mesh-reply:v1:/)}])
        replies[['b', 'c'][i]] = reply[0].replyInvite
      }
    })

    it('completes the mesh with the replies and one more pairing, and every peer check is green from every host', async () => {
      await complete('a', replies.b, 'b')
      await complete('a', replies.c, 'c')
      const invite = await hosts.b.cli(['invite'])
      const answered = await hosts.c.cli(['peer', 'add', '--invite', '-', '--json'], {input: invite.stdout})
      expect(answered.exitCode, answered.stderr).toBe(0)
      await complete('b', answered.json<{replyInvite: string}>().replyInvite, 'c')
      for (const name of ['a', 'b', 'c']) {
        const run = await hosts[name].cli(['peer', 'check', '--json'])
        expect(run.exitCode, `${name}: ${run.stdout}${run.stderr}`).toBe(0)
        const peers = run.json<{peers: {name: string; status: string}[]}>().peers
        expect(peers.map((p) => [p.name, p.status])).toEqual(
          ['a', 'b', 'c'].filter((n) => n !== name).map((n) => [n, 'ok']),
        )
      }
    })

    it('a second bootstrap of B changes nothing: no write, no restart, no tailscale up, no openclaw process', async () => {
      const b = hosts.b
      const before = {
        openclaw: b.openclawArgv().length,
        config: fingerprint(b.configPath),
        pid: b.gatewayPid(),
        ups: b.tailscaleArgv().filter((a) => a.includes('up')).length,
        calls: b.tailscaleArgv().length,
        state: fingerprint(path.join(b.stateDir, 'state.json')),
      }
      const run = await b.cli([
        'bootstrap',
        '--identity',
        'b',
        '--tailscale-key',
        `file:${keyFile}`,
        '--peer',
        `file:${invites['a>b']}`,
        '--json',
      ])
      expect(run.exitCode, run.stderr).toBe(0)
      expect(run.json()).toMatchObject({changed: false})
      // A ran B's reply: the pair is complete, so B neither shows the spent reply again nor asks for it to be run.
      expect(run.json<{replyInvites: unknown[]}>().replyInvites).toEqual([])
      expect(run.json<{next: string[]}>().next).toContain(
        "The pair with a is complete: a accepted this host's reply, nothing is left to run there.",
      )
      expect(fingerprint(b.configPath)).toBe(before.config)
      expect(fingerprint(path.join(b.stateDir, 'state.json'))).toBe(before.state)
      expect(b.gatewayPid()).toBe(before.pid)
      expect(b.tailscaleArgv().filter((a) => a.includes('up'))).toHaveLength(before.ups)
      expect(b.tailscaleArgv().length - before.calls).toBeLessThanOrEqual(2) // one observation, shared by every step
      // The running gateway's cards show the plugin loaded: OpenClaw's CLI (seconds a call) is not asked.
      expect(b.openclawArgv().slice(before.openclaw)).toEqual([])
      expect(run.stderr).toMatch(/already provisioned/)
    })

    it('delivers messages around the ring over A2A: A→B, B→C, C→A, each accepted as a task', async () => {
      for (const [from, to] of [
        ['a', 'b'],
        ['b', 'c'],
        ['c', 'a'],
      ]) {
        const run = await hosts[from].cli(['send', to, `hand-off from ${from}: status is green`, '--json'])
        expect(run.exitCode, `${from}→${to}: ${run.stderr}`).toBe(0)
        expect(run.json<{via: string; taskId: string}>()).toMatchObject({
          via: 'a2a',
          taskId: expect.stringMatching(/\S{8,}/),
        })
      }
    })

    it('Taildrop: A sends a file to B over the real tailnet (untagged nodes of one user), B receives it', async () => {
      const file = path.join(hosts.a.home, 'hand-off.txt')
      writeFileSync(file, 'notes from a')
      const sent = await hosts.a.cli(['file', 'send', 'b', file, '--json'])
      expect(sent.exitCode, sent.stdout + sent.stderr).toBe(0)
      const inbox = path.join(hosts.b.home, 'inbox')
      const got = await hosts.b.cli(['file', 'get', inbox, '--wait', '--timeout', '30s', '--json'])
      expect(got.exitCode, got.stdout + got.stderr).toBe(0)
      expect(readFileSync(path.join(inbox, 'hand-off.txt'), 'utf8')).toBe('notes from a')
    })

    it("a gateway killed on B is reported by A, restarted by B's watchdog with one alert, and green again", async () => {
      const b = hosts.b
      const alertLog = path.join(b.home, 'alerts.log')
      const script = path.join(b.home, 'alert.sh')
      writeFileSync(script, `#!/bin/sh\necho "$CLAW_MESH_ALERT_TEXT" >> ${alertLog}\n`, {mode: 0o700})
      const withAlert = await b.cli(['bootstrap', '--identity', 'b', '--alert', `command:${script}`, '--json'])
      expect(withAlert.exitCode, withAlert.stderr).toBe(0)
      process.kill(b.gatewayPid()!, 'SIGKILL')
      const checkB = await hosts.a.cli(['peer', 'check', 'b', '--timeout', '3s', '--json'])
      expect(checkB.exitCode).toBe(5)
      expect(checkB.json<{peers: {status: string}[]}>().peers[0].status).toBe('down')
      const runs = []
      for (let i = 0; i < 3; i++) runs.push(await b.cli(['watchdog', 'run', '--json'], {timeoutMs: 300_000}))
      expect(runs.slice(0, 2).map((r) => r.exitCode)).toEqual([5, 5])
      expect(runs[2].exitCode, runs[2].stderr).toBe(0)
      expect(readFileSync(alertLog, 'utf8').trim().split('\n')).toHaveLength(1)
      const again = await hosts.a.cli(['peer', 'check', 'b', '--json'])
      expect(again.exitCode, again.stdout).toBe(0)
    })

    it('an unreachable peer is reported, the local host still completes, and the exit code says partial', async () => {
      const a = hosts.a
      const run = await a.cli([
        'bootstrap',
        '--identity',
        'a',
        '--peer',
        'ghost=http://100.64.7.99:18789',
        '--peer-timeout',
        '2s',
        '--json',
      ])
      expect(run.exitCode, run.stderr).toBe(4)
      const doc = run.json<{gateway: {healthy: boolean}; peers: {name: string; status: string}[]}>()
      expect(doc.gateway.healthy).toBe(true)
      expect(doc.peers.find((p) => p.name === 'ghost')).toMatchObject({status: 'down'})
      expect((await a.cli(['peer', 'remove', 'ghost'])).exitCode).toBe(0)
    })

    it('two concurrent bootstraps on one host: the second waits, then fails cleanly; the config stays intact', async () => {
      const c = hosts.c
      const before = fingerprint(c.configPath)
      const base = ['bootstrap', '--identity', 'c', '--tailscale-key', `file:${keyFile}`, '--json']
      // The first run holds the lock for a while: it checks a peer that accepts and never answers (on a real tailnet
      // an address with no node behind it is refused at once, so it would not hold the lock).
      const silent = spawn(
        'ip',
        [
          'netns',
          'exec',
          c.ns!,
          process.execPath,
          '-e',
          `require('net').createServer(() => {}).listen(18799, '${c.ip}')`,
        ],
        {stdio: 'ignore'},
      )
      await new Promise((r) => setTimeout(r, 1000))
      const first = c.cli([...base, '--peer', `ghost=http://${c.ip}:18799`, '--peer-timeout', '6s'])
      await new Promise((r) => setTimeout(r, 2500))
      const second = await c.cli(base, {env: {CLAW_MESH_LOCK_WAIT_MS: '500'}})
      expect(second.exitCode, second.stderr).toBe(6)
      expect(second.json()).toMatchObject({ok: false, error: {code: 'busy'}})
      expect(second.json<{error: {hint: string}}>().error.hint).toMatch(/Wait for it to finish/)
      expect((await first).exitCode).toBe(4)
      silent.kill('SIGKILL')
      expect(fingerprint(c.configPath)).toBe(before)
      expect((await c.cli(['peer', 'remove', 'ghost'])).exitCode).toBe(0)
    })

    it('secret hygiene: no secret in any output, argv or file written outside the stores', () => {
      expect(secretHygiene()).toEqual([])
    })
  },
)

describe.skipIf(!ready)(
  'a fleet: three tagged hosts with one mesh secret discover each other on a real tailnet',
  () => {
    let tailnet: RealTailnet
    let hosts: MeshHost[] = []
    let dir: string
    const secret = 'fleet-secret-0123456789abcdefghijklmnop'

    beforeAll(async () => {
      tailnet = await createRealTailnet(['x', 'y', 'z'], {openclaw: openclaw.bin!})
      hosts = tailnet.hosts
      dir = mkdtempSync(path.join(os.tmpdir(), 'cm-fleet-'))
    })
    afterAll(() => {
      tailnet?.destroy()
      if (dir) rmSync(dir, {recursive: true, force: true})
    })

    it('bootstraps every host with the same secret, no invites exchanged, and every peer check is green', async () => {
      const secretFile = path.join(dir, 'mesh-secret')
      writeFileSync(secretFile, secret, {mode: 0o600})
      // Headscale: the tags come from the key (claw-mesh sends no --advertise-tags with it, and checks them after).
      const keyFile = tailnet.keyFile(dir, {tags: [MESH_TAG]})
      const common = [
        '--tailscale-key',
        `file:${keyFile}`,
        '--login-server',
        tailnet.serverUrl,
        '--tags',
        MESH_TAG,
        '--mesh-secret',
        `file:${secretFile}`,
        '--json',
      ]
      // The first two come up together; the last one finds both already on the tailnet.
      const first = await Promise.all(
        hosts.slice(0, 2).map((h) => h.cli(['bootstrap', '--identity', h.name, ...common])),
      )
      for (const r of first) expect(r.exitCode === 0 || r.exitCode === 4, r.stderr).toBe(true)
      const last = await hosts[2].cli(['bootstrap', '--identity', hosts[2].name, ...common])
      expect(last.exitCode, last.stderr).toBe(0)
      expect(last.json<{peers: {name: string}[]}>().peers.map((p) => p.name)).toEqual(['x', 'y'])
      for (const h of hosts) {
        const run = await h.cli(['peer', 'discover', '--json'])
        expect(run.exitCode, run.stderr).toBe(0)
        const check = await h.cli(['peer', 'check', '--json'])
        expect(check.exitCode, `${h.name}: ${check.stdout}`).toBe(0)
        expect(check.json<{peers: unknown[]}>().peers).toHaveLength(2)
      }
      const sent = await hosts[0].cli(['send', 'z', 'fleet hello', '--json'])
      expect(sent.exitCode, sent.stderr).toBe(0)
      // The mesh secret never leaves a host: each pair has its own derived A2A tokens, each host a derived hooks token.
      for (const h of hosts) {
        const config = JSON.parse(readFileSync(h.configPath, 'utf8'))
        expect(JSON.stringify(config)).not.toContain(secret)
        expect(Object.keys(config.channels.a2a.peers).sort()).toEqual(hosts.filter((o) => o !== h).map((o) => o.name))
      }
      const [x, y] = hosts.map((h) => JSON.parse(readFileSync(h.configPath, 'utf8')).channels.a2a.peers)
      // What x presents to y (x's outboundToken for y) is what y accepts from x, and differs from the reverse.
      expect(x.y.outboundToken).toBe(y.x.token)
      expect(x.y.token).toBe(y.x.outboundToken)
      expect(x.y.token).not.toBe(x.y.outboundToken)
      for (const h of hosts)
        expect(
          h
            .tailscaleArgv()
            .find((a) => a.includes('up'))
            ?.some((a) => a.startsWith('--advertise-tags')),
        ).toBe(false)
    })

    it('Taildrop between tagged nodes is refused (no user login, no storage), mapped to its own code', async () => {
      const file = path.join(dir, 'note.txt')
      writeFileSync(file, 'for y')
      const run = await hosts[0].cli(['file', 'send', 'y', file, '--json'])
      expect(run.exitCode, run.stdout + run.stderr).toBe(3)
      // The real text: "Access denied: Taildrop disabled; no storage directory" — not a permission problem.
      expect(run.json()).toMatchObject({ok: false, error: {code: 'taildrop-unavailable'}})
    })

    it('a single-use key used twice is refused by Headscale with its own code', async () => {
      const extra = await tailnet.addHost('w')
      const used = tailnet.keyFile(dir, {tags: [MESH_TAG], reusable: false})
      const first = await extra.cli([
        'tailscale',
        'join',
        '--hostname',
        'openclaw-w',
        '--tailscale-key',
        `file:${used}`,
        '--login-server',
        tailnet.serverUrl,
        '--json',
      ])
      expect(first.exitCode, first.stderr).toBe(0)
      const again = await tailnet.addHost('v')
      const second = await again.cli([
        'tailscale',
        'join',
        '--hostname',
        'openclaw-v',
        '--tailscale-key',
        `file:${used}`,
        '--login-server',
        tailnet.serverUrl,
        '--timeout',
        '20s',
        '--json',
      ])
      expect(second.exitCode, second.stdout).toBe(3)
      expect(second.json()).toMatchObject({ok: false, error: {code: 'headscale-key-used'}})
      expect(second.stdout + second.stderr).not.toContain(readFileSync(used, 'utf8').trim())
    })
  },
)
