import {Flags} from '@oclif/core'
import {BaseCommand} from '../base-command.js'
import {parseDuration} from '../core/common/duration.js'
import {UsageError} from '../core/common/errors.js'
import {trustFlag} from '../flags.js'
import {describeTrust, parseTrustLevel} from '../core/pairing/pair-trust.js'
import {
  createInvite,
  listInvites,
  revokeInvite,
  type CreatedInvite,
  type InviteListEntry,
} from '../services/peers/invite.js'

type InviteOutput = CreatedInvite | {invites: InviteListEntry[]} | {revoked: InviteListEntry}

export default class Invite extends BaseCommand<typeof Invite> {
  static override summary = 'Print a one-time invite another machine uses to pair with this one over A2A.'
  static override privateOutput = true
  static override description = `The invite is one line (claw-mesh-invite:v2:…) with this host's name, gateway URL, a one-time id, an expiry (24 h unless --expires) and an X25519 public key. It holds no token: on the other machine, \`claw-mesh peer add --invite -\` derives the pair's tokens and prints a reply line, which you run here with \`claw-mesh peer add --invite -\` to complete the pair. Each invite pairs once.

--list shows this machine's invites (open, used, expired, revoked); --revoke ID withdraws an open one.`
  static override examples = [
    '<%= config.bin %> invite > nova.invite',
    '<%= config.bin %> invite --expires 1h',
    '<%= config.bin %> invite --list',
    '<%= config.bin %> invite --revoke 3q2-7RJ0bVqS1c9Y6c1xgA',
  ]
  static override flags = {
    expires: Flags.string({
      description: 'How long the invite stays valid (1m to 30d; default 24h).',
      helpValue: 'DURATION',
    }),
    list: Flags.boolean({description: "List this machine's invites instead of making one.", default: false}),
    for: Flags.string({
      description: 'Only a reply from this peer name completes the invite (a reply under another name is refused).',
      helpValue: 'NAME',
    }),
    revoke: Flags.string({description: 'Revoke the open invite with this id.', helpValue: 'ID'}),
    ...trustFlag,
  }

  protected async execute(): Promise<InviteOutput> {
    const f = this.flags
    if ((f.list || f.revoke !== undefined) && f.trust !== undefined)
      throw new UsageError('--trust goes with making an invite, not with --list or --revoke.', {
        hint: 'Run claw-mesh invite --trust LEVEL, or change a pair later with claw-mesh peer trust NAME LEVEL.',
      })
    if ([f.list, f.revoke !== undefined, f.expires !== undefined].filter(Boolean).length > 1) {
      throw new UsageError('--list, --revoke and --expires go one at a time.', {
        hint: 'Run claw-mesh invite --list, or claw-mesh invite --revoke ID, or claw-mesh invite [--expires D].',
      })
    }
    if ((f.list || f.revoke !== undefined) && f.for !== undefined)
      throw new UsageError('--for goes with making an invite, not with --list or --revoke.', {
        hint: 'Run claw-mesh invite --for NAME [--expires D].',
      })
    if (f.list) return {invites: listInvites(this.deps)}
    if (f.revoke !== undefined) return {revoked: await revokeInvite(this.deps, f.revoke)}
    const trust = f.trust === undefined ? undefined : parseTrustLevel(f.trust)
    return createInvite(this.deps, {
      ttlMs: f.expires === undefined ? undefined : parseDuration(f.expires),
      for: f.for,
      trust,
    })
  }

  protected override render(r: InviteOutput): void {
    const {io} = this.deps
    if ('invites' in r) {
      if (r.invites.length === 0) io.err('No invites yet: claw-mesh invite makes one.\n')
      for (const i of r.invites)
        io.out(
          `${i.id}  ${i.status.padEnd(7)}  expires ${i.expiresAt}${i.for ? `  for ${i.for}` : ''}${i.usedBy ? `  used by ${i.usedBy}` : ''}\n`,
        )
      return
    }
    if ('revoked' in r) {
      io.err(
        r.revoked.status === 'revoked'
          ? `Revoked invite ${r.revoked.id}: no reply can complete it now.\n`
          : `Invite ${r.revoked.id} was already ${r.revoked.status}; its key is gone.\n`,
      )
      return
    }
    io.outPrivate(`${r.invite}\n`)
    io.err(
      `Invite ${r.id} from ${r.name} (${r.url})${r.for ? `, only for ${r.for}` : ''}, valid until ${r.expiresAt}. It holds no token, but whoever reads it can answer it: give it only to the machine you mean to pair with${r.for ? '' : ' (or bind it with --for NAME)'}.\n`,
    )
    io.err(`The pair it makes gets trust ${describeTrust(r.trust)} here.\n`)
    io.err(
      'On the other machine: claw-mesh peer add --invite -   (paste the line, then Ctrl-D; on Windows Ctrl-Z and Enter), then run the reply it prints here the same way.\n',
    )
  }
}
