import {Flags} from '@oclif/core'
import {readAlertInput} from '../../services/alerts/target.js'
import {BaseCommand} from '../../base-command.js'
import {parseDuration} from '../../core/common/duration.js'
import {installWatchdog, type WatchdogInstallResult} from '../../services/watchdog/install.js'

export default class WatchdogInstall extends BaseCommand<typeof WatchdogInstall> {
  static override summary = 'Install the watchdog: a user-level job that checks the gateway, restarts it and alerts.'
  static override description = `Renders a systemd user timer (Linux), a LaunchAgent (macOS) or a Scheduled Task (Windows) that runs \`claw-mesh watchdog run\` every --interval with the absolute node and claw-mesh paths and this CLAW_MESH_HOME. The alert target is kept in claw-mesh's state (a chat webhook URL is a credential), not in the unit files.

Alert targets: webhook:https://… (JSON with both "text" and "content": Slack and Discord), imessage:+15551234567 (macOS, via imsg), command:/absolute/path (run without a shell; the alert is in CLAW_MESH_ALERT_TEXT, CLAW_MESH_ALERT_EVENT, CLAW_MESH_ALERT_HOST, …).

Where no service manager answers (containers, CI, SSH-only sessions) it changes nothing and exits 3 saying what to do; --print writes the files to stdout instead. Re-running with the same settings changes nothing.`
  static override examples = [
    '<%= config.bin %> watchdog install --alert webhook:https://hooks.slack.com/services/T000/B000/XXXX',
    '<%= config.bin %> watchdog install --alert imessage:+15551234567 --interval 60s --failures 2',
    '<%= config.bin %> watchdog install --print',
  ]
  static override flags = {
    alert: Flags.string({
      description:
        'Where to send alerts: webhook:URL, imessage:HANDLE (macOS) or command:/abs/path; or file:PATH / - (stdin) holding it (default $CLAW_MESH_ALERT). A webhook URL is kept in the secret store, not in state.json.',
      helpValue: 'TARGET',
    }),
    interval: Flags.string({description: 'How often to check the gateway.', default: '120s', helpValue: 'DURATION'}),
    failures: Flags.integer({description: 'Consecutive failed checks before restarting and alerting.', default: 3}),
    cooldown: Flags.string({
      description: 'Minimum time between two "down" alerts.',
      default: '30m',
      helpValue: 'DURATION',
    }),
    print: Flags.boolean({description: 'Print the files that would be installed and change nothing.', default: false}),
  }

  protected async execute(): Promise<WatchdogInstallResult> {
    const f = this.flags
    return installWatchdog(this.deps, {
      alert: await readAlertInput(this.deps, f.alert),
      intervalMs: parseDuration(f.interval, '--interval'),
      failures: f.failures,
      cooldownMs: parseDuration(f.cooldown, '--cooldown'),
      print: f.print,
    })
  }

  protected override render(r: WatchdogInstallResult): void {
    const {io} = this.deps
    if (r.files.some((f) => f.action === 'printed')) {
      for (const f of r.files) io.out(`# ${f.path}\n${f.content}\n`)
      io.err(
        `Not installed (--print). Install these as a ${r.mechanism}, or schedule \`claw-mesh watchdog run\` yourself.\n`,
      )
      for (const note of r.notes ?? []) io.err(`Note: ${note}\n`)
      return
    }
    for (const f of r.files) io.err(`  ${f.action === 'written' ? 'wrote' : 'unchanged'} ${f.path}\n`)
    io.err(
      r.changed
        ? `Watchdog installed as a ${r.mechanism} (${r.job}): every ${r.schedule.intervalSec} s, restart and alert after ${r.schedule.failures} failed check${r.schedule.failures === 1 ? '' : 's'}; alerts to ${r.alert ?? 'nowhere (pass --alert)'}.\n`
        : `The watchdog is already installed with these settings: nothing changed.\n`,
    )
    for (const note of r.notes ?? []) io.err(`Note: ${note}\n`)
  }
}
