import {Args} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {parseDuration} from '../../core/common/duration.js'
import {timeoutFlag} from '../../flags.js'
import {sendFile, type FileSendResult} from '../../services/files/taildrop.js'

export default class FileSend extends BaseCommand<typeof FileSend> {
  static override summary = "Send a file to a peer's machine over Taildrop (tailscale file cp)."
  static override description =
    'The file lands in the peer machine\'s Taildrop inbox; on the peer, `claw-mesh file get DIR` moves it out. Then tell the peer\'s agent where it is: claw-mesh send PEER "I sent you report.md: run claw-mesh file get ~/inbox". Taildrop must be enabled in the tailnet (Send Files), and tagged machines need a policy grant for file sharing.'
  static override examples = [
    '<%= config.bin %> file send nova ./report.md',
    '<%= config.bin %> file send clawd ./build.tgz --timeout 30m',
  ]
  static override args = {
    peer: Args.string({description: 'Peer name (see claw-mesh peer list)', required: true}),
    path: Args.string({description: 'The file to send', required: true}),
  }
  static override flags = {...timeoutFlag('10m', 'How long the transfer may take.')}

  protected async execute(): Promise<FileSendResult> {
    const {args} = this
    return sendFile(this.deps, args.peer, args.path, {timeoutMs: parseDuration(this.flags.timeout)})
  }

  protected override render(r: FileSendResult): void {
    for (const w of r.warnings) this.deps.io.err(`${w}\n`)
    this.deps.io.err(
      `Sent ${r.file} (${r.bytes} bytes) to ${r.peer} (${r.target}). On ${r.peer}: claw-mesh file get DIR\n`,
    )
  }
}
