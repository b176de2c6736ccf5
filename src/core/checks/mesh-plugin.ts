import type {OutboxSummaryFile} from '../mesh/mesh-audit.js'
import {pluginHealth, type ObservedPlugin} from '../mesh/plugin-plan.js'
import {fail, pass, skip, warn, type CheckOutcome} from './types.js'

/** What doctor learns about claw-mesh's OpenClaw plugin (one `plugins inspect --runtime`). */
export interface MeshPluginProbe {
  /** Why this machine cannot run the plugin (no OpenClaw, an OpenClaw without the SDK, a build without it). */
  unsupported?: string
  observed?: ObservedPlugin
  bundled?: string
  /** Its settings in openclaw.json differ from what claw-mesh writes (the audit log's place). */
  configStale?: boolean
  error?: string
}

const REMEDY = 'claw-mesh doctor --fix (or re-run claw-mesh bootstrap)'

export function evalMeshPlugin(p: MeshPluginProbe): CheckOutcome {
  if (p.error)
    return warn(`could not ask OpenClaw about the plugin: ${p.error}`, 'openclaw plugins inspect claw-mesh --runtime')
  if (p.unsupported) return skip(`${p.unsupported}: agents use the claw-mesh command instead of the mesh tools`)
  const health = pluginHealth(p.observed ?? {installed: false}, p.bundled ?? '?')
  if (!health.ok)
    return fail(`claw-mesh's OpenClaw plugin is ${health.detail}: agents have no mesh tools.`, REMEDY, {
      kind: 'install-mesh-plugin',
    })
  if (p.configStale)
    return warn(
      `${health.detail}, but its settings in openclaw.json are not claw-mesh's (audit log elsewhere).`,
      REMEDY,
      {kind: 'install-mesh-plugin'},
    )
  return pass(health.detail)
}

const HOUR = 3_600_000

/** The outbox as the plugin last summarised it: queue depth, the oldest undelivered message, dead letters. */
export function evalMeshOutbox(summary: OutboxSummaryFile | undefined, now: Date): CheckOutcome {
  if (!summary) return skip('no outbox summary yet (the plugin writes one while the gateway runs)')
  const oldestMs = summary.oldestQueuedAt ? now.getTime() - Date.parse(summary.oldestQueuedAt) : undefined
  const age = oldestMs === undefined ? '' : `, oldest queued ${Math.round(oldestMs / 60_000)} min ago`
  const detail = `${summary.queued} queued${age}, ${summary.awaitingReply} awaiting a reply, ${summary.dead} undelivered (dead letters) — as of ${summary.updatedAt}`
  if (summary.dead > 0) return warn(detail, 'claw-mesh log --peer <peer> shows which; the sending agent was told')
  if (oldestMs !== undefined && oldestMs > HOUR)
    return warn(detail, 'claw-mesh peer check: a peer has been unreachable for over an hour')
  return pass(detail)
}
