import {existsSync, readFileSync} from 'node:fs'
import {connect} from 'node:net'
import path from 'node:path'
import type {DoctorContext, PeerProbeView} from '../../core/checks/context.js'
import {findPeerNode, type PingView} from '../../core/checks/peers.js'
import type {SecretPresence} from '../../core/checks/secrets.js'
import type {TailscaleProbe} from '../../core/checks/tailscale.js'
import {ClawMeshError} from '../../core/errors.js'
import type {PeerRecord, State} from '../../core/state-schema.js'
import {parseStatusJson, summarizeStatus} from '../../core/tailscale-status.js'
import {tailscaleError} from '../../core/tailscale-errors.js'
import type {Deps} from '../../deps.js'
import {configuredGatewayPortSetting} from '../../core/settings.js'
import {secretFileProblems} from '../../infra/secrets/file.js'
import {SECRET_NAMES, type SecretStore} from '../../infra/secrets/types.js'
import {checkPeers} from '../peers/check.js'
import {findTailscaleCli, TailscaleCli, tailscaleSocket} from '../tailscale/cli.js'
import {backupsDir} from '../gateway/backups.js'
import {cliNodeMinimum, probeAgentFallback} from './agent-fallback-probe.js'
import {probeFirewall} from './firewall-probe.js'
import {OUTBOX_SUMMARY_FILE, type OutboxSummaryFile} from '../../core/mesh-audit.js'
import {meshPluginStatus} from '../openclaw/plugin.js'
import {createGatewayProbes} from './gateway-probes.js'
import {limiter, memo, memoBy} from './memo.js'

export interface DoctorContextOptions {
  /** Only this peer (--peer NAME). */
  peer?: string
  /** Per-peer network timeout. */
  peerTimeoutMs: number
  /** Timeout for local commands (tailscale status, openclaw config validate). */
  commandTimeoutMs?: number
  socket?: string
}

// Enough that 100 peers need a few rounds at most: a ping to an unreachable node waits its whole timeout.
const PING_CONCURRENCY = 25

/**
 * The doctor's view of the machine, built lazily: each probe runs the first time a check asks for it and is
 * shared by every later check (one `tailscale status --json`, one config read, one health probe, one peer sweep).
 */
export function createDoctorContext(deps: Deps, opts: DoctorContextOptions): DoctorContext {
  const commandTimeoutMs = opts.commandTimeoutMs ?? 15_000

  const state = memo((): ReturnType<DoctorContext['state']> => {
    try {
      return {ok: true, state: deps.store.read()}
    } catch (error) {
      if (error instanceof ClawMeshError) return {ok: false, error: error.message, hint: error.hint}
      return {ok: false, error: `claw-mesh state could not be read: ${(error as Error).message}`}
    }
  })
  const stateOrEmpty = (): State | undefined => {
    const s = state()
    return s.ok ? s.state : undefined
  }

  const cliPath = memo(() => findTailscaleCli(deps))
  const tailscaleCli = memo(() => {
    const cli = cliPath()
    if (!cli) return undefined
    const socket = tailscaleSocket(deps, {flag: opts.socket})
    return new TailscaleCli(deps, {cli, socket})
  })

  const tailscale = memo(async (): Promise<TailscaleProbe> => {
    const cli = tailscaleCli()
    if (!cli) return {kind: 'missing'}
    const result = await cli.raw(['status', '--json'], commandTimeoutMs)
    if (result.notFound) return {kind: 'error', cli: cli.location.cli, message: `${cli.location.cli} could not be run`}
    if (result.timedOut) return {kind: 'error', cli: cli.location.cli, message: `no answer within ${commandTimeoutMs} ms`}
    if (result.exitCode !== 0) {
      const error = tailscaleError({subcommand: 'status', args: ['status', '--json'], exitCode: result.exitCode, stderr: result.stderr || result.stdout, startHint: deps.platform.tailscaleStartHint, os: deps.platform.id, cli: cli.location.cli})
      if (error.code === 'tailscale-daemon-down') {
        const appStopped = deps.platform.tailscaleAppStopped?.(deps.probeHost())
        return {kind: 'daemon-down', cli: cli.location.cli, stderr: (result.stderr || result.stdout).trim(), ...(appStopped ? {appStopped} : {})}
      }
      return {kind: 'error', cli: cli.location.cli, message: error.message}
    }
    try {
      return {kind: 'ok', cli: cli.location.cli, summary: summarizeStatus(parseStatusJson(result.stdout))}
    } catch (error) {
      return {kind: 'error', cli: cli.location.cli, message: (error as Error).message}
    }
  })

  const tailscaleVersion = memo(async () => {
    const cli = tailscaleCli()
    if (!cli) return {}
    const ts = await tailscale()
    // `status --json` carries the version; only ask `tailscale version` when the daemon did not answer.
    if (ts.kind === 'ok' && ts.summary.version) return {cli: cli.location.cli, version: ts.summary.version.split('-')[0]}
    const result = await cli.raw(['version'], commandTimeoutMs)
    const first = result.stdout.split('\n')[0]?.trim()
    if (result.exitCode === 0 && first) return {cli: cli.location.cli, version: first}
    return {cli: cli.location.cli, versionError: (result.stderr || result.stdout).trim().split('\n')[0] || `exit ${result.exitCode}`}
  })

  const records = memo((): PeerRecord[] => {
    const all = Object.values(stateOrEmpty()?.peers ?? {}).sort((a, b) => a.name.localeCompare(b.name))
    return opts.peer ? all.filter((r) => r.name === opts.peer) : all
  })

  const secretStore = memo(async (): Promise<{store?: SecretStore; error?: string; hint?: string}> => {
    try {
      return {store: await deps.secrets()}
    } catch (error) {
      return {error: (error as Error).message, hint: (error as {hint?: string}).hint}
    }
  })

  const gateway = createGatewayProbes(deps, {
    state: stateOrEmpty,
    tailscale,
    secretStore,
    commandTimeoutMs,
    interfaces: () => deps.networkInterfaces(),
  })

  // One sweep over every peer, reusing the peer service (it also records each verdict in lastCheck).
  const peerSweep = memo(async (): Promise<Map<string, PeerProbeView>> => {
    const names = records().map((r) => r.name)
    if (names.length === 0) return new Map()
    const tailnet = tailscale().then((ts) => (ts.kind === 'ok' ? {summary: ts.summary} : {note: 'tailnet presence not checked: tailscale status unavailable'}))
    const result = await checkPeers(deps, {names, timeoutMs: opts.peerTimeoutMs, tailnet})
    return new Map(result.peers.map((p) => [p.name, p]))
  })

  const tailscaleProxy = memo(async (): Promise<{proxy?: string; answers?: boolean; error?: string}> => {
    let proxy: string | undefined
    try {
      proxy = deps.tailscaleProxy()
    } catch (error) {
      return {error: (error as Error).message}
    }
    if (!proxy) return {}
    const {hostname, port} = new URL(proxy)
    return {proxy, answers: await tcpAnswers(hostname.replace(/^\[|\]$/g, ''), Number(port), Math.min(opts.peerTimeoutMs, 3000))}
  })

  const pingLimit = limiter(PING_CONCURRENCY)
  const ping = memoBy(async (name: string): Promise<{result?: PingView; why?: string}> => {
    const record = records().find((r) => r.name === name)
    const ts = await tailscale()
    if (!record) return {why: 'unknown peer'}
    if (ts.kind !== 'ok') return {why: 'tailscale status unavailable'}
    if (ts.summary.backendState !== 'Running') return {why: `this machine's Tailscale is ${ts.summary.backendState}`}
    const node = findPeerNode(ts.summary, record)
    if (!node) return {why: 'not in the tailnet'}
    if (!node.online) return {why: 'offline'}
    const target = node.ipv4 ?? node.dnsName ?? node.hostname
    const cli = tailscaleCli()!
    return {result: await pingLimit(() => cli.ping(target, opts.peerTimeoutMs))}
  })

  const clockSample = memo(async () => {
    const sweep = await peerSweep()
    const answering = records().find((r) => sweep.get(r.name)?.probes.healthz.status === 'ok')
    if (!answering) return {why: records().length === 0 ? 'no peers to compare clocks with' : 'no peer answered /healthz'}
    const sentAt = deps.clock.now().getTime()
    try {
      const response = await deps.http.request({url: `${answering.url}/healthz`, timeoutMs: opts.peerTimeoutMs})
      const receivedAt = deps.clock.now().getTime()
      const date = response.headers.date
      if (!date) return {why: `${answering.name} sent no Date header`}
      return {sample: {peer: answering.name, date, sentAt, receivedAt}}
    } catch (error) {
      return {why: `${answering.name} did not answer again: ${(error as Error).message}`}
    }
  })

  const secretsPresence = memo(async (): Promise<{secrets: SecretPresence[]; error?: string}> => {
    const {store} = await secretStore()
    const names = stateOrEmpty()?.secrets?.names ?? []
    if (!store) return {secrets: []}
    const config = await gateway.configObject()
    try {
      const secrets = await Promise.all(
        names.map(async (name): Promise<SecretPresence> => {
          const value = await store.get(name)
          deps.redactor.add(value)
          const restoreFrom = name === SECRET_NAMES.gatewayToken && gateway.plainGatewayToken(config) ? 'gateway.auth.token' : name === SECRET_NAMES.hooksToken && gateway.plainHooksToken(config) ? 'hooks.token' : undefined
          return {name, present: value !== undefined && value !== '', ...(restoreFrom ? {restoreFrom} : {})}
        }),
      )
      return {secrets}
    } catch (error) {
      // An insecure secret file refuses every read: that is secrets-file's finding, not a crash.
      return {secrets: [], error: (error as Error).message}
    }
  })

  return {
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
    whoHoldsPort: (port) =>
      deps.platform.id === 'win32' ? `netstat -ano | findstr :${port}` : deps.platform.id === 'darwin' ? `lsof -nP -iTCP:${port} -sTCP:LISTEN` : `ss -ltnp 'sport = :${port}'`,
    tailscaleCli: tailscaleVersion,
    tailscale,
    tailscaleOs: {daemonDownText: deps.platform.tailscaleDaemonDownText, startHint: deps.platform.tailscaleStartHint},
    openclaw: gateway.openclaw,
    configFile: gateway.configFile,
    configView: gateway.configView,
    validation: gateway.validation,
    securityAudit: gateway.securityAudit,
    loopbackHealth: gateway.loopbackHealth,
    tailnetHealth: gateway.tailnetHealth,
    tailscaleProxy,
    service: gateway.service,
    gatewayToken: gateway.gatewayToken,
    handshake: gateway.handshake,
    portListener: gateway.portListener,
    storedHooksToken: gateway.storedHooksToken,
    effectiveGatewayToken: gateway.effectiveGatewayToken,
    secretStore: async () => {
      const {store, error, hint} = await secretStore()
      const recorded = stateOrEmpty()?.secrets?.backend
      return store ? {ok: true, backend: store.backend, location: store.location, recorded} : {ok: false, error: error ?? 'unknown error', recorded, ...(hint ? {hint} : {})}
    },
    secretsPresence,
    secretFile: async () => {
      const file = path.join(deps.stateDir, 'secrets.json')
      const problems = await secretFileProblems(file, {platform: deps.platform.id})
      const {store} = await secretStore()
      return {backend: store?.backend ?? stateOrEmpty()?.secrets?.backend, file, exists: existsSync(file), problems}
    },
    volatileSecrets: () => deps.volatileSecrets(),
    peerRecords: records,
    peerProbe: async (name) => (await peerSweep()).get(name),
    ping,
    clockSample,
    firewall: memo(async () => {
      const view = await gateway.configView()
      return probeFirewall(deps, {port: configuredGatewayPortSetting({state: stateOrEmpty(), openclawConfig: view}).value, timeoutMs: commandTimeoutMs})
    }),
    agentFallback: memo(async () => ({probe: await probeAgentFallback(deps, commandTimeoutMs), minimum: cliNodeMinimum()})),
    meshPlugin: memo(async () => {
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
  }
}

/** Whether something accepts a TCP connection at host:port (on loopback: tailscaled's proxy) within the timeout. */
function tcpAnswers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({host, port})
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}
