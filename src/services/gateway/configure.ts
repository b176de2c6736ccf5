import {promises as fs} from 'node:fs'
import {UsageError} from '../../core/common/errors.js'
import {
  readGatewaySettings,
  serializeOpenClawConfig,
  usesJson5Syntax,
  type GatewayExpose,
} from '../../core/openclaw/openclaw-config.js'
import {
  exposureHardening,
  maskChanges,
  planConfigPatch,
  type ConfigChange,
} from '../../core/openclaw/openclaw-config-patch.js'
import {reloadOutcome, type ReloadOutcome} from '../../core/openclaw/gateway-start-plan.js'
import {MIN_TOKEN_BITS, RISK_WEAK_TOKENS} from '../../core/secrets/token-strength.js'
import {versionManagerWarning} from '../../core/openclaw/stable-node-path.js'
import {gatewayExposureSetting, gatewayPortSetting} from '../../core/common/settings.js'
import {assertPort} from '../../core/common/validate.js'
import type {Deps} from '../../deps.js'
import {acquireLock} from '../../infra/lock.js'
import {a2aAssignments} from '../../core/a2a/a2a-config.js'
import {meshProofAssignments} from '../../core/pairing/mesh-proof-config.js'
import {planPairTrust} from '../../core/pairing/pair-trust.js'
import {peerOf} from '../../core/common/state-schema.js'
import {a2aPeerEntries} from '../a2a/tokens.js'
import type {SecretStoreChoice} from '../../infra/secrets/select.js'
import {SECRET_NAMES} from '../../infra/secrets/types.js'
import {
  assertConfigWritable,
  readOpenClawConfig,
  type OpenClawConfigFile,
  validateOpenClawConfig,
  validationError,
  writeConfigValidated,
} from '../openclaw/config-file.js'
import {locateOpenClaw} from '../openclaw/locate.js'
import {backupConfigBytes, keepOriginal} from './backups.js'
import {gatewayProviderFileFor, syncGatewayProviderFile} from '../../infra/secrets/file.js'
import {assertPortUsable} from './port-check.js'
import {
  bakedNodePath,
  ensureGatewayTokens,
  secretWiring,
  writeSecretLauncher,
  type TokenSource,
} from './secret-wiring.js'
import {LOCK_WAIT_MS} from './local-gateway.js'
import {settingsInput} from '../settings/input.js'

export const RISK_LAN = 'lan-exposure'

export interface ConfigureOptions {
  /** Default: what configure recorded last, else `tailnet`. */
  expose?: string
  /** Default: recorded, else the port openclaw.json already has, else 18789. */
  port?: number
  /** Risks the user accepted by name (`lan-exposure`, `weak-tokens`). */
  acceptRisk?: string[]
  secretStore?: SecretStoreChoice
  profile?: string
  dryRun?: boolean
}

export interface ConfigureResult {
  configPath: string
  /** What chose the path (OPENCLAW_CONFIG_PATH, OPENCLAW_STATE_DIR, profile, default). */
  configPathSource: string
  profile?: string
  expose: GatewayExpose
  port: number
  /** The file did not exist before. */
  created: boolean
  changed: boolean
  /** Secret values masked as "[secret]". */
  changes: ConfigChange[]
  dryRun: boolean
  backupPath?: string
  originalBackupPath?: string
  validated: boolean
  secretStore: {backend: string; location: string}
  tokens: {gateway: TokenSource; hooks: TokenSource}
  /** What a running gateway needs to apply the changes. */
  apply: ReloadOutcome
  notes: string[]
  /** Pairs from before trust levels that get the default now (also in `notes`). */
  trustNotes: string[]
}

/** `lan` needs the risk accepted by name. */
function assertExposeAllowed(expose: GatewayExpose, acceptRisk: readonly string[] = []): GatewayExpose {
  if (expose === 'lan' && !acceptRisk.includes(RISK_LAN)) {
    throw new UsageError('--expose lan opens the gateway on every network interface (0.0.0.0), not only the tailnet.', {
      hint: `If you mean it, add --accept-risk ${RISK_LAN}. Otherwise use --expose tailnet.`,
    })
  }
  return expose
}

/**
 * `claw-mesh gateway configure`: makes openclaw.json say what the mesh needs (local gateway, token auth with the
 * token behind a SecretRef, hooks on with their own token, the exposure mode) and nothing else. Reads, plans a pure
 * patch, backs up, writes a validated file atomically. Running it again with nothing to change writes nothing.
 */
/** What the caller already observed of the machine (configure never re-reads it). */
export interface ConfigureObserved {
  /** The URL peers use to reach this gateway (tailnet IPv4 and port, or the Serve origin): `channels.a2a.advertisedUrl`. */
  advertisedUrl?: string
  /** openclaw.json as the caller read it in this run (bootstrap); used only when it is the file configure would read. */
  file?: OpenClawConfigFile
}

export async function configureGateway(
  deps: Deps,
  opts: ConfigureOptions = {},
  observed: ConfigureObserved = {},
): Promise<ConfigureResult> {
  if (opts.dryRun) return configure(deps, opts, observed)
  const lock = await acquireLock({
    dir: deps.stateDir,
    name: 'gateway',
    waitMs: LOCK_WAIT_MS,
    clock: deps.clock,
    what: 'claw-mesh gateway configure/start',
  })
  try {
    return await configure(deps, opts, observed)
  } finally {
    lock.release()
  }
}

async function configure(deps: Deps, opts: ConfigureOptions, observed: ConfigureObserved): Promise<ConfigureResult> {
  const state = deps.store.read()
  const flags = {expose: opts.expose, port: opts.port}
  const expose = assertExposeAllowed(gatewayExposureSetting(settingsInput(deps, {state, flags})).value, opts.acceptRisk)
  const loc = locateOpenClaw(deps, {profile: opts.profile})
  const file =
    observed.file?.path === loc.paths.configPath ? observed.file : await readOpenClawConfig(loc.paths.configPath)
  const port = assertPort(
    gatewayPortSetting(
      settingsInput(deps, {state, flags, openclawConfig: {port: readGatewaySettings(file.config).port}}),
    ).value,
  )
  await assertConfigWritable(file, deps.env)
  await assertPortUsable(deps, port, state.gateway)

  const store = await deps.secrets(opts.secretStore)
  const tokens = await ensureGatewayTokens(store, file.config, {
    persist: !opts.dryRun,
    redactor: deps.redactor,
    keepWeak: opts.acceptRisk?.includes(RISK_WEAK_TOKENS),
  })
  const nodePath = bakedNodePath()
  const wiring = secretWiring(store, {platform: deps.platform, stateDir: deps.stateDir, nodePath})
  const a2aEntries = await a2aPeerEntries(state, store)
  const a2aNames = a2aEntries.map((e) => e.name)
  const extra = a2aAssignments(file.config, {
    advertisedUrl: observed.advertisedUrl,
    peers: a2aEntries,
    owned: state.gateway?.a2aPeers ?? [],
  })
  // Every pair in channels.a2a.peers gets its tool policy in the same write: a peer is never live without one.
  const trust = planPairTrust(file.config, {
    peers: a2aNames.map((name) => ({name, trust: peerOf(state, name)?.trust})),
    owned: state.gateway?.a2aPeers ?? [],
  })
  extra.push(...trust.assignments)
  const userspace = state.tailscale?.networking === 'userspace' || deps.tailscaleProxy() !== undefined
  // This member's half of the mesh-secret proof discovery asks for (its plugin answers with it).
  extra.push(
    ...meshProofAssignments(file.config, {
      meshSecret: await store.get(SECRET_NAMES.meshSecret),
      identity: state.identity,
    }),
  )
  extra.push(...exposureHardening(file.config, {expose, advertisedUrl: observed.advertisedUrl, userspace}))
  const plan = planConfigPatch(file.config, {
    expose,
    port,
    gatewayToken: wiring.ref,
    provider: wiring.provider,
    hooksToken: tokens.hooks,
    extra,
    userspace,
  })
  const notes: string[] = [...trust.notes]
  const result: ConfigureResult = {
    configPath: file.path,
    configPathSource: loc.paths.source,
    profile: loc.profile,
    expose,
    port,
    created: !file.exists,
    changed: plan.changed,
    changes: maskChanges(plan.changes),
    dryRun: Boolean(opts.dryRun),
    validated: false,
    secretStore: {backend: store.backend, location: store.location},
    tokens: tokens.sources,
    apply: reloadOutcome(plan.changes.map((c) => c.path)),
    notes,
    trustNotes: plan.changes.some((c) => c.path.startsWith('tools.toolsBySender.')) ? trust.notes : [],
  }
  for (const kind of ['gateway', 'hooks'] as const) {
    const what = kind === 'gateway' ? 'gateway token' : 'hooks token'
    if (tokens.sources[kind] === 'replaced') {
      notes.push(
        `The ${what} found was weaker than ${MIN_TOKEN_BITS} bits: replaced by a new one before the gateway is exposed beyond loopback${kind === 'gateway' ? ' (WebSocket clients need the new one)' : ' (peers need a new invite: claw-mesh invite)'}. To keep it, add --accept-risk ${RISK_WEAK_TOKENS}.`,
      )
    }
    if (tokens.sources[kind] === 'kept-weak')
      notes.push(
        `The ${what} is weaker than ${MIN_TOKEN_BITS} bits and was kept (--accept-risk ${RISK_WEAK_TOKENS}): rotate it with claw-mesh token rotate.`,
      )
  }
  if (tokens.sources.gateway === 'new' && readGatewaySettings(file.config).token.kind !== 'none') {
    notes.push(
      'The gateway token is new (none in this secret store to reuse): WebSocket clients of this gateway need the new one.',
    )
  }
  const managed = wiring.launcher
    ? versionManagerWarning(nodePath, 'The secret resolver OpenClaw runs for the gateway token')
    : undefined
  if (managed) notes.push(managed)
  if (expose === 'serve')
    notes.push(
      'Serve needs the tailscale CLI logged in, MagicDNS and HTTPS enabled on the tailnet; OpenClaw claims the Serve route itself while it runs.',
    )
  if (expose === 'lan') notes.push('The gateway listens on every interface (0.0.0.0), protected only by its token.')
  if (opts.dryRun) return result

  if (wiring.launcher && (await writeSecretLauncher(wiring.launcher)))
    notes.push(`Wrote the secret resolver OpenClaw runs: ${wiring.launcher.file}`)
  // The file store keeps it in step on every write; this covers a token stored before the file existed.
  if (
    store.backend === 'file' &&
    (await syncGatewayProviderFile(store.location, tokens.gateway, {platform: deps.platform.id}))
  )
    notes.push(`Wrote the gateway token file OpenClaw reads: ${gatewayProviderFileFor(store.location)}`)

  if (plan.changed) {
    const now = deps.clock.now()
    const pendingBefore = state.gateway?.pending ?? []
    const firstTimeForFile = !state.gateway?.originalBackupPath && state.gateway?.originalExisted === undefined
    const sameFile = state.gateway?.configPath === undefined || state.gateway.configPath === file.path
    if (file.exists && file.raw) {
      result.backupPath = await backupConfigBytes(deps.stateDir, file.raw, now)
      if (firstTimeForFile || !sameFile) result.originalBackupPath = await keepOriginal(deps.stateDir, file.raw, now)
    }
    if (usesJson5Syntax(file.text))
      notes.push(
        `openclaw.json is now plain JSON: its comments and JSON5 syntax are not kept (OpenClaw's own writers do the same). The exact previous bytes are in ${result.backupPath}.`,
      )

    const validate = loc.bin ? (candidate: string) => validateOpenClawConfig(deps, loc, candidate) : undefined
    const validation = await writeConfigValidated(file.path, serializeOpenClawConfig(plan.next), validate)
    if (validation && !validation.valid) {
      // Nothing was changed, so the backups taken for this write would only confuse a later restore.
      for (const b of [result.backupPath, result.originalBackupPath]) if (b) await fs.rm(b, {force: true})
      throw validationError(file.path, validation)
    }
    result.validated = Boolean(validation)
    if (!validation)
      notes.push('Not validated: OpenClaw is not installed here (install it, then run `openclaw config validate`).')

    deps.store.update((s) => {
      const g = (s.gateway ??= {})
      if (result.originalBackupPath || (!file.exists && (firstTimeForFile || !sameFile))) {
        g.originalBackupPath = result.originalBackupPath
        g.originalExisted = file.exists
      }
      g.backupPath = result.backupPath
      // The rollback target is the last config a gateway ran with: keep it while changes are still pending.
      if (pendingBefore.length === 0 || !g.rollback) {
        g.rollback = {
          backupPath: result.backupPath,
          existed: file.exists,
          port: state.gateway?.port,
          expose: state.gateway?.expose,
        }
      }
      g.pending = [...new Set([...pendingBefore, ...plan.changes.map((c) => c.path)])]
    })
  }

  deps.store.update((s) => {
    const g = (s.gateway ??= {})
    g.configPath = file.path
    g.port = port
    g.expose = expose
    g.profile = loc.profile
    if (plan.changed || (state.gateway?.a2aPeers ?? []).join() !== a2aNames.join()) g.a2aPeers = a2aNames
    const sec = (s.secrets ??= {names: []})
    sec.backend = store.backend
    sec.names = [...new Set([...(sec.names ?? []), SECRET_NAMES.gatewayToken, SECRET_NAMES.hooksToken])]
  })
  if (plan.changed)
    notes.push(
      'Run `claw-mesh gateway start` to apply and verify (a running gateway also picks the file up by itself).',
    )
  return result
}
