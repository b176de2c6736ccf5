import {execFile, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {CLI, ROOT} from '../helpers/built-cli.js'
import {findOpenClaw, requireOrSkip, type MeshHost} from '../helpers/mesh-host.js'
import {netnsUnavailable} from '../helpers/netns.js'
import {createRealTailnet, MESH_TAG, realTailnetUnavailable, type RealTailnet} from '../helpers/real-tailnet.js'

/**
 * The shipped example playbook (templates/ansible/site.yml and its role) driving three namespace hosts with real
 * OpenClaw gateways on a real tailnet (Headscale, real tailscaled), as an operator would: `ansible-playbook` once for the fleet. Each host is `connection: local`
 * with a Python interpreter that enters the host's network namespace, so every module (and the claw-mesh it runs,
 * and the gateway that starts) lives in that namespace. Results are read from Ansible's own JSON callback.
 */
let KEY = ''
const SECRET = 'ansible-fleet-secret-0123456789abcdefghij'
const SITE = path.join(ROOT, 'templates/ansible/site.yml')
const openclaw = findOpenClaw()

function ansibleUnavailable(): string | undefined {
  const r = spawnSync('ansible-playbook', ['--version'], {encoding: 'utf8'})
  if (r.status !== 0) return 'ansible-playbook is missing (apt-get install ansible-core ansible)'
  const cb = spawnSync('ansible-doc', ['-t', 'callback', '-l'], {encoding: 'utf8'})
  if (!/ansible\.posix\.json/.test(cb.stdout))
    return "Ansible's JSON callback (ansible.posix.json) is missing (apt-get install ansible)"
  return undefined
}
const ready = requireOrSkip(openclaw.reason ?? netnsUnavailable() ?? realTailnetUnavailable() ?? ansibleUnavailable())

interface HostStats {
  ok: number
  changed: number
  failures: number
  unreachable: number
  skipped: number
}
interface TaskResult {
  changed?: boolean
  failed?: boolean
  msg?: string
  warnings?: string[]
  bootstrap?: {
    dryRun: boolean
    changed: boolean
    peers: {name: string; status: string}[]
    steps?: {action: string; title: string; detail: string}[]
  }
  skipped?: boolean
}
interface PlaybookRun {
  exitCode: number
  stats: Record<string, HostStats>
  tasks: {name: string; hosts: Record<string, TaskResult>}[]
  stdout: string
  stderr: string
  wallMs: number
}

/** Every regular file under a directory (the host's home: claw-mesh's and OpenClaw's state). */
function walkFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? walkFiles(p) : e.isFile() ? [p] : []
  })
}

describe.skipIf(!ready)('the Ansible role over three namespace hosts with real gateways (fleet mode)', () => {
  let tailnet: RealTailnet
  let work: string
  const hosts: MeshHost[] = []
  /** Every pid in a host's namespace (its tailscaled, its gateway). */
  const pidsIn = (h: MeshHost) =>
    spawnSync('ip', ['netns', 'pids', h.ns!], {encoding: 'utf8'}).stdout.split('\n').filter(Boolean).map(Number)
  const runs: PlaybookRun[] = []
  const timings: string[] = []

  beforeAll(async () => {
    tailnet = await createRealTailnet(['p', 'q', 'r'], {openclaw: openclaw.bin!})
    hosts.push(...tailnet.hosts)
    // A reusable pre-auth key for tag-owned nodes: what an operator would keep in Ansible Vault.
    KEY = tailnet.key({tags: [MESH_TAG]})
    work = mkdtempSync(path.join(os.tmpdir(), 'cm-ansible-'))
    const ipBin = spawnSync('sh', ['-c', 'command -v ip'], {encoding: 'utf8'}).stdout.trim()
    const inventory: Record<string, Record<string, unknown>> = {}
    for (const h of hosts) {
      // Ansible runs `<interpreter> module.py`: this interpreter is Python inside the host's namespace.
      const python = path.join(work, `python-${h.name}`)
      writeFileSync(python, `#!/bin/sh\nexec ${ipBin} netns exec ${h.ns} /usr/bin/python3 "$@"\n`, {mode: 0o755})
      inventory[h.name] = {
        ansible_connection: 'local',
        ansible_python_interpreter: python,
        ansible_become: false,
        claw_mesh_bin: CLI,
        claw_mesh_environment: h.env,
        // These hosts are namespaces of one machine: no system account per host, claw-mesh runs as the test's user.
        claw_mesh_user: '',
      }
    }
    writeFileSync(
      path.join(work, 'inventory.json'),
      JSON.stringify({
        claw_mesh: {hosts: inventory, vars: {claw_mesh_tags: [MESH_TAG], claw_mesh_login_server: tailnet.serverUrl}},
      }),
    )
    // What an operator keeps in Ansible Vault: the role hands them to claw-mesh in its environment, under no_log.
    writeFileSync(
      path.join(work, 'vault.json'),
      JSON.stringify({vault_claw_mesh_tailscale_key: KEY, vault_claw_mesh_mesh_secret: SECRET}),
      {mode: 0o600},
    )
    mkdirSync(path.join(work, 'home'))
  })

  afterAll(() => {
    tailnet?.destroy()
    if (work) rmSync(work, {recursive: true, force: true})
    if (timings.length) console.log(`ansible-playbook runs:\n  ${timings.join('\n  ')}`)
  })

  function playbook(label: string, args: string[] = []): Promise<PlaybookRun> {
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: path.join(work, 'home'),
      ANSIBLE_STDOUT_CALLBACK: 'ansible.posix.json',
      ANSIBLE_HOME: path.join(work, 'home', '.ansible'),
      ANSIBLE_LOCAL_TEMP: path.join(work, 'tmp'),
      ANSIBLE_REMOTE_TEMP: path.join(work, 'tmp'),
      ANSIBLE_LOG_PATH: path.join(work, 'ansible.log'),
      ANSIBLE_FORKS: '3',
      ANSIBLE_NOCOLOR: '1',
      ANSIBLE_RETRY_FILES_ENABLED: '0',
    }
    const argv = ['-i', path.join(work, 'inventory.json'), SITE, '-e', `@${path.join(work, 'vault.json')}`, ...args]
    const started = performance.now()
    return new Promise((resolve, reject) => {
      execFile(
        'ansible-playbook',
        argv,
        {cwd: work, env, timeout: 480_000, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024},
        (error, stdout, stderr) => {
          if (error && typeof error.code !== 'number')
            return reject(new Error(`ansible-playbook ${label}: ${error.message}\n${stderr}`))
          const wallMs = Math.round(performance.now() - started)
          const doc = JSON.parse(stdout) as {
            stats: Record<string, HostStats>
            plays: {tasks: {task: {name: string}; hosts: Record<string, TaskResult>}[]}[]
          }
          const run: PlaybookRun = {
            exitCode: error ? Number(error.code) : 0,
            stats: doc.stats,
            tasks: doc.plays.flatMap((p) => p.tasks.map((t) => ({name: t.task.name, hosts: t.hosts}))),
            stdout,
            stderr,
            wallMs,
          }
          runs.push(run)
          const counts = Object.entries(doc.stats)
            .map(([h, s]) => `${h} ok=${s.ok} changed=${s.changed} failed=${s.failures}`)
            .join(', ')
          timings.push(`${label}: ${(wallMs / 1000).toFixed(1)} s — ${counts}`)
          resolve(run)
        },
      )
    })
  }

  const task = (run: PlaybookRun, prefix: string) => run.tasks.find((t) => t.name.startsWith(prefix))!
  const changedBy = (run: PlaybookRun) => Object.fromEntries(Object.entries(run.stats).map(([h, s]) => [h, s.changed]))
  const noFailures = (run: PlaybookRun) => {
    const failed = run.tasks.flatMap((t) =>
      Object.entries(t.hosts)
        .filter(([, r]) => r.failed)
        .map(([h, r]) => `${h} ${t.name}: ${r.msg}`),
    )
    expect(run.exitCode, `${failed.join('\n')}\n${run.stderr}`).toBe(0)
    for (const [h, s] of Object.entries(run.stats))
      expect({h, failures: s.failures, unreachable: s.unreachable}).toEqual({h, failures: 0, unreachable: 0})
  }

  it('first run provisions the three hosts and pairs them through the tailnet: every peer check is green', async () => {
    const run = await playbook('first run')
    noFailures(run)
    for (const h of hosts) expect(run.stats[h.name].changed, h.name).toBeGreaterThanOrEqual(1) // bootstrapped (no secret file is written)
    expect(Object.values(task(run, 'claw_mesh : Bootstrap').hosts).map((r) => r.changed)).toEqual([true, true, true])
    for (const h of hosts) {
      // The gateway claw-mesh started runs inside the host's namespace: the interpreter wrapper put it there.
      expect(pidsIn(h)).toContain(h.gatewayPid())
      const check = await h.cli(['peer', 'check', '--json'])
      expect(check.exitCode, `${h.name}: ${check.stdout}`).toBe(0)
      expect(check.json<{peers: {name: string; status: string}[]}>().peers.map((p) => [p.name, p.status])).toEqual(
        hosts.filter((o) => o !== h).map((o) => [o.name, 'ok']),
      )
    }
  })

  // Found by this test on the real tailnet before the A2A sync left nothing pending: a second fleet run was changed=1.
  it('second run changes nothing on any host', async () => {
    const pids = hosts.map((h) => h.gatewayPid())
    const run = await playbook('second run')
    noFailures(run)
    const changedTasks = run.tasks.flatMap((t) =>
      Object.entries(t.hosts)
        .filter(([, r]) => r.changed)
        .map(([h, r]) =>
          `${h} ${t.name}: ${JSON.stringify(r.bootstrap?.steps?.filter((st) => st.action === 'run') ?? r)}`.slice(
            0,
            600,
          ),
        ),
    )
    expect(changedBy(run), changedTasks.join('\n')).toEqual({p: 0, q: 0, r: 0})
    expect(Object.values(task(run, 'claw_mesh : Bootstrap').hosts).map((r) => r.bootstrap?.changed)).toEqual([
      false,
      false,
      false,
    ])
    expect(hosts.map((h) => h.gatewayPid())).toEqual(pids)
  })

  it('--check runs bootstrap --dry-run and reports no change', async () => {
    const run = await playbook('--check', ['--check'])
    noFailures(run)
    expect(Object.values(task(run, 'claw_mesh : Bootstrap').hosts).map((r) => [r.bootstrap?.dryRun, r.msg])).toEqual([
      [true, 'nothing to change'],
      [true, 'nothing to change'],
      [true, 'nothing to change'],
    ])
    expect(changedBy(run)).toEqual({p: 0, q: 0, r: 0})
  })

  it('a host whose gateway was stopped: --check says it would change, the next run restarts it (changed=1), the others stay unchanged', async () => {
    const q = hosts[1]
    const pid = q.gatewayPid()!
    process.kill(pid, 'SIGTERM')
    for (let i = 0; i < 100 && pidsIn(q).includes(pid); i++) await new Promise((r) => setTimeout(r, 100))
    expect(pidsIn(q)).not.toContain(pid)

    const check = await playbook('--check, q stopped', ['--check'])
    noFailures(check)
    expect(changedBy(check)).toEqual({p: 0, q: 1, r: 0})
    expect(task(check, 'claw_mesh : Bootstrap').hosts.q.msg).toMatch(/^would: .*Start the gateway/)
    expect(q.gatewayPid() === pid || q.gatewayPid() === undefined).toBe(true) // check mode started nothing

    const run = await playbook('q stopped')
    noFailures(run)
    expect(changedBy(run)).toEqual({p: 0, q: 1, r: 0})
    expect(q.gatewayPid()).not.toBe(pid)
    const again = await hosts[0].cli(['peer', 'check', 'q', '--json'])
    expect(again.exitCode, again.stdout).toBe(0)
  })

  it('exit 4 (a peer down) is a warning by default and a failure with claw_mesh_peer_down=fail', async () => {
    const p = hosts[0]
    expect((await p.cli(['peer', 'add', 'http://100.64.9.99:18789', '--name', 'ghost'])).exitCode).toBe(0)
    try {
      const warned = await playbook('ghost peer, warn', ['--limit', 'p'])
      noFailures(warned)
      expect(warned.stats.p.changed).toBe(0)
      expect(task(warned, 'claw_mesh : Bootstrap').hosts.p.warnings?.join('\n')).toMatch(
        /ghost down .*claw-mesh exit 4/,
      )
      const failed = await playbook('ghost peer, fail', ['--limit', 'p', '-e', 'claw_mesh_peer_down=fail'])
      expect(failed.exitCode).toBe(2)
      expect(failed.stats.p.failures).toBe(1)
      expect(task(failed, 'claw_mesh : Bootstrap').hosts.p).toMatchObject({
        failed: true,
        msg: expect.stringMatching(/ghost down/),
      })
    } finally {
      expect((await p.cli(['peer', 'remove', 'ghost'])).exitCode).toBe(0)
    }
  })

  it("a claw-mesh error fails the task with claw-mesh's own message and hint", async () => {
    const run = await playbook('wrong identity', ['--limit', 'r', '--check', '-e', 'claw_mesh_identity=other'])
    expect(run.exitCode).toBe(2)
    expect(task(run, 'claw_mesh : Bootstrap').hosts.r).toMatchObject({
      failed: true,
      msg: expect.stringMatching(/already in the mesh as "r".* Hint: Re-run with --identity r/),
    })
  })

  it('claw_mesh_state: absent runs leave: the gateway stops and openclaw.json is given back; a second run changes nothing', async () => {
    const r = hosts[2]
    const pid = r.gatewayPid()!
    const left = await playbook('absent', ['--limit', 'r', '-e', 'claw_mesh_state=absent'])
    noFailures(left)
    expect(left.stats.r.changed).toBe(1)
    expect(pidsIn(r)).not.toContain(pid)
    expect(existsSync(r.configPath)).toBe(false) // there was none before claw-mesh
    const again = await playbook('absent again', ['--limit', 'r', '-e', 'claw_mesh_state=absent'])
    noFailures(again)
    expect(again.stats.r.changed).toBe(0)
  })

  it("no secret in Ansible's output, its log, any argv, or a file outside the stores", () => {
    expect(runs.length).toBeGreaterThanOrEqual(8)
    const leaks: string[] = []
    const scan = (where: string, text: string) => {
      for (const [value, name] of [
        [KEY, 'tailscale key'],
        [SECRET, 'mesh secret'],
      ])
        if (text.includes(value)) leaks.push(`${name} in ${where}`)
    }
    runs.forEach((r, i) => {
      scan(`run ${i} stdout`, r.stdout)
      scan(`run ${i} stderr`, r.stderr)
    })
    scan('ansible.log', readFileSync(path.join(work, 'ansible.log'), 'utf8'))
    for (const h of hosts) {
      scan(`[${h.name}] tailscale argv`, JSON.stringify(h.tailscaleArgv()))
      scan(`[${h.name}] openclaw argv`, h.openclawArgv().join('\n'))
      for (const f of ['claw-mesh/state.json', 'openclaw-argv.log'])
        scan(`[${h.name}] ${f}`, readFileSync(path.join(h.home, f), 'utf8'))
      // No file on the host holds the vault values: they went to claw-mesh in its environment.
      expect(existsSync(path.join(h.home, 'secrets'))).toBe(false)
      for (const f of walkFiles(h.home))
        scan(
          `[${h.name}] ${path.relative(h.home, f)}`,
          f.includes('secrets.json') || f.endsWith('.sqlite') ? '' : readFileSync(f, 'latin1'),
        )
    }
    expect(leaks).toEqual([])
  })
})
