import type {CheckGroup, CheckResult, FixAction} from './types.js'

/**
 * `doctor --fix`: a pure plan of safe fixes from failing check results. Each fix runs once however many checks
 * asked for it, in an order where later steps see earlier ones (permissions and secrets before the config, the
 * config before the restart). Everything without a safe fix is listed for the user to do by hand.
 */
export interface FixStep {
  action: FixAction
  title: string
  /** Asks first (terminal) or needs --yes: it deletes something the user made. */
  confirm: boolean
  /** The checks (id, or id:peer) this step answers; re-run after applying. */
  checks: string[]
  groups: CheckGroup[]
}

export interface ManualRemedy {
  check: string
  status: CheckResult['status']
  remedy: string
}

export interface FixPlan {
  steps: FixStep[]
  manual: ManualRemedy[]
}

const ORDER: FixAction['kind'][] = [
  'chmod-600',
  'move-volatile-secrets',
  'restore-secret',
  'configure-gateway',
  'restart-gateway',
  'install-mesh-plugin',
  'enable-linger',
  'remove-stale-peers',
]

export function checkKey(r: Pick<CheckResult, 'id' | 'peer'>): string {
  return r.peer ? `${r.id}:${r.peer}` : r.id
}

function stepKey(a: FixAction): string {
  switch (a.kind) {
    case 'chmod-600':
      return `${a.kind}:${a.path}`
    case 'restore-secret':
      return `${a.kind}:${a.name}`
    default:
      return a.kind
  }
}

function titleOf(a: FixAction): string {
  switch (a.kind) {
    case 'chmod-600':
      return `chmod 600 ${a.path}`
    case 'restore-secret':
      return `Copy ${a.name} back into the secret store from openclaw.json (${a.from})`
    case 'configure-gateway':
      return "Re-apply claw-mesh's gateway settings to openclaw.json"
    case 'restart-gateway':
      return 'Start (or restart) the gateway and wait until it is healthy'
    case 'enable-linger':
      return `loginctl enable-linger ${a.user}`
    case 'remove-stale-peers':
      return `Remove stale peer record${a.names.length === 1 ? '' : 's'}: ${a.names.join(', ')}`
    case 'install-mesh-plugin':
      return "Install or update claw-mesh's OpenClaw plugin (the agent's mesh tools)"
    case 'move-volatile-secrets':
      return `Move ${a.names.join(', ')} out of the kernel keyring into a durable secret store`
  }
}

export function planFixes(results: readonly CheckResult[]): FixPlan {
  const steps = new Map<string, FixStep>()
  const manual: ManualRemedy[] = []
  for (const r of results) {
    if (r.status !== 'fail' && r.status !== 'warn') continue
    if (!r.fix) {
      if (r.remedy) manual.push({check: checkKey(r), status: r.status, remedy: r.remedy})
      continue
    }
    const key = stepKey(r.fix)
    const existing = steps.get(key)
    if (existing) {
      existing.checks.push(checkKey(r))
      if (!existing.groups.includes(r.group)) existing.groups.push(r.group)
      if (existing.action.kind === 'remove-stale-peers' && r.fix.kind === 'remove-stale-peers') {
        const names = [...new Set([...existing.action.names, ...r.fix.names])].sort()
        existing.action = {kind: 'remove-stale-peers', names}
        existing.title = titleOf(existing.action)
      }
      continue
    }
    steps.set(key, {
      action: r.fix,
      title: titleOf(r.fix),
      confirm: r.fix.kind === 'remove-stale-peers',
      checks: [checkKey(r)],
      groups: [r.group],
    })
  }
  const ordered = [...steps.values()].sort((a, b) => ORDER.indexOf(a.action.kind) - ORDER.indexOf(b.action.kind))
  return {steps: ordered, manual}
}
