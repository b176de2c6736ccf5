import {execFile, spawnSync} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {CLI, type CliRun} from './built-cli.js'
import type {NetnsHost} from './netns.js'
import {defaultOpenClaw} from './tool-cache.js'
import {createSimHost, SIM_BIN_DIR, SIM_TAILSCALE, type ControlPlane, type SimHost} from './tailscale-sim.js'

/** The real openclaw binary for end-to-end tests, or why there is none. */
export function findOpenClaw(): {bin?: string; reason?: string} {
  const bin = process.env.CLAW_MESH_TEST_OPENCLAW || defaultOpenClaw()
  if (!existsSync(bin))
    return {reason: `openclaw not found at ${bin} (set CLAW_MESH_TEST_OPENCLAW, or run .ci/run which installs it)`}
  const major = Number(process.versions.node.split('.')[0])
  if (major < 24) return {reason: `OpenClaw needs Node 24.16+, the tests run on ${process.version}`}
  return {bin}
}

/** Skip with a reason locally; fail under CI, where a missing prerequisite must never pass silently. */
export function requireOrSkip(reason: string | undefined): boolean {
  if (!reason) return true
  if (process.env.CI === 'true') throw new Error(`end-to-end prerequisite missing under CI: ${reason}`)
  console.warn(`skipping: ${reason}`)
  return false
}

export interface MeshHost {
  name: string
  /** `sim`: the Tailscale simulator; `real`: a real tailscaled on a Headscale tailnet (test/helpers/real-tailnet.ts). */
  kind: 'sim' | 'real'
  ns?: string
  /** The host's tailnet IPv4 (on a real tailnet: read from its tailscaled, so only once it has joined). */
  readonly ip: string
  home: string
  stateDir: string
  configPath: string
  env: Record<string, string>
  /** Every run: its argv, stdout and stderr (for the secret-hygiene scan). */
  transcript: {args: string[]; stdout: string; stderr: string}[]
  /** argv of every `openclaw` call claw-mesh made (through a logging wrapper). */
  openclawArgv(): string[]
  /** argv of every `tailscale` call made on this host (without the program name), oldest first. */
  tailscaleArgv(): string[][]
  /** Runs this host's `tailscale` CLI (real: with its --socket) and never rejects on a non-zero exit. */
  tailscale(args: string[]): Promise<CliRun>
  /** Runs the built claw-mesh on this host (inside its namespace). */
  /**
   * Runs the built claw-mesh on this host. `killWhen` is fault injection from outside: the process gets SIGKILL the
   * moment its stderr so far matches (e.g. a step's completion line in the progress).
   */
  cli(
    args: string[],
    opts?: {input?: string; timeoutMs?: number; env?: Record<string, string>; killWhen?: RegExp},
  ): Promise<CliRun>
  /** The background gateway's pid claw-mesh recorded, if any. */
  gatewayPid(): number | undefined
  cleanup(): void
}

/** A host on the simulator, with its knobs (faults, daemon down) — what only the simulator can give. */
export interface SimMeshHost extends MeshHost {
  sim: SimHost
}

export function createMeshHost(opts: {
  name: string
  net?: NetnsHost
  control: ControlPlane
  openclaw: string
  ip?: string
}): SimMeshHost {
  const ip = opts.net?.ip ?? opts.ip ?? '127.0.0.1'
  const sim = createSimHost({control: opts.control, name: opts.name, forceIp: ip})
  sim.startDaemon()
  const host = buildHost({name: opts.name, ns: opts.net?.ns, openclaw: opts.openclaw, sim, ip})
  return Object.assign(host, {sim})
}

interface RealTailscale {
  cli: string
  socket: string
  loginServer: string
  /** tailscaled's state dir (removed on cleanup). */
  stateDir: string
  /** Set when claw-mesh starts tailscaled itself (socket '' = claw-mesh's default, in its state dir): the binary put on PATH, and its environment. */
  tailscaled?: string
  daemonEnv?: Record<string, string>
}

/** The host both kinds share: its home, env, wrappers and the claw-mesh runner. */
export function buildHost(opts: {
  name: string
  ns?: string
  openclaw: string
  ip?: string
  sim?: SimHost
  tailscale?: RealTailscale
}): MeshHost {
  const home = mkdtempSync(path.join(os.tmpdir(), `cm-host-${opts.name}-`))
  const stateDir = path.join(home, 'claw-mesh')
  mkdirSync(stateDir, {recursive: true, mode: 0o700})
  // claw-mesh calls openclaw (and the real tailscale) through wrappers that record each argv and then exec the real one.
  const binDir = path.join(home, 'bin')
  mkdirSync(binDir, {recursive: true})
  const wrapper = path.join(binDir, 'openclaw')
  const argvLog = path.join(home, 'openclaw-argv.log')
  writeFileSync(wrapper, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${argvLog}'\nexec '${opts.openclaw}' "$@"\n`, {
    mode: 0o755,
  })
  const real = opts.tailscale
    ? {...opts.tailscale, socket: opts.tailscale.socket || path.join(stateDir, 'tailscaled.sock')}
    : undefined
  if (real?.tailscaled) symlinkSync(real.tailscaled, path.join(binDir, 'tailscaled'))
  const tsLog = path.join(home, 'tailscale-argv.log')
  if (real)
    writeFileSync(
      path.join(binDir, 'tailscale'),
      `#!/bin/sh\nprintf '%s\\0' "$@" >> '${tsLog}'\nprintf '\\n' >> '${tsLog}'\nexec '${real.cli}' "$@"\n`,
      {mode: 0o755},
    )
  const tailscaleEnv: Record<string, string> = real
    ? {CLAW_MESH_TAILSCALE: path.join(binDir, 'tailscale'), CLAW_MESH_TAILSCALE_SOCKET: real.socket}
    : {...opts.sim!.env, CLAW_MESH_TAILSCALE: SIM_TAILSCALE}
  const env: Record<string, string> = {
    ...tailscaleEnv,
    ...real?.daemonEnv,
    HOME: home,
    CLAW_MESH_HOME: stateDir,
    CLAW_MESH_SECRET_STORE: 'file',
    CLAW_MESH_OPENCLAW: wrapper,
    CLAW_MESH_SKIP_NEW_VERSION_CHECK: '1',
    // vitest sets NODE_ENV=test; the CLI must run as users run it.
    NODE_ENV: 'production',
    PATH: [
      real ? binDir : SIM_BIN_DIR,
      path.dirname(process.execPath),
      path.dirname(opts.openclaw),
      process.env.PATH ?? '',
    ].join(path.delimiter),
    NO_COLOR: '1',
    CI: 'true',
    // No systemd user session: claw-mesh runs the gateway as its own background process.
    XDG_RUNTIME_DIR: '',
    DBUS_SESSION_BUS_ADDRESS: '',
  }
  const exec = (
    file: string,
    args: string[],
    runEnv: Record<string, string>,
    timeoutMs: number,
    input?: string,
    killWhen?: RegExp,
  ): Promise<CliRun> => {
    const [cmd, argv] = opts.ns ? ['ip', ['netns', 'exec', opts.ns, file, ...args]] : [file, args]
    return new Promise((resolve, reject) => {
      const child = execFile(
        cmd,
        argv,
        {env: runEnv, timeout: timeoutMs, encoding: 'utf8', maxBuffer: 32 * 1024 * 1024},
        (error, stdout, stderr) => {
          // A process killed by a signal reports it the shell's way (128 + n), e.g. 137 for SIGKILL.
          const signal = error && 'signal' in error && typeof error.signal === 'string' ? error.signal : undefined
          if (error && typeof error.code !== 'number' && !signal)
            return reject(
              new Error(`[${opts.name}] ${path.basename(file)} ${args.join(' ')}: ${error.message}\n${stderr}`),
            )
          const exitCode = signal ? 128 + (os.constants.signals[signal] ?? 0) : error ? Number(error.code) : 0
          resolve({exitCode, stdout, stderr, json: <T>() => JSON.parse(stdout) as T})
        },
      )
      if (killWhen) {
        let seen = ''
        child.stderr?.on('data', (chunk: string) => {
          seen += chunk
          if (killWhen.test(seen)) child.kill('SIGKILL')
        })
      }
      child.stdin?.end(input ?? '')
    })
  }
  const host: MeshHost = {
    name: opts.name,
    kind: real ? 'real' : 'sim',
    ns: opts.ns,
    get ip() {
      if (!real) return opts.ip ?? '127.0.0.1'
      const r = spawnSync(real.cli, [`--socket=${real.socket}`, 'ip', '-4'], {encoding: 'utf8'})
      if (r.status !== 0) throw new Error(`[${opts.name}] has no tailnet IPv4 yet: ${r.stderr.trim()}`)
      return r.stdout.trim().split('\n')[0]
    },
    home,
    stateDir,
    configPath: path.join(home, '.openclaw', 'openclaw.json'),
    env,
    transcript: [],
    openclawArgv: () => (existsSync(argvLog) ? readFileSync(argvLog, 'utf8').split('\n').filter(Boolean) : []),
    tailscaleArgv() {
      if (!real) return opts.sim!.argvLog()
      if (!existsSync(tsLog)) return []
      return readFileSync(tsLog, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => line.split('\0').slice(0, -1))
    },
    tailscale: (args) =>
      real ? exec(real.cli, [`--socket=${real.socket}`, ...args], env, 60_000) : exec(SIM_TAILSCALE, args, env, 60_000),
    async cli(args, runOpts = {}) {
      const run = await exec(
        process.execPath,
        [CLI, ...args],
        {...env, ...runOpts.env},
        runOpts.timeoutMs ?? 240_000,
        runOpts.input,
        runOpts.killWhen,
      )
      host.transcript.push({args, stdout: run.stdout, stderr: run.stderr})
      return run
    },
    gatewayPid() {
      const file = path.join(stateDir, 'gateway.pid')
      // The pid file is `<pid>\n<start time>\n`: the pid is its first line.
      return existsSync(file) ? Number(readFileSync(file, 'utf8').split('\n')[0]) : undefined
    },
    cleanup() {
      const pid = host.gatewayPid()
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {
          // gone
        }
      }
      opts.sim?.cleanup()
      rmSync(home, {recursive: true, force: true})
      if (real) rmSync(real.stateDir, {recursive: true, force: true, maxRetries: 5, retryDelay: 100})
    },
  }
  return host
}

/** Bytes and mtime of a file, to prove a run wrote nothing. */
export function fingerprint(file: string): string {
  if (!existsSync(file)) return 'absent'
  const st = statSync(file)
  return `${st.mtimeMs}:${readFileSync(file).toString('base64')}`
}

export function writeKeyFile(dir: string, key: string): string {
  const file = path.join(dir, 'ts-authkey')
  writeFileSync(file, `${key}\n`, {mode: 0o600})
  return file
}
