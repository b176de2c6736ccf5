import path from 'node:path'
import {ActionNeededError} from '../core/common/errors.js'
import type {InstallPlan, PlatformAdapter} from './types.js'
import {win32Gateway} from './gateway-win32.js'
import {win32Watchdog} from './watchdog-win32.js'

export const win32Adapter: PlatformAdapter = {
  id: 'win32',
  pathDelimiter: ';',
  stateDir(env, home) {
    return path.win32.join(env.LOCALAPPDATA || path.win32.join(home, 'AppData', 'Local'), 'claw-mesh')
  },
  tailscaleCandidates(env) {
    const pf = env.ProgramFiles || 'C:\\Program Files'
    return [path.win32.join(pf, 'Tailscale', 'tailscale.exe')]
  },
  executableNames: (name) => [`${name}.exe`, `${name}.cmd`, name],
  tailscaleSocket: '\\\\.\\pipe\\ProtectedPrefix\\Administrators\\Tailscale\\tailscaled',
  tailscaleDaemonDownText: 'failed to connect to local tailscaled process; is the Tailscale service running?',
  tailscaleStartHint: 'Start-Service Tailscale (PowerShell as Administrator)',
  planTailscaleInstall(probe): InstallPlan {
    if (!probe.commands.winget) {
      throw new ActionNeededError('winget is not available, and claw-mesh installs Tailscale on Windows with it.', {
        hint: 'Install "App Installer" from the Microsoft Store, or install Tailscale from its MSI (msiexec /quiet /i tailscale-setup-<version>-amd64.msi), then re-run claw-mesh.',
      })
    }
    return {
      method: 'winget',
      steps: [
        {
          title: 'Install Tailscale with winget',
          command: probe.commands.winget,
          args: [
            'install',
            '--id',
            'Tailscale.Tailscale',
            '-e',
            '--silent',
            '--accept-package-agreements',
            '--accept-source-agreements',
          ],
          // The installer starts the Tailscale service; the first `status` before it listens would see no daemon.
          waitForDaemon: true,
        },
      ],
      notes: [
        'The installer registers the Tailscale service; `tailscale up` gets --unattended so the node stays up without a logged-in user.',
      ],
    }
  },
  upExtraFlags: () => ['--unattended'],
  gateway: win32Gateway,
  watchdog: win32Watchdog,
}
