import path from 'node:path'
import type {HostProbe, InstallPlan} from './types.js'

/** Userspace tailscaled for containers and CI runners without systemd or TUN. */
export function userspaceDaemonPlan(probe: HostProbe, stateDir: string, method: string, pre: InstallPlan['steps'] = []): InstallPlan {
  const socket = path.posix.join(stateDir, 'tailscaled.sock')
  return {
    method,
    socket,
    steps: [
      ...pre,
      {
        title: 'Start tailscaled in userspace-networking mode',
        command: probe.commands.tailscaled ?? 'tailscaled',
        args: ['--tun=userspace-networking', '--state=mem:', `--socket=${socket}`],
        sudo: !probe.isRoot,
        detachedLog: path.posix.join(stateDir, 'tailscaled.log'),
        waitForSocket: socket,
      },
    ],
    notes: [
      'No systemd here (container or CI runner): tailscaled runs in the background in userspace-networking mode and does not survive a reboot.',
      '`--state=mem:` registers the node as ephemeral: it leaves the tailnet when the daemon stops.',
      `claw-mesh remembers the socket (${socket}) and passes --socket to every tailscale call.`,
    ],
  }
}
