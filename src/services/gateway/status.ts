import {peerUrlFor} from '../../core/openclaw/gateway-url.js'
import {ClawMeshError} from '../../core/common/errors.js'
import {readGatewaySettings, type GatewayExpose} from '../../core/openclaw/openclaw-config.js'
import {isOnInterfaces, tailnetIPv4FromInterfaces, type InterfaceMap} from '../../core/tailscale/tailnet-address.js'
import {appliedGatewayPortSetting, configuredGatewayPortSetting} from '../../core/common/settings.js'
import type {Deps} from '../../deps.js'
import {createMachineView, type MachineView} from '../machine/view.js'
import {serviceProfileOf} from '../openclaw/locate.js'
import type {ProbeAnswer} from './health.js'
import {localUrl} from './start.js'

export interface GatewayStatus {
  configured: boolean
  configPath: string
  configExists: boolean
  profile?: string
  openclaw: {bin?: string; source?: string}
  expose?: GatewayExpose
  mode?: string
  bind?: string
  port: number
  authMode?: string
  /** Where the gateway token lives, never its value. */
  token: string
  tailscaleMode?: string
  hooks: {enabled: boolean; path: string; tokenSet: boolean}
  runner: {
    kind: 'service' | 'background' | 'external' | 'stopped'
    detail: string
    pid?: number
    serviceManager: string
    serviceManagerUsable: boolean
    serviceInstalled: boolean
  }
  local: {url: string; healthz: ProbeAnswer; readyz: ProbeAnswer}
  /** Tailnet bind: does the gateway answer on the Tailscale IPv4 itself (or only on loopback)? */
  /** `onInterface` false: the address is on no interface here (userspace networking), so nothing can listen on it. */
  tailnet?: {
    ipv4?: string
    source: 'tailscale' | 'interfaces' | 'none'
    onInterface?: boolean
    viaProxy?: string
    healthz?: ProbeAnswer
  }
  peerUrl?: string
  peerUrlProblem?: string
  /** Config paths changed since the gateway last started. */
  pending: string[]
}

function describeToken(s: ReturnType<typeof readGatewaySettings>): string {
  if (s.token.kind === 'plaintext') return 'plain text in openclaw.json'
  if (s.token.kind === 'none') return 'none configured'
  const {ref} = s.token
  const p = s.provider
  if (ref.source === 'exec')
    return `exec SecretRef ${ref.provider}:${ref.id} (${typeof p?.command === 'string' ? p.command : 'provider not declared'})`
  if (ref.source === 'file')
    return `file SecretRef ${ref.provider}:${ref.id} (${typeof p?.path === 'string' ? p.path : 'provider not declared'})`
  return `${ref.source} SecretRef ${ref.provider}:${ref.id}`
}

/** The Tailscale IPv4: from `tailscale status` when the CLI is there, else the interfaces (as the gateway does). */
async function tailnetAddress(
  view: MachineView,
  interfaces: InterfaceMap,
): Promise<{ipv4?: string; dnsName?: string; source: 'tailscale' | 'interfaces' | 'none'}> {
  // tailscaled down: fall back to what the interfaces say.
  const ts = await view.tailscale()
  if (ts.kind === 'ok' && ts.summary.ipv4)
    return {ipv4: ts.summary.ipv4, dnsName: ts.summary.dnsName ?? undefined, source: 'tailscale'}
  const ipv4 = tailnetIPv4FromInterfaces(interfaces)
  return ipv4 ? {ipv4, source: 'interfaces'} : {source: 'none'}
}

/**
 * `claw-mesh gateway status`: what openclaw.json says (never a secret), how the gateway runs, whether it answers
 * locally and on the tailnet, and the URL peers use. Read-only.
 */
export async function gatewayStatus(
  deps: Deps,
  opts: {profile?: string} = {},
  view: MachineView = createMachineView(deps, {profile: opts.profile}),
): Promise<GatewayStatus> {
  const state = view.readState()
  const g = state.gateway
  const loc = view.openclawLocation()
  const configPath = g?.configPath ?? loc.paths.configPath
  const file = await view.config(configPath)
  const s = readGatewaySettings(file.config)
  const port = configuredGatewayPortSetting({openclawConfig: s}).value
  const runningPort = appliedGatewayPortSetting({state, openclawConfig: s}).value
  const manager = await view.serviceManager()
  const serviceInstalled = manager.usable ? await view.serviceInstalled(loc.profile) : false
  const pid = await view.backgroundPid()
  const local = await view.gatewayHealth(localUrl(runningPort))
  let kind: GatewayStatus['runner']['kind'] = 'stopped'
  let detail = 'no gateway answers on 127.0.0.1'
  if (pid)
    [kind, detail] = ['background', `background process pid ${pid} (no service manager; does not survive a reboot)`]
  else if (serviceInstalled && local.healthz.ok)
    [kind, detail] = [
      'service',
      `${manager.detail}; ${deps.platform.gateway.serviceLocation(deps.home, serviceProfileOf(loc.profile, deps.env))}`,
    ]
  else if (local.healthz.ok) [kind, detail] = ['external', 'a gateway claw-mesh did not start answers on this port']
  else if (serviceInstalled)
    detail = `service installed (${deps.platform.gateway.serviceLocation(deps.home, serviceProfileOf(loc.profile, deps.env))}) but not answering`

  const expose = g?.expose
  const status: GatewayStatus = {
    configured: Boolean(g?.configPath),
    configPath,
    configExists: file.exists,
    profile: loc.profile,
    openclaw: {bin: loc.bin, source: loc.source},
    expose,
    mode: s.mode,
    bind: s.bind,
    port,
    authMode: s.authMode ?? (s.token.kind === 'none' ? undefined : 'token'),
    token: describeToken(s),
    tailscaleMode: s.tailscaleMode,
    hooks: s.hooks,
    runner: {
      kind,
      detail,
      pid,
      serviceManager: deps.platform.gateway.serviceManager,
      serviceManagerUsable: manager.usable,
      serviceInstalled,
    },
    local: {url: localUrl(runningPort), healthz: local.healthz, readyz: local.readyz},
    pending: g?.pending ?? [],
  }
  const interfaces = deps.networkInterfaces()
  const addr = await tailnetAddress(view, interfaces)
  if (s.bind === 'tailnet') {
    // The gateway binds the tailnet address only if it existed when it started; otherwise loopback alone.
    const onInterface = addr.ipv4 ? isOnInterfaces(addr.ipv4, interfaces) : undefined
    // Userspace networking: on no interface, but reachable through tailscaled's proxy, the way peers reach it.
    const viaProxy = onInterface === false ? deps.tailscaleProxy() : undefined
    const healthz =
      addr.ipv4 && (onInterface || viaProxy)
        ? (await view.gatewayHealth(`http://${addr.ipv4}:${runningPort}`)).healthz
        : undefined
    status.tailnet = {ipv4: addr.ipv4, source: addr.source, onInterface, ...(viaProxy ? {viaProxy} : {}), healthz}
  }
  if (expose) {
    try {
      status.peerUrl = peerUrlFor({expose, port, ipv4: addr.ipv4, dnsName: addr.dnsName})
    } catch (error) {
      if (!(error instanceof ClawMeshError)) throw error
      status.peerUrlProblem = error.message
    }
  }
  return status
}
