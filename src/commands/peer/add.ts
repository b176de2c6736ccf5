import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {UsageError} from '../../core/errors.js'
import {readSecretInput} from '../../infra/secret-input.js'
import {addPeer, type AddPeerResult} from '../../services/peers/add.js'

export default class PeerAdd extends BaseCommand<typeof PeerAdd> {
  static override summary = 'Add a peer from its invite, or by gateway URL.'
  static override description =
    'With an invite (from `claw-mesh invite` on the peer) the peer gets messaging. By URL, pass --name and, for messaging, the peer\'s hooks token with --hooks-token; without a token the peer is health-only. Plain http is accepted only to tailnet or loopback addresses. Adding a peer again with the same data changes nothing; with different data it is updated.'
  static override examples = [
    '<%= config.bin %> peer add --invite -            # paste the invite, then Ctrl-D',
    '<%= config.bin %> peer add --invite file:./nova.invite',
    '<%= config.bin %> peer add http://100.88.12.7:18789 --name clawd --hooks-token file:./clawd.token',
  ]
  static override args = {url: Args.string({description: "Peer gateway URL (e.g. http://100.88.12.7:18789); omit with --invite", required: false})}
  static override flags = {
    invite: Flags.string({description: 'The invite: file:PATH or - (stdin). Also read from $CLAW_MESH_INVITE. Never on the command line: it is a secret.', helpValue: 'file:PATH|-'}),
    name: Flags.string({description: 'Name for the peer (required with a URL; overrides the invite\'s name).', helpValue: 'NAME'}),
    'hooks-token': Flags.string({description: "The peer's hooks token: file:PATH or - (stdin). Without it the peer is health-only.", helpValue: 'file:PATH|-'}),
    'allow-insecure-url': Flags.boolean({description: 'Accept plain http to an address outside the tailnet (the token travels unencrypted).', default: false}),
  }

  protected async execute(): Promise<AddPeerResult> {
    const {args} = this
    const {io, env, redactor} = this.deps
    const url = args.url
    if (url?.startsWith('claw-mesh-invite:')) {
      throw new UsageError('An invite is a secret: do not put it on the command line (other users can read it with ps).', {
        hint: 'Run `claw-mesh peer add --invite -` and paste it on stdin, or save it to a file and pass --invite file:PATH.',
      })
    }
    if (this.flags.invite !== undefined && this.flags['hooks-token'] !== undefined) {
      throw new UsageError('--hooks-token cannot be combined with --invite: the invite carries the token.', {hint: 'Drop --hooks-token, or add the peer by URL instead.'})
    }
    const invite = await readSecretInput({flag: '--invite', raw: this.flags.invite, envName: url === undefined ? 'CLAW_MESH_INVITE' : undefined, env, stdin: io.stdin, redactor, allowLiteral: false})
    const token = await readSecretInput({flag: '--hooks-token', raw: this.flags['hooks-token'], env, stdin: io.stdin, redactor, allowLiteral: false})
    return addPeer(this.deps, {invite: invite?.value, url, name: this.flags.name, hooksToken: token?.value, allowInsecureUrl: this.flags['allow-insecure-url']})
  }

  protected override render(r: AddPeerResult): void {
    const what = `${r.name} (${r.url}, messaging ${r.messaging ? 'on' : 'off'})`
    if (r.action === 'unchanged') this.deps.io.err(`Peer ${what} is already added with the same data: nothing changed.\n`)
    else if (r.action === 'updated') this.deps.io.err(`Updated peer ${what}: ${r.changes.join('; ')}.\n`)
    else this.deps.io.err(`Added peer ${what}.\n`)
    if (!r.messaging) this.deps.io.err('  Health checks only: add its hooks token (--hooks-token file:PATH) or use its invite to send messages.\n')
    this.deps.io.err(`  Next: claw-mesh peer check ${r.name}\n`)
  }
}
