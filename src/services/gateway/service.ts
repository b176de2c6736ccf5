import {ExternalError} from '../../core/common/errors.js'
import type {Deps} from '../../deps.js'
import type {ProbeRun} from '../../platform/types.js'
import {openclawArgs, type OpenClawLocation} from '../openclaw/locate.js'

/** The Runner as the platform adapter's probes want it. */
export function probeRun(deps: Pick<Deps, 'runner'>, timeoutMs = 15_000): ProbeRun {
  return (cmd, args) => deps.runner.run(cmd, args, {timeoutMs})
}

export type ServiceAction = 'install' | 'restart' | 'start'

/**
 * Drives OpenClaw's own service commands: `gateway install --port N --force` (writes the unit/plist/task with the
 * port on its command line and starts it), `gateway restart`, `gateway start`.
 */
export async function runServiceAction(
  deps: Pick<Deps, 'runner' | 'redactor'>,
  loc: OpenClawLocation,
  action: ServiceAction,
  port: number,
): Promise<void> {
  const args = action === 'install' ? ['gateway', 'install', '--port', String(port), '--force'] : ['gateway', action]
  const full = openclawArgs(loc, args)
  const r = await deps.runner.run(loc.bin!, full, {timeoutMs: 180_000})
  if (r.exitCode !== 0) {
    throw new ExternalError(
      `openclaw gateway ${action} ${r.timedOut ? 'timed out' : `failed with exit code ${r.exitCode}`}.`,
      {
        command: loc.bin!,
        args: full,
        exitStatus: r.exitCode,
        stderr: deps.redactor.tail(r.stderr || r.stdout, 2000),
        hint: `Run \`openclaw ${full.join(' ')}\` yourself to see the details, or \`openclaw gateway status --deep\`.`,
      },
    )
  }
}
