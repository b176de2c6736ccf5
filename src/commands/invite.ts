import {BaseCommand} from '../base-command.js'
import {createInvite, type CreatedInvite} from '../services/peers/invite.js'

export default class Invite extends BaseCommand<typeof Invite> {
  static override summary = 'Print an invite another machine uses to add this one as a peer.'
  static override description =
    'The invite is one line (claw-mesh-invite:v1:…) holding this host\'s name, Tailscale hostname, gateway URL and hooks token. It is a secret: anyone holding it can message this agent. Share it only over a trusted channel; on the other machine run `claw-mesh peer add --invite -` and paste it.'
  static override examples = ['<%= config.bin %> invite', '<%= config.bin %> invite > /run/user/$UID/invite && scp … ', '<%= config.bin %> invite --json']

  protected async execute(): Promise<CreatedInvite> {
    return createInvite(this.deps)
  }

  /**
   * The invite is the one secret a user asks claw-mesh to print, so it bypasses the redactor (outSecret);
   * BaseCommand's JSON printing would mask it, hence this command prints its own document.
   */
  public override async run(): Promise<void> {
    const result = await this.execute()
    const {io, redactor} = this.deps
    io.err('warning: this invite is a secret (it carries your hooks token): share it only over a trusted channel, and never paste it in a public place.\n')
    if (this.flags.json) {
      const rest = redactor.redactValue({name: result.name, hostname: result.hostname, url: result.url, tailnet: result.tailnet})
      io.outSecret(`${JSON.stringify({ok: true, invite: result.invite, ...rest}, null, 2)}\n`)
    } else {
      io.outSecret(`${result.invite}\n`)
      io.err(`On the other machine: claw-mesh peer add --invite -   (then paste the line and press Ctrl-D)\n`)
    }
  }
}
