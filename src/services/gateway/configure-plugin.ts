import type {Deps} from '../../deps.js'
import {ensureMeshPlugin, meshPluginStatus, previewMeshPlugin, type MeshPluginAction} from '../openclaw/plugin.js'
import {locateOpenClaw} from '../openclaw/locate.js'
import {configureGateway, type ConfigureOptions, type ConfigureResult} from './configure.js'

/**
 * `claw-mesh gateway configure`: openclaw.json for the mesh, then claw-mesh's OpenClaw plugin (the agent's mesh
 * tools and the outbox `send` queues through), installed or updated exactly as bootstrap's mesh-plugin step does it.
 * Bootstrap calls configureGateway alone: its own step installs the plugin once the gateway runs.
 */
export interface ConfigureWithPluginResult extends ConfigureResult {
  /** With --dry-run: what would happen. Absent with --no-plugin. */
  meshPlugin?: {action: MeshPluginAction; detail: string}
}

export async function configureGatewayAndPlugin(
  deps: Deps,
  opts: ConfigureOptions & {plugin?: boolean},
  plugin: {dir?: string} = {},
): Promise<ConfigureWithPluginResult> {
  const result = await configureGateway(deps, opts)
  if (opts.plugin === false) return result
  // After the write, the recorded profile is the one asked for; a dry run recorded nothing, so it is passed on.
  const loc = locateOpenClaw(deps, {profile: opts.profile})
  const status = await (plugin.dir ? meshPluginStatus(deps, loc, plugin.dir) : meshPluginStatus(deps, loc))
  const meshPlugin = opts.dryRun ? previewMeshPlugin(status) : await ensureMeshPlugin(deps, status)
  // An OpenClaw that cannot load the plugin is not a failure of configure: the CLI works without it.
  if (meshPlugin.action === 'unsupported') result.notes.push(meshPlugin.detail)
  return {...result, meshPlugin}
}
