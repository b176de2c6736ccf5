import {execFileSync, spawn, spawnSync} from 'node:child_process'
import {existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {buildHost, type MeshHost} from './mesh-host.js'

/**
 * A real tailnet on this machine: Headscale in a hub namespace, one real `tailscaled` (kernel TUN) per host
 * namespace. The underlay is a bridge inside the hub namespace on 10.77.0.0/24 — outside 100.64.0.0/10, which
 * tailscaled's netfilter drops on every interface but tailscale0 — and no namespace has a default route, so no
 * packet can leave the machine. Binaries come from scripts/provision-go.sh (its cache dirs, or the env overrides).
 */
export const TAILSCALE_VERSION = '1.102.5'
export const HEADSCALE_VERSION = '0.29.3'
/** The oldest tailscale claw-mesh supports: the flag contract tests run against it too. */
export const TAILSCALE_OLDEST_VERSION = '1.98.10'
const CACHE = process.env.CLAW_MESH_CACHE || path.join(os.homedir(), '.cache', 'claw-mesh')
export const TAILSCALE_DIR =
  process.env.CLAW_MESH_TEST_TAILSCALE_DIR || path.join(CACHE, `go-bin-tailscale-${TAILSCALE_VERSION}`)
export const HEADSCALE =
  process.env.CLAW_MESH_TEST_HEADSCALE || path.join(CACHE, `go-bin-headscale-${HEADSCALE_VERSION}`, 'headscale')
export const TAILSCALE_OLDEST_DIR =
  process.env.CLAW_MESH_TEST_TAILSCALE_OLDEST_DIR || path.join(CACHE, `go-bin-tailscale-${TAILSCALE_OLDEST_VERSION}`)
export const MESH_TAG = 'tag:claw-mesh'
const USER = 'mesh'
const HUB_IP = '10.77.0.1'

/** Why a real tailnet cannot run here, or undefined when it can. */
export function realTailnetUnavailable(): string | undefined {
  for (const bin of [path.join(TAILSCALE_DIR, 'tailscale'), path.join(TAILSCALE_DIR, 'tailscaled'), HEADSCALE]) {
    if (!existsSync(bin)) return `${bin} is missing: run scripts/provision-go.sh (npm test and .ci/run do)`
  }
  if (!existsSync('/dev/net/tun')) return '/dev/net/tun is missing: the real tailnet needs kernel TUN devices'
  return undefined
}

export interface KeyOptions {
  /** Tag-owned nodes (no user); default: owned by the test user (Taildrop works only between those). */
  tags?: string[]
  reusable?: boolean
  expiration?: string
}

export interface RealTailnet {
  serverUrl: string
  versions: {tailscale: string; headscale: string}
  hosts: MeshHost[]
  /** A real pre-auth key (`hskey-auth-…`), written 0600 into `dir`; returns the file. */
  keyFile(dir: string, opts?: KeyOptions): string
  key(opts?: KeyOptions): string
  /** `headscale <args>` against this tailnet's server (JSON output parsed when `-o json` is given). */
  headscale(args: string[]): string
  /**
   * A fresh host in its own namespace (its own tailscaled), for suites that want a new machine per case.
   * `daemon: 'claw-mesh'`: no tailscaled is started; claw-mesh starts it (`tailscale install`), with its socket in the
   * host's claw-mesh state dir and `tailscaled` on the host's PATH — a container without a service manager.
   */
  addHost(name: string, opts?: {daemon?: 'harness' | 'claw-mesh'}): Promise<MeshHost>
  /** Retires a host: its processes killed, its namespace deleted, its nodes deleted from Headscale (names freed). */
  removeHost(host: MeshHost): void
  destroy(): void
}

function run(cmd: string, args: string[], env?: NodeJS.ProcessEnv): string {
  return execFileSync(cmd, args, {encoding: 'utf8', env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe']})
}

async function until<T>(what: string, timeoutMs: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = probe()
      if (value !== undefined) return value
    } catch (error) {
      last = error
    }
    if (Date.now() > deadline)
      throw new Error(
        `real tailnet: ${what} not ready after ${timeoutMs} ms${last ? `: ${last instanceof Error ? last.message : JSON.stringify(last)}` : ''}`,
      )
    await new Promise((r) => setTimeout(r, 200))
  }
}

function headscaleConfig(dir: string): string {
  // Embedded DERP + STUN on the hub, no DERP map from the internet, no update check, no MagicDNS (kernel-mode
  // tailscaled would rewrite the /etc/resolv.conf every namespace shares), no logtail.
  const yaml = `server_url: http://${HUB_IP}:8080
listen_addr: ${HUB_IP}:8080
metrics_listen_addr: 127.0.0.1:0
grpc_listen_addr: 127.0.0.1:0
noise: {private_key_path: ${dir}/noise.key}
prefixes: {v4: 100.64.0.0/10, v6: fd7a:115c:a1e0::/48, allocation: sequential}
derp:
  server: {enabled: true, region_id: 999, region_code: headscale, region_name: test hub, verify_clients: true, stun_listen_addr: "${HUB_IP}:3478", private_key_path: ${dir}/derp.key, automatically_add_embedded_derp_region: true, ipv4: ${HUB_IP}}
  urls: []
  paths: []
  auto_update_enabled: false
disable_check_updates: true
database: {type: sqlite, sqlite: {path: ${dir}/db.sqlite, write_ahead_log: true}}
log: {level: info, format: text}
policy: {mode: file, path: ${dir}/policy.json}
dns: {magic_dns: false, base_domain: mesh.test, override_local_dns: false, nameservers: {global: []}}
unix_socket: ${dir}/headscale.sock
unix_socket_permission: "0700"
logtail: {enabled: false}
taildrop: {enabled: true}
`
  writeFileSync(
    path.join(dir, 'policy.json'),
    JSON.stringify(
      {tagOwners: {[MESH_TAG]: [`${USER}@`]}, acls: [{action: 'accept', src: ['*'], dst: ['*:*']}]},
      null,
      2,
    ),
  )
  const file = path.join(dir, 'config.yaml')
  writeFileSync(file, yaml)
  return file
}

/** Creates the hub, starts Headscale and `names.length` hosts, each with a running (logged-out) tailscaled. */
export async function createRealTailnet(
  names: string[],
  opts: {openclaw: string; quiet?: boolean},
): Promise<RealTailnet> {
  const id = `${process.pid % 10000}${Math.floor(Math.random() * 90 + 10)}`
  const hub = `cmrt${id}hub`
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-real-tailnet-'))
  const config = headscaleConfig(dir)
  const namespaces: string[] = [hub]
  const hosts: MeshHost[] = []
  let slot = 0
  const hs = (args: string[]) => run(HEADSCALE, ['-c', config, ...args], {...process.env, HEADSCALE_LOG_LEVEL: 'warn'})
  const resolvBefore = readFileSync('/etc/resolv.conf', 'utf8')
  let destroyed = false
  const tailnet: RealTailnet = {
    serverUrl: `http://${HUB_IP}:8080`,
    versions: {tailscale: '', headscale: ''},
    hosts,
    headscale: hs,
    key(keyOpts = {}) {
      const args = ['preauthkeys', 'create', '--expiration', keyOpts.expiration ?? '2h', '-o', 'json']
      if (keyOpts.reusable !== false) args.push('--reusable')
      if (keyOpts.tags?.length) args.push('--tags', keyOpts.tags.join(','))
      else args.push('--user', String(userId))
      return (JSON.parse(hs(args)) as {key: string}).key
    },
    keyFile(into, keyOpts) {
      const file = path.join(into, `hs-authkey-${Math.random().toString(16).slice(2, 8)}`)
      writeFileSync(file, `${tailnet.key(keyOpts)}\n`, {mode: 0o600})
      return file
    },
    async addHost(name, hostOpts) {
      const host = await startHost(name, hostOpts?.daemon ?? 'harness')
      hosts.push(host)
      return host
    },
    removeHost(host) {
      const hostname = (n: {given_name?: string; name?: string}) => n.given_name ?? n.name ?? ''
      const nodes = JSON.parse(hs(['nodes', 'list', '-o', 'json']) || '[]') as {
        id: number
        given_name?: string
        name?: string
      }[]
      const ip = host.kind === 'real' ? tryIp(host) : undefined
      for (const node of nodes ?? []) {
        const ips = (node as {ip_addresses?: string[]}).ip_addresses ?? []
        if ((ip && ips.includes(ip)) || hostname(node) === `openclaw-${host.name}`)
          hs(['nodes', 'delete', '-i', String(node.id), '--force'])
      }
      if (host.ns) {
        for (const pid of nsPids(host.ns)) killQuietly(pid)
        spawnSync('ip', ['netns', 'del', host.ns])
        namespaces.splice(namespaces.indexOf(host.ns) >>> 0, namespaces.includes(host.ns) ? 1 : 0)
      }
      host.cleanup()
      hosts.splice(hosts.indexOf(host) >>> 0, hosts.includes(host) ? 1 : 0)
    },
    destroy() {
      if (destroyed) return
      destroyed = true
      for (const ns of namespaces) {
        for (const pid of nsPids(ns)) killQuietly(pid)
        spawnSync('ip', ['netns', 'del', ns])
      }
      for (const h of hosts) h.cleanup()
      rmSync(dir, {recursive: true, force: true})
      // A kernel-mode tailscaled that reached for DNS would show here: the namespaces share /etc.
      if (readFileSync('/etc/resolv.conf', 'utf8') !== resolvBefore)
        throw new Error('real tailnet: /etc/resolv.conf changed during the suite')
    },
  }
  let userId = 0

  async function startHost(name: string, runs: 'harness' | 'claw-mesh' = 'harness'): Promise<MeshHost> {
    const i = slot++
    const ns = `cmrt${id}${name}`.slice(0, 15)
    namespaces.push(ns)
    run('ip', ['netns', 'add', ns])
    run('ip', ['link', 'add', 'eth0', 'netns', ns, 'type', 'veth', 'peer', 'name', `p${i}`, 'netns', hub])
    run('ip', ['-n', hub, 'link', 'set', `p${i}`, 'master', 'br0', 'up'])
    run('ip', ['-n', ns, 'link', 'set', 'lo', 'up'])
    run('ip', ['-n', ns, 'addr', 'add', `10.77.0.${10 + i}/24`, 'dev', 'eth0'])
    run('ip', ['-n', ns, 'link', 'set', 'eth0', 'up'])
    const tsDir = mkdtempSync(path.join(os.tmpdir(), `cm-tsd-${name}-`))
    const cli = path.join(TAILSCALE_DIR, 'tailscale')
    if (runs === 'claw-mesh') {
      return buildHost({
        name,
        ns,
        openclaw: opts.openclaw,
        tailscale: {
          cli,
          socket: '',
          loginServer: tailnet.serverUrl,
          stateDir: tsDir,
          tailscaled: path.join(TAILSCALE_DIR, 'tailscaled'),
          daemonEnv: tailnetDaemonEnv(tsDir),
        },
      })
    }
    const socket = path.join(tsDir, 'tailscaled.sock')
    // /etc/resolv.conf is bound over with a private copy in tailscaled's own mount namespace (ip netns exec makes
    // one): even a DNS change by mistake stays there.
    writeFileSync(path.join(tsDir, 'resolv.conf'), resolvBefore)
    const log = openSync(path.join(tsDir, 'tailscaled.log'), 'a')
    const daemon = spawn(
      'ip',
      [
        'netns',
        'exec',
        ns,
        'sh',
        '-c',
        'mount --bind "$1" /etc/resolv.conf && shift && exec "$@"',
        'sh',
        path.join(tsDir, 'resolv.conf'),
        path.join(TAILSCALE_DIR, 'tailscaled'),
        `--statedir=${path.join(tsDir, 'state')}`,
        `--socket=${socket}`,
        '--no-logs-no-support',
        '--tun=tailscale0',
        '--port=41641',
      ],
      {
        detached: true,
        stdio: ['ignore', log, log],
        env: {PATH: process.env.PATH, ...tailnetDaemonEnv(tsDir), HOME: tsDir},
      },
    )
    daemon.unref()
    await until(
      `tailscaled of ${name}`,
      30_000,
      () =>
        (JSON.parse(run(cli, [`--socket=${socket}`, 'status', '--json'])) as {BackendState: string}).BackendState ||
        undefined,
    )
    return buildHost({
      name,
      ns,
      openclaw: opts.openclaw,
      tailscale: {cli, socket, loginServer: tailnet.serverUrl, stateDir: tsDir},
    })
  }

  try {
    run('ip', ['netns', 'add', hub])
    run('ip', ['-n', hub, 'link', 'add', 'br0', 'type', 'bridge'])
    run('ip', ['-n', hub, 'addr', 'add', `${HUB_IP}/24`, 'dev', 'br0'])
    run('ip', ['-n', hub, 'link', 'set', 'br0', 'up'])
    run('ip', ['-n', hub, 'link', 'set', 'lo', 'up'])
    const log = openSync(path.join(dir, 'headscale.log'), 'a')
    spawn('ip', ['netns', 'exec', hub, HEADSCALE, '-c', config, 'serve'], {
      detached: true,
      stdio: ['ignore', log, log],
    }).unref()
    await until('headscale', 30_000, () => (hs(['health']) ? true : undefined))
    hs(['users', 'create', USER])
    userId = (JSON.parse(hs(['users', 'list', '-o', 'json'])) as {id: number; name: string}[]).find(
      (u) => u.name === USER,
    )!.id
    tailnet.versions.headscale = /v?(\d+\.\d+\.\d+\S*)/.exec(hs(['version']))?.[1] ?? 'unknown'
    const tsVersion = JSON.parse(run(path.join(TAILSCALE_DIR, 'tailscale'), ['version', '--json'])) as {short: string}
    tailnet.versions.tailscale = tsVersion.short
    for (const name of names) hosts.push(await startHost(name))
  } catch (error) {
    try {
      tailnet.destroy()
    } catch {
      // the first error is the one worth showing
    }
    throw error
  }
  if (!opts.quiet)
    console.info(
      `real tailnet: tailscale ${tailnet.versions.tailscale}, headscale ${tailnet.versions.headscale}, ${names.length} hosts`,
    )
  return tailnet
}

/** What every test tailscaled runs with: logs local, nothing aimed at tailscale.com, no port mapping, DERP over HTTP. */
function tailnetDaemonEnv(tsDir: string): Record<string, string> {
  return {
    TS_LOGS_DIR: path.join(tsDir, 'logs'),
    TS_PANIC_IF_HIT_MAIN_CONTROL: '1',
    TS_DISABLE_PORTMAPPER: '1',
    TS_DEBUG_USE_DERP_HTTP: '1',
    TS_NO_LOGS_NO_SUPPORT: 'true',
  }
}

function tryIp(host: MeshHost): string | undefined {
  try {
    return host.ip
  } catch {
    return undefined
  }
}

function nsPids(ns: string): number[] {
  const r = spawnSync('ip', ['netns', 'pids', ns], {encoding: 'utf8'})
  return r.stdout.split('\n').filter(Boolean).map(Number)
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL')
  } catch {
    // already gone
  }
}
