import {Args, Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {UsageError} from '../../core/common/errors.js'
import {assertHostname} from '../../core/common/validate.js'
import {readSecretInput} from '../../infra/secret-input.js'
import {addPeer, type AddPeerResult} from '../../services/peers/add.js'
import {trustFlag} from '../../flags.js'
import {describeTrust, parseTrustLevel} from '../../core/pairing/pair-trust.js'

export default class PeerAdd extends BaseCommand<typeof PeerAdd> {
  static override summary = 'Add a peer from its invite, or by gateway URL.'
  static override description = `Pairing over OpenClaw's A2A channel takes two one-line messages, neither of them a credential:
  1. On A: claw-mesh invite            → prints an invite (A's name and URL, a one-time id, an expiry, a public key)
  2. On B: claw-mesh peer add --invite - → pairs B with A and prints a reply line for A (on stdout)
  3. On A: claw-mesh peer add --invite - → paste the reply: the pair is complete; each side can ask the other.
Each pair gets its own two tokens (derived from an X25519 exchange, never sent), written to this machine's secret store and to channels.a2a.peers in openclaw.json. A used, expired, revoked, forged or foreign reply is refused and nothing changes.

A foreign A2A 1.0 agent (not claw-mesh: any agent built on an A2A SDK) is added by URL with the bearer token it expects: claw-mesh peer add URL --name NAME --a2a-token file:PATH. The URL is its Agent Card's base URL (the JSON-RPC 1.0 endpoint is read from the card) or the endpoint itself. One authenticated call proves the token before anything is saved; the token goes to the secret store and is never printed. Such a peer is outbound only: ask, send, task and broadcast reach it; it cannot call this machine.

Older forms still work: a v1 invite (claw-mesh-invite:v1:…, from claw-mesh 0.1) adds a hooks-only peer; by URL, pass --name and, for messaging, the peer's hooks token with --hooks-token. Plain http is accepted only to tailnet addresses (100.64.0.0/10, fd7a:115c:a1e0::/48, *.ts.net names that resolve to them); a loopback or link-local URL is refused (a peer is another machine), as is an invite pointing outside the tailnet, unless --allow-insecure-url. Adding a peer again with the same data changes nothing.`
  static override examples = [
    '<%= config.bin %> peer add --invite -            # paste the invite (or the reply), then Ctrl-D',
    '<%= config.bin %> peer add --invite - < nova.invite > reply.txt   # B: pair, keep the reply for A',
    '<%= config.bin %> peer add --invite file:./nova.invite',
    '<%= config.bin %> peer add http://100.88.12.7:18789 --name clawd --hooks-token file:./clawd.token',
    '<%= config.bin %> peer add https://hermes.tail4f3a2.ts.net --name hermes --a2a-token file:./hermes.token',
  ]
  static override args = {
    url: Args.string({
      description: 'Peer gateway URL (e.g. http://100.88.12.7:18789); omit with --invite',
      required: false,
    }),
  }
  static override flags = {
    invite: Flags.string({
      description: 'The invite or pairing reply: file:PATH or - (stdin). Also read from $CLAW_MESH_INVITE.',
      helpValue: 'file:PATH|-',
    }),
    name: Flags.string({
      description: "Name for the peer (required with a URL; overrides the invite's name).",
      helpValue: 'NAME',
    }),
    'hooks-token': Flags.string({
      description: "The peer's hooks token: file:PATH or - (stdin). Without it the peer is health-only.",
      helpValue: 'file:PATH|-',
    }),
    replace: Flags.string({
      description:
        'Replace the existing peer NAME (its tokens, and its URL when this gives another). Without it a pairing line naming an existing peer is refused.',
      helpValue: 'NAME',
    }),
    ...trustFlag,
    'a2a-token': Flags.string({
      description: "A foreign A2A agent's bearer token (with a URL and --name): file:PATH or - (stdin).",
      helpValue: 'file:PATH|-',
    }),
    'allow-insecure-url': Flags.boolean({
      description:
        'Accept a peer URL outside the tailnet: plain http to a non-tailnet address (the token travels unencrypted), a loopback or link-local address (tunnels, tests), a *.ts.net name that does not resolve to a tailnet address, or an invite pointing outside the tailnet.',
      default: false,
    }),
  }

  protected async execute(): Promise<AddPeerResult> {
    const {args} = this
    const {io, env, redactor} = this.deps
    const url = args.url
    if (url?.startsWith('claw-mesh-invite:')) {
      throw new UsageError(
        'An invite is a secret: do not put it on the command line (other users can read it with ps).',
        {
          hint: 'Run `claw-mesh peer add --invite -` and paste it on stdin, or save it to a file and pass --invite file:PATH.',
        },
      )
    }
    if (this.flags.invite !== undefined && this.flags['hooks-token'] !== undefined) {
      throw new UsageError('--hooks-token cannot be combined with --invite: the invite carries the token.', {
        hint: 'Drop --hooks-token, or add the peer by URL instead.',
      })
    }
    const trust = this.flags.trust === undefined ? undefined : parseTrustLevel(this.flags.trust)
    if (trust && this.flags.invite === undefined)
      throw new UsageError('--trust applies to peers paired over A2A (an invite or its reply).', {
        hint: 'Pair with claw-mesh peer add --invite - to set a trust level; a peer added by URL has no A2A pair.',
      })
    const invite = await readSecretInput({
      flag: '--invite',
      raw: this.flags.invite,
      envName: url === undefined ? 'CLAW_MESH_INVITE' : undefined,
      env,
      stdin: io.stdin,
      redactor,
      allowLiteral: false,
      noun: 'invite',
    })
    const token = await readSecretInput({
      flag: '--hooks-token',
      raw: this.flags['hooks-token'],
      env,
      stdin: io.stdin,
      redactor,
      allowLiteral: false,
    })
    const a2aToken = await readSecretInput({
      flag: '--a2a-token',
      raw: this.flags['a2a-token'],
      env,
      stdin: io.stdin,
      redactor,
      allowLiteral: false,
    })
    return addPeer(this.deps, {
      invite: invite?.value,
      url,
      name: this.flags.name,
      hooksToken: token?.value,
      a2aToken: a2aToken?.value,
      allowInsecureUrl: this.flags['allow-insecure-url'],
      trust,
      ...(this.flags.replace === undefined ? {} : {replace: [assertHostname(this.flags.replace, '--replace')]}),
    })
  }

  protected override render(r: AddPeerResult): void {
    const {io} = this.deps
    if (r.kind === 'foreign') {
      const verb = r.action === 'unchanged' ? 'Already added' : r.action === 'updated' ? 'Updated' : 'Added'
      io.err(
        `${verb} ${r.name}, a foreign A2A agent: calls go to ${r.endpoint}.${r.changes.length ? ` ${r.changes.join('; ')}.` : ''}\n  Its token was accepted; it is in the secret store. Outbound only: ${r.name} cannot call this machine.\n  Next: claw-mesh ask ${r.name} "…"   (or claw-mesh peer check ${r.name})\n`,
      )
      return
    }
    if (r.a2a) {
      const verb =
        r.action === 'unchanged'
          ? 'Already paired with'
          : r.completed
            ? 'Paired with'
            : r.action === 'updated'
              ? 'Paired again with'
              : 'Paired with'
      io.err(`${verb} ${r.name} over A2A (${r.url}).${r.changes.length ? ` ${r.changes.join('; ')}.` : ''}\n`)
      if (r.trust)
        io.err(
          `  Trust: ${describeTrust(r.trust)}${r.trust === 'chat' ? `; to let it run commands here: claw-mesh peer trust ${r.name} delegate` : ''}.\n`,
        )
      if (r.sync?.note) io.err(`  ${r.sync.note}\n`)
      if (r.replyInvite && r.action === 'unchanged') {
        // A re-run: the reply may already have completed the pair there, and running it again is then refused.
        io.out(`${r.replyInvite}\n`)
        io.err(
          `  This invite was already used: this machine answered it before, with the reply above. If ${r.name} has not run that reply yet, run it there (claw-mesh peer add --invite -); if ${r.name} says it was already used, the pair is complete.\n  Check: claw-mesh peer check ${r.name}   (to pair again, ask ${r.name} for a new invite)\n`,
        )
      } else if (r.replyInvite) {
        io.out(`${r.replyInvite}\n`)
        io.err(
          `  To finish, run this on ${r.name}: claw-mesh peer add --invite -   (paste the line above, then Ctrl-D; on Windows Ctrl-Z and Enter).\n  The line holds no token: only a public key and the invite's one-time id.\n`,
        )
      } else {
        io.err(`  Next: claw-mesh ask ${r.name} "…"   (or claw-mesh peer check ${r.name})\n`)
      }
      return
    }
    const what = `${r.name} (${r.url}, messaging ${r.messaging ? 'on' : 'off'})`
    if (r.action === 'unchanged')
      this.deps.io.err(`Peer ${what} is already added with the same data: nothing changed.\n`)
    else if (r.action === 'updated') this.deps.io.err(`Updated peer ${what}: ${r.changes.join('; ')}.\n`)
    else this.deps.io.err(`Added peer ${what}.\n`)
    if (!r.messaging)
      this.deps.io.err(
        '  Health checks only: add its hooks token (--hooks-token file:PATH) or use its invite to send messages.\n',
      )
    this.deps.io.err(`  Next: claw-mesh peer check ${r.name}\n`)
  }
}
