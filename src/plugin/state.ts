import {mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import type {OutboxItem} from '../core/mesh/mesh-outbox.js'
import {PLUGIN_ID, type PluginApi} from './host.js'

/**
 * Durable state of the plugin: outbox records and per-peer send times (the hourly budget). Tools and the service
 * run from different plugin registries (register() runs many times), so everything they share lives here, never
 * in a closure. Primary: OpenClaw's plugin state store (rows in openclaw.sqlite). Fallback: one JSON file per key
 * under OpenClaw's state dir, used when the SDK import is refused (it may be closed to local plugins later).
 */
export interface KeyedState<T> {
  get(key: string): Promise<T | undefined>
  put(key: string, value: T): Promise<void>
  delete(key: string): Promise<void>
  list(): Promise<T[]>
}

export interface MeshState {
  backend: 'openclaw-state-store' | 'file'
  outbox: KeyedState<OutboxItem>
  sends: KeyedState<{peer: string; at: number[]}>
}

interface SdkStore<T> {
  register(key: string, value: T): Promise<unknown>
  lookup(key: string): Promise<T | undefined>
  delete(key: string): Promise<unknown>
  entries(): Promise<Array<{key: string; value: T}>>
}

type SdkFactory = <T>(
  pluginId: string,
  opts: {namespace: string; maxEntries: number; overflowPolicy?: string},
) => SdkStore<T>

function fromSdk<T>(store: SdkStore<T>): KeyedState<T> {
  return {
    get: (key) => store.lookup(key),
    put: async (key, value) => {
      await store.register(key, value)
    },
    delete: async (key) => {
      await store.delete(key)
    },
    list: async () => (await store.entries()).map((e) => e.value),
  }
}

const SAFE_KEY = /^[A-Za-z0-9._-]{1,128}$/

/** One JSON file per key, written atomically (temp + rename) in a 0700 directory. */
export function fileState<T>(dir: string): KeyedState<T> {
  const file = (key: string) => {
    if (!SAFE_KEY.test(key)) throw new Error(`bad state key ${JSON.stringify(key.slice(0, 40))}`)
    return path.join(dir, `${key}.json`)
  }
  const ensure = () => mkdirSync(dir, {recursive: true, mode: 0o700})
  return {
    async get(key) {
      try {
        return JSON.parse(readFileSync(file(key), 'utf8')) as T
      } catch {
        return undefined
      }
    },
    async put(key, value) {
      ensure()
      const tmp = `${file(key)}.${process.pid}.tmp`
      writeFileSync(tmp, JSON.stringify(value), {mode: 0o600})
      renameSync(tmp, file(key))
    },
    async delete(key) {
      rmSync(file(key), {force: true})
    },
    async list() {
      let names: string[]
      try {
        names = readdirSync(dir).filter((n) => n.endsWith('.json'))
      } catch {
        return []
      }
      const out: T[] = []
      for (const n of names) {
        try {
          out.push(JSON.parse(readFileSync(path.join(dir, n), 'utf8')) as T)
        } catch {
          // a torn or foreign file: skipped
        }
      }
      return out
    },
  }
}

// A variable specifier: the bundler must leave this import to the gateway, which maps openclaw/plugin-sdk/* itself.
const SDK_STATE = 'openclaw/plugin-sdk/plugin-state-store-runtime'

export function fallbackDir(api: PluginApi): string {
  const base =
    api.runtime.state?.resolveStateDir?.(process.env) ??
    path.join(process.env.OPENCLAW_STATE_DIR ?? path.join(process.env.HOME ?? '.', '.openclaw'))
  return path.join(base, 'plugins', PLUGIN_ID)
}

let opened: Promise<MeshState> | undefined

/** Opens the state once per process (the tools' and the service's registries share it). */
export function openMeshState(api: PluginApi): Promise<MeshState> {
  opened ??= (async () => {
    try {
      const mod = (await import(SDK_STATE)) as {createPluginStateKeyedStore?: SdkFactory}
      if (typeof mod.createPluginStateKeyedStore !== 'function') throw new Error('no createPluginStateKeyedStore')
      const outbox = mod.createPluginStateKeyedStore<OutboxItem>(PLUGIN_ID, {
        namespace: 'outbox',
        maxEntries: 2000,
        overflowPolicy: 'reject-new',
      })
      const sends = mod.createPluginStateKeyedStore<{peer: string; at: number[]}>(PLUGIN_ID, {
        namespace: 'sends',
        maxEntries: 500,
      })
      await outbox.entries()
      return {backend: 'openclaw-state-store' as const, outbox: fromSdk(outbox), sends: fromSdk(sends)}
    } catch (error) {
      api.logger?.warn?.(
        `claw-mesh: OpenClaw's plugin state store is not available (${String((error as Error)?.message ?? error).slice(0, 200)}); keeping the outbox in files`,
      )
      const dir = fallbackDir(api)
      return {
        backend: 'file' as const,
        outbox: fileState<OutboxItem>(path.join(dir, 'outbox')),
        sends: fileState<{peer: string; at: number[]}>(path.join(dir, 'sends')),
      }
    }
  })()
  return opened
}
