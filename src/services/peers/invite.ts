import {ActionNeededError} from '../../core/errors.js'
import {peerUrlFor} from '../../core/gateway-url.js'
import {encodeInvite} from '../../core/invite.js'
import type {Deps} from '../../deps.js'
import {SECRET_NAMES} from '../../infra/secrets/types.js'
import {openTailscale} from '../tailscale/cli.js'

export interface CreatedInvite {
  /** The secret invite line. */
  invite: string
  name: string
  hostname: string
  url: string
  tailnet?: string
}

const BOOTSTRAP_HINT = 'Run `claw-mesh bootstrap` on this machine first, then `claw-mesh invite` again.'

/** Builds this host's invite from claw-mesh's state, the live Tailscale status and the hooks token. */
export async function createInvite(deps: Deps): Promise<CreatedInvite> {
  const state = deps.store.read()
  if (!state.identity) throw new ActionNeededError('This machine has no claw-mesh identity yet.', {code: 'not-bootstrapped', hint: BOOTSTRAP_HINT})
  const expose = state.gateway?.expose
  if (!expose) {
    throw new ActionNeededError('The gateway is not opened to the tailnet yet, so peers would have no URL to reach it.', {code: 'not-bootstrapped', hint: BOOTSTRAP_HINT})
  }
  const ts = await openTailscale(deps).status()
  if (ts.backendState !== 'Running' || !ts.hostname) {
    throw new ActionNeededError(`Tailscale is not connected on this machine (state: ${ts.backendState}).`, {
      code: 'tailscale-not-running',
      hint: 'Check `claw-mesh tailscale status`; run `claw-mesh bootstrap` to join the tailnet.',
    })
  }
  // The MagicDNS label is the node's unique name in the tailnet (a taken HostName silently becomes name-1 there).
  const hostname = ts.dnsName?.split('.')[0] || ts.hostname.toLowerCase()
  const url = peerUrlFor({expose, port: state.gateway?.port, ipv4: ts.ipv4, dnsName: ts.dnsName})
  const secrets = await deps.secrets()
  const hooksToken = await secrets.get(SECRET_NAMES.hooksToken)
  if (!hooksToken) {
    throw new ActionNeededError(`No hooks token in the secret store (${secrets.location}): peers could not message this machine.`, {code: 'no-hooks-token', hint: BOOTSTRAP_HINT})
  }
  deps.redactor.add(hooksToken)
  const invite = encodeInvite({name: state.identity, hostname, url, hooksToken, tailnet: ts.tailnet ?? undefined, createdAt: deps.clock.now().toISOString()})
  const result: CreatedInvite = {invite, name: state.identity, hostname, url}
  if (ts.tailnet) result.tailnet = ts.tailnet
  return result
}
