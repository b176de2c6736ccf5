import {Flags} from '@oclif/core'
import {readAlertInput} from '../../services/alerts/target.js'
import {throttleProgress} from '../../infra/progress.js'
import {BaseCommand} from '../../base-command.js'
import {parseDuration} from '../../core/common/duration.js'
import {ExitCode} from '../../core/common/errors.js'
import {timeoutFlag} from '../../flags.js'
import type {AlertDelivery} from '../../services/alerts/send.js'
import {runWatchdog, testAlert, type WatchdogRunResult} from '../../services/watchdog/run.js'

type Result = WatchdogRunResult | {test: AlertDelivery}

export default class WatchdogRun extends BaseCommand<typeof WatchdogRun> {
  static override summary =
    'Check the gateway once: count failures, restart after N in a row, alert (what the job runs).'
  static override description = `GET /healthz on the local gateway (127.0.0.1, the port claw-mesh configured) within --timeout. The consecutive-failure count lives in <state dir>/watchdog.json. At --failures failures in a row the gateway is restarted (through its service manager, or claw-mesh's background runner where there is none) and an alert is sent; further "still down" alerts wait for --cooldown, and one recovery alert follows when the gateway answers again.

Where no service manager runs the gateway (a container, a VPS without systemd user sessions), \`watchdog run --failures 1\` is also the way back after a reboot: it starts the tailscaled claw-mesh started, then the gateway, at once (bootstrap prints it as an @reboot crontab line). A gateway with Tailscale Serve is not restarted while Tailscale is down: OpenClaw cannot boot then (openclaw/openclaw#138770), and the alert says so.

Exit codes: 0 healthy (or healthy again after a restart); 5 unhealthy; 6 another watchdog run is busy.`
  static override exitCodes = {
    CHECKS_FAILED: 'the gateway is unhealthy and no restart brought it back',
  }
  static override examples = [
    '<%= config.bin %> watchdog run',
    '<%= config.bin %> watchdog run --failures 1   # after a reboot: bring the mesh back at once',
    '<%= config.bin %> watchdog run --alert webhook:https://hooks.slack.com/services/… --test-alert',
  ]
  static override flags = {
    alert: Flags.string({
      description:
        'Alert target for this run, or file:PATH / - holding it (default: the one watchdog install recorded).',
      helpValue: 'TARGET',
    }),
    failures: Flags.integer({description: 'Consecutive failed checks before restarting and alerting.', default: 3}),
    cooldown: Flags.string({
      description: 'Minimum time between two "down" alerts.',
      default: '30m',
      helpValue: 'DURATION',
    }),
    'test-alert': Flags.boolean({
      description: 'Send a test alert to the target and exit (checks nothing, changes nothing).',
      default: false,
    }),
    ...timeoutFlag('5s', 'Health-check timeout.'),
  }

  protected async execute(): Promise<Result> {
    const f = this.flags
    const alert = f.alert === undefined ? undefined : await readAlertInput(this.deps, f.alert)
    if (f['test-alert']) return {test: await testAlert(this.deps, alert)}
    return runWatchdog(this.deps, {
      alert,
      failures: f.failures,
      cooldownMs: parseDuration(f.cooldown, '--cooldown'),
      timeoutMs: parseDuration(f.timeout),
      onProgress: throttleProgress((m) => this.deps.io.err(`${m}\n`), {terminal: this.deps.io.stderrIsTTY}),
    })
  }

  protected override render(r: Result): void {
    const {io} = this.deps
    if ('test' in r) {
      io.err(
        r.test.ok
          ? `Test alert sent to ${r.test.target} (${r.test.detail}).\n`
          : `Test alert to ${r.test.target} failed: ${r.test.detail}.\n`,
      )
      return
    }
    io.err(
      `${r.healthUrl}: ${r.healthy ? 'healthy' : `unhealthy (${r.detail})`}; ${r.failures}/${r.threshold} consecutive failures.\n`,
    )
    if (r.tailscaled) io.err(`  ${r.tailscaled.detail}\n`)
    if (r.restart) io.err(`  ${r.restart.detail}\n`)
    if (r.alert)
      io.err(`  ${r.alert.event} alert ${r.alert.sent ? `sent to ${r.alert.target}` : `not sent: ${r.alert.detail}`}\n`)
  }

  protected override exitCodeFor(r: Result): number {
    if ('test' in r) return r.test.ok ? ExitCode.OK : ExitCode.FAILED
    return r.healthy || r.restart?.healthy ? ExitCode.OK : ExitCode.CHECKS_FAILED
  }
}
