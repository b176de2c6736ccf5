import path from 'node:path'
import {
  answerExecSecretRequest,
  parseExecSecretRequest,
  type ExecSecretResponse,
} from '../../core/secrets/secret-exec-protocol.js'
import {keychainTimeoutSetting, secretBackendSetting} from '../../core/common/settings.js'
import type {Deps} from '../../deps.js'
import {createFileSecretStore} from '../../infra/secrets/file.js'
import {createKeychainSecretStore} from '../../infra/secrets/keychain.js'
import {KEYCHAIN_LABELS, KEYCHAIN_SERVICE} from '../../infra/secrets/select.js'
import {userSessionBus} from '../../infra/secrets/secret-service.js'
import {SECRET_NAMES, type SecretStore} from '../../infra/secrets/types.js'
import {settingsInput} from '../settings/input.js'

/**
 * The only id OpenClaw is configured to ask for (gateway.auth.token's SecretRef): the gateway token. Not the hooks
 * token (it sits in openclaw.json, OpenClaw never asks), not the mesh secret or peer tokens: whatever can run this
 * resolver (the agent, through OpenClaw's exec provider) gets nothing it does not already hold.
 */
export const RESOLVABLE_IDS: ReadonlySet<string> = new Set([SECRET_NAMES.gatewayToken])

/**
 * The store the resolver reads. The launcher names the backend (CLAW_MESH_SECRET_STORE): the keychain is opened
 * without the write/read/delete probe `openSecretStore` does, since this runs at every gateway start and reload.
 */
export async function openResolverStore(deps: Deps): Promise<SecretStore> {
  const choice = secretBackendSetting(settingsInput(deps, {state: deps.store.read()})).value
  if (choice === 'file')
    return createFileSecretStore(path.join(deps.stateDir, 'secrets.json'), {platform: deps.platform.id})
  if (choice === 'keychain') {
    const timeoutMs = keychainTimeoutSetting(deps)
    // The Secret Service on the user's bus (found as cron or a service unit would find it), never the kernel keyring;
    // on macOS /usr/bin/security through the Runner, whichever node the launcher runs.
    return createKeychainSecretStore({
      service: KEYCHAIN_SERVICE,
      timeoutMs,
      platformLabel: KEYCHAIN_LABELS[deps.platform.id] ?? 'OS keychain',
      platform: deps.platform.id,
      busAddress: deps.platform.id === 'linux' ? userSessionBus(deps.env) : undefined,
      runner: deps.runner,
    })
  }
  return deps.secrets()
}

/** Reads one exec-protocol request and answers it from the store. Values only ever go into the returned object. */
export async function resolveSecretRequest(store: SecretStore, requestText: string): Promise<ExecSecretResponse> {
  const request = parseExecSecretRequest(requestText)
  return answerExecSecretRequest(request, RESOLVABLE_IDS, (id) => store.get(id))
}
