import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {mergeSelf, withSelfConfig, type SelfFlags} from '../../core/a2a/capabilities.js'
import {getPath, readGatewaySettings} from '../../core/openclaw/openclaw-config.js'
import {ClawMeshError} from '../../core/common/errors.js'
import {
  MESH_PLUGIN_ID,
  observedFromGateway,
  parsePluginInspect,
  planPlugin,
  pluginHealth,
  pluginInstallArgs,
  type ObservedPlugin,
  type PluginPlan,
} from '../../core/mesh/plugin-plan.js'
import type {Deps} from '../../deps.js'
import {packageRoot} from '../../infra/package-root.js'
import {readOpenClawConfig} from './config-file.js'
import {syncA2aConfig} from '../a2a/sync.js'
import {SECRET_NAMES} from '../../infra/secrets/types.js'
import {locateOpenClaw, openclawArgs, probeOpenClawRuntime, type OpenClawLocation} from './locate.js'
import {fetchAgentCard} from '../a2a/client.js'
import {fetchMeshCard} from '../peers/cards.js'
import {localUrl} from '../gateway/local-gateway.js'
import {appliedGatewayPortSetting} from '../../core/common/settings.js'

/**
 * claw-mesh's OpenClaw plugin on this machine: installed, updated and removed with OpenClaw's own plugin commands
 * (a running gateway applies an install live), checked with `plugins inspect --runtime`, which loads it the way
 * the gateway does.
 */
/** The bundled plugin: dist/openclaw-plugin in claw-mesh's package (npm run build writes it). */
export function bundledPluginDir(exists: (p: string) => boolean = existsSync): string | undefined {
  const dir = path.join(packageRoot(), 'dist', 'openclaw-plugin')
  return exists(path.join(dir, 'index.js')) && exists(path.join(dir, 'openclaw.plugin.json')) ? dir : undefined
}

export function bundledPluginVersion(dir: string): string {
  return (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {version: string}).version
}

export async function observeMeshPlugin(
  deps: Pick<Deps, 'runner'>,
  loc: OpenClawLocation & {bin: string},
): Promise<ObservedPlugin> {
  const r = await deps.runner.run(
    loc.bin,
    openclawArgs(loc, ['plugins', 'inspect', MESH_PLUGIN_ID, '--runtime', '--json']),
    {timeoutMs: 90_000},
  )
  return parsePluginInspect(r.stdout, r.exitCode)
}

/**
 * What a run wants the plugin to publish about this host: its identity and the --caps/--description flags given
 * (absent: what state.json recorded).
 */
export interface PluginWant {
  identity?: string
  self?: SelfFlags
}

/** The plugin's settings claw-mesh owns: where the audit log goes, and this host's name and capabilities (its card). */
export function desiredPluginConfig(
  deps: Pick<Deps, 'stateDir' | 'store'>,
  current: unknown,
  want: PluginWant = {},
): Record<string, unknown> {
  const base =
    current && typeof current === 'object' && !Array.isArray(current) ? (current as Record<string, unknown>) : {}
  const state = deps.store.read()
  return withSelfConfig(
    {...base, auditDir: deps.stateDir},
    want.identity ?? state.identity,
    mergeSelf(want.self, state.capabilities),
  )
}

export interface MeshPluginStatus {
  observed: ObservedPlugin
  plan: PluginPlan
  bundled?: string
  configStale: boolean
  openclawVersion?: string
  /** The bundled plugin's directory, which an install takes. */
  dir?: string
}

/** How long the running gateway gets to show its cards before OpenClaw itself is asked. */
const LIVE_CARD_TIMEOUT_MS = 2000

/**
 * The plugin as the gateway running on this machine has it loaded, from its public claw-mesh card on loopback (no
 * `openclaw` process: each takes seconds to start). The card names the plugin version and the OpenClaw release
 * serving it; a card from an older plugin that does not name the release is completed by OpenClaw's Agent Card
 * (served once the A2A channel has a peer). Undefined when the gateway cannot show it (down, starting, no card).
 */
export async function loadedMeshPlugin(
  deps: Pick<Deps, 'http'>,
  baseUrl: string,
  timeoutMs = LIVE_CARD_TIMEOUT_MS,
): Promise<ReturnType<typeof observedFromGateway>> {
  const mesh = await fetchMeshCard(deps, baseUrl, timeoutMs)
  if (mesh.state !== 'card') return undefined
  const openclawVersion = mesh.card.openclawVersion ?? (await fetchAgentCard(deps, baseUrl, timeoutMs)).card?.version
  return observedFromGateway(openclawVersion, mesh.card.pluginVersion)
}

export async function meshPluginStatus(
  deps: Deps,
  loc: OpenClawLocation = locateOpenClaw(deps),
  dir: string | undefined = bundledPluginDir(),
  want: PluginWant = {},
  opts: {
    /**
     * Ask the running gateway first (bootstrap's re-run): when its cards show this claw-mesh's plugin version loaded
     * on an OpenClaw that supports it, that is the answer. Anything else (a gateway that cannot show it, another
     * version, an OpenClaw out of range) is asked of OpenClaw itself, as without this option, so every change is
     * planned from `plugins inspect`.
     */
    viaGateway?: boolean
  } = {},
): Promise<MeshPluginStatus> {
  if (!loc.bin)
    return {
      observed: {installed: false},
      plan: {steps: [], unsupported: 'OpenClaw is not installed'},
      configStale: false,
    }
  if (!dir)
    return {
      observed: {installed: false},
      plan: {steps: [], unsupported: 'this claw-mesh was built without its OpenClaw plugin (npm run build makes it)'},
      configStale: false,
    }
  const bundled = bundledPluginVersion(dir)
  const file = await readOpenClawConfig(loc.paths.configPath)
  const current = getPath(file.config, ['plugins', 'entries', MESH_PLUGIN_ID, 'config'])
  const configStale = JSON.stringify(current ?? {}) !== JSON.stringify(desiredPluginConfig(deps, current, want))
  if (opts.viaGateway) {
    // The port the gateway listens on now: the one it was started with, else the one openclaw.json names.
    const port = appliedGatewayPortSetting({
      state: deps.store.read(),
      openclawConfig: {port: readGatewaySettings(file.config).port},
    }).value
    const loaded = await loadedMeshPlugin(deps, localUrl(port))
    const plan = loaded && planPlugin(loaded.observed, bundled, loaded.openclawVersion)
    if (loaded && plan && plan.steps.length === 0 && !plan.unsupported)
      return {observed: loaded.observed, plan, bundled, configStale, openclawVersion: loaded.openclawVersion, dir}
  }
  const runtime = await probeOpenClawRuntime(deps, loc.bin)
  const observed = await observeMeshPlugin(deps, {...loc, bin: loc.bin})
  return {
    observed,
    plan: planPlugin(observed, bundled, runtime.version),
    bundled,
    configStale,
    openclawVersion: runtime.version,
    dir,
  }
}

export type MeshPluginAction = 'installed' | 'updated' | 'enabled' | 'configured' | 'unchanged' | 'unsupported'

/** What ensureMeshPlugin would do with this status, without doing it (--dry-run). */
export function previewMeshPlugin(s: MeshPluginStatus): {action: MeshPluginAction; detail: string} {
  if (s.plan.unsupported)
    return {
      action: 'unsupported',
      detail: `mesh tools not installed: ${s.plan.unsupported}; agents use the claw-mesh command instead`,
    }
  if (s.plan.steps.length === 0 && !s.configStale) return {action: 'unchanged', detail: `version ${s.bundled} loaded`}
  if (s.plan.steps.includes('install'))
    return {
      action: s.observed.installed ? 'updated' : 'installed',
      detail: `would run openclaw plugins install (version ${s.bundled}${s.observed.version ? `, replacing ${s.observed.version}` : ''})`,
    }
  if (s.plan.steps.includes('enable'))
    return {action: 'enabled', detail: `would run openclaw plugins enable ${MESH_PLUGIN_ID}`}
  return {
    action: 'configured',
    detail: `would set plugins.entries.${MESH_PLUGIN_ID}.config (the audit log in claw-mesh's state dir, this host's name and capabilities)`,
  }
}

/**
 * Installs or updates the plugin when the plan says so, then checks it loads. An OpenClaw without the SDK the
 * plugin needs is reported, not an error: the CLI and the skill's fallback keep working.
 */
export async function ensureMeshPlugin(
  deps: Deps,
  status?: MeshPluginStatus,
  want: PluginWant = {},
): Promise<{action: MeshPluginAction; detail: string}> {
  const loc = locateOpenClaw(deps)
  const s = status ?? (await meshPluginStatus(deps, loc, undefined, want))
  const preview = previewMeshPlugin(s)
  if (preview.action === 'unsupported' || preview.action === 'unchanged') return preview
  const bin = loc.bin!
  const run = async (args: string[]) => {
    const r = await deps.runner.run(bin, openclawArgs(loc, args), {timeoutMs: 120_000})
    if (r.exitCode !== 0) {
      throw new ClawMeshError(
        `openclaw ${args.slice(0, 2).join(' ')} failed (exit ${r.exitCode}): ${(r.stderr || r.stdout).trim().split('\n').at(-1)?.slice(0, 300) ?? ''}`,
        {code: 'plugin-install-failed', hint: 'Run claw-mesh doctor; the CLI works without the plugin meanwhile.'},
      )
    }
  }
  if (s.plan.steps.includes('install')) await run(pluginInstallArgs(s.dir ?? bundledPluginDir()!))
  if (s.plan.steps.includes('enable')) await run(['plugins', 'enable', MESH_PLUGIN_ID, '--accept-capabilities'])
  if (s.configStale || s.plan.steps.includes('install')) {
    const file = await readOpenClawConfig(loc.paths.configPath)
    const current = getPath(file.config, ['plugins', 'entries', MESH_PLUGIN_ID, 'config'])
    // Only the plain settings go through argv, merged: the member's proof key (a secret, written by claw-mesh's own
    // config writer) stays where it is and is never passed. A plain setting that was cleared (--caps '') is unset.
    const {meshProof: _key, ...plain} = desiredPluginConfig(deps, current, want)
    await run(['config', 'set', `plugins.entries.${MESH_PLUGIN_ID}.config`, JSON.stringify(plain), '--merge'])
    const had = current && typeof current === 'object' && !Array.isArray(current) ? Object.keys(current) : []
    for (const key of had.filter((k) => k !== 'meshProof' && !(k in plain)))
      await run(['config', 'unset', `plugins.entries.${MESH_PLUGIN_ID}.config.${key}`])
  }
  // The proof key is a secret: it goes through claw-mesh's own config writer, now that the plugin has its entry.
  if (s.plan.steps.length > 0 && (await (await deps.secrets()).get(SECRET_NAMES.meshSecret))) await syncA2aConfig(deps)
  const after = await observeMeshPlugin(deps, {...loc, bin})
  const health = pluginHealth(after, s.bundled!)
  if (!health.ok)
    throw new ClawMeshError(`claw-mesh's OpenClaw plugin was installed but ${health.detail}.`, {
      code: 'plugin-not-loaded',
      hint: 'Run openclaw plugins inspect claw-mesh --runtime for the reason; the CLI works without the plugin meanwhile.',
    })
  const action = s.plan.steps.includes('install')
    ? s.observed.installed
      ? 'updated'
      : 'installed'
    : s.plan.steps.includes('enable')
      ? 'enabled'
      : 'configured'
  return {action, detail: health.detail}
}

/** `leave`: removes the plugin (OpenClaw deletes its files and config entry). Absent is fine. */
export async function removeMeshPlugin(
  deps: Deps,
  loc: OpenClawLocation = locateOpenClaw(deps),
): Promise<'removed' | 'absent'> {
  if (!loc.bin) return 'absent'
  const observed = await observeMeshPlugin(deps, {...loc, bin: loc.bin})
  if (!observed.installed) return 'absent'
  const r = await deps.runner.run(loc.bin, openclawArgs(loc, ['plugins', 'uninstall', MESH_PLUGIN_ID, '--force']), {
    timeoutMs: 120_000,
  })
  if (r.exitCode !== 0)
    throw new ClawMeshError(`openclaw plugins uninstall ${MESH_PLUGIN_ID} failed (exit ${r.exitCode}).`, {
      code: 'plugin-uninstall-failed',
      hint: `Remove it yourself: openclaw plugins uninstall ${MESH_PLUGIN_ID} --force`,
    })
  return 'removed'
}
