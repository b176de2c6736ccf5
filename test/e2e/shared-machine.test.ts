import {execFile, execFileSync, spawn, type ChildProcess} from 'node:child_process'
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {ROOT} from '../helpers/built-cli.js'
import {requireOrSkip} from '../helpers/mesh-host.js'
import {TAILSCALE_DIR} from '../helpers/real-tailnet.js'

/**
 * A machine two people use. Root runs the machine's tailscaled (the real one, at the OS default socket, in a mount
 * namespace of this test's so the machine's own /run/tailscale is never touched); a second user, with neither root
 * nor sudo, runs claw-mesh. Their bootstrap must see that the machine's node is not theirs before it joins or writes
 * anything, and `tailscale install --networking userspace` must give them a real tailscaled of their own, run as them.
 */
const NOBODY = 65534
const tailscale = path.join(TAILSCALE_DIR, 'tailscale')
const tailscaled = path.join(TAILSCALE_DIR, 'tailscaled')
const unavailable =
  process.getuid?.() !== 0
    ? 'needs root (a second user is made with setpriv)'
    : !existsSync(tailscaled)
      ? `tailscaled not built in ${TAILSCALE_DIR} (run scripts/provision.sh)`
      : !existsSync(path.join(ROOT, 'dist'))
        ? 'claw-mesh is not built (npm run build)'
        : undefined
const ready = requireOrSkip(unavailable)

interface Run {
  code: number
  stdout: string
  stderr: string
}

describe.skipIf(!ready)("a second user on a machine whose tailscaled is root's", () => {
  let dir: string
  let holder: ChildProcess
  let app: string
  let env: Record<string, string>
  const userEnv = (extra: Record<string, string> = {}) => ({...env, ...extra})
  /** Runs as uid 65534 inside the test's mount namespace. */
  const asNobody = (args: string[], extra: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve) => {
      execFile(
        'nsenter',
        [
          '-t',
          String(holder.pid),
          '-m',
          'setpriv',
          `--reuid=${NOBODY}`,
          `--regid=${NOBODY}`,
          '--clear-groups',
          ...args,
        ],
        {env: userEnv(extra), encoding: 'utf8', timeout: 120_000},
        (error, stdout, stderr) => {
          resolve({code: error ? Number((error as {code?: number}).code ?? 1) : 0, stdout, stderr})
        },
      )
    })
  const cli = (args: string[], extra: Record<string, string> = {}) =>
    asNobody([path.join(dir, 'bin', 'node'), path.join(app, 'bin', 'run.js'), ...args], extra)

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'cm-shared-'))
    chmodSync(dir, 0o755)
    mkdirSync(path.join(dir, 'bin'))
    // The second user cannot read root's home (where the test Node and tools live): they get their own copies.
    copyFileSync(process.execPath, path.join(dir, 'bin', 'node'))
    copyFileSync(tailscale, path.join(dir, 'bin', 'tailscale'))
    copyFileSync(tailscaled, path.join(dir, 'bin', 'tailscaled'))
    for (const f of ['node', 'tailscale', 'tailscaled']) chmodSync(path.join(dir, 'bin', f), 0o755)
    const readable = (() => {
      try {
        execFileSync('setpriv', [
          `--reuid=${NOBODY}`,
          `--regid=${NOBODY}`,
          '--clear-groups',
          'test',
          '-r',
          path.join(ROOT, 'node_modules', '@oclif', 'core', 'package.json'),
        ])
        return true
      } catch {
        return false
      }
    })()
    app = ROOT
    if (!readable) {
      app = path.join(dir, 'app')
      mkdirSync(app)
      for (const f of ['bin', 'dist', 'templates', 'node_modules', 'package.json', 'oclif.manifest.json'])
        execFileSync('cp', ['-a', path.join(ROOT, f), app])
      execFileSync('chmod', ['-R', 'a+rX', app])
    }
    const home = path.join(dir, 'home')
    mkdirSync(home, {mode: 0o700})
    chownSync(home, NOBODY, NOBODY)
    // OpenClaw is a stand-in here: only the plan is asked for, and the gateway is never started.
    const oc = path.join(dir, 'bin', 'openclaw')
    writeFileSync(
      oc,
      '#!/bin/sh\ncase "$1" in --version) echo "OpenClaw 2026.9.6 (test)";; config) echo \'{"valid":true,"issues":[]}\';; *) exit 1;; esac\n',
      {mode: 0o755},
    )
    writeFileSync(path.join(dir, 'ts.key'), `tskey-auth-k${'x'.repeat(40)}\n`, {mode: 0o644})
    env = {
      PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin`,
      HOME: home,
      USER: 'nobody',
      LOGNAME: 'nobody',
      CLAW_MESH_OPENCLAW: oc,
      OPENCLAW_CONFIG_PATH: path.join(home, 'openclaw', 'openclaw.json'),
      CLAW_MESH_SECRET_STORE: 'file',
      CLAW_MESH_SKIP_NEW_VERSION_CHECK: '1',
      NO_COLOR: '1',
      CI: 'true',
      TS_NO_LOGS_NO_SUPPORT: 'true',
      TS_DISABLE_PORTMAPPER: '1',
    }
    // The machine's tailscaled, as root, at the OS default socket — inside a mount namespace with its own /run/tailscale.
    mkdirSync('/run/tailscale', {recursive: true})
    const state = path.join(dir, 'machine-ts')
    holder = spawn(
      'unshare',
      [
        '-m',
        '--propagation',
        'private',
        'sh',
        '-c',
        `mount -t tmpfs tmpfs /run/tailscale && exec ${JSON.stringify(tailscaled)} --tun=userspace-networking --socket=/var/run/tailscale/tailscaled.sock --statedir=${JSON.stringify(state)} --no-logs-no-support --port=0`,
      ],
      {env: {...env, TS_LOGS_DIR: path.join(dir, 'machine-logs')}, stdio: 'ignore', detached: true},
    )
    const deadline = Date.now() + 30_000
    for (;;) {
      const r = await asNobody(['tailscale', 'status', '--json'])
      if (/"BackendState":\s*"NeedsLogin"/.test(r.stdout)) break
      if (Date.now() > deadline) throw new Error(`the machine's tailscaled did not answer: ${r.stderr}`)
      await new Promise((res) => setTimeout(res, 300))
    }
  }, 180_000)

  afterAll(() => {
    try {
      execFileSync('pkill', ['-u', String(NOBODY), '-f', path.join(dir, 'bin', 'tailscaled')])
    } catch {
      // none left
    }
    if (holder?.pid) process.kill(-holder.pid, 'SIGKILL')
    rmSync(dir, {recursive: true, force: true})
  })

  it("the machine's node is not theirs: bootstrap's plan says so before anything is joined or written (exit 3)", async () => {
    const r = await cli([
      'bootstrap',
      '--identity',
      'bob',
      '--tailscale-key',
      `file:${path.join(dir, 'ts.key')}`,
      '--install',
      '--dry-run',
      '--json',
    ])
    expect(r.code, r.stdout + r.stderr).toBe(3)
    const doc = JSON.parse(r.stdout) as {error: {code: string; message: string; hint: string}}
    expect(doc.error.code).toBe('tailscale-not-yours')
    expect(doc.error.message).toMatch(/this machine's tailscaled is run for root, not for you \(nobody\)/)
    expect(doc.error.hint).toContain('CLAW_MESH_TAILSCALE_NETWORKING=userspace')
    expect(existsSync(path.join(env.HOME, '.local', 'state', 'claw-mesh', 'state.json'))).toBe(false)
  })

  it('a tailscaled of their own, in userspace networking: started as them, no root, its socket in their state dir', async () => {
    const r = await cli(['tailscale', 'install', '--networking', 'userspace', '--json'])
    expect(r.code, r.stdout + r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout) as {
      alreadyInstalled: boolean
      socket: string
      daemonPid: number
      plan: {steps: {command: string}[]}
    }
    expect(doc.alreadyInstalled).toBe(false)
    expect(doc.plan.steps.map((s) => s.command)).not.toContain('sudo')
    expect(doc.socket).toBe(path.join(env.HOME, '.local', 'state', 'claw-mesh', 'tailscaled.sock'))
    // The daemon really runs as the second user.
    const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${doc.daemonPid}/status`, 'utf8'))![1]
    expect(Number(uid)).toBe(NOBODY)
    const status = await asNobody(['tailscale', `--socket=${doc.socket}`, 'status', '--json'])
    expect(status.stdout).toMatch(/"BackendState":\s*"NeedsLogin"/)
  })

  it('with their own tailscaled, the plan joins their node, not the machine’s', async () => {
    const r = await cli(
      [
        'bootstrap',
        '--identity',
        'bob',
        '--tailscale-key',
        `file:${path.join(dir, 'ts.key')}`,
        '--install',
        '--dry-run',
        '--json',
      ],
      {CLAW_MESH_TAILSCALE_NETWORKING: 'userspace'},
    )
    expect(r.code, r.stdout + r.stderr).toBe(0)
    const doc = JSON.parse(r.stdout) as {steps: {id: string; action: string}[]}
    expect(doc.steps.find((s) => s.id === 'tailscale-join')).toMatchObject({action: 'run'})
  })
})
