import path from 'node:path'
import type {WatchdogPlatform} from './types.js'

const TASK = 'claw-mesh watchdog'

/** A Scheduled Task with a repeating time trigger, registered from XML (kept in claw-mesh's state dir). */
export const win32Watchdog: WatchdogPlatform = {
  mechanism: 'Scheduled Task',
  jobName: TASK,
  needsEnvFile: true,
  files({stateDir}) {
    return [{path: path.win32.join(stateDir, 'claw-mesh-watchdog.xml'), template: 'windows/claw-mesh-watchdog.xml', format: 'xml'}]
  },
  activate: (files) => [{command: 'schtasks', args: ['/Create', '/TN', TASK, '/XML', files[0].path, '/F']}],
  deactivate: () => [{command: 'schtasks', args: ['/Delete', '/TN', TASK, '/F']}],
  afterRemove: () => [],
  async isActive(run) {
    return (await run('schtasks', ['/Query', '/TN', TASK])).exitCode === 0
  },
}
