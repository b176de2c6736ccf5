import os from 'node:os'
import path from 'node:path'
import {Redactor} from './core/redact.js'
import {systemClock, type Clock} from './infra/clock.js'
import {createFetchHttpClient, type HttpClient} from './infra/http.js'
import {createIOStreams, type IOStreams} from './infra/io.js'
import {createExecaRunner, type Runner} from './infra/runner.js'
import {openSecretStore, type SecretStoreChoice} from './infra/secrets/select.js'
import type {SecretStore} from './infra/secrets/types.js'
import {createStateStore, type StateStore} from './infra/state-store.js'
import {currentPlatformId, platformAdapter, type PlatformAdapter} from './platform/index.js'

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
  /** Opened lazily: probing the keychain costs time and only some commands need it. */
  secrets(choice?: SecretStoreChoice): Promise<SecretStore>
  redactor: Redactor
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
}

/** Every secret that passes through the store is registered with the redactor, whoever reads or writes it. */
function redacting(store: SecretStore, redactor: Redactor): SecretStore {
  return {
    backend: store.backend,
    location: store.location,
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

export function homeDir(env: NodeJS.ProcessEnv): string {
  return env.HOME || env.USERPROFILE || os.homedir()
}

export function createDeps(opts: DepsOptions = {}): Deps {
  const env = opts.env ?? process.env
  const platform = platformAdapter(opts.platform ?? env.CLAW_MESH_PLATFORM ?? currentPlatformId())
  const home = homeDir(env)
  const stateDir = env.CLAW_MESH_HOME ? path.resolve(env.CLAW_MESH_HOME) : platform.stateDir(env, home)
  const io =
    opts.io ??
    createIOStreams({stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env, redactor: new Redactor()})
  const redactor = io.redactor
  // An injected store (tests) goes through the same redacting wrapper as the real one: one path for output hygiene.
  let secrets: Promise<SecretStore> | undefined = opts.secrets ? Promise.resolve(redacting(opts.secrets, redactor)) : undefined
  const deps: Deps = {
    env,
    platform,
    home,
    stateDir,
    io,
    redactor,
    runner: opts.runner ?? createExecaRunner(redactor, env),
    http: opts.http ?? createFetchHttpClient(),
    clock: opts.clock ?? systemClock,
    store: opts.store ?? createStateStore(stateDir),
    secrets(choice) {
      secrets ??= (async () => {
        const recorded = deps.store.read().secrets?.backend
        const store = await openSecretStore({
          choice: choice ?? (env.CLAW_MESH_SECRET_STORE as SecretStoreChoice | undefined) ?? recorded ?? 'auto',
          stateDir,
          platform: platform.id,
          io,
          timeoutMs: env.CLAW_MESH_KEYCHAIN_TIMEOUT_MS ? Number(env.CLAW_MESH_KEYCHAIN_TIMEOUT_MS) : undefined,
        })
        return redacting(store, redactor)
      })()
      return secrets
    },
  }
  return deps
}
