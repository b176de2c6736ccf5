/**
 * Test-side handle on the Tailscale CLI simulator (test/sim/). A control plane is a shared temp dir;
 * each simulated host has its own state dir and an `env` that points the `tailscale` on PATH (and
 * $CLAW_MESH_TAILSCALE) at the simulator. File layout: test/sim/README.md.
 */
import {execFile} from 'node:child_process'
import {existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'

export const SIM_BIN_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../sim/bin')
export const SIM_TAILSCALE = path.join(SIM_BIN_DIR, 'tailscale')
export const SIM_TAILSCALED = path.join(SIM_BIN_DIR, 'tailscaled')

export type SimOS = 'linux' | 'macOS' | 'windows'

export interface SimKeyOptions {
  /** false: the node waits for admin approval (NeedsMachineAuth). Default true. */
  preauthorized?: boolean
  /** true: control rejects the key (`invalid key`). Default false. */
  invalid?: boolean
  /** false: single-use, a second login with it fails. Default true. */
  reusable?: boolean
  ephemeral?: boolean
  /** Tags the key grants; advertising others is refused. */
  tags?: string[]
}

export interface TailnetSettings {
  name: string
  suffix: string
  magicDNS: boolean
  https: boolean
  deviceApproval: boolean
}

export interface SimNode {
  id: string
  publicKey: string
  /** Hostinfo hostname (what --hostname asked for). */
  hostName: string
  /** MagicDNS label, made unique by control (`name-1` on a collision). */
  name: string
  os: SimOS
  ipv4: string
  ipv6: string
  tags: string[]
  authorized: boolean
  ephemeral: boolean
  keyExpiry: string | null
  created: string
  lastLogin: string
  lastSeen?: string
  /** Control-plane override of the computed online state. */
  online?: boolean
  stateDir: string
}

export interface SimPrefs {
  controlURL: string
  hostname: string
  advertiseTags: string[]
  routeAll: boolean
  corpDNS: boolean
  runSSH: boolean
  operatorUser: string
  forceDaemon: boolean
}

export interface SimState {
  haveNodeKey: boolean
  nodeId: string | null
  wantRunning: boolean
  authURL: string
  prefs: SimPrefs
  /** Successful `up` runs. */
  upCount: number
  setCount: number
  socket: string | null
  tun: boolean
  memState: boolean
  loginAt: string | null
}

export interface SimFaults {
  upHangs?: boolean
  daemonDiesDuringUp?: boolean
  needsRoot?: boolean
  pingLatencyMs?: number
  pingVia?: string
  /** macOS: the sandboxed App Store CLI (`file cp` cannot read files). */
  macVariant?: 'appstore'
  /** macOS, daemon down: the App Store app runs as IPNExtension (this pid) but this process cannot reach it. */
  ipnExtensionPid?: number
}

export interface SimRun {
  exitCode: number
  stdout: string
  stderr: string
}

export interface ControlPlane {
  dir: string
  addKey(key: string, opts?: SimKeyOptions): void
  setTailnet(settings: Partial<TailnetSettings>): void
  nodes(): SimNode[]
  /** A node by MagicDNS label or hostname. */
  node(name: string): SimNode | undefined
  /** Force a node online/offline as peers see it (null: computed from its host again). */
  setNodeOnline(name: string, online: boolean | null): void
  /** Node-key expiry as an RFC 3339 time (null: never expires). A past time logs the node out. */
  setNodeExpiry(name: string, iso: string | null): void
  /** The admin approves a machine waiting in NeedsMachineAuth. */
  approveNode(name: string): void
  cleanup(): void
}

export interface SimHost {
  name: string
  stateDir: string
  /** Env for processes that should see this host's simulated tailscale. */
  env: Record<string, string>
  /** argv of every invocation (without the program name), oldest first. */
  argvLog(prog?: 'tailscale' | 'tailscaled'): string[][]
  /** Merges knobs into faults.json (pass `{}` to keep, or use clearFaults). */
  setFault(faults: SimFaults): void
  clearFaults(): void
  stopDaemon(): void
  startDaemon(): void
  readState(): SimState | null
  /** Runs the simulated `tailscale` with this host's env. */
  tailscale(args: string[], opts?: {timeoutMs?: number}): Promise<SimRun>
  cleanup(): void
}

function writeJsonAtomic(file: string, value: unknown): void {
  mkdirSync(path.dirname(file), {recursive: true})
  const tmp = `${file}.${process.pid}.${Math.random().toString(16).slice(2)}.tmp`
  writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`)
  renameSync(tmp, file)
}

function readJson<T>(file: string): T | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

export function createControlPlane(): ControlPlane {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ts-sim-control-'))
  const nodeFile = (id: string) => path.join(dir, 'nodes', `${id}.json`)
  const plane: ControlPlane = {
    dir,
    addKey(key, opts = {}) {
      const file = path.join(dir, 'keys.json')
      const keys = readJson<Record<string, SimKeyOptions>>(file) ?? {}
      keys[key] = {preauthorized: true, invalid: false, reusable: true, ...opts}
      writeJsonAtomic(file, keys)
    },
    setTailnet(settings) {
      const file = path.join(dir, 'tailnet.json')
      writeJsonAtomic(file, {...readJson<Partial<TailnetSettings>>(file), ...settings})
    },
    nodes() {
      const nodesDir = path.join(dir, 'nodes')
      if (!existsSync(nodesDir)) return []
      return readdirSync(nodesDir)
        .filter((n) => n.endsWith('.json'))
        .map((n) => readJson<SimNode & {pending?: boolean}>(path.join(nodesDir, n)))
        .filter((n): n is SimNode => n !== null && !('pending' in n && n.pending))
    },
    node: (name) => plane.nodes().find((n) => n.name === name) ?? plane.nodes().find((n) => n.hostName === name),
    setNodeOnline(name, online) {
      const node = mustFind(plane, name)
      const next: SimNode = {...node}
      if (online === null) delete next.online
      else next.online = online
      if (online === false) next.lastSeen = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z')
      writeJsonAtomic(nodeFile(node.id), next)
    },
    setNodeExpiry(name, iso) {
      const node = mustFind(plane, name)
      writeJsonAtomic(nodeFile(node.id), {...node, keyExpiry: iso})
    },
    approveNode(name) {
      const node = mustFind(plane, name)
      writeJsonAtomic(nodeFile(node.id), {...node, authorized: true})
    },
    cleanup: () => rmSync(dir, {recursive: true, force: true}),
  }
  return plane
}

function mustFind(plane: ControlPlane, name: string): SimNode {
  const node = plane.node(name)
  if (!node)
    throw new Error(
      `tailscale-sim: no node named ${name} in ${plane.dir} (nodes: ${
        plane
          .nodes()
          .map((n) => n.name)
          .join(', ') || 'none'
      })`,
    )
  return node
}

export function createSimHost(opts: {
  control: ControlPlane | string
  name: string
  os?: SimOS
  forceIp?: string
  version?: string
}): SimHost {
  const controlDir = typeof opts.control === 'string' ? opts.control : opts.control.dir
  const stateDir = mkdtempSync(path.join(os.tmpdir(), `ts-sim-${opts.name}-`))
  const env: Record<string, string> = {
    TS_SIM_STATE: stateDir,
    TS_SIM_CONTROL: controlDir,
    TS_SIM_OS: opts.os ?? 'linux',
    TS_SIM_HOSTNAME: opts.name,
    PATH: `${SIM_BIN_DIR}${path.delimiter}${process.env.PATH ?? ''}`,
    CLAW_MESH_TAILSCALE: SIM_TAILSCALE,
  }
  if (opts.forceIp) env.TS_SIM_FORCE_IP = opts.forceIp
  if (opts.version) env.TS_SIM_VERSION = opts.version
  const file = (name: string) => path.join(stateDir, name)

  const host: SimHost = {
    name: opts.name,
    stateDir,
    env,
    argvLog(prog = 'tailscale') {
      if (!existsSync(file('argv.log'))) return []
      return readFileSync(file('argv.log'), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as {prog: string; argv: string[]})
        .filter((entry) => entry.prog === prog)
        .map((entry) => entry.argv)
    },
    setFault(faults) {
      writeJsonAtomic(file('faults.json'), {...readJson<SimFaults>(file('faults.json')), ...faults})
    },
    clearFaults: () => rmSync(file('faults.json'), {force: true}),
    stopDaemon() {
      writeJsonAtomic(file('daemon-down'), {since: new Date().toISOString()})
    },
    startDaemon() {
      rmSync(file('daemon-down'), {force: true})
      // A daemon that starts for the first time moves NoState → NeedsLogin.
      if (!existsSync(file('state.json'))) {
        const prefs: SimPrefs = {
          controlURL: '',
          hostname: '',
          advertiseTags: [],
          routeAll: false,
          corpDNS: true,
          runSSH: false,
          operatorUser: '',
          forceDaemon: false,
        }
        const state: SimState = {
          haveNodeKey: false,
          nodeId: null,
          wantRunning: false,
          authURL: '',
          prefs,
          upCount: 0,
          setCount: 0,
          socket: null,
          tun: true,
          memState: false,
          loginAt: null,
        }
        writeJsonAtomic(file('state.json'), state)
      }
    },
    readState: () => readJson<SimState>(file('state.json')),
    tailscale: (args, runOpts = {}) =>
      runSim(SIM_TAILSCALE, args, {...process.env, ...env}, runOpts.timeoutMs ?? 30_000),
    cleanup: () => rmSync(stateDir, {recursive: true, force: true, maxRetries: 5, retryDelay: 100}),
  }
  return host
}

/** Runs a simulator wrapper; never rejects on a non-zero exit. */
export function runSim(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 30_000): Promise<SimRun> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, {env, timeout: timeoutMs, encoding: 'utf8'}, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(new Error(`${cmd} ${args.join(' ')}: ${error.message}`))
        return
      }
      resolve({exitCode: error ? Number(error.code) : 0, stdout, stderr})
    })
  })
}
