import {Args} from '@oclif/core'
import {BaseCommand} from '../../base-command.js'
import {parseDuration} from '../../core/common/duration.js'
import {ExitCode} from '../../core/common/errors.js'
import {timeoutFlag} from '../../flags.js'
import {renderPeerCheck} from '../../render/peers.js'
import {checkPeers, type CheckPeersResult} from '../../services/peers/check.js'

export default class PeerCheck extends BaseCommand<typeof PeerCheck> {
  static override summary = 'Check peers: tailnet presence, /healthz, /readyz and their hooks token.'
  static override description =
    'All peers are checked at once, each within --timeout, so the run takes about one timeout whatever the number of peers. Each peer gets at most one authenticated request (POST /hooks/wake with an empty body: 400 means the token is accepted, with no side effect). Exit code 0 when every peer is ok, 5 when any is degraded or down.'
  static override exitCodes = {
    CHECKS_FAILED: 'a peer is down',
  }
  static override examples = [
    '<%= config.bin %> peer check',
    '<%= config.bin %> peer check nova --timeout 10s',
    '<%= config.bin %> peer check --json',
  ]
  static override args = {name: Args.string({description: 'Check only this peer', required: false})}
  static override flags = {...timeoutFlag('5s', 'Per-peer timeout (e.g. 5s, 500ms).')}

  protected async execute(): Promise<CheckPeersResult> {
    const {args} = this
    const timeoutMs = parseDuration(this.flags.timeout)
    return checkPeers(this.deps, {names: args.name ? [args.name] : undefined, timeoutMs})
  }

  protected override render(result: CheckPeersResult): void {
    this.deps.io.out(renderPeerCheck(result, this.deps.io.stdoutColor))
  }

  protected override exitCodeFor(result: CheckPeersResult): number {
    return result.peers.every((p) => p.status === 'ok') ? ExitCode.OK : ExitCode.CHECKS_FAILED
  }
}
