import * as z from 'zod'
import {TRUST_LEVELS} from '../pairing/pair-trust.js'
import {CHECK_GROUPS} from '../checks/types.js'
import {peerRecordSchema} from './state-schema.js'
import {tailscaleSummarySchema} from '../tailscale/tailscale-summary-schema.js'
import {watchdogStateSchema} from '../lifecycle/watchdog-state.js'

/**
 * The `--json` documents, one schema a command: what scripts may rely on. Every document is `{"ok": true, …the
 * result}` or, when the command could not do its work, `{"ok": false, "error": {…}}`. Objects accept keys not listed (a later
 * version may add keys); the keys listed here keep their meaning. The command tests parse every document they see.
 */

export const errorDocumentSchema = z.object({
  ok: z.literal(false),
  error: z.object({code: z.string(), exitCode: z.number().int(), message: z.string(), hint: z.string().optional()}),
})

const ok = <T extends z.ZodRawShape>(shape: T) => z.object({ok: z.literal(true), ...shape})
const str = z.string()
const num = z.number()
const bool = z.boolean()
const opt = <T extends z.ZodType>(t: T) => t.optional()
const nullable = (t: z.ZodType = str) => t.nullable()

const probeAnswer = z.object({ok: bool, status: opt(num), detail: str, latencyMs: opt(num), failing: opt(z.array(str))})
const tokenCheck = z.object({
  verdict: z.enum(['accepted', 'rejected', 'unavailable', 'unreachable', 'throttled', 'unexpected']),
  detail: str,
  code: opt(str),
})
const startRunner = z.enum(['service', 'background', 'external'])
const startAction = z.enum([
  'service-install',
  'service-restart',
  'service-start',
  'background-start',
  'background-restart',
  'await-reload',
  'verify',
  'external-restart-needed',
])
const expose = z.enum(['tailnet', 'serve', 'lan'])
const peerStatus = z.enum(['ok', 'degraded', 'down'])
const probeResult = z.object({
  status: z.enum(['ok', 'warn', 'fail', 'skip']),
  detail: str,
  httpStatus: opt(num),
  latencyMs: opt(num),
})
const outboxItem = z.object({
  id: str,
  peer: str,
  kind: z.enum(['ask', 'send']),
  state: str,
  createdAt: str,
  updatedAt: str,
  attempts: num,
  thread: str,
  reason: opt(str),
  taskId: opt(str),
  source: opt(z.literal('cli')),
})
const fixAction = z.discriminatedUnion('kind', [
  z.object({kind: z.literal('configure-gateway')}),
  z.object({kind: z.literal('restart-gateway')}),
  z.object({kind: z.literal('restore-secret'), name: str, from: z.enum(['gateway.auth.token', 'hooks.token'])}),
  z.object({kind: z.literal('chmod-600'), path: str}),
  z.object({kind: z.literal('enable-linger'), user: str}),
  z.object({kind: z.literal('remove-stale-peers'), names: z.array(str)}),
  z.object({kind: z.literal('move-volatile-secrets'), names: z.array(str)}),
  z.object({kind: z.literal('install-mesh-plugin')}),
])
const checkResult = z.object({
  id: str,
  group: z.enum(CHECK_GROUPS),
  title: str,
  peer: opt(str),
  status: z.enum(['pass', 'warn', 'fail', 'skip', 'crashed']),
  detail: str,
  remedy: opt(str),
  fix: opt(fixAction),
  durationMs: num,
})
const alertDelivery = z.object({ok: bool, target: str, detail: str})
const hookKind = z.enum(['agent', 'wake'])
const startResult = {
  runner: startRunner,
  action: startAction,
  reason: str,
  url: str,
  port: num,
  pid: opt(num),
  logFile: opt(str),
  startMs: opt(num),
  healthz: probeAnswer,
  readyz: probeAnswer,
  gatewayToken: tokenCheck,
  hooksToken: tokenCheck,
  openclawVersion: opt(str),
  notes: z.array(str),
}

const inviteEntry = z.object({
  id: str,
  createdAt: str,
  expiresAt: str,
  status: z.enum(['open', 'used', 'expired', 'revoked']),
  usedBy: opt(str),
  for: opt(str),
})

// `ask`'s own `ok` (did the peer answer?) stands in the document in place of the envelope's.
const askResult = z.object({
  ok: bool,
  peer: str,
  taskId: str,
  contextId: opt(str),
  state: str,
  reply: opt(str),
  reason: opt(str),
  pending: bool,
  interrupted: opt(z.enum(['input', 'auth'])),
  elapsedMs: num,
})

export const jsonSchemas = {
  ask: askResult,
  bootstrap: ok({
    identity: str,
    dryRun: bool,
    changed: bool,
    steps: z.array(
      z.object({
        id: str,
        title: str,
        action: z.enum(['run', 'ok', 'blocked']),
        detail: str,
        hint: opt(str),
        outcome: opt(str),
        durationMs: opt(num),
      }),
    ),
    tailnet: z.object({hostname: nullable(), dnsName: nullable(), ipv4: nullable(), tailnet: nullable()}),
    gateway: z.object({configPath: str, expose: str, port: num, url: nullable(), healthy: bool}),
    peers: z.array(
      z.object({name: str, url: str, messaging: bool, a2a: bool, status: peerStatus, latencyMs: opt(num), detail: str}),
    ),
    replyInvites: z.array(z.object({peer: str, replyInvite: str})),
    secrets: z.object({backend: str, location: str, reason: opt(str)}),
    stateDir: str,
    reboot: z.object({survives: z.boolean().nullable(), detail: str, command: opt(str), cron: opt(str)}),
    next: z.array(str),
    warnings: z.array(str),
    readiness: opt(
      z.object({
        waitedMs: num,
        ready: z.array(str),
        missing: z.array(
          z.object({
            name: str,
            gap: z.enum(['not-in-tailnet', 'offline', 'no-path', 'gateway-closed', 'name-unresolved']),
            detail: opt(str),
          }),
        ),
        failed: bool,
        failure: opt(str),
      }),
    ),
  }),
  broadcast: ok({
    kind: hookKind,
    timeoutMs: num,
    elapsedMs: num,
    results: z.array(
      z.object({
        peer: str,
        url: str,
        status: z.enum(['delivered', 'answered', 'failed', 'timeout', 'skipped']),
        via: opt(z.enum(['a2a', 'hooks'])),
        taskId: opt(str),
        state: opt(str),
        reply: opt(str),
        contextId: opt(str),
        runId: opt(str),
        eventOutcome: opt(str),
        httpStatus: opt(num),
        attempts: num,
        elapsedMs: num,
        error: opt(str),
        code: opt(str),
        hint: opt(str),
      }),
    ),
    summary: z.object({delivered: num, answered: num, failed: num, timeout: num, skipped: num}),
  }),
  doctor: ok({
    checks: z.array(checkResult),
    summary: z.object({ok: bool, total: num, pass: num, warn: num, fail: num, skip: num, crashed: num}),
    next: opt(str),
    durationMs: num,
    fix: opt(
      z.object({
        steps: z.array(
          z.object({
            title: str,
            kind: str,
            status: z.enum(['applied', 'failed', 'skipped']),
            note: str,
            checks: z.array(str),
          }),
        ),
        manual: z.array(z.object({check: str, status: str, remedy: str})),
      }),
    ),
  }),
  'file:get': ok({dir: str, files: z.array(z.object({name: str, path: str, bytes: num})), errors: z.array(str)}),
  'file:send': ok({peer: str, target: str, file: str, bytes: num, warnings: z.array(str)}),
  'gateway:configure': ok({
    configPath: str,
    configPathSource: str,
    profile: opt(str),
    expose,
    port: num,
    created: bool,
    changed: bool,
    changes: z.array(z.object({path: str, from: z.unknown().optional(), to: z.unknown().optional(), secret: bool})),
    dryRun: bool,
    backupPath: opt(str),
    originalBackupPath: opt(str),
    validated: bool,
    secretStore: z.object({backend: str, location: str}),
    tokens: z.object({
      gateway: z.enum(['store', 'adopted', 'new', 'replaced', 'kept-weak']),
      hooks: z.enum(['store', 'adopted', 'new', 'replaced', 'kept-weak']),
    }),
    apply: z.enum(['none', 'hot', 'restart', 'process-restart']),
    notes: z.array(str),
    // claw-mesh's OpenClaw plugin, as bootstrap's mesh-plugin step leaves it (with --dry-run: what it would do).
    meshPlugin: opt(
      z.object({
        action: z.enum(['installed', 'updated', 'enabled', 'configured', 'unchanged', 'unsupported']),
        detail: str,
      }),
    ),
  }),
  'gateway:start': ok(startResult),
  'gateway:status': ok({
    configured: bool,
    configPath: str,
    configExists: bool,
    profile: opt(str),
    openclaw: z.object({bin: opt(str), source: opt(str)}),
    expose: opt(expose),
    mode: opt(str),
    bind: opt(str),
    port: num,
    authMode: opt(str),
    token: str,
    tailscaleMode: opt(str),
    hooks: z.object({enabled: bool, path: str, tokenSet: bool}),
    runner: z.object({
      kind: z.enum(['service', 'background', 'external', 'stopped']),
      detail: str,
      pid: opt(num),
      serviceManager: str,
      serviceManagerUsable: bool,
      serviceInstalled: bool,
    }),
    local: z.object({url: str, healthz: probeAnswer, readyz: probeAnswer}),
    tailnet: opt(
      z.object({
        ipv4: opt(str),
        source: z.enum(['tailscale', 'interfaces', 'none']),
        onInterface: opt(bool),
        viaProxy: opt(str),
        healthz: opt(probeAnswer),
      }),
    ),
    peerUrl: opt(str),
    peerUrlProblem: opt(str),
    pending: z.array(str),
  }),
  invite: z.union([
    ok({
      invite: str.startsWith('claw-mesh-invite:'),
      id: str,
      name: str,
      hostname: str,
      url: str,
      expiresAt: str,
      tailnet: opt(str),
      for: opt(str),
    }),
    ok({invites: z.array(inviteEntry)}),
    ok({revoked: inviteEntry}),
  ]),
  leave: z.union([
    ok({
      steps: z.array(
        z.object({
          id: z.enum([
            'watchdog',
            'gateway-process',
            'mesh-plugin',
            'openclaw-config',
            'skill',
            'peers',
            'token-copies',
            'secrets',
            'tailscale',
          ]),
          status: z.enum(['done', 'skipped', 'failed']),
          detail: str,
        }),
      ),
      left: z.array(str),
      configChanges: z.array(z.object({path: str, action: z.enum(['restored', 'removed'])})),
      restoreMode: z.enum(['bytes', 'delete', 'keys', 'none']),
    }),
    ok({cancelled: z.literal(true)}),
  ]),
  'peer:add': ok({
    name: str,
    hostname: opt(str),
    url: str,
    source: z.enum(['invite', 'url', 'discovered']),
    messaging: bool,
    trust: opt(z.enum(TRUST_LEVELS)),
    kind: opt(z.literal('foreign')),
    endpoint: opt(str),
    action: z.enum(['added', 'updated', 'unchanged']),
    changes: z.array(str),
  }),
  'peer:check': ok({
    peers: z.array(
      z.object({
        name: str,
        url: str,
        messaging: bool,
        kind: opt(z.literal('foreign')),
        status: peerStatus,
        latencyMs: opt(num),
        probes: z.object({tailnet: probeResult, healthz: probeResult, readyz: probeResult, hooks: probeResult}),
        detail: str,
        remedy: opt(str),
        card: opt(
          z.object({
            name: str,
            caps: z.array(str),
            description: opt(str),
            pluginVersion: opt(str),
            openclawVersion: opt(str),
          }),
        ),
      }),
    ),
    tailscale: z.object({available: bool, note: opt(str)}),
    timeoutMs: num,
    elapsedMs: num,
    summary: z.object({ok: num, degraded: num, down: num}),
  }),
  'peer:discover': ok({
    tag: str,
    port: num,
    added: z.array(z.object({name: str, hostname: str, url: str, online: bool, changes: opt(z.array(str))})),
    updated: z.array(z.object({name: str, hostname: str, url: str, online: bool, changes: opt(z.array(str))})),
    unchanged: z.array(z.object({name: str, hostname: str, url: str, online: bool, changes: opt(z.array(str))})),
    unproven: z.array(
      z.object({name: str, hostname: str, url: str, online: bool, recorded: bool, reason: str, hint: str}),
    ),
    kept: z.array(z.object({name: str, hostname: str, reason: str})),
    skipped: z.array(z.object({hostname: str, reason: str})),
    notSeen: z.array(str),
    meshSecret: z.enum(['stored', 'replaced', 'unchanged']),
    notes: z.array(str),
  }),
  'peer:list': ok({
    peers: z.array(peerRecordSchema),
    self: opt(z.object({name: opt(str), hostname: opt(str), ip: opt(str), url: opt(str)})),
  }),
  'peer:trust': ok({
    name: str,
    from: z.enum(TRUST_LEVELS),
    to: z.enum(TRUST_LEVELS),
    changed: bool,
    sync: z.object({
      configured: bool,
      changed: bool,
      apply: opt(z.enum(['none', 'hot', 'restart', 'process-restart'])),
      note: opt(str),
    }),
  }),
  'peer:remove': ok({name: str, url: str, tokenDeleted: bool, rediscoverable: bool}),
  // Over hooks: the delivery; over A2A: the task (accepted, or its outcome with --wait).
  send: z.union([
    ok({
      via: z.literal('hooks'),
      peer: str,
      url: str,
      kind: hookKind,
      runId: opt(str),
      completion: opt(z.record(str, z.unknown())),
      eventOutcome: opt(str),
      idempotencyKey: opt(str),
      attempts: num,
      elapsedMs: num,
      bytes: num,
    }),
    askResult.extend({ok: z.literal(true), via: z.literal('a2a')}),
    // The peer was away: queued in the mesh plugin's outbox (exit 10), not yet delivered.
    ok({via: z.literal('a2a'), queued: z.literal(true), id: str, peer: str, thread: str, reason: str, expiresAt: str}),
  ]),
  status: ok({
    at: str,
    host: z.object({
      identity: opt(str),
      tailscale: str,
      hostname: opt(str),
      dnsName: opt(str),
      ipv4: opt(str),
      gatewayUrl: opt(str),
      gatewayPort: opt(num),
      gateway: z.enum(['ok', 'not ready', 'down', 'unknown']),
      gatewayDetail: str,
    }),
    peers: z.array(
      z.object({
        name: str,
        url: str,
        online: z.boolean().nullable(),
        health: z.enum(['ok', 'not ready', 'down', 'unknown']),
        latencyMs: opt(num),
        lastSeen: opt(str),
        messaging: bool,
        via: z.enum(['a2a', 'hooks', 'none']),
        trust: opt(z.enum(TRUST_LEVELS)),
        kind: opt(z.literal('foreign')),
        detail: opt(str),
      }),
    ),
    elapsedMs: num,
  }),
  task: askResult,
  'tailscale:install': ok({
    platform: str,
    alreadyInstalled: bool,
    plan: z.object({
      method: str,
      steps: z.array(
        z.object({
          title: str,
          command: str,
          args: z.array(str),
          sudo: opt(bool),
          detachedLog: opt(str),
          waitForSocket: opt(str),
        }),
      ),
      notes: z.array(str),
      socket: opt(str),
    }),
    applied: z.array(str),
    dryRun: bool,
    socket: opt(str),
    daemonPid: opt(num),
  }),
  'tailscale:join': ok({
    action: z.enum(['none', 'up', 'set', 'resume']),
    reason: str,
    changed: bool,
    keySent: bool,
    requestedHostname: str,
    hostname: nullable(),
    renamed: bool,
    dnsName: nullable(),
    ipv4: nullable(),
    ipv6: nullable(),
    tailnet: nullable(),
    backendState: str,
    tags: z.array(str),
    warnings: z.array(str),
    dryRun: bool,
  }),
  'tailscale:status': z.object({ok: z.literal(true), ...tailscaleSummarySchema.shape}),
  'token:rotate': ok({
    rotated: z.array(z.enum(['gateway', 'hooks'])),
    applied: z.object({runner: startRunner, action: startAction, restarted: bool}),
    gatewayToken: str,
    hooksToken: str,
    notes: z.array(str),
  }),
  'watchdog:install': ok({
    mechanism: str,
    job: str,
    installed: bool,
    changed: bool,
    files: z.array(z.object({path: str, action: z.enum(['written', 'unchanged', 'printed']), content: opt(str)})),
    schedule: z.object({intervalSec: num, failures: num, cooldownSec: num}),
    alert: opt(str),
    notes: opt(z.array(str)),
  }),
  'watchdog:run': z.union([
    ok({
      healthUrl: str,
      healthy: bool,
      detail: str,
      failures: num,
      threshold: num,
      restart: opt(z.object({attempted: bool, healthy: bool, detail: str})),
      tailscaled: opt(z.object({restarted: bool, detail: str})),
      alert: opt(
        z.object({event: z.enum(['down', 'still-down', 'recovered']), sent: bool, target: opt(str), detail: str}),
      ),
      state: watchdogStateSchema,
    }),
    ok({test: alertDelivery}),
  ]),
  log: ok({
    file: str,
    records: z.array(
      z.object({
        at: str,
        id: str,
        peer: str,
        direction: z.enum(['out', 'in']),
        kind: z.enum(['ask', 'send', 'message']),
        event: str,
        thread: opt(str),
        hop: opt(num),
        origin: opt(str),
        taskId: opt(str),
        bytesOut: opt(num),
        bytesIn: opt(num),
        latencyMs: opt(num),
        attempts: opt(num),
        reason: opt(str),
        body: opt(str),
        reply: opt(str),
      }),
    ),
  }),
  'outbox:list': ok({
    updatedAt: opt(str),
    queued: num,
    awaitingReply: num,
    dead: num,
    items: z.array(outboxItem),
  }),
  'outbox:retry': ok({id: str, action: z.literal('retry'), requested: z.literal(true), item: outboxItem}),
  'outbox:cancel': ok({id: str, action: z.literal('cancel'), requested: z.literal(true), item: outboxItem}),
  'watchdog:uninstall': ok({mechanism: str, job: str, removed: z.array(str), absent: bool}),
} as const

export type JsonCommandId = keyof typeof jsonSchemas

/**
 * `claw-mesh secrets resolve` speaks OpenClaw's exec secret-provider protocol on stdout instead (no `ok` envelope:
 * OpenClaw reads it).
 */
export const execSecretResponseSchema = z.object({
  protocolVersion: z.literal(1),
  values: z.record(z.string(), z.string()),
  errors: z.record(z.string(), z.object({code: z.string()})).optional(),
})
