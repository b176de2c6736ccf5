import type {WatchdogObserved} from '../../core/lifecycle/bootstrap-plan.js'
import {ClawMeshError} from '../../core/common/errors.js'
import type {Deps} from '../../deps.js'
import {alertRecorded, resolveAlertTarget, storeAlertTarget} from '../alerts/target.js'
import {probeRun} from '../gateway/service.js'
import {ensureMeshPlugin, meshPluginStatus, type PluginWant} from '../openclaw/plugin.js'
import {installSkill, skillInstalled} from '../skill/install.js'
import {installWatchdog, watchdogStatus} from '../watchdog/install.js'
import type {BootstrapHooks} from './run.js'

/**
 * The phases bootstrap runs through other services: the gateway watchdog (with --alert) and the agent skill.
 * Where no service manager can run the watchdog (containers, CI), the alert target is recorded for
 * `claw-mesh watchdog run` and the user is told how to schedule it, instead of failing the whole bootstrap.
 * The watchdog's observation is the scheduler's own answer: nothing is assumed installed.
 */
export function bootstrapHooks(
  deps: Deps,
  opts: {alert?: string} & PluginWant,
): Pick<BootstrapHooks, 'watchdog' | 'skill' | 'meshPlugin'> {
  // The plugin's config carries this host's name and capabilities (its card): judged and written with this run's flags.
  const want: PluginWant = {identity: opts.identity, self: opts.self}
  const alert = opts.alert
  return {
    watchdog: {
      async status(): Promise<WatchdogObserved> {
        const manager = await deps.platform.gateway.probeServiceManager(probeRun(deps), deps.env)
        const s = manager.usable ? await watchdogStatus(deps, {alert}) : {installed: false, matches: false}
        return {
          schedulerUsable: manager.usable,
          installed: s.installed,
          matches: s.matches,
          sameAlertRecorded: alert !== undefined && (await alertRecorded(deps, alert)),
        }
      },
      async install() {
        try {
          const r = await installWatchdog(deps, {alert})
          return r.changed ? `installed (${r.mechanism})` : 'unchanged'
        } catch (error) {
          if (!(error instanceof ClawMeshError) || error.code !== 'no-service-manager') throw error
          // As watchdog install records it: a webhook URL goes to the secret store, state.json keeps the reference.
          const target = await resolveAlertTarget(deps, alert)
          const recorded = target && alert !== undefined ? await storeAlertTarget(deps, target, alert) : alert
          deps.store.update((s) => void (s.alert = recorded))
          deps.io.err(`warning: ${error.message}\n  → ${error.hint}\n`)
          return 'alert target recorded; no service manager here to schedule `claw-mesh watchdog run`'
        }
      },
    },
    skill: {
      installed: async () => (await skillInstalled(deps)).matches,
      install: async () => (await installSkill(deps)).action,
    },
    meshPlugin: {
      async status() {
        // Before OpenClaw is installed (bootstrap installs it first) there is nothing to ask: the step runs.
        try {
          // A running gateway that shows this plugin version loaded answers at once (a re-run spawns no openclaw).
          const s = await meshPluginStatus(deps, undefined, undefined, want, {viaGateway: true})
          return {
            current: s.plan.steps.length === 0 && !s.configStale,
            unsupported: s.plan.unsupported === 'OpenClaw is not installed' ? undefined : s.plan.unsupported,
          }
        } catch {
          return {current: false}
        }
      },
      install: async () => {
        const r = await ensureMeshPlugin(deps, undefined, want)
        if (r.action === 'unsupported') deps.io.err(`note: ${r.detail}\n`)
        return `${r.action}: ${r.detail}`
      },
    },
  }
}
