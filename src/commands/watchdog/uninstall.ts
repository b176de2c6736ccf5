import {BaseCommand} from '../../base-command.js'
import {uninstallWatchdog, type WatchdogUninstallResult} from '../../services/watchdog/install.js'

export default class WatchdogUninstall extends BaseCommand<typeof WatchdogUninstall> {
  static override summary = 'Remove the watchdog job, its files and its recorded alert target.'
  static override examples = ['<%= config.bin %> watchdog uninstall']

  protected async execute(): Promise<WatchdogUninstallResult> {
    return uninstallWatchdog(this.deps)
  }

  protected override render(r: WatchdogUninstallResult): void {
    if (r.absent) {
      this.deps.io.err('No watchdog is installed: nothing to remove.\n')
      return
    }
    for (const p of r.removed) this.deps.io.err(`  removed ${p}\n`)
    this.deps.io.err(`Watchdog (${r.mechanism} ${r.job}) removed.\n`)
  }
}
