import type {DoctorContext} from './context.js'
import {configuredGatewayPortSetting, loginServerSetting} from '../common/settings.js'
import {
  bindExposure,
  evalAuth,
  evalBind,
  evalGatewayMode,
  evalHooks,
  evalPortConfig,
  evalServeBind,
  evalTailscaleMode,
  type GatewayConfigView,
} from './gateway-config.js'
import {
  evalConfigFileMode,
  evalConfigParse,
  evalConfigValid,
  evalGatewayTokenPresent,
  evalHandshake,
  evalHealth,
  evalNodeVersion,
  evalOpenClawCli,
  evalPortHolder,
  evalService,
  evalTailnetListen,
  looksLikeOpenClawHealth,
} from './gateway-runtime.js'
import {evalAgentFallback} from './agent-fallback.js'
import {evalMeshOutbox, evalMeshPlugin} from './mesh-plugin.js'
import {evalA2aChannel, evalHooksAgents, evalPeerA2a, evalSecurityAudit, viewA2aConfig} from './a2a.js'
import {evalPeerTrust} from './trust.js'
import {evalPeerHealth, evalPeerHooks, evalPeerOnline, evalPeerPath, evalStalePeers} from './peers.js'
import {evalSecretBackend, evalSecretFile, evalSecretsPresent, evalVolatileSecrets} from './secrets.js'
import {evalClockSkew, evalFirewall} from './system.js'
import {
  evalBackendState,
  evalHostname,
  evalHttpsCerts,
  evalKeyExpiry,
  evalMagicDNS,
  evalTailscaleCli,
  evalTailscaleDaemon,
  evalUserspaceProxy,
} from './tailscale.js'
import {ALL_PLATFORMS, fail, pass, skip, warn, type CheckDefinition, type CheckOutcome} from './types.js'
import {evalTailscaleBoot, type TailscaleBootView} from '../tailscale/tailscale-boot.js'

type Check = CheckDefinition<DoctorContext>

const POSIX = ['linux', 'darwin'] as const
const NO_CONFIG = skip('no readable openclaw.json (see gateway-config)')
const NO_CONFIG_FILE = skip('no gateway configured yet (see gateway-config)')

/** A gateway is only expected where an openclaw.json exists. */
async function hasConfig(ctx: DoctorContext): Promise<boolean> {
  return Boolean((await ctx.configFile())?.exists)
}

function stateOf(ctx: DoctorContext) {
  const s = ctx.state()
  return s.ok ? s.state : undefined
}

const expose = (ctx: DoctorContext) => stateOf(ctx)?.gateway?.expose

function joinHint(ctx: DoctorContext): string {
  const state = stateOf(ctx)
  const hostname = state?.tailscale?.hostname ?? (state?.identity ? `openclaw-${state.identity}` : 'NAME')
  return `claw-mesh tailscale join --hostname ${hostname} --tailscale-key file:PATH`
}

async function withConfig(
  ctx: DoctorContext,
  fn: (view: GatewayConfigView) => CheckOutcome | Promise<CheckOutcome>,
): Promise<CheckOutcome> {
  const view = await ctx.configView()
  return view ? fn(view) : NO_CONFIG
}

async function peer(ctx: DoctorContext, name: string | undefined) {
  const record = ctx.peerRecords().find((r) => r.name === name)
  if (!record) throw new Error(`peer check ran for unknown peer ${JSON.stringify(name)}`)
  return record
}

/** Every doctor check, in the order they are reported. Ids are stable: scripts select them with --only. */
export const CHECKS: readonly Check[] = [
  // Tailscale
  {
    id: 'tailscale-cli',
    title: 'Tailscale CLI installed',
    group: 'tailscale',
    platforms: ALL_PLATFORMS,
    run: async (ctx) => evalTailscaleCli(await ctx.tailscaleCli()),
  },
  {
    id: 'tailscale-daemon',
    title: 'Tailscale daemon reachable',
    group: 'tailscale',
    platforms: ALL_PLATFORMS,
    run: async (ctx) => evalTailscaleDaemon(await ctx.tailscale(), ctx.tailscaleOs),
  },
  {
    id: 'tailscale-backend',
    title: 'Tailscale connected (Running)',
    group: 'tailscale',
    platforms: ALL_PLATFORMS,
    run: async (ctx) => evalBackendState(await ctx.tailscale(), joinHint(ctx)),
  },
  {
    id: 'tailscale-key-expiry',
    title: 'Node key not expiring',
    group: 'tailscale',
    platforms: ALL_PLATFORMS,
    run: async (ctx) => evalKeyExpiry(await ctx.tailscale(), ctx.now()),
  },
  {
    id: 'tailscale-hostname',
    title: 'Hostname is the one claw-mesh set',
    group: 'tailscale',
    platforms: ALL_PLATFORMS,
    run: async (ctx) =>
      evalHostname(
        await ctx.tailscale(),
        stateOf(ctx)?.tailscale?.requestedHostname ?? stateOf(ctx)?.tailscale?.hostname,
      ),
  },
  {
    id: 'tailscale-proxy',
    title: 'Peers reachable in userspace networking (proxy)',
    group: 'tailscale',
    platforms: ALL_PLATFORMS,
    run: async (ctx) => evalUserspaceProxy(await ctx.tailscale(), await ctx.tailscaleProxy()),
  },
  {
    id: 'tailscale-magicdns',
    title: 'MagicDNS enabled',
    group: 'tailscale',
    platforms: ALL_PLATFORMS,
    run: async (ctx) =>
      evalMagicDNS(await ctx.tailscale(), expose(ctx), loginServerSetting({env: {}, state: stateOf(ctx)}).value),
  },
  {
    id: 'tailscale-https',
    title: 'HTTPS certificates (for Serve)',
    group: 'tailscale',
    platforms: ALL_PLATFORMS,
    run: async (ctx) =>
      evalHttpsCerts(await ctx.tailscale(), expose(ctx), loginServerSetting({env: {}, state: stateOf(ctx)}).value),
  },

  // Gateway
  {
    id: 'openclaw-cli',
    title: 'OpenClaw CLI installed',
    group: 'gateway',
    platforms: ALL_PLATFORMS,
    run: async (ctx) => evalOpenClawCli(await ctx.openclaw()),
  },
  {
    id: 'openclaw-node',
    title: 'Node version for OpenClaw (>= 24.16)',
    group: 'gateway',
    platforms: ALL_PLATFORMS,
    run: async (ctx) => evalNodeVersion(await ctx.openclaw()),
  },
  {
    id: 'gateway-config',
    title: 'openclaw.json present and parses (JSON5)',
    group: 'gateway',
    platforms: ALL_PLATFORMS,
    run: async (ctx) => evalConfigParse(await ctx.configFile(), ctx.backupsDir),
  },
  {
    id: 'gateway-config-valid',
    title: 'openclaw.json valid (openclaw config validate)',
    group: 'gateway',
    platforms: ALL_PLATFORMS,
    run: async (ctx) => evalConfigValid(await ctx.validation()),
  },
  {
    id: 'gateway-config-permissions',
    title: 'openclaw.json private (0600)',
    group: 'gateway',
    platforms: POSIX,
    run: async (ctx) => evalConfigFileMode(await ctx.configFile(), ctx.platform),
  },
  {
    id: 'gateway-mode',
    title: 'gateway.mode is local',
    group: 'gateway',
    platforms: ALL_PLATFORMS,
    run: (ctx) => withConfig(ctx, evalGatewayMode),
  },
  {
    id: 'gateway-bind',
    title: 'Bind reachable from the tailnet only',
    group: 'gateway',
    platforms: ALL_PLATFORMS,
    run: (ctx) => withConfig(ctx, (v) => evalBind(v, expose(ctx))),
  },
  {
    id: 'gateway-tailscale-mode',
    title: 'gateway.tailscale.mode valid',
    group: 'gateway',
    platforms: ALL_PLATFORMS,
    run: (ctx) => withConfig(ctx, (v) => evalTailscaleMode(v, expose(ctx))),
  },
  {
    id: 'gateway-serve-bind',
    title: 'Serve with a loopback bind',
    group: 'gateway',
    platforms: ALL_PLATFORMS,
    run: (ctx) => withConfig(ctx, evalServeBind),
  },
  {
    id: 'gateway-auth',
    title: 'Gateway auth on a non-loopback bind',
    group: 'gateway',
    platforms: ALL_PLATFORMS,
    run: (ctx) => withConfig(ctx, (v) => evalAuth(v, ctx.env)),
  },
  {
    id: 'gateway-token',
    title: 'Gateway token where claw-mesh keeps it',
    group: 'gateway',
    platforms: ALL_PLATFORMS,
    run: async (ctx) => evalGatewayTokenPresent(await ctx.gatewayToken()),
  },
  {
    id: 'gateway-token-accepted',
    title: 'Gateway accepts the token (WebSocket)',
    group: 'gateway',
    platforms: ALL_PLATFORMS,
    run: async (ctx) => evalHandshake(await ctx.handshake()),
  },
  {
    id: 'gateway-hooks',
    title: 'Hooks enabled with their own token',
    group: 'gateway',
    platforms: ALL_PLATFORMS,
    run: (ctx) =>
      withConfig(ctx, async (v) => {
        const [gateway, stored] = await Promise.all([ctx.effectiveGatewayToken(), ctx.storedHooksToken()])
        return evalHooks(v, {gateway, stored})
      }),
  },
  {
    id: 'gateway-a2a',
    title: 'A2A channel on, advertising the URL peers use',
    group: 'gateway',
    platforms: ALL_PLATFORMS,
    run: async (ctx) => {
      const [file, view, tailnet] = await Promise.all([ctx.configFile(), ctx.configView(), ctx.tailnetHealth()])
      const config = file?.exists ? file.config : undefined
      if (!config || !view) return skip('no parseable openclaw.json (see gateway-config)')
      return evalA2aChannel(
        viewA2aConfig(config),
        tailnet.url ?? (tailnet.ipv4 ? `http://${tailnet.ipv4}:${view.port}` : undefined),
      )
    },
  },
  {
    id: 'agent-exec-fallback',
    title: "The skill's exec fallback runs claw-mesh (OpenClaw's exec PATH)",
    group: 'gateway',
    platforms: ALL_PLATFORMS,
    run: async (ctx) => ((f) => evalAgentFallback(f.probe, f.minimum))(await ctx.agentFallback()),
  },
  {
    id: 'gateway-mesh-plugin',
    title: "Agent's mesh tools (claw-mesh's OpenClaw plugin) load",
    group: 'gateway',
    platforms: ALL_PLATFORMS,
    timeoutMs: () => 120_000,
    run: async (ctx) =>
      ctx.provisioned() ? evalMeshPlugin(await ctx.meshPlugin()) : skip('this machine is not set up by claw-mesh yet'),
  },
  {
    id: 'gateway-mesh-outbox',
    title: 'Mesh outbox: queue depth and the oldest undelivered message',
    group: 'gateway',
    platforms: ALL_PLATFORMS,
    run: async (ctx) => evalMeshOutbox(await ctx.meshOutbox(), ctx.now()),
  },
  {
    id: 'openclaw-security-audit',
    title: "OpenClaw's own security audit",
    group: 'gateway',
    platforms: ALL_PLATFORMS,
    timeoutMs: () => 120_000,
    run: async (ctx) => evalSecurityAudit(await ctx.securityAudit()),
  },
  {
    id: 'gateway-hooks-agents',
    title: 'Hooks restricted to chosen agents',
    group: 'gateway',
    platforms: ALL_PLATFORMS,
    run: async (ctx) => {
      const file = await ctx.configFile()
      const config = file?.exists ? file.config : undefined
      return config ? evalHooksAgents(viewA2aConfig(config)) : skip('no parseable openclaw.json (see gateway-config)')
    },
  },
  {
    id: 'gateway-port',
    title: 'Gateway port free or held by the gateway',
    group: 'gateway',
    platforms: ALL_PLATFORMS,
    run: async (ctx) => {
      if (!(await hasConfig(ctx))) return NO_CONFIG_FILE
      const view = await ctx.configView()
      const gw = stateOf(ctx)?.gateway
      const mismatch = view ? evalPortConfig(view, {recorded: gw?.port, applied: gw?.appliedPort}) : undefined
      if (mismatch) return mismatch
      const {port, healthz} = await ctx.loopbackHealth()
      return evalPortHolder(healthz, port, ctx.whoHoldsPort(port), await ctx.portListener())
    },
  },
  {
    id: 'gateway-service',
    title: 'Gateway service running',
    group: 'gateway',
    platforms: ALL_PLATFORMS,
    run: async (ctx) => evalService(await ctx.service(), ctx.startCommand),
  },
  {
    id: 'gateway-health',
    title: 'Gateway /healthz and /readyz',
    group: 'gateway',
    platforms: ALL_PLATFORMS,
    run: async (ctx) => {
      if (!(await hasConfig(ctx))) return NO_CONFIG_FILE
      const {port, healthz, readyz} = await ctx.loopbackHealth()
      return evalHealth(healthz, readyz, port, ctx.startCommand)
    },
  },
  {
    id: 'gateway-tailscale-boot',
    title: 'Tailscale up for a gateway that needs it to boot (serve, funnel)',
    group: 'gateway',
    platforms: ALL_PLATFORMS,
    run: (ctx) =>
      withConfig(ctx, async (v) => {
        const mode = typeof v.tailscaleMode === 'string' ? v.tailscaleMode : undefined
        const probe = await ctx.tailscale()
        // An error other than "daemon down" (access denied, a broken CLI) says nothing about the daemon: tailscale-daemon reports it.
        if (probe.kind === 'error') return skip('tailscale status failed (see tailscale-daemon)')
        const tailscale: TailscaleBootView =
          probe.kind === 'ok' ? {daemonUp: true, backendState: probe.summary.backendState} : {daemonUp: false}
        const {healthz} = await ctx.loopbackHealth()
        return evalTailscaleBoot({
          tailscaleMode: mode,
          tailscale,
          gatewayHealthy: looksLikeOpenClawHealth(healthz),
          startHint: ctx.tailscaleOs.startHint,
        })
      }),
  },
  {
    id: 'gateway-tailnet-reachable',
    title: 'Gateway answers where peers reach it',
    group: 'gateway',
    platforms: ALL_PLATFORMS,
    run: (ctx) =>
      withConfig(ctx, async (v) => {
        const [{healthz}, tailnet] = await Promise.all([ctx.loopbackHealth(), ctx.tailnetHealth()])
        return evalTailnetListen({
          exposure: bindExposure(v),
          serve: v.tailscaleMode === 'serve',
          loopbackHealthy: looksLikeOpenClawHealth(healthz),
          ipv4: tailnet.ipv4,
          ipv4Local: tailnet.ipv4Local,
          port: v.port,
          viaProxy: tailnet.viaProxy,
          probe: tailnet.probe,
          url: tailnet.url,
        })
      }),
  },

  // Secrets
  {
    id: 'secrets-store',
    title: 'Secret store reachable',
    group: 'secrets',
    platforms: ALL_PLATFORMS,
    run: async (ctx) => evalSecretBackend(await ctx.secretStore()),
  },
  {
    id: 'secrets-present',
    title: 'Recorded secrets present',
    group: 'secrets',
    platforms: ALL_PLATFORMS,
    run: async (ctx) => {
      const store = await ctx.secretStore()
      if (!store.ok) return evalSecretsPresent(false, [])
      const {secrets, error} = await ctx.secretsPresence()
      return evalSecretsPresent(true, secrets, error)
    },
  },
  {
    id: 'secrets-file',
    title: 'Secret file private (0600, one link)',
    group: 'secrets',
    platforms: POSIX,
    run: async (ctx) => evalSecretFile({...(await ctx.secretFile()), platform: ctx.platform}),
  },
  {
    id: 'secrets-volatile',
    title: 'No secret left in the kernel keyring',
    group: 'secrets',
    platforms: ['linux'],
    run: async (ctx) => evalVolatileSecrets(await ctx.volatileSecrets()),
  },

  // Peers (per peer, then one for the whole list)
  {
    id: 'peer-online',
    title: 'Peer online in the tailnet',
    group: 'peers',
    platforms: ALL_PLATFORMS,
    perPeer: true,
    run: async (ctx, name) => {
      const [record, ts] = await Promise.all([peer(ctx, name), ctx.tailscale()])
      return evalPeerOnline(
        record,
        ts.kind === 'ok' ? ts.summary : undefined,
        ts.kind === 'ok' ? undefined : 'tailscale status unavailable (see tailscale-daemon)',
      )
    },
  },
  {
    id: 'peer-health',
    title: 'Peer gateway /healthz',
    group: 'peers',
    platforms: ALL_PLATFORMS,
    perPeer: true,
    run: async (ctx, name) => {
      const p = await ctx.peerProbe(name!)
      if (!p) return skip('not probed')
      return evalPeerHealth(p.url, p.probes.healthz, p.probes.readyz, p.remedy)
    },
  },
  {
    id: 'peer-hooks',
    title: 'Peer accepts our hooks token',
    group: 'peers',
    platforms: ALL_PLATFORMS,
    perPeer: true,
    run: async (ctx, name) => {
      const p = await ctx.peerProbe(name!)
      if (!p) return skip('not probed')
      return evalPeerHooks(p.messaging, p.probes.hooks, p.remedy, p.probes.a2a.status !== 'skip')
    },
  },
  {
    id: 'peer-a2a',
    title: 'A2A with the peer (Agent Card, both tokens)',
    group: 'peers',
    platforms: ALL_PLATFORMS,
    perPeer: true,
    run: async (ctx, name) => {
      const [record, p] = await Promise.all([peer(ctx, name), ctx.peerProbe(name!)])
      if (!p) return skip('not probed')
      return evalPeerA2a(p, Boolean(record.a2a))
    },
  },
  {
    id: 'peer-trust',
    title: "What the peer's messages may do here (trust level)",
    group: 'peers',
    platforms: ALL_PLATFORMS,
    perPeer: true,
    run: async (ctx, name) => {
      const [record, file] = await Promise.all([peer(ctx, name), ctx.configFile()])
      return evalPeerTrust(record.name, record.trust, Boolean(record.a2a), file?.exists ? file.config : undefined)
    },
  },
  {
    id: 'peer-path',
    title: 'Path to the peer (direct or relayed)',
    group: 'peers',
    platforms: ALL_PLATFORMS,
    perPeer: true,
    run: async (ctx, name) => {
      const {result, why} = await ctx.ping(name!)
      return evalPeerPath(result, why)
    },
  },
  {
    id: 'peer-stale',
    title: 'No stale peer records',
    group: 'peers',
    platforms: ALL_PLATFORMS,
    run: async (ctx) => {
      const ts = await ctx.tailscale()
      return evalStalePeers(
        ctx.peerRecords(),
        ts.kind === 'ok' ? ts.summary : undefined,
        'tailscale status unavailable (see tailscale-daemon)',
      )
    },
  },

  // System
  {
    id: 'claw-mesh-state',
    title: 'claw-mesh state',
    group: 'system',
    platforms: ALL_PLATFORMS,
    run: async (ctx) => {
      const s = ctx.state()
      if (!s.ok) return fail(s.error, s.hint ?? 'Move the state file away and run claw-mesh bootstrap')
      if (!ctx.provisioned()) return warn('claw-mesh has not set up this machine yet.', 'claw-mesh bootstrap')
      const peers = Object.keys(s.state.peers).length
      return pass(`identity ${s.state.identity ?? '-'}, ${peers} peer${peers === 1 ? '' : 's'}`)
    },
  },
  {
    id: 'clock-skew',
    title: 'Clock in sync with peers',
    group: 'system',
    platforms: ALL_PLATFORMS,
    run: async (ctx) => {
      const {sample, why} = await ctx.clockSample()
      return evalClockSkew(sample, ctx.platform, why)
    },
  },
  {
    id: 'firewall',
    title: 'Firewall lets the tailnet reach the gateway port',
    group: 'system',
    platforms: ALL_PLATFORMS,
    run: async (ctx) => {
      const view = await ctx.configView()
      const port = configuredGatewayPortSetting({state: stateOf(ctx), openclawConfig: view})
      if (port.source === 'default' && !view) return skip('no gateway port configured yet')
      if (view && bindExposure(view) === 'loopback')
        return skip('the gateway listens on loopback only (nothing to let in)')
      return evalFirewall(await ctx.firewall(), port.value)
    },
  },
]

export const CHECK_IDS: readonly string[] = CHECKS.map((c) => c.id)
