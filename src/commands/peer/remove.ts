import {Args} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {removePeer, type RemovePeerResult} from '../../services/peers/remove.js'

export default class PeerRemove extends BaseCommand<typeof PeerRemove> {
  static override summary = 'Remove a peer and its hooks token.'
  static override examples = ['<%= config.bin %> peer remove nova']
  static override args = {name: Args.string({description: 'Peer name (see claw-mesh peer list)', required: true})}

  protected async execute(): Promise<RemovePeerResult> {
    const {args} = this
    return removePeer(this.deps, args.name)
  }

  protected override render(r: RemovePeerResult): void {
    this.deps.io.err(`Removed peer ${r.name} (${r.url})${r.tokenDeleted ? ' and its hooks token' : ''}.\n`)
    if (r.rediscoverable)
      this.deps.io.err(
        '  It was discovered in the tailnet: the next claw-mesh peer discover adds it back while it carries the mesh tag.\n',
      )
  }
}
