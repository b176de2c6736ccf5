import {Flags} from '@oclif/core'
import {shellWords} from '../../core/shell-words.js'
import {BaseCommand} from '../../base-command.js'
import {parseDuration} from '../../core/duration.js'
import {dryRunFlag, socketFlag, timeoutFlag} from '../../flags.js'
import {runProgress} from '../../infra/progress.js'
import {PLATFORM_IDS} from '../../platform/index.js'
import {installTailscale, type InstallResult} from '../../services/tailscale/install.js'

export default class TailscaleInstall extends BaseCommand<typeof TailscaleInstall> {
  static override summary = 'Install Tailscale and start its daemon, the right way for this OS.'
  static override description = `Linux: the vendor's install script (apt/dnf/zypper/pacman/apk repository) and systemd; refuses NixOS and unknown distributions with what to do. macOS: Homebrew formula + brew services. Windows: winget. Containers and CI runners without systemd: tailscaled --tun=userspace-networking in the background, and claw-mesh waits for its socket. Uses sudo -n when not root. Does nothing when Tailscale is installed and its daemon answers.`
  static override examples = ['<%= config.bin %> tailscale install', '<%= config.bin %> tailscale install --dry-run --platform darwin']
  static override flags = {
    platform: Flags.string({description: 'Plan for another OS (with --dry-run).', options: PLATFORM_IDS}),
    ...timeoutFlag('30s', 'How long to wait for the daemon to answer.'),
    ...socketFlag,
    ...dryRunFlag,
  }

  protected async execute(): Promise<InstallResult> {
    const {flags, deps} = this
    const timeoutMs = parseDuration(flags.timeout)
    if (flags['dry-run']) return installTailscale(deps, {dryRun: true, platform: flags.platform, socket: flags.socket, timeoutMs})
    const ctx: {result?: InstallResult} = {}
    await runProgress(deps.io, ctx, [
      {
        title: 'Install Tailscale',
        run: async (c, update) => {
          c.result = await installTailscale(deps, {dryRun: false, platform: flags.platform, socket: flags.socket, timeoutMs, progress: update})
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
      for (const step of r.plan.steps) lines.push(`  ${r.dryRun || r.applied.includes(step.title) ? '•' : '✗'} ${step.title}: ${shellWords([...(step.sudo ? ['sudo', '-n'] : []), step.command, ...step.args])}`)
      for (const note of r.plan.notes) lines.push(`  note: ${note}`)
    }
    this.deps.io.out(lines.join('\n') + '\n')
  }
}
