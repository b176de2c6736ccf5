import {BaseCommand} from '../../base-command.js'
import type {TailscaleSummary} from '../../core/tailscale/tailscale-status.js'
import {socketFlag} from '../../flags.js'
import {renderTailscaleStatus} from '../../render/tailscale.js'
import {openTailscale} from '../../services/tailscale/cli.js'

export default class TailscaleStatus extends BaseCommand<typeof TailscaleStatus> {
  static override summary = "Show this node's Tailscale state and its peers."
  static override description =
    'Reads `tailscale status --json` and prints the backend state, hostname, MagicDNS name, addresses, tailnet, key expiry and peers. With --json the shape is documented in docs/headscale-and-containers.md.'
  static override examples = ['<%= config.bin %> tailscale status', '<%= config.bin %> tailscale status --json']
  static override flags = {...socketFlag}

  protected async execute(): Promise<TailscaleSummary> {
    return openTailscale(this.deps, this.flags.socket).status()
  }

  protected override render(result: TailscaleSummary): void {
    this.deps.io.out(renderTailscaleStatus(result, this.deps.io.stdoutColor))
  }
}
