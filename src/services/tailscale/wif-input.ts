import type {Deps} from '../../deps.js'
import {readSecretInput} from '../../infra/secret-input.js'
import type {JoinOptions} from './join.js'

/** The workload-identity flags, the ID token read like a key (a file, stdin or its variable; never argv). */
export async function readWifInput(
  flags: {'tailscale-client-id'?: string; 'tailscale-audience'?: string; 'tailscale-id-token'?: string},
  deps: Pick<Deps, 'env' | 'io' | 'redactor'>,
): Promise<JoinOptions['wif']> {
  const idToken = await readSecretInput({
    flag: '--tailscale-id-token',
    raw: flags['tailscale-id-token'],
    envName: 'CLAW_MESH_TAILSCALE_ID_TOKEN',
    env: deps.env,
    stdin: deps.io.stdin,
    redactor: deps.redactor,
    allowLiteral: false,
  })
  const clientId = flags['tailscale-client-id']
  const audience = flags['tailscale-audience']
  if (clientId === undefined && audience === undefined && idToken === undefined) return undefined
  return {clientId, audience, idToken}
}
