import {Flags} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {socketFlag, trustFlag} from '../../flags.js'
import {parseTrustLevel} from '../../core/pairing/pair-trust.js'
import {readSecretInput} from '../../infra/secret-input.js'
import {discoverPeers, type DiscoverResult} from '../../services/peers/discover.js'

export default class PeerDiscover extends BaseCommand<typeof PeerDiscover> {
  static override summary = 'Add every mesh member in the tailnet as a peer (mesh-secret fleets).'
  static override description =
    "In a fleet where every host was bootstrapped with the same mesh secret, the tailnet is the registry: a node carrying the mesh tag whose MagicDNS name is openclaw-NAME is the candidate for the peer NAME, and becomes that peer only once it proves it holds the mesh secret (a challenge its claw-mesh plugin answers); one that does not is reported and nothing is written for it. A node merely named openclaw-… without the tag is skipped (anyone can pick a hostname; only the tailnet's owners can tag), and a name stays pinned to its Tailscale node id. Each pair's A2A tokens are derived from the mesh secret and the two names, so nothing is exchanged and the secret never leaves this machine; it is stored once in the secret store. Peers added by invite or URL are left as they are."
  static override examples = [
    '<%= config.bin %> peer discover --mesh-secret file:/run/secrets/claw-mesh',
    'CLAW_MESH_SECRET=… <%= config.bin %> peer discover --tag tag:agents',
  ]
  static override flags = {
    'mesh-secret': Flags.string({
      description:
        "The fleet's mesh secret, from which each pair's tokens are derived (it is never sent): file:PATH or - (stdin); default $CLAW_MESH_SECRET, then the stored one.",
      helpValue: 'file:PATH|-',
    }),
    tag: Flags.string({
      description: 'Tailscale tag that marks mesh members (default: the recorded one, tag:claw-mesh).',
      helpValue: 'tag:NAME',
    }),
    port: Flags.integer({
      description:
        "Gateway port on the members, all of them (default: this host's gateway port, 18789): the tailnet does not say which port a member listens on.",
    }),
    ...socketFlag,
    ...trustFlag,
  }

  protected async execute(): Promise<DiscoverResult> {
    const {env, io, redactor} = this.deps
    const meshSecret = await readSecretInput({
      flag: '--mesh-secret',
      raw: this.flags['mesh-secret'],
      envName: 'CLAW_MESH_SECRET',
      env,
      stdin: io.stdin,
      redactor,
      allowLiteral: false,
    })
    const trust = this.flags.trust === undefined ? undefined : parseTrustLevel(this.flags.trust)
    return discoverPeers(this.deps, {
      meshSecret,
      tag: this.flags.tag,
      port: this.flags.port,
      socket: this.flags.socket,
      trust,
    })
  }

  protected override render(r: DiscoverResult): void {
    const {io} = this.deps
    const line = (verb: string, e: {name: string; url: string; online: boolean; changes?: string[]}) =>
      io.out(
        `${verb.padEnd(9)} ${e.name.padEnd(20)} ${e.url}${e.online ? '' : '  (offline)'}${e.changes ? `  [${e.changes.join('; ')}]` : ''}\n`,
      )
    for (const e of r.added) line('added', e)
    for (const e of r.updated) line('updated', e)
    for (const e of r.unchanged) line('unchanged', e)
    for (const u of r.unproven)
      io.err(
        `not paired ${u.name} (${u.hostname}): ${u.reason}${u.recorded ? '; kept as recorded, nothing updated' : '; nothing written for it'}\n  → ${u.hint}\n`,
      )
    for (const k of r.kept) io.err(`kept ${k.name} (${k.hostname}): ${k.reason}\n`)
    for (const s of r.skipped) io.err(`skipped ${s.hostname}: ${s.reason}\n`)
    if (r.notSeen.length)
      io.err(`not in the tailnet now (kept; remove with claw-mesh peer remove): ${r.notSeen.join(', ')}\n`)
    const total = r.added.length + r.updated.length + r.unchanged.length
    io.err(`${total} mesh peer(s) tagged ${r.tag}; mesh secret ${r.meshSecret}.\n`)
    for (const n of r.notes) io.err(`note: ${n}\n`)
  }
}
