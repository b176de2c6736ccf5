import {A2A_BASE, a2aAssignments} from '../a2a/a2a-config.js'
import {desiredAssignments, exposureHardening} from '../openclaw/openclaw-config-patch.js'
import {TOOLS_BY_SENDER, senderKey} from '../pairing/pair-trust.js'
import {getPath, isObject, jsonEqual, type OpenClawConfig} from '../openclaw/openclaw-config.js'
import {MESH_PLUGIN_ID} from '../mesh/plugin-plan.js'

/**
 * How `leave` gives openclaw.json back. Pure.
 *
 * claw-mesh sets a fixed list of paths (the gateway phase's `desiredAssignments`). Taking those back out of the
 * current file — each path returned to its value in the original, or removed when the original lacked it — shows
 * whether anyone else changed the file since: when the result equals the original, nobody did, and the original
 * bytes are restored exactly (comments and formatting included). Otherwise only claw-mesh's keys are undone and
 * every other change is kept.
 */
export function ownedConfigPaths(a2aPeers: readonly string[] = []): string[][] {
  // The values do not matter here, only which paths the gateway phase writes (with every optional one present).
  const extra = a2aAssignments({}, {advertisedUrl: 'x', peers: [], owned: []}).map((a) => a.path)
  const peers = a2aPeers.flatMap((name) => [
    [...A2A_BASE, 'peers', name],
    [...TOOLS_BY_SENDER, senderKey(name)],
  ])
  const hardening = exposureHardening({}, {expose: 'tailnet', advertisedUrl: 'http://x:1'}).map((a) => a.path)
  // What OpenClaw's own commands write when claw-mesh runs them: the mesh plugin's entry (`plugins install`, left as
  // `enabled: false` by `plugins uninstall`) and its bookkeeping under `meta` (migrations, lastTouchedVersion).
  const openclawWrites = [['plugins', 'entries', MESH_PLUGIN_ID], ['meta']]
  return [
    ...desiredAssignments({
      expose: 'tailnet',
      port: 0,
      gatewayToken: {source: 'file', provider: 'x', id: 'x'},
      provider: {},
      hooksToken: '',
      userspace: true,
    }).map((a) => a.path),
    ...extra,
    ...hardening,
    ...peers,
    ...openclawWrites,
  ]
}

export interface KeyChange {
  path: string
  action: 'restored' | 'removed'
}

/** `current` with every claw-mesh path put back as in `original` (removed when absent there), empty parents pruned. */
export function unpatchConfig(
  current: OpenClawConfig,
  original: OpenClawConfig,
  a2aPeers: readonly string[] = [],
): {next: OpenClawConfig; changes: KeyChange[]} {
  const next = structuredClone(current)
  const changes: KeyChange[] = []
  for (const p of ownedConfigPaths(a2aPeers)) {
    const now = getPath(next, p)
    const before = getPath(original, p)
    if (jsonEqual(now, before)) continue
    if (before === undefined) {
      removePath(next, p, original)
      changes.push({path: p.join('.'), action: 'removed'})
    } else {
      setPathValue(next, p, structuredClone(before))
      changes.push({path: p.join('.'), action: 'restored'})
    }
  }
  return {next, changes}
}

function setPathValue(target: Record<string, unknown>, p: readonly string[], value: unknown): void {
  let node = target
  for (const key of p.slice(0, -1)) {
    if (!isObject(node[key])) node[key] = {}
    node = node[key] as Record<string, unknown>
  }
  node[p[p.length - 1]] = value
}

/** Deletes the path, then every parent left empty that the original did not have. */
function removePath(target: Record<string, unknown>, p: readonly string[], original: OpenClawConfig): void {
  const parents: Record<string, unknown>[] = [target]
  for (const key of p.slice(0, -1)) {
    const child = parents[parents.length - 1][key]
    if (!isObject(child)) return
    parents.push(child)
  }
  delete parents[parents.length - 1][p[p.length - 1]]
  for (let depth = p.length - 1; depth > 0; depth--) {
    const node = parents[depth]
    if (Object.keys(node).length > 0 || getPath(original, p.slice(0, depth)) !== undefined) break
    delete parents[depth - 1][p[depth - 1]]
  }
}

export type RestoreMode = 'bytes' | 'delete' | 'keys' | 'none'

export interface RestorePlan {
  mode: RestoreMode
  /** mode `keys`: the config to write. */
  next?: OpenClawConfig
  changes: KeyChange[]
  reason: string
}

/**
 * `original`: what claw-mesh recorded before its first change — `existed: false` when there was no file, `config`
 * (parsed from the saved bytes) otherwise; undefined when claw-mesh never changed the file.
 */
export function planConfigRestore(input: {
  current?: OpenClawConfig
  original?: {existed: false} | {existed: true; config: OpenClawConfig}
  a2aPeers?: readonly string[]
}): RestorePlan {
  const {current, original} = input
  if (!original) return {mode: 'none', changes: [], reason: 'claw-mesh never changed openclaw.json'}
  if (!current)
    return {mode: 'none', changes: [], reason: 'openclaw.json was removed since claw-mesh changed it; it stays absent'}
  const base = original.existed ? original.config : {}
  const {next, changes} = unpatchConfig(current, base, input.a2aPeers)
  const untouched = jsonEqual(next, base)
  if (!original.existed && untouched)
    return {
      mode: 'delete',
      changes,
      reason: 'there was no openclaw.json before claw-mesh, and nothing else was added since',
    }
  if (original.existed && untouched)
    return {
      mode: 'bytes',
      changes,
      reason: 'nobody else changed the file since: the original bytes are restored exactly',
    }
  return {
    mode: 'keys',
    next,
    changes,
    reason:
      "the file was changed by others since claw-mesh wrote it: only claw-mesh's keys are undone, every other change is kept",
  }
}
