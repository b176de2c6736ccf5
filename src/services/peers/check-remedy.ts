import type {PeerCheckResult} from './check.js'

/** The next step for a peer that is not ok: the first probe that failed decides it. */
export function remedyFor(r: PeerCheckResult): string | undefined {
  const {tailnet, healthz, readyz, hooks, agentCard, a2a, a2aHere} = r.probes
  if (tailnet.status === 'fail' && /that \S+ was (paired|discovered) as$/.test(tailnet.detail)) {
    return `Another node answers at ${r.name}'s address, so it was not sent our tokens. If ${r.name} really moved, pair again (or claw-mesh peer add URL --name ${r.name} --replace ${r.name}); otherwise find and remove that node from the tailnet.`
  }
  if (tailnet.status === 'fail' && tailnet.detail.startsWith('offline'))
    return `${r.name} is offline in Tailscale: wake the machine or start Tailscale on it.`
  if (healthz.status === 'fail') {
    if (healthz.detail.startsWith('connection refused'))
      return `Nothing listens at ${r.url}: start the gateway on ${r.name} (claw-mesh gateway status there).`
    if (healthz.detail.startsWith('no answer'))
      return `No answer from ${r.url}: check the machine is on the tailnet and its gateway is bound to the tailnet, not loopback only.`
    if (healthz.httpStatus === 404)
      return `Something else answers at ${r.url}: check the port (OpenClaw's default is 18789) and that the URL points at the gateway.`
    return `Check the gateway on ${r.name} (claw-mesh gateway status there) and the URL (${r.url}).`
  }
  if (hooks.status === 'fail' && hooks.httpStatus === 401)
    return `${r.name}'s hooks token changed: ask for a new invite (claw-mesh invite there) and run claw-mesh peer add --invite - here.`
  if (hooks.status === 'warn')
    return 'Too many refused hooks tokens from this machine: wait a minute before checking again.'
  if (hooks.status === 'fail' && hooks.detail.includes('secret store'))
    return `Re-add the peer with its token: claw-mesh peer add --invite - (or --hooks-token file:PATH).`
  if (hooks.status === 'fail') return `Enable hooks on ${r.name} (claw-mesh bootstrap there).`
  if (a2a.status === 'fail' && a2a.httpStatus === 401)
    return `${r.name} refuses this machine's A2A token: pair again (claw-mesh invite here, claw-mesh peer add --invite - on ${r.name}, then its reply here).`
  if (a2a.status === 'fail' && a2a.detail.startsWith('half-paired'))
    return `Finish or redo the pairing with ${r.name}: claw-mesh invite here, claw-mesh peer add --invite - there, then its reply here.`
  if (agentCard.status === 'fail' || (a2a.status === 'fail' && a2a.detail.startsWith('no A2A')))
    return `Upgrade OpenClaw on ${r.name} to 2026.9.6 or later and re-run claw-mesh bootstrap there (claw-mesh send still works over hooks).`
  if (a2aHere.status === 'fail') return 'Bring openclaw.json up to date with the pairing: claw-mesh doctor --fix.'
  if (readyz.status === 'fail') return `The gateway on ${r.name} is live but not ready: run openclaw health there.`
  if (tailnet.status === 'fail') return 'Check claw-mesh tailscale status on both machines.'
  return undefined
}
