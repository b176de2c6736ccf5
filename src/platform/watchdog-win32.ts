import path from 'node:path'
import type {WatchdogPlatform} from './types.js'

const TASK = 'claw-mesh watchdog'

/**
 * A Scheduled Task with a repeating time trigger, registered from XML (kept in claw-mesh's state dir). The task runs
 * wscript with a hidden launcher, as OpenClaw runs its own tasks: `<Hidden>` only hides the task in Task Scheduler's
 * list, and node started directly in the user's session would flash a console window every interval.
 */
export const win32Watchdog: WatchdogPlatform = {
  mechanism: 'Scheduled Task',
  jobName: TASK,
  needsEnvFile: true,
  files({stateDir}) {
    return [
      {
        path: path.win32.join(stateDir, 'claw-mesh-watchdog.xml'),
        template: 'windows/claw-mesh-watchdog.xml',
        format: 'xml',
        encoding: 'utf-16le',
      },
      {
        path: path.win32.join(stateDir, 'claw-mesh-watchdog.vbs'),
        template: 'windows/claw-mesh-watchdog.vbs',
        format: 'vbs',
        encoding: 'utf-16le',
      },
    ]
  },
  activate: (files) => [{command: 'schtasks', args: ['/Create', '/TN', TASK, '/XML', files[0].path, '/F']}],
  deactivate: () => [{command: 'schtasks', args: ['/Delete', '/TN', TASK, '/F']}],
  afterRemove: () => [],
  async isActive(run) {
    return (await run('schtasks', ['/Query', '/TN', TASK])).exitCode === 0
  },
}
