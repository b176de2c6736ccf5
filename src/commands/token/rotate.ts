import {Flags} from '@oclif/core'
import {throttleProgress} from '../../infra/progress.js'
import {BaseCommand} from '../../base-command.js'
import {parseDuration} from '../../core/common/duration.js'
import {timeoutFlag} from '../../flags.js'
import {rotateTokens, type RotateResult} from '../../services/tokens/rotate.js'
import {rotatePeerTokens, type PeerRotateResult} from '../../services/tokens/rotate-peer.js'
import {UsageError} from '../../core/common/errors.js'

export default class TokenRotate extends BaseCommand<typeof TokenRotate> {
  static override summary = "Replace this gateway's tokens with new random ones and apply them."
  static override description = `Without flags both tokens are rotated. New 256-bit random tokens go into claw-mesh's secret store and, through the same path as \`claw-mesh gateway configure\`, into the gateway: hooks.token applies live; the gateway token is read at start, so the gateway is restarted when it still refuses the new one. Both are then proven: the gateway token by WebSocket handshake, the hooks token by POST /hooks/wake.

--peer NAME ends the A2A pair with that peer instead: the token it presents is refused from then on (the running gateway reloads in seconds) and this machine forgets the one it presented there; pair again with a new invite to give both sides new tokens. A fleet member's A2A tokens derive from the mesh secret: rotate that on every host instead.

After a hooks rotation A2A peers need nothing (their pairs have their own tokens); hooks-only peers need the new hooks token (an invite does not carry it): the output names which peers need what. In a mesh-secret fleet this host's hooks token is derived from the mesh secret and its name (the other members derive the same one to reach it), so --hooks is refused there: rotate the mesh secret instead, by re-running bootstrap with a new --mesh-secret on every host.`
  static override examples = [
    '<%= config.bin %> token rotate',
    '<%= config.bin %> token rotate --hooks',
    '<%= config.bin %> token rotate --gateway --json',
    '<%= config.bin %> token rotate --peer clawd',
  ]
  static override flags = {
    gateway: Flags.boolean({
      description: 'Rotate the gateway token (clients of the Control UI and paired CLIs reconnect).',
      default: false,
    }),
    hooks: Flags.boolean({
      description: 'Rotate the hooks token (hooks-only peers need the new token; A2A peers nothing).',
      default: false,
    }),
    peer: Flags.string({
      description: 'End the A2A pair with this peer (its token is refused; pair again with a new invite).',
      helpValue: 'NAME',
    }),
    ...timeoutFlag('120s', 'How long to wait for the gateway to accept the new tokens.'),
  }

  protected async execute(): Promise<RotateResult | PeerRotateResult> {
    const f = this.flags
    if (f.peer !== undefined) {
      if (f.gateway || f.hooks)
        throw new UsageError('--peer cannot be combined with --gateway or --hooks.', {
          hint: "Rotate a peer pair and this gateway's tokens in two runs.",
        })
      return rotatePeerTokens(this.deps, f.peer)
    }
    const both = !f.gateway && !f.hooks
    const result = await rotateTokens(this.deps, {
      gateway: both || f.gateway,
      hooks: both || f.hooks,
      timeoutMs: parseDuration(f.timeout),
      onProgress: throttleProgress((m) => this.deps.io.err(`  ${m}\n`), {terminal: this.deps.io.stderrIsTTY}),
    })
    return result
  }

  protected override render(r: RotateResult | PeerRotateResult): void {
    const {io} = this.deps
    if ('peer' in r) {
      io.err(
        `Ended the A2A pair with ${r.peer}: the token it holds is refused${r.sync.configured ? '' : ' once the gateway is configured'}.\n  ${r.next}\n`,
      )
      return
    }
    const how = r.applied.restarted
      ? `the gateway was restarted (${r.applied.runner})`
      : 'the running gateway applied them live'
    io.err(
      `Rotated the ${r.rotated.join(' and ')} token${r.rotated.length > 1 ? 's' : ''}: ${how}; gateway token ${r.gatewayToken}, hooks token ${r.hooksToken}.\n`,
    )
    for (const n of r.notes) io.err(`  ${n}\n`)
  }
}
