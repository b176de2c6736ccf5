import {UsageError} from './core/common/errors.js'
import {promises as dns} from 'node:dns'
import os from 'node:os'
import path from 'node:path'
import type {HostResolver} from './core/pairing/peer-url.js'
import {keychainTimeoutSetting, secretBackendSetting} from './core/common/settings.js'
import type {PortListeners} from './core/openclaw/port-holder.js'
import {Redactor} from './core/secrets/redact.js'
import type {InterfaceMap} from './core/tailscale/tailnet-address.js'
import {systemClock, type Clock} from './infra/clock.js'
import {createFetchHttpClient, type HttpClient} from './infra/http.js'
import {pinnedHttpClient} from './infra/pinned-http.js'
import {createIOStreams, type IOStreams} from './infra/io.js'
import {createExecaRunner, type Runner} from './infra/runner.js'
import {takeSecretEnv} from './infra/child-env.js'
import type {VolatileKey} from './core/checks/secrets.js'
import {KEYCHAIN_SERVICE, openSecretStore, type SecretStoreChoice} from './infra/secrets/select.js'
import type {SecretStore} from './infra/secrets/types.js'
import {createStateStore, type StateStore} from './infra/state-store.js'
import {currentPlatformId, platformAdapter, type PlatformAdapter} from './platform/index.js'
import {findOnPath, probeHost} from './platform/probe.js'
import type {HostProbe} from './platform/types.js'

/** Everything a service touches outside itself, built once per command and passed in. */
export interface Deps {
  env: NodeJS.ProcessEnv
  platform: PlatformAdapter
  home: string
  stateDir: string
  runner: Runner
  io: IOStreams
  http: HttpClient
  clock: Clock
  store: StateStore
  /** Name resolution, for checking what a MagicDNS peer name points at before a token goes there over http. */
  resolveHost: HostResolver
  /** Opened lazily: probing the keychain costs time and only some commands need it. */
  secrets(choice?: SecretStoreChoice): Promise<SecretStore>
  redactor: Redactor
  /**
   * Finds an executable on $PATH, then in `systemDirs` (tools such as nft live in /usr/sbin, often off a user's
   * PATH). Tests answer from a table, so no lookup reaches the machine the tests run on.
   */
  lookPath(name: string, opts?: {systemDirs?: readonly string[]}): string | undefined
  /** This machine's network interfaces (os.networkInterfaces()). */
  networkInterfaces(): InterfaceMap
  /** Who listens on 127.0.0.1:<port> (owner, process): checked before any credential goes to a local port. */
  loopbackListeners(port: number): Promise<PortListeners>
  /** Userspace networking: tailscaled's proxy on loopback, which `http` sends every non-loopback request through. */
  tailscaleProxy(): string | undefined
  /** The facts an install plan needs (commands on PATH, root, distro, macOS's Tailscale.app), read once when asked. */
  probeHost(): HostProbe
  /** claw-mesh's keys in this user's kernel keyring (/proc/keys), left there by an earlier version (Linux). */
  volatileSecrets(): Promise<{keys: VolatileKey[]; error?: string}>
}

export interface DepsOptions {
  env?: NodeJS.ProcessEnv
  platform?: string
  io?: IOStreams
  runner?: Runner
  http?: HttpClient
  clock?: Clock
  store?: StateStore
  secrets?: SecretStore
  resolveHost?: HostResolver
  lookPath?: Deps['lookPath']
  networkInterfaces?: Deps['networkInterfaces']
  /** A fixed proxy ('' for none) instead of CLAW_MESH_TAILSCALE_PROXY and the recorded one. */
  tailscaleProxy?: string
  loopbackListeners?: (port: number) => Promise<PortListeners>
  /** A fixed host probe (tests describe another machine: a Mac with Tailscale.app, a distro). */
  probeHost?: () => HostProbe
  /** A fixed kernel-keyring listing (tests: not this machine's /proc/keys). */
  volatileSecrets?: Deps['volatileSecrets']
  /** `--dry-run`: the secret store is opened read-only (no keychain probe entry, no write). */
  dryRun?: boolean
}

/** Every secret that passes through the store is registered with the redactor, whoever reads or writes it. */
function redacting(store: SecretStore, redactor: Redactor): SecretStore {
  return {
    backend: store.backend,
    location: store.location,
    fallbackReason: store.fallbackReason,
    async get(name) {
      const value = await store.get(name)
      redactor.add(value)
      return value
    },
    async set(name, value) {
      redactor.add(value)
      await store.set(name, value)
    },
    delete: (name) => store.delete(name),
  }
}

/** The proxy claw-mesh's own peer traffic goes through: CLAW_MESH_TAILSCALE_PROXY (`none` turns it off), else the recorded one. */
export function tailscaleProxy(env: NodeJS.ProcessEnv, recorded: () => string | undefined): string | undefined {
  const given = env.CLAW_MESH_TAILSCALE_PROXY
  if (given === 'none') return undefined
  if (given) {
    if (!/^http:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d{1,5}\/?$/.test(given)) {
      throw new UsageError(
        `CLAW_MESH_TAILSCALE_PROXY=${JSON.stringify(given.slice(0, 80))} is not tailscaled's proxy on loopback.`,
        {
          hint: 'Set it to the address tailscaled got in --outbound-http-proxy-listen, e.g. http://127.0.0.1:1055 (or none to send directly).',
        },
      )
    }
    return given
  }
  try {
    return recorded()
  } catch {
    return undefined // an unreadable state file is reported by whoever reads it for real
  }
}

function forgetOnUpdate(store: StateStore, forget: () => void): StateStore {
  return {
    get path() {
      return store.path
    },
    read: () => store.read(),
    update(mutate) {
      const next = store.update(mutate)
      forget()
      return next
    },
  }
}

export function homeDir(env: NodeJS.ProcessEnv): string {
  return env.HOME || env.USERPROFILE || os.homedir()
}

export function createDeps(opts: DepsOptions = {}): Deps {
  // The secrets leave process.env at once; this command's own copy keeps them until they are read (secret-input.ts).
  const env = opts.env ?? takeSecretEnv(process.env)
  const platform = platformAdapter(opts.platform ?? env.CLAW_MESH_PLATFORM ?? currentPlatformId())
  const home = homeDir(env)
  const stateDir = env.CLAW_MESH_HOME ? path.resolve(env.CLAW_MESH_HOME) : platform.stateDir(env, home)
  const io =
    opts.io ??
    createIOStreams({
      stdin: process.stdin,
      stdout: process.stdout,
      stderr: process.stderr,
      env,
      redactor: new Redactor(),
    })
  const redactor = io.redactor
  let proxy: [string | undefined] | undefined
  let hostProbe: HostProbe | undefined
  // An injected store (tests) goes through the same redacting wrapper as the real one: one path for output hygiene.
  let secrets: Promise<SecretStore> | undefined = opts.secrets
    ? Promise.resolve(redacting(opts.secrets, redactor))
    : undefined
  const deps: Deps = {
    env,
    platform,
    home,
    stateDir,
    io,
    redactor,
    runner: opts.runner ?? createExecaRunner(redactor, env, platform.id),
    loopbackListeners:
      opts.loopbackListeners ??
      ((port) =>
        platform.gateway.loopbackListeners(port, (cmd, args) => deps.runner.run(cmd, args, {timeoutMs: 10_000}))),
    // Userspace networking: peers only through tailscaled's proxy (recorded by tailscale install, or given by hand).
    // A peer added at a MagicDNS name is reached only at the tailnet address it resolved to then (see address-pin).
    http: pinnedHttpClient(opts.http ?? createFetchHttpClient(redactor, {proxy: () => deps.tailscaleProxy()}), {
      peers: () => Object.values(deps.store.read().peers),
      resolve: (host) => deps.resolveHost(host),
    }),
    tailscaleProxy: () =>
      (proxy ??= [
        opts.tailscaleProxy !== undefined
          ? opts.tailscaleProxy || undefined
          : tailscaleProxy(env, () => deps.store.read().tailscale?.proxy),
      ])[0],
    clock: opts.clock ?? systemClock,
    // A state update forgets the proxy read from it: `tailscale install` records one mid-run (bootstrap then pairs through it).
    store: forgetOnUpdate(opts.store ?? createStateStore(stateDir), () => (proxy = undefined)),
    resolveHost: opts.resolveHost ?? ((host) => dns.lookup(host, {all: true}).then((all) => all.map((a) => a.address))),
    lookPath:
      opts.lookPath ??
      ((name, o) =>
        findOnPath(name, env, platform) ??
        (o?.systemDirs ? findOnPath(name, {PATH: o.systemDirs.join(platform.pathDelimiter)}, platform) : undefined)),
    networkInterfaces: opts.networkInterfaces ?? (() => os.networkInterfaces()),
    probeHost: opts.probeHost ?? (() => (hostProbe ??= probeHost(platform, env))),
    volatileSecrets:
      opts.volatileSecrets ??
      (() =>
        platform.id === 'linux'
          ? import('./infra/secrets/keyutils.js').then((m) => m.listVolatileSecrets(KEYCHAIN_SERVICE))
          : Promise.resolve({keys: []})),
    secrets(choice) {
      secrets ??= (async () => {
        const input = {env, platform, stateDir, state: deps.store.read(), flags: {secretStore: choice}}
        const store = await openSecretStore({
          choice: secretBackendSetting(input).value,
          stateDir,
          platform: platform.id,
          io,
          runner: deps.runner,
          env,
          timeoutMs: keychainTimeoutSetting(input),
          readOnly: opts.dryRun,
        })
        return redacting(store, redactor)
      })()
      return secrets
    },
  }
  return deps
}
