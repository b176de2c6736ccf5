import path from 'node:path'
import {ActionNeededError} from '../core/common/errors.js'
import type {HostProbe, InstallPlan, PlatformAdapter, TailscaleAppStopped} from './types.js'
import {darwinGateway} from './gateway-darwin.js'
import {darwinWatchdog} from './watchdog-darwin.js'

function appStopped(probe: HostProbe): TailscaleAppStopped | undefined {
  if (!probe.tailscaleApp) return undefined
  const approve =
    'approve what macOS asks for (System Settings → VPN, or General → Login Items & Extensions → Network Extensions)'
  if (probe.isRoot) {
    // The App Store app's CLI finds its daemon per user (safesocket_darwin.go: lsof -u<uid> -c IPNExtension), so
    // under sudo a running app looks absent (issue 17, M11).
    return {
      message:
        "Tailscale.app is installed but its daemon does not answer this root (sudo) process: the App Store app belongs to the user logged in at the desktop, and root's CLI cannot find it; or the app is not running.",
      hint: `Run claw-mesh as the desktop user, without sudo. If the app is not running, open it (open -a Tailscale) and ${approve}.`,
    }
  }
  return {
    message:
      'Tailscale.app is installed but its daemon does not answer: the app is not running, or macOS has not approved its VPN configuration or system extension yet.',
    hint: `Open it (open -a Tailscale), ${approve}, then re-run claw-mesh. claw-mesh does not install a second tailscaled beside the app: two daemons would give this Mac two tailnet addresses.`,
  }
}

export const darwinAdapter: PlatformAdapter = {
  id: 'darwin',
  pathDelimiter: ':',
  stateDir(_env, home) {
    return path.posix.join(home, 'Library', 'Application Support', 'claw-mesh')
  },
  tailscaleCandidates() {
    return [
      '/opt/homebrew/bin/tailscale',
      '/usr/local/bin/tailscale',
      '/Applications/Tailscale.app/Contents/MacOS/Tailscale',
    ]
  },
  executableNames: (name) => [name],
  tailscaleSocket: '/var/run/tailscaled.socket',
  tailscaleDaemonDownText: 'failed to connect to local Tailscale service; is Tailscale running?',
  tailscaleStartHint: 'open -a Tailscale (GUI app) or sudo brew services start tailscale (Homebrew)',
  tailscaleAppStopped: appStopped,
  planTailscaleInstall(probe): InstallPlan {
    // Tailscale.app is there: its daemon (IPNExtension or the system extension) is not running or not approved yet.
    // A Homebrew tailscaled beside it would be a second node with a second utun and 100.x address (issue 17, M2).
    const stopped = appStopped(probe)
    if (stopped) throw new ActionNeededError(stopped.message, {code: 'tailscale-app-not-running', hint: stopped.hint})
    if (!probe.commands.brew) {
      throw new ActionNeededError('Homebrew is not installed, and claw-mesh installs Tailscale on macOS with it.', {
        hint: 'Install Homebrew (https://brew.sh) and re-run: claw-mesh then installs the open-source tailscaled, which starts at boot without a login (the variant for an always-on Mac). Or install the Tailscale app (https://tailscale.com/download/mac) yourself, open it, and re-run.',
      })
    }
    return {
      method: 'homebrew',
      steps: [
        // Only the formula's own keg counts: a `tailscale` on PATH may be another install's CLI, and `brew services
        // start tailscale` fails unless the formula is installed.
        ...(probe.tailscaleFormula
          ? []
          : [
              {
                title: 'Install the Homebrew tailscale formula',
                command: probe.commands.brew,
                args: ['install', 'tailscale'],
              },
            ]),
        {
          title: 'Start tailscaled with brew services',
          command: probe.commands.brew,
          args: ['services', 'start', 'tailscale'],
          sudo: !probe.isRoot,
        },
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
