import {fleetHooksToken} from '../../core/pairing/a2a-pairing.js'
import {ActionNeededError} from '../../core/common/errors.js'
import {hooksTokenOf} from '../../core/openclaw/openclaw-config.js'
import {hooksRotationNotes} from '../../core/secrets/rotate-notes.js'
import type {Deps} from '../../deps.js'
import {SECRET_NAMES, type SecretStore} from '../../infra/secrets/types.js'
import {configureGateway} from '../gateway/configure.js'
import {newToken} from '../gateway/secret-wiring.js'
import {startGateway, type StartResult} from '../gateway/start.js'
import {readOpenClawConfig} from '../openclaw/config-file.js'

export type TokenKind = 'gateway' | 'hooks'

export interface RotateOptions {
  gateway: boolean
  hooks: boolean
  timeoutMs?: number
  onProgress?: (message: string) => void
}

export interface RotateResult {
  rotated: TokenKind[]
  /** How the running gateway took the new tokens. */
  applied: {runner: StartResult['runner']; action: StartResult['action']; restarted: boolean}
  gatewayToken: string
  hooksToken: string
  notes: string[]
}

const NAMES: Record<TokenKind, string> = {gateway: SECRET_NAMES.gatewayToken, hooks: SECRET_NAMES.hooksToken}

async function restore(store: SecretStore, old: Partial<Record<TokenKind, string>>): Promise<void> {
  for (const [kind, value] of Object.entries(old) as [TokenKind, string | undefined][])
    if (value) await store.set(NAMES[kind], value)
}

/**
 * `claw-mesh token rotate`: new random tokens into the secret store, then the gateway phase's own configure path
 * writes them where they belong (hooks.token in openclaw.json; the gateway token stays behind its SecretRef), and
 * its start path applies them — hooks.token hot-reloads; a new gateway token behind an unchanged SecretRef is only
 * read at start, so start restarts the gateway when the running one still refuses it — and proves both are accepted.
 */
export async function rotateTokens(deps: Deps, opts: RotateOptions): Promise<RotateResult> {
  const state = deps.store.read()
  const configPath = state.gateway?.configPath
  if (!configPath)
    throw new ActionNeededError(
      'The gateway is not configured by claw-mesh on this machine, so there are no tokens to rotate.',
      {code: 'gateway-not-configured', hint: 'Run claw-mesh bootstrap (or claw-mesh gateway configure) first.'},
    )
  const kinds: TokenKind[] = [
    ...(opts.gateway ? (['gateway'] as const) : []),
    ...(opts.hooks ? (['hooks'] as const) : []),
  ]
  const store = await deps.secrets()
  const old: Partial<Record<TokenKind, string>> = {}
  for (const k of kinds) {
    old[k] = await store.get(NAMES[k])
    deps.redactor.add(old[k])
  }
  if (opts.hooks) {
    const mesh = await store.get(SECRET_NAMES.meshSecret)
    deps.redactor.add(mesh)
    // The other members derive this host's hooks token from the mesh secret and its name (peers/records.ts).
    if (mesh && old.hooks !== undefined && state.identity && old.hooks === fleetHooksToken(mesh, state.identity)) {
      throw new ActionNeededError(
        "This machine is in a mesh-secret fleet: its hooks token is derived from the fleet's mesh secret, and the other members derive the same one to reach it, so rotating it here alone would cut it off from every other member.",
        {
          code: 'mesh-secret-fleet',
          hint: "Create a new secret and re-run claw-mesh bootstrap with --mesh-secret file:NEW_SECRET on every host. To rotate only this gateway's own token, run: claw-mesh token rotate --gateway",
        },
      )
    }
  }
  const fresh: Partial<Record<TokenKind, string>> = {}
  for (const k of kinds) {
    fresh[k] = newToken()
    deps.redactor.add(fresh[k])
    await store.set(NAMES[k], fresh[k])
  }
  opts.onProgress?.(`new ${kinds.join(' and ')} token${kinds.length > 1 ? 's' : ''} stored in ${store.location}`)
  try {
    await configureGateway(deps)
  } catch (error) {
    await restore(store, old)
    throw error
  }
  let started: StartResult
  try {
    started = await startGateway(deps, {timeoutMs: opts.timeoutMs, onProgress: opts.onProgress})
  } catch (error) {
    // A rejected start restores the previous openclaw.json: put the previous tokens back with it, so the store
    // and the file agree again.
    const now = await readOpenClawConfig(configPath).catch(() => undefined)
    if (fresh.hooks && now && hooksTokenOf(now.config) !== fresh.hooks) await restore(store, old)
    else if (!fresh.hooks) await restore(store, old)
    throw error
  }
  const notes: string[] = []
  if (opts.hooks) notes.push(...hooksRotationNotes(Object.values(state.peers)))
  if (opts.gateway)
    notes.push('Clients that used the old gateway token (Control UI, paired CLIs) must reconnect with the new one.')
  const restarted = started.action !== 'verify' && started.action !== 'await-reload'
  return {
    rotated: kinds,
    applied: {runner: started.runner, action: started.action, restarted},
    gatewayToken: started.gatewayToken.verdict,
    hooksToken: started.hooksToken.verdict,
    notes,
  }
}
