import type {State} from '../../core/common/state-schema.js'
import type {Deps} from '../../deps.js'
import {shQuote} from '../../platform/gateway-common.js'
import {cronCommandLine} from '../watchdog/units.js'

/** Whether this host comes back into the mesh by itself after a reboot, and if not, the way back. */
export interface RebootRecovery {
  /** null: not known yet (no gateway has been started, as in a dry run on a fresh host). */
  survives: boolean | null
  detail: string
  /** The command that brings it back (claw-mesh's tailscaled first, then the gateway). */
  command?: string
  /** The same as a crontab line (`crontab -e`), absolute paths and environment included; POSIX only. */
  cron?: string
}

export interface RebootFacts {
  platform: 'linux' | 'darwin' | 'win32'
  gatewayRunner?: 'service' | 'background' | 'external'
  /** claw-mesh started tailscaled itself (no service manager runs it: a container, CI, a host without systemd). */
  ownTailscaled: boolean
  serviceManager: string
}

/** The recovery command: one watchdog round that restarts at once (`--failures 1`), tailscaled first. */
export const RECOVERY_ARGS = ['watchdog', 'run', '--failures', '1'] as const

/**
 * Pure: from what runs the gateway and tailscaled, whether a reboot loses the host, and the exact way back.
 * `invocation` is the absolute command line (environment, node, entry) cron needs, since cron has a minimal PATH.
 */
export function rebootRecovery(f: RebootFacts, invocation: {cron: string; logFile: string}): RebootRecovery {
  const lost = [
    f.gatewayRunner === 'background' && 'the gateway (a background process)',
    f.ownTailscaled && 'the tailscaled claw-mesh started',
  ].filter((x): x is string => Boolean(x))
  if (lost.length === 0) {
    const how =
      f.gatewayRunner === 'service'
        ? `${f.serviceManager} starts the gateway at boot`
        : f.gatewayRunner === 'external'
          ? 'the gateway runs outside claw-mesh: whatever started it must start it again'
          : 'no gateway started yet'
    return {survives: f.gatewayRunner === undefined ? null : f.gatewayRunner === 'service', detail: how}
  }
  const command = `claw-mesh ${RECOVERY_ARGS.join(' ')}`
  const what = lost.join(' and ')
  if (f.platform === 'win32') {
    return {
      survives: false,
      detail: `Nothing starts ${what} after a reboot here. After each boot run: ${command}`,
      command,
    }
  }
  const cron = `@reboot ${invocation.cron} >> ${shQuote(invocation.logFile)} 2>&1`
  return {
    survives: false,
    detail: `Nothing starts ${what} after a reboot here (no service manager runs them). Add this line with \`crontab -e\`, or run \`${command}\` from your container's entrypoint: ${cron}`,
    command,
    cron,
  }
}

/** The facts from claw-mesh's state, and the absolute invocation for cron. */
export function rebootRecoveryFor(deps: Pick<Deps, 'env' | 'stateDir' | 'platform'>, state: State): RebootRecovery {
  const cron = cronCommandLine(deps, RECOVERY_ARGS)
  return rebootRecovery(
    {
      platform: deps.platform.id,
      gatewayRunner: state.gateway?.runner,
      ownTailscaled: state.tailscale?.daemonPid !== undefined,
      serviceManager: deps.platform.gateway.serviceManager,
    },
    {cron, logFile: `${deps.stateDir}/boot.log`},
  )
}
