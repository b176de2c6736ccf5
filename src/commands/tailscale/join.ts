import {Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {parseDuration} from '../../core/common/duration.js'
import {assertHostname, parseTags} from '../../core/common/validate.js'
import {loginServerSetting} from '../../core/common/settings.js'
import {dryRunFlag, loginServerFlag, socketFlag, tailscaleKeyFlag, tailscaleWifFlags, timeoutFlag} from '../../flags.js'
import {readSecretInput} from '../../infra/secret-input.js'
import {runProgress} from '../../infra/progress.js'
import {renderJoin} from '../../render/join.js'
import {joinTailnet, type JoinResult} from '../../services/tailscale/join.js'
import {readWifInput} from '../../services/tailscale/wif-input.js'

export default class TailscaleJoin extends BaseCommand<typeof TailscaleJoin> {
  static override summary = 'Join the tailnet with a hostname, idempotently.'
  static override description = `Reads \`tailscale status --json\` first. Runs \`tailscale up\` (key passed as --auth-key=file:<private temp file>) only when the node needs a login; on a running node changes only what differs with \`tailscale set\` and never re-sends the key. Changing tags needs --force-reauth. Waits until the node is Running with an IPv4 and warns when Tailscale renamed it (name-1).`
  static override examples = [
    '<%= config.bin %> tailscale join --hostname openclaw-nova --tailscale-key file:/run/secrets/ts',
    'CLAW_MESH_TAILSCALE_KEY=… <%= config.bin %> tailscale join --hostname openclaw-ci --tags tag:claw-mesh',
    '<%= config.bin %> tailscale join --hostname openclaw-ci --tags tag:claw-mesh --tailscale-client-id "$TS_CLIENT_ID" --tailscale-audience "$TS_AUDIENCE"',
    '<%= config.bin %> tailscale join --hostname openclaw-nova --dry-run',
    '<%= config.bin %> tailscale join --hostname openclaw-nova --login-server https://headscale.example.com --tailscale-key file:/run/secrets/hskey',
  ]
  static override flags = {
    hostname: Flags.string({description: 'Tailscale hostname (a DNS label).', required: true}),
    ...tailscaleKeyFlag,
    ...tailscaleWifFlags,
    tags: Flags.string({
      description: 'Comma-separated tags to advertise, e.g. tag:claw-mesh (required for OAuth client secrets).',
      helpValue: 'tag:a,tag:b',
    }),
    'force-reauth': Flags.boolean({
      description: 'Re-register the node (needed to change tags). Needs a key.',
      default: false,
    }),
    ephemeral: Flags.boolean({
      description: 'For OAuth client secrets and workload identities: register the node as ephemeral.',
      default: true,
      allowNo: true,
    }),
    ...timeoutFlag('60s', 'How long to wait for the node to be Running.'),
    ...loginServerFlag,
    ...socketFlag,
    ...dryRunFlag,
  }

  protected async execute(): Promise<JoinResult> {
    const {flags, deps} = this
    const hostname = assertHostname(flags.hostname)
    const tags = parseTags(flags.tags)
    const timeoutMs = parseDuration(flags.timeout)
    const loginServer = loginServerSetting({env: deps.env, flags: {loginServer: flags['login-server']}}).value
    const key = await readSecretInput({
      flag: '--tailscale-key',
      raw: flags['tailscale-key'],
      envName: 'CLAW_MESH_TAILSCALE_KEY',
      env: deps.env,
      stdin: deps.io.stdin,
      redactor: deps.redactor,
    })
    if (key?.origin === 'argument')
      deps.io.err(
        'warning: a key given on the command line is visible to other users (ps); prefer --tailscale-key file:PATH.\n',
      )
    const wif = await readWifInput(flags, deps)
    const ctx: {result?: JoinResult} = {}
    await runProgress(deps.io, ctx, [
      {
        title: `Join the tailnet as ${hostname}`,
        run: async (c, update) => {
          c.result = await joinTailnet(deps, {
            hostname,
            tags,
            key,
            wif,
            forceReauth: flags['force-reauth'],
            ephemeral: flags.ephemeral,
            timeoutMs,
            socket: flags.socket,
            loginServer,
            dryRun: flags['dry-run'],
            progress: update,
          })
          return c.result.dryRun ? `would ${c.result.action}` : c.result.changed ? c.result.action : 'unchanged'
        },
      },
    ])
    for (const w of ctx.result!.warnings) deps.io.err(`warning: ${w}\n`)
    return ctx.result!
  }

  protected override render(result: JoinResult): void {
    this.deps.io.out(renderJoin(result))
  }
}
