import {text} from 'node:stream/consumers'
import {BaseCommand} from '../../base-command.js'
import type {ExecSecretResponse} from '../../core/secrets/secret-exec-protocol.js'
import {openResolverStore, resolveSecretRequest} from '../../services/gateway/secret-resolve.js'

/**
 * Run by OpenClaw (exec SecretRef provider "clawmesh"), not by people: reads one protocol-v1 request on stdin and
 * writes exactly one JSON reply on stdout. Values go to stdout only; nothing is logged.
 */
export default class SecretsResolve extends BaseCommand<typeof SecretsResolve> {
  static override hidden = true
  static override summary = "Answer OpenClaw's exec secret protocol from claw-mesh's secret store."
  static override description =
    'Reads {"protocolVersion":1,"provider":"clawmesh","ids":[...]} on stdin and writes {"protocolVersion":1,"values":{...},"errors":{...}} on stdout. Only gateway-token can be asked for (every other id is answered NOT_ALLOWED). Exit 2 on a malformed request, 1 when the store cannot be opened.'
  static override examples = [
    `echo '{"protocolVersion":1,"provider":"clawmesh","ids":["gateway-token"]}' | <%= config.bin %> secrets resolve`,
  ]

  protected async execute(): Promise<ExecSecretResponse> {
    const request = await text(this.deps.io.stdin)
    const store = await openResolverStore(this.deps)
    return resolveSecretRequest(store, request)
  }

  protected override render(result: ExecSecretResponse): void {
    // The values are the point of this command: written unredacted, as the protocol's single JSON document.
    this.deps.io.outSecret(`${JSON.stringify(result)}\n`)
  }
}
