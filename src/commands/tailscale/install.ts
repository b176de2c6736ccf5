import {Flags} from '@oclif/core'
import {shellWords} from '../../core/os/shell-words.js'
import {BaseCommand} from '../../base-command.js'
import {parseDuration} from '../../core/common/duration.js'
import {dryRunFlag, socketFlag, timeoutFlag} from '../../flags.js'
import {runProgress} from '../../infra/progress.js'
import {PLATFORM_IDS} from '../../platform/index.js'
import {installTailscale, type InstallResult} from '../../services/tailscale/install.js'
import type {DaemonPlanOptions} from '../../platform/types.js'

type Networking = DaemonPlanOptions['networking']

export default class TailscaleInstall extends BaseCommand<typeof TailscaleInstall> {
  static override summary = 'Install Tailscale and start its daemon, the right way for this OS.'
  static override description = `Linux: the vendor's install script (apt/dnf/zypper/pacman/apk repository) and systemd; refuses NixOS and unknown distributions with what to do. macOS: Homebrew formula + brew services. Windows: winget. Containers and CI runners without systemd: claw-mesh starts tailscaled itself with a --statedir (a kernel TUN device when one can be made, else --tun=userspace-networking with its HTTP/SOCKS5 proxy on loopback, which claw-mesh's peer traffic then uses) and waits for its socket. Uses sudo -n when not root. Does nothing when Tailscale is installed and its daemon answers.`
  static override examples = [
    '<%= config.bin %> tailscale install',
    '<%= config.bin %> tailscale install --networking userspace',
    '<%= config.bin %> tailscale install --dry-run --platform darwin',
  ]
  static override flags = {
    platform: Flags.string({description: 'Plan for another OS (with --dry-run).', options: PLATFORM_IDS}),
    networking: Flags.string({
      description:
        'Linux without a service manager (containers, CI), or to run tailscaled yourself: kernel TUN, userspace networking (no TUN device or no NET_ADMIN), or auto (kernel when a TUN device can be made). Also CLAW_MESH_TAILSCALE_NETWORKING.',
      options: ['auto', 'kernel', 'userspace'],
    }),
    ...timeoutFlag('30s', 'How long to wait for the daemon to answer.'),
    ...socketFlag,
    ...dryRunFlag,
  }

  protected async execute(): Promise<InstallResult> {
    const {flags, deps} = this
    const timeoutMs = parseDuration(flags.timeout)
    if (flags['dry-run'])
      return installTailscale(deps, {
        dryRun: true,
        platform: flags.platform,
        socket: flags.socket,
        networking: flags.networking as Networking,
        timeoutMs,
      })
    const ctx: {result?: InstallResult} = {}
    await runProgress(deps.io, ctx, [
      {
        title: 'Install Tailscale',
        run: async (c, update) => {
          c.result = await installTailscale(deps, {
            dryRun: false,
            platform: flags.platform,
            socket: flags.socket,
            networking: flags.networking as Networking,
            timeoutMs,
            progress: update,
          })
          return c.result.alreadyInstalled ? 'already installed' : c.result.plan.method
        },
      },
    ])
    return ctx.result!
  }

  protected override render(r: InstallResult): void {
    const lines: string[] = []
    if (r.alreadyInstalled) lines.push('Tailscale is installed and its daemon answers: nothing to do.')
    else {
      lines.push(`${r.dryRun ? 'Plan' : 'Done'} (${r.platform}, ${r.plan.method}):`)
      for (const step of r.plan.steps)
        lines.push(
          `  ${r.dryRun || r.applied.includes(step.title) ? '•' : '✗'} ${step.title}: ${shellWords([...(step.sudo ? ['sudo', '-n'] : []), step.command, ...step.args])}`,
        )
      for (const note of r.plan.notes) lines.push(`  note: ${note}`)
    }
    this.deps.io.out(lines.join('\n') + '\n')
  }
}
