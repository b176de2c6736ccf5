import {Args} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {describeTrust, parseTrustLevel, TRUST_LEVELS} from '../../core/pairing/pair-trust.js'
import {setPeerTrust, type PeerTrustResult} from '../../services/peers/trust.js'

export default class PeerTrust extends BaseCommand<typeof PeerTrust> {
  static override summary = "Set what a paired peer's messages may do on this host: chat or delegate."
  static override description = `chat (the default for every new pair): a run that the peer's message starts here cannot run commands, read or change files, drive a browser or devices, or change OpenClaw's configuration; it can answer and use the messaging tools.
delegate: such a run gets the tools this host's own tool policy gives its agent, commands included, with no approval. Give it only to a peer you would give a shell on this machine.

The level is kept in the peer's record and written to tools.toolsBySender["channel:a2a:NAME"] in openclaw.json (a running gateway applies it by itself). Doctor warns about every delegate pair and fails a policy that disagrees with the record.`
  static override examples = ['<%= config.bin %> peer trust nova delegate', '<%= config.bin %> peer trust nova chat']
  static override args = {
    name: Args.string({description: 'Peer name (see claw-mesh peer list)', required: true}),
    level: Args.string({description: `Trust level: ${TRUST_LEVELS.join(' or ')}`, required: true}),
  }

  protected async execute(): Promise<PeerTrustResult> {
    return setPeerTrust(this.deps, this.args.name, parseTrustLevel(this.args.level, 'LEVEL'))
  }

  protected override render(r: PeerTrustResult): void {
    const {io} = this.deps
    io.err(
      r.changed
        ? `${r.name}: trust ${r.from} → ${describeTrust(r.to)}.\n`
        : `${r.name} already has trust ${describeTrust(r.to)}.\n`,
    )
    if (r.sync.note) io.err(`  ${r.sync.note}\n`)
    else if (r.sync.changed) io.err('  Written to openclaw.json; a running gateway applies it within seconds.\n')
  }
}
