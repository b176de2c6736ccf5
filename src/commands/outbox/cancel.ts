import {Args} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {requestOutboxChange} from '../../services/messaging/outbox.js'

export default class OutboxCancel extends BaseCommand<typeof OutboxCancel> {
  static override summary = 'Cancel a mesh message that is queued or awaiting its reply.'
  static override description =
    'The plugin applies the request within a second while the gateway runs. Exit codes: 0 requested, 2 unknown id or a message in another state.'
  static override examples = ['<%= config.bin %> outbox cancel 2b87d9b4-cdbe-4bd4-b4c8-9414cf22afbf']
  static override args = {
    id: Args.string({description: 'The message id (claw-mesh outbox lists them).', required: true}),
  }

  protected async execute() {
    return requestOutboxChange(this.deps, 'cancel', this.args.id)
  }

  protected override render(r: {id: string; item: {peer: string}}): void {
    this.deps.io.out(
      `Requested: cancel ${r.id} to ${r.item.peer}. The mesh plugin applies it within a second while the gateway runs.\n`,
    )
  }
}
