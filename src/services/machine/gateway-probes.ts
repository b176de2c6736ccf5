import {promises as fs} from 'node:fs'
import type {DoctorContext} from '../../core/checks/context.js'
import {viewGatewayConfig} from '../../core/checks/gateway-config.js'
import type {
  ConfigFileProbe,
  HttpProbe,
  OpenClawProbe,
  ServiceProbe,
  TokenProbe,
  ValidationProbe,
} from '../../core/checks/gateway-runtime.js'
import type {TailscaleProbe} from '../../core/checks/tailscale.js'
import {ClawMeshError} from '../../core/common/errors.js'
import {
  getPath,
  hooksTokenOf,
  isSecretRef,
  plaintextGatewayTokenOf,
  type OpenClawConfig,
} from '../../core/openclaw/openclaw-config.js'
import {resolveOpenClawPaths} from '../../core/openclaw/openclaw-config-paths.js'
import {appliedGatewayPortSetting} from '../../core/common/settings.js'
import type {State} from '../../core/common/state-schema.js'
import {isOnInterfaces, type InterfaceMap} from '../../core/tailscale/tailnet-address.js'
import type {Deps} from '../../deps.js'
import {HttpFailure} from '../../infra/http.js'
import {SECRET_NAMES, type SecretStore} from '../../infra/secrets/types.js'
import {checkGatewayToken} from '../gateway/token-check.js'
import {
  auditOpenClawConfig,
  readOpenClawConfig,
  validateOpenClawConfig,
  type OpenClawConfigFile,
} from '../openclaw/config-file.js'
import type {AuditProbe} from '../../core/checks/a2a.js'
import {MAC_REBOOT_WARNING} from '../../core/os/macos-session.js'
import {locateOpenClaw, probeOpenClawRuntime, type OpenClawLocation} from '../openclaw/locate.js'
import {resolveSecretRef} from '../doctor/secret-ref.js'
import type {MachineReads} from '../../core/checks/machine-view.js'
import type {ProbeCache} from './memo.js'
import type {createServiceProbes} from './service-probes.js'

const HEALTH_TIMEOUT_MS = 3000

export interface GatewayProbeInputs {
  state: () => State | undefined
  tailscale: () => Promise<TailscaleProbe>
  secretStore: () => Promise<{store?: SecretStore; error?: string}>
  commandTimeoutMs: number
  interfaces: () => InterfaceMap
  cache: ProbeCache
  reads: MachineReads
  services: ReturnType<typeof createServiceProbes>
  /** The OpenClaw profile the command names (--profile); else the recorded one. */
  profile?: string
}

async function get(deps: Pick<Deps, 'http'>, url: string, timeoutMs = HEALTH_TIMEOUT_MS): Promise<HttpProbe> {
  try {
    const r = await deps.http.request({url, timeoutMs})
    return {ok: true, status: r.status, body: r.body, latencyMs: r.latencyMs}
  } catch (error) {
    if (error instanceof HttpFailure) {
      const failure =
        error.kind === 'refused' || error.kind === 'timeout' || error.kind === 'unreachable' ? error.kind : 'other'
      return {ok: false, failure, message: error.message.replace(/^GET \S+: /, '')}
    }
    return {ok: false, failure: 'other', message: (error as Error).message}
  }
}

/**
 * The gateway half of the machine view, on the gateway phase's own code: locate OpenClaw, read and validate its
 * config, probe health, prove the token with the WebSocket handshake. Each probe runs once until invalidated.
 */
export function createGatewayProbes(deps: Deps, input: GatewayProbeInputs) {
  const {cache, reads, services} = input
  // Throws what locateOpenClaw throws (a $CLAW_MESH_OPENCLAW that does not exist): a command that needs OpenClaw stops.
  const located = cache.memo(['openclaw'], (): {loc?: OpenClawLocation; error?: unknown} => {
    try {
      return {loc: locateOpenClaw(deps, {profile: input.profile})}
    } catch (error) {
      return {error}
    }
  })
  const openclawLocation = (): OpenClawLocation => {
    const r = located()
    if (r.error !== undefined) throw r.error as Error // what the read threw, re-thrown as it was
    return r.loc!
  }
  // Never throws: a broken $CLAW_MESH_OPENCLAW or recorded profile is a finding (openclaw-cli), not a crash.
  const location = cache.memo(['openclaw'], (): OpenClawLocation & {error?: string} => {
    try {
      return openclawLocation()
    } catch (error) {
      const paths = resolveOpenClawPaths({env: deps.env, osHome: deps.home, windows: deps.platform.id === 'win32'})
      const e = error as ClawMeshError
      return {paths, error: `${e.message}${e.hint ? ` ${e.hint}` : ''}`}
    }
  })

  const openclaw = cache.memo(['openclaw'], async (): Promise<OpenClawProbe> => {
    const loc = location()
    if (!loc.bin) return loc.error ? {error: loc.error} : {}
    try {
      const rt = await probeOpenClawRuntime(deps, loc.bin)
      return {bin: loc.bin, version: rt.version, nodeVersion: rt.nodeVersion}
    } catch (error) {
      if (error instanceof ClawMeshError && error.code === 'node-too-old')
        return {bin: loc.bin, nodeError: error.message, error: 'its Node cannot run it (see openclaw-node)'}
      return {bin: loc.bin, error: (error as Error).message}
    }
  })

  // The one read of each openclaw.json a run looks at (in practice one path), kept with its failure.
  const read = cache.memoBy(['config'], async (file: string): Promise<{file?: OpenClawConfigFile; error?: unknown}> => {
    reads.config++
    try {
      return {file: await readOpenClawConfig(file)}
    } catch (error) {
      return {error}
    }
  })
  /** openclaw.json read and parsed (default: where OpenClaw here reads it); throws its UsageError when it does not parse. */
  const config = async (file?: string): Promise<OpenClawConfigFile> => {
    const r = await read(file ?? openclawLocation().paths.configPath)
    if (r.error !== undefined) throw r.error as Error // what the read threw, re-thrown as it was
    return r.file!
  }
  const configFile = cache.memo(
    ['config', 'openclaw'],
    async (): Promise<ConfigFileProbe & {object?: OpenClawConfig}> => {
      const file = location().paths.configPath
      const [mode, r] = await Promise.all([
        fs.stat(file).then(
          (st) => st.mode,
          () => undefined,
        ),
        read(file),
      ])
      if (r.error !== undefined) return {path: file, exists: true, mode, parseError: (r.error as Error).message}
      if (!r.file!.exists) return {path: file, exists: false}
      return {path: file, exists: true, mode, config: r.file!.config, object: r.file!.config}
    },
  )
  const configObject = async () => (await configFile()).object
  const configView = cache.memo(['config', 'openclaw'], async () => {
    const obj = await configObject()
    return obj ? viewGatewayConfig(obj) : undefined
  })
  // Where the gateway runs now: the port it was started with, else the one the config says.
  const port = async () => appliedGatewayPortSetting({state: input.state(), openclawConfig: await configView()}).value

  const validation = cache.memo(['config', 'openclaw'], async (): Promise<ValidationProbe> => {
    const [oc, file] = await Promise.all([openclaw(), configFile()])
    if (!oc.bin) return {ran: false, reason: 'openclaw is not installed'}
    if (!oc.version) return {ran: false, reason: 'openclaw does not run here (see openclaw-cli)'}
    if (!file.exists) return {ran: false, reason: 'no config file'}
    if (file.parseError) return {ran: false, reason: 'the file does not parse (see gateway-config)'}
    const r = await validateOpenClawConfig(deps, location(), file.path, input.commandTimeoutMs * 2)
    if (r.error) return {ran: false, reason: r.error}
    return {ran: true, valid: r.valid, issues: r.issues}
  })

  const securityAudit = cache.memo(['config', 'openclaw'], async (): Promise<AuditProbe> => {
    const [oc, file] = await Promise.all([openclaw(), configFile()])
    if (!oc.bin || !oc.version) return {ran: false, reason: 'openclaw does not run here (see openclaw-cli)'}
    if (!file.exists || file.parseError) return {ran: false, reason: 'no parseable config (see gateway-config)'}
    const r = await auditOpenClawConfig(deps, location(), file.path, input.commandTimeoutMs * 6)
    return r.findings ? {ran: true, findings: r.findings} : {ran: false, reason: r.error ?? 'no answer'}
  })

  const loopbackHealth = cache.memo(['health', 'config', 'openclaw'], async () => {
    const p = await port()
    const healthz = await get(deps, `http://127.0.0.1:${p}/healthz`)
    const readyz = healthz.ok && healthz.status === 200 ? await get(deps, `http://127.0.0.1:${p}/readyz`) : undefined
    return {port: p, healthz, readyz}
  })

  const tailnetHealth = cache.memo(
    ['health', 'config', 'openclaw', 'tailscale'],
    async (): Promise<Awaited<ReturnType<DoctorContext['tailnetHealth']>>> => {
      const [view, ts] = await Promise.all([configView(), input.tailscale()])
      if (!view || ts.kind !== 'ok' || ts.summary.backendState !== 'Running') return {}
      if (view.tailscaleMode === 'serve') {
        const url = ts.summary.dnsName ? `https://${ts.summary.dnsName}` : undefined
        return url ? {url, probe: await get(deps, `${url}/healthz`)} : {}
      }
      const ipv4 = ts.summary.ipv4
      if (!ipv4) return {ipv4}
      const local = isOnInterfaces(ipv4, input.interfaces())
      // Userspace networking: no interface has the address, but tailscaled's proxy reaches it (and hands the
      // connection to 127.0.0.1:port, exactly as it does for a peer).
      const viaProxy = deps.tailscaleProxy()
      if (!local && viaProxy)
        return {ipv4, ipv4Local: false, viaProxy, probe: await get(deps, `http://${ipv4}:${view.port}/healthz`)}
      if (!local) return {ipv4, ipv4Local: false}
      return {ipv4, ipv4Local: true, probe: await get(deps, `http://${ipv4}:${view.port}/healthz`)}
    },
  )

  const storedToken = async (name: string): Promise<{value?: string; error?: string}> => {
    const {store} = await input.secretStore()
    if (!store) return {}
    try {
      const value = await store.get(name)
      deps.redactor.add(value)
      return {value}
    } catch (error) {
      return {error: (error as Error).message}
    }
  }
  const storedGateway = cache.memo(['secrets'], () => storedToken(SECRET_NAMES.gatewayToken))
  const storedHooks = cache.memo(['secrets'], () => storedToken(SECRET_NAMES.hooksToken))

  /** The token the gateway will use: a plain string in the file, a resolved SecretRef, or OPENCLAW_GATEWAY_TOKEN. */
  const effective = cache.memo(
    ['config', 'openclaw', 'secrets'],
    async (): Promise<{value?: string; where: string; error?: string; kind: 'plain' | 'ref' | 'env' | 'none'}> => {
      const config = await configObject()
      const raw = config ? getPath(config, ['gateway', 'auth', 'token']) : undefined
      if (isSecretRef(raw)) {
        const r = await resolveSecretRef(deps, config!, raw, input.commandTimeoutMs)
        return r.ok ? {value: r.value, where: r.where, kind: 'ref'} : {where: r.where, error: r.error, kind: 'ref'}
      }
      const plain = config ? plaintextGatewayTokenOf(config) : undefined
      if (plain) {
        deps.redactor.add(plain)
        return {value: plain, where: 'openclaw.json (plain text)', kind: 'plain'}
      }
      if (deps.env.OPENCLAW_GATEWAY_TOKEN)
        return {value: deps.env.OPENCLAW_GATEWAY_TOKEN, where: 'OPENCLAW_GATEWAY_TOKEN', kind: 'env'}
      return {where: 'nowhere', kind: 'none'}
    },
  )

  const gatewayToken = cache.memo(['config', 'openclaw', 'secrets'], async (): Promise<TokenProbe> => {
    const [eff, read, {store}] = await Promise.all([effective(), storedGateway(), input.secretStore()])
    if (read.error) return {state: 'unreadable', error: read.error}
    const stored = read.value
    const recorded = input.state()?.secrets?.names?.includes(SECRET_NAMES.gatewayToken) ?? false
    const storeName = store ? `the ${store.backend} secret store (${store.location})` : 'the secret store'
    if (eff.kind === 'ref' && eff.error) return {state: 'unresolved', where: eff.where, error: eff.error}
    if (!recorded && !stored) {
      if (eff.kind === 'none') return {state: 'unconfigured', why: 'no gateway token configured (see gateway-auth)'}
      return {state: 'ok', where: `${eff.where} (claw-mesh does not manage it yet)`}
    }
    if (!stored) {
      const config = await configObject()
      return {state: 'missing', where: storeName, restorable: Boolean(config && plaintextGatewayTokenOf(config))}
    }
    if (eff.value !== undefined && eff.value !== stored) return {state: 'mismatch', where: eff.where}
    if (eff.kind === 'none') return {state: 'mismatch', where: 'openclaw.json has no gateway token'}
    return {
      state: 'ok',
      where: `${storeName}${eff.kind === 'ref' ? `, read by the gateway through ${eff.where}` : `; the gateway reads ${eff.where}`}`,
    }
  })

  const portListener = async () => services.listener(await port())

  const handshake = cache.memo(['health', 'listener', 'config', 'openclaw', 'secrets'], async () => {
    const [eff, health] = await Promise.all([effective(), loopbackHealth()])
    if (!eff.value)
      return {
        ran: false as const,
        reason: eff.error ? 'the token does not resolve (see gateway-token)' : 'no gateway token to try',
      }
    if (!(health.healthz.ok && health.healthz.status === 200))
      return {ran: false as const, reason: 'the gateway is not answering (see gateway-health)'}
    // The token goes only to this user's gateway, never to whatever answers on the port (see gateway-port).
    const listener = await portListener()
    if (!listener.ours) return {ran: false as const, reason: `not sent: ${listener.message}`}
    const r = await checkGatewayToken(`http://127.0.0.1:${health.port}`, eff.value, {timeoutMs: 10_000})
    if (r.verdict === 'accepted') return {ran: true as const, ok: true as const, detail: r.detail}
    return {
      ran: true as const,
      ok: false as const,
      refused: r.verdict === 'rejected',
      lockedOut: r.verdict === 'throttled',
      message: `${r.detail}${r.code ? ` (${r.code})` : ''}`,
    }
  })

  const service = cache.memo(['service', 'health', 'config', 'openclaw'], async (): Promise<ServiceProbe> => {
    const g = input.state()?.gateway
    switch (g?.runner) {
      case undefined:
        return {runner: 'none'}
      case 'external':
        return {runner: 'external'}
      case 'background': {
        const pid = await services.backgroundPid()
        return {runner: 'background', pid: pid ?? g.pid, alive: pid !== undefined}
      }
      case 'service': {
        const installed = await services.serviceInstalled(g.profile)
        const health = await loopbackHealth()
        const notes = installed ? await services.serviceNotes() : []
        const lingerOff = notes.find((n) => /Linger is off/.test(n))
        const user = lingerOff ? /Linger is off for (\S+?):/.exec(lingerOff)?.[1] : undefined
        return {
          runner: 'service',
          installed,
          running: health.healthz.ok && health.healthz.status === 200,
          detail: deps.platform.gateway.serviceManager,
          linger: deps.platform.id === 'linux' ? !lingerOff : undefined,
          user,
          rebootWarning: notes.find((n) => n.startsWith(MAC_REBOOT_WARNING)),
        }
      }
    }
  })

  return {
    location,
    openclawLocation,
    config,
    openclaw,
    configFile: async (): Promise<ConfigFileProbe> => {
      const {object: _object, ...probe} = await configFile()
      return probe
    },
    configObject,
    configView,
    validation,
    securityAudit,
    loopbackHealth,
    tailnetHealth,
    service,
    gatewayToken,
    handshake,
    portListener,
    storedHooksToken: async () => (await storedHooks()).value,
    effectiveGatewayToken: async () => (await effective()).value,
    plainGatewayToken: (config: OpenClawConfig | undefined) => (config ? plaintextGatewayTokenOf(config) : undefined),
    plainHooksToken: (config: OpenClawConfig | undefined) => (config ? hooksTokenOf(config) : undefined),
  }
}
