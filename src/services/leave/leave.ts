import {getPath} from '../../core/openclaw/openclaw-config.js'
import {MESH_PLUGIN_ID} from '../../core/mesh/plugin-plan.js'
import {removeMeshPlugin} from '../openclaw/plugin.js'
import {promises as fs} from 'node:fs'
import path from 'node:path'
import {planConfigRestore, type RestorePlan} from '../../core/lifecycle/leave-plan.js'
import {resolveOpenClawPaths} from '../../core/openclaw/openclaw-config-paths.js'
import {parseOpenClawConfig, serializeOpenClawConfig} from '../../core/openclaw/openclaw-config.js'
import type {Deps} from '../../deps.js'
import {readIfExists, writeFileAtomic} from '../../infra/fs-atomic.js'
import {SECRET_NAMES} from '../../infra/secrets/types.js'
import {ourBackgroundPid, stopBackgroundGateway} from '../gateway/background.js'
import {assertOwnBackup} from '../gateway/backups.js'
import {purgeTokenCopies} from './token-copies.js'
import {readOpenClawConfig} from '../openclaw/config-file.js'
import {removeSkill, skillPath} from '../skill/install.js'
import {openTailscale} from '../tailscale/cli.js'
import {uninstallWatchdog, watchdogJobPresent} from '../watchdog/install.js'
import {pidAlive} from '../gateway/background.js'

export interface LeaveOptions {
  purge: boolean
  logout: boolean
}

export interface LeaveStep {
  id:
    | 'watchdog'
    | 'gateway-process'
    | 'mesh-plugin'
    | 'openclaw-config'
    | 'skill'
    | 'peers'
    | 'token-copies'
    | 'secrets'
    | 'tailscale'
  status: 'done' | 'skipped' | 'failed'
  detail: string
}

export interface LeavePlan {
  configPath?: string
  restore: RestorePlan
  backgroundPid?: number
  steps: {id: LeaveStep['id']; title: string}[]
}

export interface LeaveResult {
  steps: LeaveStep[]
  /** What leave deliberately left in place. */
  left: string[]
  /** openclaw.json paths undone (restore mode `keys`). */
  configChanges: RestorePlan['changes']
  restoreMode: RestorePlan['mode']
}

/** Reads what there is to undo. Changes nothing. */
export async function planLeave(deps: Deps, opts: LeaveOptions): Promise<LeavePlan> {
  const g = deps.store.read().gateway
  let configPath = g?.configPath
  let restore: RestorePlan = {mode: 'none', changes: [], reason: 'claw-mesh never configured the gateway here'}
  let meshPlugin = false
  // A path read from state.json is data: leave writes or deletes only the file OpenClaw itself reads here.
  const expected = configPath
    ? resolveOpenClawPaths({
        env: deps.env,
        osHome: deps.home,
        profile: g?.profile,
        windows: deps.platform.id === 'win32',
      }).configPath
    : undefined
  if (configPath && (!path.isAbsolute(configPath) || path.resolve(configPath) !== path.resolve(expected!))) {
    restore = {
      mode: 'none',
      changes: [],
      reason: `claw-mesh's state names ${configPath}, but OpenClaw here reads ${expected}: leave does not touch a file OpenClaw would not use (run it with the same OPENCLAW_* environment as gateway configure)`,
    }
    configPath = undefined
  }
  if (configPath) {
    const current = await readOpenClawConfig(configPath)
    meshPlugin = getPath(current.config, ['plugins', 'entries', MESH_PLUGIN_ID]) !== undefined
    let original: {existed: false} | {existed: true; config: Record<string, unknown>} | undefined
    if (g?.originalExisted === false) original = {existed: false}
    else if (g?.originalBackupPath) {
      const raw = await readIfExists(assertOwnBackup(deps.stateDir, g.originalBackupPath))
      original = raw === undefined ? undefined : {existed: true, config: parseOpenClawConfig(raw, g.originalBackupPath)}
      if (raw === undefined)
        restore = {mode: 'none', changes: [], reason: `the original backup ${g.originalBackupPath} is missing`}
    }
    if (original)
      restore = planConfigRestore({
        current: current.exists ? current.config : undefined,
        original,
        a2aPeers: g?.a2aPeers,
      })
    else if (g?.originalExisted === undefined && !g?.originalBackupPath)
      restore = {mode: 'none', changes: [], reason: 'claw-mesh never changed openclaw.json'}
  }
  const backgroundPid = g?.runner === 'background' ? await ourBackgroundPid(deps) : undefined
  const steps: LeavePlan['steps'] = (await watchdogJobPresent(deps))
    ? [{id: 'watchdog', title: `Remove the watchdog (${deps.platform.watchdog.mechanism})`}]
    : []
  if (backgroundPid)
    steps.push({
      id: 'gateway-process',
      title: `Stop the gateway claw-mesh runs in the background (pid ${backgroundPid})`,
    })
  if (meshPlugin)
    steps.push({id: 'mesh-plugin', title: "Uninstall claw-mesh's OpenClaw plugin (the agent's mesh tools)"})
  if (restore.mode !== 'none')
    steps.push({
      id: 'openclaw-config',
      title: `Restore ${configPath} (${restore.mode === 'bytes' ? 'original bytes' : restore.mode === 'delete' ? 'remove it: there was none before' : "undo claw-mesh's keys only"})`,
    })
  // Only what is there: a plan that promises to remove a skill nobody installed misleads.
  const skill = skillPath(deps)
  if ((await readIfExists(skill)) !== undefined)
    steps.push({id: 'skill', title: `Remove the claw-mesh skill (${skill})`})
  if (opts.purge) {
    steps.push(
      {
        id: 'token-copies',
        title:
          "Remove every copy of claw-mesh's tokens: its openclaw.json backups, and OpenClaw's own copies (.last-good, .bak*, .clobbered.*) that hold them",
      },
      {id: 'secrets', title: "Delete claw-mesh's secrets (tokens, peer tokens, mesh secret)"},
    )
    const peers = Object.keys(deps.store.read().peers).length
    if (peers > 0) steps.push({id: 'peers', title: `Remove the ${peers} peer record${peers === 1 ? '' : 's'}`})
  }
  if (opts.logout) steps.push({id: 'tailscale', title: 'Log this machine out of the tailnet (tailscale logout)'})
  return {configPath, restore, backgroundPid, steps}
}

async function attempt(
  steps: LeaveStep[],
  id: LeaveStep['id'],
  fn: () => Promise<string | {skipped: string}>,
): Promise<void> {
  try {
    const r = await fn()
    steps.push(typeof r === 'string' ? {id, status: 'done', detail: r} : {id, status: 'skipped', detail: r.skipped})
  } catch (error) {
    steps.push({id, status: 'failed', detail: (error as Error).message})
  }
}

async function restoreConfigFile(deps: Deps, plan: LeavePlan): Promise<string | {skipped: string}> {
  const {restore, configPath} = plan
  if (restore.mode === 'none' || !configPath) return {skipped: `openclaw.json left as it is: ${restore.reason}`}
  const g = deps.store.read().gateway
  if (restore.mode === 'delete') {
    await fs.rm(configPath, {force: true})
  } else if (restore.mode === 'bytes') {
    const raw = await fs.readFile(assertOwnBackup(deps.stateDir, g!.originalBackupPath!))
    await writeFileAtomic(configPath, raw, 0o600)
  } else {
    await writeFileAtomic(configPath, serializeOpenClawConfig(restore.next!), 0o600)
  }
  const what = restore.changes.map((c) => `${c.path} ${c.action}`).join(', ')
  if (restore.mode === 'bytes') return `${configPath} restored byte for byte from ${g!.originalBackupPath}`
  if (restore.mode === 'delete') return `${configPath} removed (there was none before claw-mesh)`
  return `${configPath}: ${restore.reason}. Undone: ${what}`
}

async function purgeSecrets(deps: Deps): Promise<string> {
  const state = deps.store.read()
  const store = await deps.secrets()
  const names = new Set([
    ...(state.secrets?.names ?? []),
    SECRET_NAMES.gatewayToken,
    SECRET_NAMES.hooksToken,
    SECRET_NAMES.meshSecret,
    ...Object.keys(state.peers).flatMap((n) => [SECRET_NAMES.peer(n), SECRET_NAMES.a2aIn(n), SECRET_NAMES.a2aOut(n)]),
    ...Object.keys(state.invites).map(SECRET_NAMES.inviteKey),
  ])
  let deleted = 0
  for (const n of names) if (await store.delete(n)) deleted++
  deps.store.update((s) => void (s.secrets = {...s.secrets, names: []}))
  return `${deleted} secret${deleted === 1 ? '' : 's'} deleted from ${store.location}`
}

/**
 * Takes this machine out of the mesh: watchdog off, claw-mesh's background gateway stopped, openclaw.json given
 * back, the skill removed; with `purge` also the peer records and every claw-mesh secret; with `logout` also the
 * tailnet login. Each step runs even when an earlier one failed; the result says what happened to each.
 */
export async function leaveMesh(deps: Deps, plan: LeavePlan, opts: LeaveOptions): Promise<LeaveResult> {
  const steps: LeaveStep[] = []
  const left: string[] = []
  // The watchdog first, or it would restart the gateway we are about to stop.
  await attempt(steps, 'watchdog', async () => {
    const r = await uninstallWatchdog(deps)
    if (!r.jobFound)
      return {
        skipped: `no watchdog was installed${r.removed.length > 0 ? ` (its leftover state removed: ${r.removed.map((p) => path.basename(p)).join(', ')})` : ''}`,
      }
    return `removed the ${r.mechanism} (${r.removed.length} file${r.removed.length === 1 ? '' : 's'})`
  })
  if (plan.backgroundPid) {
    await attempt(steps, 'gateway-process', async () => {
      await stopBackgroundGateway(deps, plan.backgroundPid!)
      return `stopped the background gateway (pid ${plan.backgroundPid}); start it yourself with: openclaw gateway`
    })
  }
  // Before the config is given back: OpenClaw's uninstall edits openclaw.json itself.
  if (plan.steps.some((s) => s.id === 'mesh-plugin')) {
    await attempt(steps, 'mesh-plugin', async () =>
      (await removeMeshPlugin(deps)) === 'removed'
        ? 'uninstalled with openclaw plugins uninstall'
        : {skipped: 'the plugin was not installed'},
    )
  }
  await attempt(steps, 'openclaw-config', () => restoreConfigFile(deps, plan))
  await attempt(steps, 'skill', async () => {
    const r = await removeSkill(deps)
    return r.removed ? `removed ${r.path}` : {skipped: 'the skill was not installed'}
  })
  await fs.rm(path.join(deps.stateDir, 'bin', 'secret-resolver'), {force: true})
  if (opts.purge) {
    // The copies first (finding them needs the token values), then the secrets (the peer records name the per-peer tokens).
    await attempt(steps, 'token-copies', () => purgeTokenCopies(deps, plan.configPath))
    await attempt(steps, 'secrets', () => purgeSecrets(deps))
    await attempt(steps, 'peers', async () => {
      const n = Object.keys(deps.store.read().peers).length
      deps.store.update((s) => {
        s.peers = {}
        delete s.identity
        delete s.mesh
      })
      return n === 0 ? {skipped: 'there were no peer records'} : `${n} peer record${n === 1 ? '' : 's'} removed`
    })
  } else {
    const n = Object.keys(deps.store.read().peers).length
    left.push(
      `${n} peer record${n === 1 ? '' : 's'} and claw-mesh's tokens in its secret store (remove them with --purge)`,
    )
  }
  if (opts.logout) {
    await attempt(steps, 'tailscale', async () => {
      const cli = openTailscale(deps)
      await cli.checked('logout', ['logout'], 30_000)
      return 'logged out of the tailnet'
    })
  } else {
    left.push("this machine's Tailscale login (pass --logout to leave the tailnet)")
  }
  // claw-mesh no longer manages the gateway; keep the record only when the file could not be given back (re-run).
  if (!steps.some((st) => st.id === 'openclaw-config' && st.status === 'failed'))
    deps.store.update((s) => void delete s.gateway)
  left.push('OpenClaw and Tailscale themselves: claw-mesh does not uninstall software')
  if (!opts.purge) {
    left.push(
      `backups of openclaw.json in ${path.join(deps.stateDir, 'backups')} (they hold the hooks token: --purge removes them)`,
    )
    if (plan.configPath)
      left.push(
        "OpenClaw's own copies next to openclaw.json (openclaw.json.last-good, .bak*): they still hold claw-mesh's tokens (--purge removes them)",
      )
  }
  const ts = deps.store.read().tailscale
  if (ts?.daemonPid !== undefined && pidAlive(ts.daemonPid)) {
    left.push(
      `the tailscaled claw-mesh started (pid ${ts.daemonPid}${ts.networking ? `, ${ts.networking} networking` : ''}) keeps running: stop it with kill ${ts.daemonPid}`,
    )
  }
  if (plan.configPath && !plan.backgroundPid)
    left.push(
      'a gateway started by a service manager or by hand keeps running; it reloads the restored openclaw.json by itself',
    )
  return {steps, left, configChanges: plan.restore.changes, restoreMode: plan.restore.mode}
}
