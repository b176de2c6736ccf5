import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'
import type {SecretPresence} from '../../core/checks/secrets.js'
import {ClawMeshError} from '../../core/common/errors.js'
import type {MachineObservation, MachineReads} from '../../core/checks/machine-view.js'
import {OUTBOX_SUMMARY_FILE, type OutboxSummaryFile} from '../../core/mesh/mesh-audit.js'
import {configuredGatewayPortSetting} from '../../core/common/settings.js'
import type {State} from '../../core/common/state-schema.js'
import type {Deps} from '../../deps.js'
import {secretFileProblems} from '../../infra/secrets/file.js'
import type {SecretStoreChoice} from '../../infra/secrets/select.js'
import {SECRET_NAMES, type SecretStore} from '../../infra/secrets/types.js'
import {cliNodeMinimum, probeAgentFallback} from '../doctor/agent-fallback-probe.js'
import {probeFirewall} from '../doctor/firewall-probe.js'
import {backupsDir} from '../gateway/backups.js'
import {meshPluginStatus} from '../openclaw/plugin.js'
import {createGatewayProbes} from './gateway-probes.js'
import {memo, probeCache} from './memo.js'
import {createServiceProbes} from './service-probes.js'
import {createTailscaleProbes} from './tailscale-probe.js'

export interface MachineViewOptions {
  /** --socket: the tailscaled to ask. */
  socket?: string
  /** --profile: the OpenClaw profile (default: the recorded one). */
  profile?: string
  /** --secret-store: the store to open (default: the recorded one). */
  secretStore?: SecretStoreChoice
  /** Timeout for local commands (tailscale, openclaw config validate, the service manager). Default 15 s. */
  commandTimeoutMs?: number
  /** Timeout for `tailscale status --json` (default: commandTimeoutMs). */
  tailscaleTimeoutMs?: number
  /** Timeout for a connection to tailscaled's proxy (capped at 3 s). */
  proxyTimeoutMs?: number
}

/** The machine view: what doctor's checks read, plus the typed reads the services build on. */
export type MachineView = ReturnType<typeof createMachineView>

/**
 * The machine as every command sees it, built lazily: each probe runs the first time something asks for it and is
 * shared by every later reader (one `tailscale status --json`, one read of openclaw.json, one health probe), until
 * an applier that changed that part calls `invalidate`.
 */
export function createMachineView(deps: Deps, opts: MachineViewOptions = {}) {
  const commandTimeoutMs = opts.commandTimeoutMs ?? 15_000
  const reads: MachineReads = {tailscale: 0, config: 0}
  const cache = probeCache()

  const stateRead = cache.memo(['state'], (): {state?: State; error?: unknown} => {
    try {
      return {state: deps.store.read()}
    } catch (error) {
      return {error}
    }
  })
  const readState = (): State => {
    const r = stateRead()
    if (r.error !== undefined) throw r.error as Error // what the read threw, re-thrown as it was
    return r.state!
  }
  const state = (): ReturnType<MachineObservation['state']> => {
    const {state, error} = stateRead()
    if (state) return {ok: true, state}
    if (error instanceof ClawMeshError) return {ok: false, error: error.message, hint: error.hint}
    return {ok: false, error: `claw-mesh state could not be read: ${(error as Error).message}`}
  }
  const stateOrEmpty = () => stateRead().state

  const ts = createTailscaleProbes(deps, cache, {
    socket: opts.socket,
    commandTimeoutMs: opts.tailscaleTimeoutMs ?? commandTimeoutMs,
    proxyTimeoutMs: opts.proxyTimeoutMs,
    reads,
  })
  const secretStore = cache.memo(
    ['secrets'],
    async (): Promise<{store?: SecretStore; error?: string; hint?: string}> => {
      try {
        return {store: await deps.secrets(opts.secretStore)}
      } catch (error) {
        return {error: (error as Error).message, hint: (error as {hint?: string}).hint}
      }
    },
  )
  // The store itself, for a command that cannot go on without it (its error, as deps.secrets threw it).
  const secrets = cache.memo(['secrets'], () => deps.secrets(opts.secretStore))
  const services = createServiceProbes(deps, cache, {commandTimeoutMs})
  const gateway = createGatewayProbes(deps, {
    state: stateOrEmpty,
    tailscale: ts.tailscale,
    secretStore,
    commandTimeoutMs,
    interfaces: () => deps.networkInterfaces(),
    cache,
    reads,
    services,
    profile: opts.profile,
  })

  const secretsPresence = cache.memo(
    ['secrets', 'config', 'openclaw'],
    async (): Promise<{secrets: SecretPresence[]; error?: string}> => {
      const {store} = await secretStore()
      const names = stateOrEmpty()?.secrets?.names ?? []
      if (!store) return {secrets: []}
      const config = await gateway.configObject()
      try {
        const secrets = await Promise.all(
          names.map(async (name): Promise<SecretPresence> => {
            const value = await store.get(name)
            deps.redactor.add(value)
            const restoreFrom =
              name === SECRET_NAMES.gatewayToken && gateway.plainGatewayToken(config)
                ? 'gateway.auth.token'
                : name === SECRET_NAMES.hooksToken && gateway.plainHooksToken(config)
                  ? 'hooks.token'
                  : undefined
            return {name, present: value !== undefined && value !== '', ...(restoreFrom ? {restoreFrom} : {})}
          }),
        )
        return {secrets}
      } catch (error) {
        // An insecure secret file refuses every read: that is secrets-file's finding, not a crash.
        return {secrets: [], error: (error as Error).message}
      }
    },
  )

  const checks = {
    platform: deps.platform.id,
    backupsDir: backupsDir(deps.stateDir),
    env: deps.env,
    now: () => deps.clock.now(),
    state,
    provisioned: () => {
      const s = stateOrEmpty()
      return Boolean(s && (s.identity || s.gateway?.configPath || s.tailscale?.hostname))
    },
    startCommand: 'claw-mesh gateway start',
    whoHoldsPort: (port: number) =>
      deps.platform.id === 'win32'
        ? `netstat -ano | findstr :${port}`
        : deps.platform.id === 'darwin'
          ? `lsof -nP -iTCP:${port} -sTCP:LISTEN`
          : `ss -ltnp 'sport = :${port}'`,
    tailscaleCli: ts.version,
    tailscale: ts.tailscale,
    tailscaleOs: {daemonDownText: deps.platform.tailscaleDaemonDownText, startHint: deps.platform.tailscaleStartHint},
    openclaw: gateway.openclaw,
    configFile: gateway.configFile,
    configView: gateway.configView,
    validation: gateway.validation,
    securityAudit: gateway.securityAudit,
    loopbackHealth: gateway.loopbackHealth,
    tailnetHealth: gateway.tailnetHealth,
    tailscaleProxy: ts.proxy,
    service: gateway.service,
    gatewayToken: gateway.gatewayToken,
    handshake: gateway.handshake,
    portListener: gateway.portListener,
    storedHooksToken: gateway.storedHooksToken,
    effectiveGatewayToken: gateway.effectiveGatewayToken,
    secretStore: async () => {
      const {store, error, hint} = await secretStore()
      const recorded = stateOrEmpty()?.secrets?.backend
      return store
        ? {ok: true as const, backend: store.backend, location: store.location, recorded}
        : {ok: false as const, error: error ?? 'unknown error', recorded, ...(hint ? {hint} : {})}
    },
    secretsPresence,
    secretFile: async () => {
      const file = path.join(deps.stateDir, 'secrets.json')
      const problems = await secretFileProblems(file, {platform: deps.platform.id})
      const {store} = await secretStore()
      return {backend: store?.backend ?? stateOrEmpty()?.secrets?.backend, file, exists: existsSync(file), problems}
    },
    volatileSecrets: () => deps.volatileSecrets(),
    firewall: cache.memo(['config', 'openclaw'], async () => {
      const view = await gateway.configView()
      return probeFirewall(deps, {
        port: configuredGatewayPortSetting({state: stateOrEmpty(), openclawConfig: view}).value,
        timeoutMs: commandTimeoutMs,
      })
    }),
    agentFallback: cache.memo(['openclaw'], async () => ({
      probe: await probeAgentFallback(deps, commandTimeoutMs),
      minimum: cliNodeMinimum(),
    })),
    meshPlugin: cache.memo(['openclaw', 'config'], async () => {
      try {
        const s = await meshPluginStatus(deps)
        return {unsupported: s.plan.unsupported, observed: s.observed, bundled: s.bundled, configStale: s.configStale}
      } catch (error) {
        return {error: String((error as Error)?.message ?? error).slice(0, 300)}
      }
    }),
    meshOutbox: memo(async () => {
      try {
        return JSON.parse(readFileSync(path.join(deps.stateDir, OUTBOX_SUMMARY_FILE), 'utf8')) as OutboxSummaryFile
      } catch {
        return undefined
      }
    }),
  } satisfies Omit<MachineObservation, 'readState' | 'listener' | 'invalidate' | 'reads'>

  return {
    ...checks,
    readState,
    listener: services.listener,
    invalidate: (...probes: Parameters<MachineObservation['invalidate']>) =>
      cache.invalidate(probes.length > 0 ? probes : undefined),
    reads: reads as Readonly<MachineReads>,
    /** The tailscale CLI at the socket this command uses; undefined when it is not installed. */
    tailscaleClient: ts.client,
    /** The one `tailscale status --json` of the run, as it came back. */
    tailscaleStatus: ts.status,
    openclawLocation: gateway.openclawLocation,
    config: gateway.config,
    configObject: gateway.configObject,
    secrets,
    gatewayHealth: services.gatewayHealth,
    serviceManager: services.serviceManager,
    serviceInstalled: services.serviceInstalled,
    serviceNotes: services.serviceNotes,
    backgroundPid: services.backgroundPid,
    /** The service manager's probe runner, with this view's command timeout. */
    probeRun: services.run,
  }
}
