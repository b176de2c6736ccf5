import {looksLikeOpenClawHealth} from '../../core/checks/gateway-runtime.js'
import {UsageError} from '../../core/common/errors.js'
import type {State} from '../../core/common/state-schema.js'
import type {Deps} from '../../deps.js'
import {HttpFailure} from '../../infra/http.js'

/**
 * Before openclaw.json gets a port, make sure nothing else holds it: otherwise the gateway start finds out only
 * after the config is written, the gateway launched and its health waited for (about 20 s) before the rollback.
 * An OpenClaw gateway on the port is not a conflict (it may be the user's own, which claw-mesh then configures);
 * neither is the port our recorded gateway already runs on. Read-only, so dry runs refuse the same way.
 */
export async function assertPortUsable(
  deps: Pick<Deps, 'http'>,
  port: number,
  gateway: State['gateway'],
): Promise<void> {
  if (gateway?.configPath && (gateway.appliedPort ?? gateway.port) === port) return
  let holder: string
  try {
    const r = await deps.http.request({url: `http://127.0.0.1:${port}/healthz`, timeoutMs: 2000})
    if (looksLikeOpenClawHealth({ok: true, status: r.status, body: r.body, latencyMs: r.latencyMs})) return
    holder = `something that is not an OpenClaw gateway answers there (HTTP ${r.status})`
  } catch (error) {
    if (!(error instanceof HttpFailure) || error.kind !== 'reset') return // refused: free; anything else: unknown, let the start tell
    holder = 'something that does not speak HTTP holds it (the connection was reset)'
  }
  throw new UsageError(`Port ${port} on 127.0.0.1 is taken: ${holder}. Nothing was changed.`, {
    code: 'gateway-port-taken',
    hint: `Pick another port with --port, or stop what holds ${port} (claw-mesh doctor --only gateway-port names it).`,
  })
}
