import {BaseCommand} from '../../base-command.js'
import {renderGatewayStatus} from '../../render/gateway.js'
import {gatewayStatus, type GatewayStatus as Status} from '../../services/gateway/status.js'
import {profileFlag} from './configure.js'

export default class GatewayStatus extends BaseCommand<typeof GatewayStatus> {
  static override summary = "Show the gateway's configuration, how it runs, its health and the URL peers use."
  static override description =
    'Reads openclaw.json (never printing a secret: it says where the token lives), asks /healthz and /readyz on 127.0.0.1 and, with a tailnet bind, on the Tailscale IPv4, and prints the peer URL. Read-only; exits 0 whatever the state (use claw-mesh doctor for pass/fail).'
  static override examples = ['<%= config.bin %> gateway status', '<%= config.bin %> gateway status --json']
  static override flags = {...profileFlag}

  protected async execute(): Promise<Status> {
    return gatewayStatus(this.deps, {profile: this.flags.profile})
  }

  protected override render(result: Status): void {
    this.deps.io.out(renderGatewayStatus(result, this.deps.io.stdoutColor))
  }
}
