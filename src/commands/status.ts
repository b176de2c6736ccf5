import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {parseDuration} from '../core/common/duration.js'
import {UsageError} from '../core/common/errors.js'
import {socketFlag, timeoutFlag} from '../flags.js'
import {stripControlValue} from '../core/common/terminal-text.js'
import {renderMeshStatus} from '../render/status.js'
import {meshStatus, type StatusResult} from '../services/status/status.js'

export default class Status extends BaseCommand<typeof Status> {
  static override readOnly = true
  static override summary = 'The mesh at a glance: this host and every peer.'
  static override description = `This host: identity, Tailscale name and address, gateway health and the URL peers use. Every peer: online in the tailnet, gateway health, latency, last seen, messaging on/off.
--watch refreshes in place on a terminal until Ctrl-C. For scripts, run \`claw-mesh status --json\` periodically instead.`
  static override examples = [
    '<%= config.bin %> status',
    '<%= config.bin %> status --json',
    '<%= config.bin %> status --watch --interval 10s',
  ]
  static override flags = {
    watch: Flags.boolean({description: 'Refresh in place on a terminal (needs a TTY).', default: false}),
    interval: Flags.string({description: 'Refresh interval with --watch.', default: '5s', helpValue: 'DURATION'}),
    ...timeoutFlag('3s', 'Per-peer network timeout.'),
    ...socketFlag,
  }

  protected async execute(): Promise<StatusResult> {
    const {flags, deps} = this
    const peerTimeoutMs = parseDuration(flags.timeout)
    const intervalMs = parseDuration(flags.interval, '--interval')
    if (intervalMs < 1000)
      throw new UsageError(`--interval ${flags.interval} is too short.`, {hint: 'Use at least 1s (the default is 5s).'})
    if (!flags.watch) return meshStatus(deps, {peerTimeoutMs, socket: flags.socket})
    if (deps.io.jsonMode)
      throw new UsageError('--watch cannot be combined with --json (--json prints exactly one document).', {
        hint: 'Run claw-mesh status --json periodically instead (e.g. every 5 s from your script).',
      })
    if (!deps.io.stdoutIsTTY) {
      throw new UsageError('--watch needs a terminal: it redraws the screen in place.', {
        hint: 'Without a terminal, run claw-mesh status --json periodically instead (e.g. watch -n 5 claw-mesh status, or a loop in your script).',
      })
    }
    for (;;) {
      const result = await meshStatus(deps, {peerTimeoutMs, socket: flags.socket})
      // Each refresh replaces the last one in place; the result is stripped as BaseCommand strips a final one.
      deps.io.clearScreen()
      deps.io.out(
        `${renderMeshStatus(stripControlValue(result), deps.io.stdoutColor)}Refreshing every ${flags.interval}; Ctrl-C to stop.\n`,
      )
      await deps.clock.sleep(intervalMs)
    }
  }

  protected override render(result: StatusResult): void {
    this.deps.io.out(renderMeshStatus(result, this.deps.io.stdoutColor))
  }
}
