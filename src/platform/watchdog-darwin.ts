import path from 'node:path'
import type {WatchdogPlatform} from './types.js'

const LABEL = 'ai.claw-mesh.watchdog'
const domain = () => `gui/${typeof process.getuid === 'function' ? process.getuid() : 0}`

/** A LaunchAgent with StartInterval in the user's GUI session. */
export const darwinWatchdog: WatchdogPlatform = {
  mechanism: 'launchd LaunchAgent',
  jobName: LABEL,
  needsEnvFile: false,
  files({home}) {
    return [{path: path.posix.join(home, 'Library', 'LaunchAgents', `${LABEL}.plist`), template: 'launchd/ai.claw-mesh.watchdog.plist', format: 'xml'}]
  },
  // bootout first so a re-install picks up the new plist (bootstrap refuses a label that is already loaded).
  activate: (files) => [
    {command: 'launchctl', args: ['bootout', `${domain()}/${LABEL}`], mayFail: true},
    {command: 'launchctl', args: ['bootstrap', domain(), files[0].path]},
  ],
  deactivate: () => [{command: 'launchctl', args: ['bootout', `${domain()}/${LABEL}`]}],
  afterRemove: () => [],
  async isActive(run) {
    return (await run('launchctl', ['print', `${domain()}/${LABEL}`])).exitCode === 0
  },
}
