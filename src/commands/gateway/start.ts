import {BaseCommand} from '../../base-command.js'
import {parseDuration} from '../../core/common/duration.js'
import {timeoutFlag} from '../../flags.js'
import {runProgress} from '../../infra/progress.js'
import {renderStart} from '../../render/gateway.js'
import {startGateway, type StartResult} from '../../services/gateway/start.js'
import {profileFlag} from './configure.js'

export default class GatewayStart extends BaseCommand<typeof GatewayStart> {
  static override summary = 'Start the gateway (or apply pending changes) and prove it works.'
  static override description = [
    "With a service manager (systemd --user, launchd, Task Scheduler) it uses OpenClaw's own service:",
    '`openclaw gateway install --port N --force`, then start or restart. Without one (containers, CI) it runs',
    "`openclaw gateway --port N` in the background (pid and log in claw-mesh's state dir): that does not survive a reboot.",
    'A running gateway applies hot-reloadable changes by itself; others get a restart. Then it waits for /healthz and',
    '/readyz and proves both tokens: the gateway token by the WebSocket handshake, the hooks token by POST /hooks/wake.',
    'If the gateway rejects the new configuration, the previous openclaw.json is restored and brought back up.',
    '',
    'Exit codes: 0 running and verified, 1 the gateway failed (rolled back), 2 the gateway rejected the configuration',
    '(rolled back), 3 action needed (not configured, OpenClaw or Node 24 missing).',
  ].join('\n')
  static override examples = ['<%= config.bin %> gateway start', '<%= config.bin %> gateway start --timeout 3m']
  static override flags = {
    ...timeoutFlag('120s', 'How long to wait for the gateway to answer /healthz (e.g. 90s, 3m).'),
    ...profileFlag,
  }

  protected async execute(): Promise<StartResult> {
    const timeoutMs = parseDuration(this.flags.timeout)
    const ctx: {result?: StartResult} = {}
    await runProgress(this.deps.io, ctx, [
      {
        title: 'Starting the OpenClaw gateway',
        run: async (c, update) => {
          c.result = await startGateway(this.deps, {timeoutMs, profile: this.flags.profile, onProgress: update})
          return `${c.result.action} (${c.result.runner})`
        },
      },
    ])
    return ctx.result!
  }

  protected override render(result: StartResult): void {
    this.deps.io.out(renderStart(result, this.deps.io.stdoutColor))
  }
}
