import path from 'node:path'
import {ActionNeededError} from '../core/errors.js'
import type {InstallPlan, PlatformAdapter} from './types.js'
import {darwinGateway} from './gateway-darwin.js'
import {darwinWatchdog} from './watchdog-darwin.js'

export const darwinAdapter: PlatformAdapter = {
  id: 'darwin',
  pathDelimiter: ':',
  stateDir(_env, home) {
    return path.posix.join(home, 'Library', 'Application Support', 'claw-mesh')
  },
  tailscaleCandidates() {
    return ['/opt/homebrew/bin/tailscale', '/usr/local/bin/tailscale', '/Applications/Tailscale.app/Contents/MacOS/Tailscale']
  },
  executableNames: (name) => [name],
  tailscaleSocket: '/var/run/tailscaled.socket',
  tailscaleDaemonDownText: 'failed to connect to local Tailscale service; is Tailscale running?',
  tailscaleStartHint: 'open -a Tailscale (GUI app) or sudo brew services start tailscale (Homebrew)',
  planTailscaleInstall(probe): InstallPlan {
    if (!probe.commands.brew) {
      throw new ActionNeededError('Homebrew is not installed, and claw-mesh installs Tailscale on macOS with it.', {
        hint: 'Install Homebrew (https://brew.sh) or the Tailscale app from the App Store, then re-run claw-mesh.',
      })
    }
    return {
      method: 'homebrew',
      steps: [
        ...(probe.commands.tailscale ? [] : [{title: 'Install the Homebrew tailscale formula', command: probe.commands.brew, args: ['install', 'tailscale']}]),
        {title: 'Start tailscaled with brew services', command: probe.commands.brew, args: ['services', 'start', 'tailscale'], sudo: !probe.isRoot},
      ],
      notes: ['The formula runs the open-source tailscaled as a system service (socket /var/run/tailscaled.socket).'],
    }
  },
  // No O_TMPFILE: the runner unlinks the file before the child starts. Opening /dev/fd/3 here is dup(3), which shares
  // the descriptor's offset, so the runner writes the secret at offset 0 without moving it (issue 17, M1).
  secretFd: {path: '/dev/fd/3'},
  upExtraFlags: () => [],
  gateway: darwinGateway,
  watchdog: darwinWatchdog,
}
