import {Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {UsageError} from '../../core/common/errors.js'
import {EXPOSE_MODES} from '../../core/openclaw/openclaw-config.js'
import {dryRunFlag} from '../../flags.js'
import type {SecretStoreChoice} from '../../infra/secrets/select.js'
import {renderConfigure} from '../../render/gateway.js'
import {RISK_WEAK_TOKENS} from '../../core/secrets/token-strength.js'
import {RISK_LAN} from '../../services/gateway/configure.js'
import {configureGatewayAndPlugin, type ConfigureWithPluginResult} from '../../services/gateway/configure-plugin.js'

export const profileFlag = {
  profile: Flags.string({
    description: 'OpenClaw profile (its files live in ~/.openclaw-<name>); remembered after configure.',
    helpValue: 'NAME',
  }),
}

export default class GatewayConfigure extends BaseCommand<typeof GatewayConfigure> {
  static override summary = 'Set up openclaw.json for the mesh: tailnet exposure, token auth, hooks.'
  static override description = [
    'Changes only what the mesh needs in openclaw.json (gateway.mode/port/bind/auth/tailscale, hooks.enabled/token and the',
    '"clawmesh" secret provider) and keeps every other key. The gateway token stays in claw-mesh\'s secret store and',
    'openclaw.json points at it with a SecretRef; hooks.token is a plain string there (OpenClaw requires it), so the file',
    "stays mode 0600. The previous file is backed up in claw-mesh's state dir and the new one is checked with",
    "`openclaw config validate` before it replaces the old one. Comments in the file are not kept (OpenClaw's own",
    'writers drop them too). Running it again with nothing to change writes nothing.',
    '',
    "Then it installs or updates claw-mesh's OpenClaw plugin (the agent's mesh tools, and the outbox `claw-mesh send`",
    'queues through) as bootstrap does, with `openclaw plugins install`, and checks that it loads; an installed plugin',
    'of the same version is left alone. An OpenClaw that cannot load it (outside the releases it was tested with) is',
    'noted and skipped, not an error. --dry-run says what it would do; --no-plugin leaves the plugin alone.',
    '',
    'Exit codes: 0 done, 2 bad flag or unreadable/invalid/non-writable openclaw.json (nothing changed), 3 action needed.',
  ].join('\n')
  static override examples = [
    '<%= config.bin %> gateway configure',
    '<%= config.bin %> gateway configure --expose serve',
    '<%= config.bin %> gateway configure --port 18790 --dry-run',
    `<%= config.bin %> gateway configure --expose lan --accept-risk ${RISK_LAN}`,
  ]
  static override flags = {
    expose: Flags.string({
      description: `How peers reach the gateway: ${EXPOSE_MODES.join(', ')} (default tailnet; lan needs --accept-risk ${RISK_LAN}).`,
      helpValue: 'MODE',
    }),
    port: Flags.string({
      description: 'Gateway port, 1-65535 (default: the current one, else 18789).',
      helpValue: 'PORT',
    }),
    'accept-risk': Flags.string({
      description: `Accept a named risk: ${RISK_LAN}, or ${RISK_WEAK_TOKENS} (keep a token under 256 bits instead of replacing it).`,
      multiple: true,
      helpValue: 'RISK',
    }),
    'secret-store': Flags.string({
      description: 'Where the tokens live: auto (keychain, else a 0600 file, with a warning), keychain or file.',
      options: ['auto', 'keychain', 'file'],
    }),
    plugin: Flags.boolean({
      description:
        "Also install or update claw-mesh's OpenClaw plugin (the agent's mesh tools); --no-plugin leaves it as it is.",
      default: true,
      allowNo: true,
    }),
    ...profileFlag,
    ...dryRunFlag,
  }

  protected async execute(): Promise<ConfigureWithPluginResult> {
    return configureGatewayAndPlugin(this.deps, {
      expose: this.flags.expose,
      port: parsePortFlag(this.flags.port),
      acceptRisk: this.flags['accept-risk'],
      secretStore: this.flags['secret-store'] as SecretStoreChoice | undefined,
      profile: this.flags.profile,
      dryRun: this.flags['dry-run'],
      plugin: this.flags.plugin,
    })
  }

  protected override render(result: ConfigureWithPluginResult): void {
    this.deps.io.out(renderConfigure(result, this.deps.io.stdoutColor))
  }
}

/** `--port` as a number; the range check (1-65535) is assertPort's, in the service. */
export function parsePortFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!/^\s*-?\d+\s*$/.test(value)) {
    throw new UsageError(`--port ${JSON.stringify(value)} is not a port number.`, {
      hint: "Pass a port between 1 and 65535 (OpenClaw's default is 18789).",
    })
  }
  return Number(value)
}
