import {Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {listOutbox, type OutboxResult} from '../../services/messaging/outbox.js'

export default class OutboxList extends BaseCommand<typeof OutboxList> {
  static override readOnly = true
  static override summary = 'Mesh messages agents sent that are queued, awaiting a reply or undelivered.'
  static override description = `What the mesh plugin's durable outbox holds, as the plugin last reported it (it updates the list while the gateway runs). --all also shows answered, failed and cancelled messages. Retry a queued or dead message with \`claw-mesh outbox retry ID\`; cancel a queued one with \`claw-mesh outbox cancel ID\`.`
  static override examples = ['<%= config.bin %> outbox list', '<%= config.bin %> outbox list --peer nova --all --json']
  static override flags = {
    peer: Flags.string({description: 'Only messages to this peer.', helpValue: 'NAME'}),
    all: Flags.boolean({description: 'Also answered, failed and cancelled messages.', default: false}),
  }

  protected async execute(): Promise<OutboxResult> {
    return listOutbox(this.deps, {peer: this.flags.peer, all: this.flags.all})
  }

  protected override render(r: OutboxResult): void {
    if (!r.updatedAt) {
      this.deps.io.err(
        'No outbox yet: the mesh plugin writes it while the gateway runs (claw-mesh doctor checks the plugin).\n',
      )
      return
    }
    const head = `${r.queued} queued, ${r.awaitingReply} awaiting a reply, ${r.dead} undelivered (as of ${r.updatedAt})\n`
    const rows = r.items.map(
      (i) =>
        `${i.id}  → ${i.peer}  ${i.kind}  ${i.state}  ${i.createdAt}  ${i.attempts} attempt${i.attempts === 1 ? '' : 's'}${i.source === 'cli' ? '  from claw-mesh send' : ''}${i.taskId ? `  task ${i.taskId}` : ''}${i.reason ? `  (${i.reason.slice(0, 120)})` : ''}`,
    )
    this.deps.io.out(head + rows.map((l) => `${l}\n`).join(''))
  }
}
