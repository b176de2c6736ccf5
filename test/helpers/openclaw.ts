import {execFile, execFileSync, spawn, type ChildProcess} from 'node:child_process'
import {existsSync, promises as fs, readFileSync} from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {it} from 'vitest'
import {defaultNode24, defaultOpenClaw} from './tool-cache.js'

/**
 * Finding and driving the real OpenClaw (and Node 24, which it needs) for end-to-end tests.
 * `CLAW_MESH_TEST_OPENCLAW` is the openclaw executable; `CLAW_MESH_TEST_NODE` a Node 24.16+ binary.
 */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const CLI = path.join(ROOT, 'bin', 'run.js')

export type OpenClawForTests =
  {ok: true; bin: string; node: string; nodeDir: string; version: string} | {ok: false; reason: string}

function nodeVersionOk(node: string): string | undefined {
  try {
    const v = execFileSync(node, ['--version']).toString().trim()
    const [major, minor] = v.slice(1).split('.').map(Number)
    return (major === 24 && minor >= 16) || (major === 26 && minor >= 1) || major > 26 ? v : undefined
  } catch {
    return undefined
  }
}

export function openclawForTests(env: NodeJS.ProcessEnv = process.env): OpenClawForTests {
  const bin = env.CLAW_MESH_TEST_OPENCLAW || defaultOpenClaw(env)
  if (!existsSync(bin))
    return {ok: false, reason: `OpenClaw not found at ${bin} (set CLAW_MESH_TEST_OPENCLAW to the openclaw executable)`}
  const candidates = [env.CLAW_MESH_TEST_NODE, defaultNode24(env), process.execPath].filter(
    (n): n is string => Boolean(n) && existsSync(n!),
  )
  const node = candidates.find((n) => nodeVersionOk(n))
  if (!node)
    return {
      ok: false,
      reason: `no Node 24.16+ found for OpenClaw (tried ${candidates.join(', ') || 'nothing'}; set CLAW_MESH_TEST_NODE)`,
    }
  const nodeDir = path.dirname(node)
  try {
    const version = execFileSync(bin, ['--version'], {
      env: {...env, PATH: `${nodeDir}${path.delimiter}${env.PATH ?? ''}`},
    })
      .toString()
      .trim()
    return {ok: true, bin, node, nodeDir, version}
  } catch (error) {
    return {ok: false, reason: `${bin} --version failed: ${(error as Error).message.split('\n')[0]}`}
  }
}

/**
 * When a required real component is missing: in CI (CI=true) a failing test says so; elsewhere the suite is
 * skipped and the reason is printed. Returns true when the suite can run.
 */
export function requireOrSkip(what: string, available: {ok: boolean; reason?: string}): boolean {
  if (available.ok) return true
  if (process.env.CI === 'true') {
    it(`${what} is available (required in CI)`, () => {
      throw new Error(`${what} is missing: ${available.reason}`)
    })
  } else {
    console.warn(`skipping ${what} tests: ${available.reason}`)
    // A visible skipped test carries the reason (and a file with no test at all would be an error).
    it.skip(`${what} tests skipped: ${available.reason}`, () => {})
  }
  return false
}

/** A port nothing listens on right now (127.0.0.1). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const {port} = s.address() as net.AddressInfo
      s.close(() => resolve(port))
    })
  })
}

let built: Promise<void> | undefined
/** Builds dist/ once per test process (`tsc -p tsconfig.build.json`); the e2e suite runs the built CLI. */
export function buildCli(): Promise<void> {
  built ??= new Promise<void>((resolve, reject) => {
    const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc')
    execFile(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {cwd: ROOT}, (error, stdout) => {
      // Type errors elsewhere in the tree still emit; what matters is that the commands under test exist.
      const needed = [
        'commands/gateway/configure.js',
        'commands/gateway/start.js',
        'commands/gateway/status.js',
        'commands/secrets/resolve.js',
      ]
      const missing = needed.filter((f) => !existsSync(path.join(ROOT, 'dist', f)))
      if (missing.length > 0)
        reject(new Error(`build did not produce ${missing.join(', ')}: ${error?.message ?? ''}\n${stdout}`))
      else resolve()
    })
  })
  return built
}

export interface Sandbox {
  dir: string
  home: string
  /** CLAW_MESH_HOME */
  cm: string
  /** OPENCLAW_STATE_DIR */
  oc: string
  configPath: string
  env: Record<string, string>
}

/** A temporary HOME, claw-mesh state dir and OpenClaw state dir; nothing of the real user's is visible. */
export async function sandbox(
  oc: OpenClawForTests,
  name: string,
  extraEnv: Record<string, string> = {},
): Promise<Sandbox> {
  const dir = await fs.mkdtemp(path.join('/tmp', `cm-e2e-${name}-`))
  const s = {
    dir,
    home: path.join(dir, 'home'),
    cm: path.join(dir, 'cm'),
    oc: path.join(dir, 'openclaw'),
    configPath: path.join(dir, 'openclaw', 'openclaw.json'),
  }
  await fs.mkdir(s.home, {recursive: true})
  await fs.mkdir(s.oc, {recursive: true, mode: 0o700})
  // Without OpenClaw (tests that only need claw-mesh) CLAW_MESH_OPENCLAW stays unset: nothing validates.
  const env: Record<string, string> = {
    PATH: `${oc.ok ? oc.nodeDir : path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: s.home,
    CLAW_MESH_HOME: s.cm,
    OPENCLAW_STATE_DIR: s.oc,
    OPENCLAW_CONFIG_PATH: s.configPath,
    ...(oc.ok ? {CLAW_MESH_OPENCLAW: oc.bin} : {}),
    CLAW_MESH_SKIP_NEW_VERSION_CHECK: 'true',
    // These gateways run in the host's namespace: no update check (they would look up OpenClaw's servers).
    OPENCLAW_NO_AUTO_UPDATE: '1',
    NO_COLOR: '1',
    ...extraEnv,
  }
  return {...s, env}
}

export interface CliRun {
  exitCode: number
  stdout: string
  stderr: string
  ms: number
  json<T = Record<string, unknown>>(): T
}

/** Runs the built CLI (`node bin/run.js …`), optionally through a prefix such as `nsenter -t PID -n`. */
export function runCli(
  oc: {node: string},
  args: string[],
  opts: {env: Record<string, string>; input?: string; prefix?: string[]; timeoutMs?: number},
): Promise<CliRun> {
  const started = Date.now()
  const [cmd, ...pre] = opts.prefix?.length ? opts.prefix : [oc.node]
  const argv = opts.prefix?.length ? [...pre, oc.node, CLI, ...args] : [CLI, ...args]
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, {env: opts.env, cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 240_000)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({exitCode: code ?? -1, stdout, stderr, ms: Date.now() - started, json: <T>() => JSON.parse(stdout) as T})
    })
    // A child that exits without reading stdin (ip, a failed command) must not crash the test with EPIPE.
    child.stdin.on('error', () => {})
    child.stdin.end(opts.input ?? '')
  })
}

/** Runs a command and returns stdout (throws on failure), for openclaw itself and small probes. */
export function runTool(
  cmd: string,
  args: string[],
  opts: {env: Record<string, string>; input?: string; prefix?: string[]},
): Promise<{exitCode: number; stdout: string; stderr: string}> {
  const [c, ...pre] = opts.prefix?.length ? [...opts.prefix, cmd] : [cmd]
  return new Promise((resolve, reject) => {
    const child = spawn(c, [...pre, ...args], {env: opts.env, stdio: ['pipe', 'pipe', 'pipe']})
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('error', reject)
    child.on('close', (code) => resolve({exitCode: code ?? -1, stdout, stderr}))
    // A child that exits without reading stdin (ip, a failed command) must not crash the test with EPIPE.
    child.stdin.on('error', () => {})
    child.stdin.end(opts.input ?? '')
  })
}

export const PROBE = path.join(ROOT, 'test', 'helpers', 'gateway-probe.mjs')

export interface ProbeReport {
  healthz: number | string
  readyz: number | string
  ws: {verdict: string; code?: string; closeCode?: number; protocol?: number}
  wsWrong: {verdict: string; code?: string; closeCode?: number}
  hooks: number | string
  hooksWrong: number | string
}

/** Independent check of a gateway (not claw-mesh's code): HTTP probes, raw WebSocket handshake, /hooks/wake. */
export async function probeGateway(
  oc: {node: string},
  baseUrl: string,
  tokens: {gatewayToken: string; hooksToken: string},
  prefix?: string[],
): Promise<ProbeReport> {
  const r = await runTool(oc.node, [PROBE, baseUrl], {
    env: {PATH: process.env.PATH ?? ''},
    input: JSON.stringify(tokens),
    prefix,
  })
  if (r.exitCode !== 0) throw new Error(`probe failed: ${r.stderr}`)
  return JSON.parse(r.stdout) as ProbeReport
}

/** Stops a gateway claw-mesh started in the background (pid file in its state dir), and waits for it to go. */
export async function killBackgroundGateway(cmDir: string): Promise<void> {
  const pidFile = path.join(cmDir, 'gateway.pid')
  if (!existsSync(pidFile)) return
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]) // `<pid>\n<start time>\n`
  await killPid(pid)
}

export async function killPid(pid: number | undefined, graceMs = 15_000): Promise<void> {
  if (!pid || pid <= 0) return
  await stopAndWait(pid, graceMs)
}

/**
 * Stops a detached child's whole process group and waits until no process of it is left, so a directory it writes
 * to can be removed afterwards: the gateway keeps writing its cache for a moment after SIGTERM, and removing the
 * sandbox under it failed with ENOTEMPTY.
 */
export async function stopTree(child: ChildProcess | undefined, graceMs = 10_000): Promise<void> {
  if (!child?.pid) return
  await stopAndWait(-child.pid, graceMs)
}

/** SIGTERM to `target` (a pid, or a process group as a negative number), then SIGKILL after `graceMs`; waits for it. */
async function stopAndWait(target: number, graceMs: number): Promise<void> {
  const alive = (): boolean => {
    try {
      process.kill(target, 0)
      return true
    } catch {
      return false
    }
  }
  const signal = (sig: NodeJS.Signals): void => {
    try {
      process.kill(target, sig)
    } catch {
      // gone meanwhile
    }
  }
  if (!alive()) return
  signal('SIGTERM')
  const deadline = Date.now() + graceMs
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  if (!alive()) return
  signal('SIGKILL')
  const hardDeadline = Date.now() + 5_000
  while (alive() && Date.now() < hardDeadline) await new Promise((r) => setTimeout(r, 50))
}

/** Kills a child and its process group (dbus-run-session, unshare holders) without waiting. */
export function killTree(child: ChildProcess | undefined): void {
  if (!child?.pid) return
  try {
    process.kill(-child.pid, 'SIGTERM')
  } catch {
    try {
      child.kill('SIGTERM')
    } catch {
      // gone
    }
  }
}

/** Whether this machine lets us create a network namespace (root, or user namespaces allowed). */
export function netnsAvailable(): {ok: boolean; reason?: string} {
  try {
    execFileSync('unshare', ['-n', 'ip', 'link', 'add', 'v0', 'type', 'veth', 'peer', 'name', 'v1'], {stdio: 'ignore'})
    return {ok: true}
  } catch {
    return {
      ok: false,
      reason:
        'cannot create a network namespace with a veth pair here (needs root or unprivileged user namespaces, and iproute2)',
    }
  }
}

/** A Secret Service can be started (dbus-run-session and gnome-keyring-daemon on PATH). */
export function secretServiceAvailable(): {ok: boolean; reason?: string} {
  const missing = ['dbus-run-session', 'gnome-keyring-daemon'].filter((c) => {
    try {
      execFileSync('sh', ['-c', `command -v ${c}`], {stdio: 'ignore'})
      return false
    } catch {
      return true
    }
  })
  return missing.length
    ? {ok: false, reason: `${missing.join(' and ')} not installed (apt-get install dbus gnome-keyring libsecret-tools)`}
    : {ok: true}
}

export interface SecretServiceSession {
  /** DBUS_SESSION_BUS_ADDRESS of the session (a path socket: usable from other network namespaces too). */
  busAddress: string
  stop(): Promise<void>
}

/**
 * A private D-Bus session with gnome-keyring's Secret Service, unlocked with a password given on stdin, kept alive
 * until stop(). Its keyring files live under `home`.
 */
export async function startSecretService(
  home: string,
  password = 'claw-mesh-e2e-keyring',
): Promise<SecretServiceSession> {
  await fs.mkdir(home, {recursive: true})
  const busFile = path.join(home, '.dbus-address')
  const child = spawn(
    'dbus-run-session',
    [
      '--',
      'sh',
      '-c',
      'printf %s "$KEYRING_PW" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1; echo "$DBUS_SESSION_BUS_ADDRESS" > "$BUS_FILE"; exec sleep 3600',
    ],
    {
      env: {PATH: '/usr/local/bin:/usr/bin:/bin', HOME: home, KEYRING_PW: password, BUS_FILE: busFile},
      detached: true,
      stdio: 'ignore',
    },
  )
  const deadline = Date.now() + 20_000
  let busAddress = ''
  while (Date.now() < deadline) {
    busAddress = existsSync(busFile) ? readFileSync(busFile, 'utf8').trim() : ''
    if (busAddress) break
    await new Promise((r) => setTimeout(r, 100))
  }
  if (!busAddress) {
    killTree(child)
    throw new Error('the D-Bus session with gnome-keyring did not come up within 20 s')
  }
  return {
    busAddress,
    async stop() {
      killTree(child)
      await new Promise((r) => setTimeout(r, 200))
    },
  }
}
