import path from 'node:path'
import {
  LAUNCHCTL_PENDING_TEARDOWN,
  LAUNCHCTL_TEARDOWN_POLL_MS,
  LAUNCHCTL_TEARDOWN_TIMEOUT_MS,
  launchctlGuiSessionMissing,
} from '../core/os/launchctl-errors.js'
import type {WatchdogPlatform} from './types.js'

const LABEL = 'ai.claw-mesh.watchdog'
const explain = (output: string) => launchctlGuiSessionMissing(output, 'watchdog')
const domain = () => `gui/${typeof process.getuid === 'function' ? process.getuid() : 0}`

/** A LaunchAgent with StartInterval in the user's GUI session. */
export const darwinWatchdog: WatchdogPlatform = {
  mechanism: 'launchd LaunchAgent',
  jobName: LABEL,
  needsEnvFile: false,
  files({home}) {
    return [
      {
        path: path.posix.join(home, 'Library', 'LaunchAgents', `${LABEL}.plist`),
        template: 'launchd/ai.claw-mesh.watchdog.plist',
        format: 'xml',
      },
    ]
  },
  // bootout first so a re-install picks up the new plist (bootstrap refuses a label that is already loaded). launchd
  // tears the old job down after bootout returns: wait until `print` no longer finds it, and retry a bootstrap that
  // still meets the teardown ("Bootstrap failed: 5: Input/output error"), as OpenClaw's launchd runtime does (M7).
  activate: (files) => [
    {command: 'launchctl', args: ['bootout', `${domain()}/${LABEL}`], mayFail: true, explain},
    {
      command: 'launchctl',
      args: ['print', `${domain()}/${LABEL}`],
      mayFail: true,
      untilFails: {forMs: 10_000, everyMs: LAUNCHCTL_TEARDOWN_POLL_MS},
    },
    {
      command: 'launchctl',
      args: ['bootstrap', domain(), files[0].path],
      retry: {
        while: LAUNCHCTL_PENDING_TEARDOWN,
        forMs: LAUNCHCTL_TEARDOWN_TIMEOUT_MS,
        everyMs: LAUNCHCTL_TEARDOWN_POLL_MS,
      },
      explain,
    },
  ],
  deactivate: () => [{command: 'launchctl', args: ['bootout', `${domain()}/${LABEL}`]}],
  afterRemove: () => [],
  async isActive(run) {
    return (await run('launchctl', ['print', `${domain()}/${LABEL}`])).exitCode === 0
  },
}
