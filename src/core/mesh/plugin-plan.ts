/**
 * Installing, updating and checking claw-mesh's OpenClaw plugin. Pure: `observe` is what `openclaw plugins inspect
 * claw-mesh --runtime --json` said, `bundled` the version in claw-mesh's own package.
 */
export const MESH_PLUGIN_ID = 'claw-mesh'
export const MESH_PLUGIN_TOOLS = ['mesh_peers', 'mesh_ask', 'mesh_send', 'mesh_task'] as const
/** The OpenClaw releases the plugin is built and tested against (its `openclaw.compat.pluginApi`). */
export const PLUGIN_OPENCLAW_MIN = '2026.9.6'
export const PLUGIN_OPENCLAW_BELOW = '2026.10.0'

export interface ObservedPlugin {
  installed: boolean
  version?: string
  enabled?: boolean
  /** `loaded`, `error`, `disabled`, … as OpenClaw reports it. */
  status?: string
  toolNames?: string[]
  error?: string
}

export type PluginStep = 'install' | 'enable'

export interface PluginPlan {
  steps: PluginStep[]
  /** Why nothing can be done (the OpenClaw here has no plugin SDK the plugin can use). */
  unsupported?: string
}

function parts(v: string): number[] {
  return v
    .split(/[.-]/)
    .slice(0, 3)
    .map((n) => Number.parseInt(n, 10) || 0)
}

export function compareVersions(a: string, b: string): number {
  const [x, y] = [parts(a), parts(b)]
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0)
  return 0
}

/** Why this OpenClaw cannot run the plugin, or undefined when it can. */
export function pluginSupportProblem(openclawVersion: string | undefined): string | undefined {
  if (!openclawVersion) return "OpenClaw's version is unknown"
  if (compareVersions(openclawVersion, PLUGIN_OPENCLAW_MIN) < 0)
    return `OpenClaw ${openclawVersion} is older than ${PLUGIN_OPENCLAW_MIN}, the first release whose plugin SDK the mesh tools use`
  if (compareVersions(openclawVersion, PLUGIN_OPENCLAW_BELOW) >= 0)
    return `OpenClaw ${openclawVersion} is newer than the releases this claw-mesh's plugin was tested with (${PLUGIN_OPENCLAW_MIN} up to ${PLUGIN_OPENCLAW_BELOW}); OpenClaw would not load it`
  return undefined
}

export function planPlugin(observed: ObservedPlugin, bundled: string, openclawVersion: string | undefined): PluginPlan {
  const unsupported = pluginSupportProblem(openclawVersion)
  if (unsupported) return {steps: [], unsupported}
  const steps: PluginStep[] = []
  const current = observed.installed && observed.version === bundled && observed.status !== 'error'
  if (!current) steps.push('install')
  // A reinstall after `plugins uninstall` stays disabled until enabled again.
  if (observed.enabled === false || (!current && observed.installed && observed.enabled !== true)) steps.push('enable')
  return {steps}
}

export function pluginInstallArgs(dir: string): string[] {
  return ['plugins', 'install', dir, '--force', '--accept-capabilities']
}

/** Reads `plugins inspect <id> --runtime --json`; anything unexpected is "not installed" with the reason. */
export function parsePluginInspect(stdout: string, exitCode: number): ObservedPlugin {
  const start = stdout.indexOf('{')
  if (exitCode !== 0 || start < 0) return {installed: false, error: stdout.trim().split('\n').at(-1)?.slice(0, 300)}
  try {
    const json = JSON.parse(stdout.slice(start)) as {
      plugin?: {version?: unknown; enabled?: unknown; status?: unknown; toolNames?: unknown; error?: unknown}
    }
    const p = json.plugin
    if (!p) return {installed: false}
    return {
      installed: true,
      version: typeof p.version === 'string' ? p.version : undefined,
      enabled: typeof p.enabled === 'boolean' ? p.enabled : undefined,
      status: typeof p.status === 'string' ? p.status : undefined,
      toolNames: Array.isArray(p.toolNames) ? p.toolNames.filter((t): t is string => typeof t === 'string') : undefined,
      error: typeof p.error === 'string' ? p.error.slice(0, 300) : undefined,
    }
  } catch {
    return {installed: false, error: 'plugins inspect printed no JSON'}
  }
}

/**
 * The plugin as a running gateway shows it: the claw-mesh card (a route only the plugin registers, and only once it
 * has loaded, enabled) names the plugin version loaded and the OpenClaw release serving it (an older plugin's card
 * does not: OpenClaw's Agent Card then names the release). Undefined when either is missing or not a version: then
 * only OpenClaw's own `plugins inspect` can tell.
 */
export function observedFromGateway(
  openclawVersion: string | undefined,
  pluginVersion: string | undefined,
): {observed: ObservedPlugin; openclawVersion: string} | undefined {
  if (!openclawVersion || !/^\d{4}\.\d+\.\d+/.test(openclawVersion)) return undefined
  if (!pluginVersion || !/^\d+\.\d+\.\d+[\w.+-]*$/.test(pluginVersion)) return undefined
  return {observed: {installed: true, version: pluginVersion, enabled: true, status: 'loaded'}, openclawVersion}
}

/** What doctor says about an observed plugin. */
export function pluginHealth(observed: ObservedPlugin, bundled: string): {ok: boolean; detail: string} {
  if (!observed.installed) return {ok: false, detail: 'not installed'}
  if (observed.enabled === false)
    return {ok: false, detail: `version ${observed.version ?? '?'} installed but disabled`}
  if (observed.status !== 'loaded')
    return {
      ok: false,
      detail: `version ${observed.version ?? '?'} does not load (${observed.status ?? 'no status'}${observed.error ? `: ${observed.error}` : ''})`,
    }
  const missing = MESH_PLUGIN_TOOLS.filter((t) => !(observed.toolNames ?? []).includes(t))
  if (missing.length > 0) return {ok: false, detail: `loaded without ${missing.join(', ')}`}
  if (observed.version !== bundled)
    return {ok: false, detail: `version ${observed.version ?? '?'} loaded; this claw-mesh ships ${bundled}`}
  return {ok: true, detail: `version ${bundled} loaded with ${MESH_PLUGIN_TOOLS.join(', ')}`}
}
