import path from 'node:path'
import type {WatchdogPlatform} from './types.js'

const TIMER = 'claw-mesh-watchdog.timer'

/** A systemd user timer that runs a oneshot service. */
export const linuxWatchdog: WatchdogPlatform = {
  mechanism: 'systemd user timer',
  jobName: TIMER,
  needsEnvFile: false,
  files({home, env}) {
    const dir = path.posix.join(env.XDG_CONFIG_HOME || path.posix.join(home, '.config'), 'systemd', 'user')
    return [
      {
        path: path.posix.join(dir, 'claw-mesh-watchdog.service'),
        template: 'systemd/claw-mesh-watchdog.service',
        format: 'systemd',
      },
      {path: path.posix.join(dir, TIMER), template: 'systemd/claw-mesh-watchdog.timer', format: 'systemd'},
    ]
  },
  activate: () => [
    {command: 'systemctl', args: ['--user', 'daemon-reload']},
    {command: 'systemctl', args: ['--user', 'enable', '--now', TIMER]},
  ],
  deactivate: () => [{command: 'systemctl', args: ['--user', 'disable', '--now', TIMER]}],
  afterRemove: () => [{command: 'systemctl', args: ['--user', 'daemon-reload']}],
  async isActive(run) {
    return (await run('systemctl', ['--user', 'is-enabled', TIMER])).exitCode === 0
  },
}
