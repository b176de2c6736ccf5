import {constants} from 'node:fs'
import path from 'node:path'
import {ActionNeededError} from '../core/common/errors.js'
import {chooseNetworking, daemonWithoutServicePlan} from './common.js'
import type {HostProbe, InstallPlan, PlatformAdapter} from './types.js'
import {linuxGateway} from './gateway-linux.js'
import {linuxWatchdog} from './watchdog-linux.js'

const APT = ['debian', 'ubuntu', 'raspbian', 'linuxmint', 'pop', 'elementary', 'kali', 'neon', 'zorin']
const DNF = ['fedora', 'rhel', 'centos', 'rocky', 'almalinux', 'amzn', 'ol']
const SUPPORTED = [
  ...APT,
  ...DNF,
  'arch',
  'manjaro',
  'alpine',
  'opensuse',
  'opensuse-leap',
  'opensuse-tumbleweed',
  'sles',
  'void',
  'gentoo',
]

function distroFamily(probe: HostProbe): string | undefined {
  const ids = [probe.osRelease?.id ?? '', ...(probe.osRelease?.idLike ?? [])]
  return ids.find((id) => SUPPORTED.includes(id))
}

export const linuxAdapter: PlatformAdapter = {
  id: 'linux',
  pathDelimiter: ':',
  stateDir(env, home) {
    return path.posix.join(env.XDG_STATE_HOME || path.posix.join(home, '.local', 'state'), 'claw-mesh')
  },
  tailscaleCandidates() {
    return ['/usr/bin/tailscale', '/usr/local/bin/tailscale', '/usr/sbin/tailscale', '/snap/bin/tailscale']
  },
  executableNames: (name) => [name],
  tailscaleSocket: '/var/run/tailscale/tailscaled.sock',
  tailscaleDaemonDownText:
    "failed to connect to local tailscaled; it doesn't appear to be running (sudo systemctl start tailscaled ?)",
  tailscaleStartHint:
    'sudo systemctl enable --now tailscaled (or, without systemd: claw-mesh tailscale install, which starts tailscaled itself)',
  planTailscaleInstall(probe, opts): InstallPlan {
    if (probe.osRelease?.id === 'nixos') {
      throw new ActionNeededError('Tailscale cannot be installed imperatively on NixOS.', {
        hint: 'Add `services.tailscale.enable = true;` to configuration.nix, run `sudo nixos-rebuild switch`, then re-run claw-mesh.',
      })
    }
    const family = distroFamily(probe)
    const present = Boolean(probe.commands.tailscale && probe.commands.tailscaled)
    if (!family && !present) {
      throw new ActionNeededError(
        `Unknown Linux distribution "${probe.osRelease?.id ?? 'unknown'}": the Tailscale installer does not support it.`,
        {
          hint: 'Install Tailscale by hand (https://tailscale.com/download/linux/static has static binaries), then re-run claw-mesh.',
        },
      )
    }
    const installSteps = present
      ? []
      : [
          {
            title: "Install Tailscale with the vendor's script (adds its package repository)",
            command: 'sh',
            args: ['-c', 'curl -fsSL https://tailscale.com/install.sh | sh'],
            sudo: !probe.isRoot,
          },
        ]
    // A networking mode asked for explicitly means claw-mesh runs the daemon itself, even next to systemd.
    if (!probe.hasSystemd || probe.inContainer || (opts.networking && opts.networking !== 'auto')) {
      const mode = chooseNetworking(probe, opts.networking)
      return daemonWithoutServicePlan(probe, opts, `${present ? '' : 'install script + '}${mode} daemon`, installSteps)
    }
    return {
      method: present ? 'systemd' : 'install script',
      steps: [
        ...installSteps,
        {
          title: 'Enable and start tailscaled',
          command: 'systemctl',
          args: ['enable', '--now', 'tailscaled'],
          sudo: !probe.isRoot,
        },
      ],
      notes: present
        ? ['Tailscale is already installed; only the service is started.']
        : ['The script picks apt/dnf/yum/zypper/pacman/apk for this distribution.'],
    }
  },
  // O_TMPFILE (__O_TMPFILE | O_DIRECTORY): a file with no name at all; the child opens it as /dev/fd/3.
  secretFd: {path: '/dev/fd/3', tmpfileFlags: 0o20000000 | constants.O_DIRECTORY | constants.O_RDWR},
  upExtraFlags: () => [],
  gateway: linuxGateway,
  watchdog: linuxWatchdog,
}
