import {Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {renderPeerSheet, renderPeerTable} from '../../render/peers.js'
import {describeSelf, listPeers, type PeerListResult} from '../../services/peers/list.js'

export default class PeerList extends BaseCommand<typeof PeerList> {
  static override summary = 'List the peers: name, hostname, gateway URL, messaging, last check.'
  static override description =
    '--format md prints a peer sheet (a markdown file to keep or share: it never contains tokens).'
  static override examples = [
    '<%= config.bin %> peer list',
    '<%= config.bin %> peer list --format md > peer-config.md',
    '<%= config.bin %> peer list --json',
  ]
  static override flags = {
    format: Flags.string({description: 'Output format.', options: ['table', 'md', 'json'], default: 'table'}),
  }

  protected async execute(): Promise<PeerListResult> {
    const result = listPeers(this.deps)
    if (this.flags.format === 'md' && !this.flags.json) result.self = await describeSelf(this.deps)
    return result
  }

  protected override render(result: PeerListResult): void {
    const {io, clock} = this.deps
    if (this.flags.format === 'json')
      io.out(`${JSON.stringify(io.redactor.redactValue({ok: true, peers: result.peers}), null, 2)}\n`)
    else if (this.flags.format === 'md') io.out(renderPeerSheet(result.peers, result.self ?? {}, clock.now()))
    else io.out(renderPeerTable(result.peers, io.stdoutColor))
  }
}
