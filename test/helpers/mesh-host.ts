import {execFile} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {CLI, type CliRun} from './built-cli.js'
import type {NetnsHost} from './netns.js'
import {createSimHost, SIM_BIN_DIR, SIM_TAILSCALE, type ControlPlane, type SimHost} from './tailscale-sim.js'

export const DEFAULT_OPENCLAW = '/root/.cache/claw-mesh/openclaw-2026.9.6/node_modules/.bin/openclaw'

/** The real openclaw binary for end-to-end tests, or why there is none. */
export function findOpenClaw(): {bin?: string; reason?: string} {
  const bin = process.env.CLAW_MESH_TEST_OPENCLAW || DEFAULT_OPENCLAW
  if (!existsSync(bin)) return {reason: `openclaw not found at ${bin} (set CLAW_MESH_TEST_OPENCLAW, or run .ci/run which installs it)`}
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
  ns?: string
  ip: string
  home: string
  stateDir: string
  configPath: string
  env: Record<string, string>
  sim: SimHost
  /** Every run: its argv, stdout and stderr (for the secret-hygiene scan). */
  transcript: {args: string[]; stdout: string; stderr: string}[]
  /** argv of every `openclaw` call claw-mesh made (through a logging wrapper). */
  openclawArgv(): string[]
  /** Runs the built claw-mesh on this host (inside its namespace). */
  cli(args: string[], opts?: {input?: string; timeoutMs?: number; env?: Record<string, string>}): Promise<CliRun>
  /** The background gateway's pid claw-mesh recorded, if any. */
  gatewayPid(): number | undefined
  cleanup(): void
}

export function createMeshHost(opts: {name: string; net?: NetnsHost; control: ControlPlane; openclaw: string; ip?: string}): MeshHost {
  const home = mkdtempSync(path.join(os.tmpdir(), `cm-host-${opts.name}-`))
  const stateDir = path.join(home, 'claw-mesh')
  mkdirSync(stateDir, {recursive: true, mode: 0o700})
  const ip = opts.net?.ip ?? opts.ip ?? '127.0.0.1'
  // claw-mesh calls openclaw through this wrapper, which records each argv line and then becomes the real one.
  const wrapper = path.join(home, 'bin', 'openclaw')
  const argvLog = path.join(home, 'openclaw-argv.log')
  mkdirSync(path.dirname(wrapper), {recursive: true})
  writeFileSync(wrapper, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${argvLog}'\nexec '${opts.openclaw}' "$@"\n`, {mode: 0o755})
  const sim = createSimHost({control: opts.control, name: opts.name, forceIp: ip})
  sim.startDaemon()
  const env: Record<string, string> = {
    ...sim.env,
    HOME: home,
    CLAW_MESH_HOME: stateDir,
    CLAW_MESH_SECRET_STORE: 'file',
    CLAW_MESH_OPENCLAW: wrapper,
    CLAW_MESH_TAILSCALE: SIM_TAILSCALE,
    CLAW_MESH_SKIP_NEW_VERSION_CHECK: '1',
    // vitest sets NODE_ENV=test; the CLI must run as users run it.
    NODE_ENV: 'production',
    PATH: [SIM_BIN_DIR, path.dirname(process.execPath), path.dirname(opts.openclaw), process.env.PATH ?? ''].join(path.delimiter),
    NO_COLOR: '1',
    CI: 'true',
    // No systemd user session: claw-mesh runs the gateway as its own background process.
    XDG_RUNTIME_DIR: '',
    DBUS_SESSION_BUS_ADDRESS: '',
  }
  const host: MeshHost = {
    name: opts.name,
    ns: opts.net?.ns,
    ip,
    home,
    stateDir,
    configPath: path.join(home, '.openclaw', 'openclaw.json'),
    env,
    sim,
    transcript: [],
    openclawArgv: () => (existsSync(argvLog) ? readFileSync(argvLog, 'utf8').split('\n').filter(Boolean) : []),
    cli(args, runOpts = {}) {
      const [cmd, argv] = opts.net ? ['ip', ['netns', 'exec', opts.net.ns, process.execPath, CLI, ...args]] : [process.execPath, [CLI, ...args]]
      return new Promise((resolve, reject) => {
        const child = execFile(cmd, argv, {env: {...env, ...runOpts.env}, timeout: runOpts.timeoutMs ?? 240_000, encoding: 'utf8', maxBuffer: 32 * 1024 * 1024}, (error, stdout, stderr) => {
          // A process killed by a signal reports it the shell's way (128 + n), e.g. 137 for SIGKILL.
          const signal = error && 'signal' in error && typeof error.signal === 'string' ? error.signal : undefined
          if (error && typeof error.code !== 'number' && !signal) return reject(new Error(`[${opts.name}] claw-mesh ${args.join(' ')}: ${error.message}\n${stderr}`))
          const exitCode = signal ? 128 + (os.constants.signals[signal as NodeJS.Signals] ?? 0) : error ? Number(error.code) : 0
          host.transcript.push({args, stdout, stderr})
          resolve({exitCode, stdout, stderr, json: <T>() => JSON.parse(stdout) as T})
        })
        child.stdin?.end(runOpts.input ?? '')
      })
    },
    gatewayPid() {
      const file = path.join(stateDir, 'gateway.pid')
      return existsSync(file) ? Number(readFileSync(file, 'utf8').trim()) : undefined
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
      sim.cleanup()
      rmSync(home, {recursive: true, force: true})
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
