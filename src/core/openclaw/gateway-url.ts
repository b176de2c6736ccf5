import {ActionNeededError} from '../common/errors.js'

export type GatewayExpose = 'tailnet' | 'serve' | 'lan'

export const DEFAULT_GATEWAY_PORT = 18789

export interface PeerUrlInput {
  expose: GatewayExpose
  port?: number
  /** This node's Tailscale IPv4. */
  ipv4?: string | null
  /** This node's MagicDNS name, without the trailing dot. */
  dnsName?: string | null
}

/**
 * The URL other mesh members use to reach this host's gateway. With `tailnet`/`lan` the gateway listens on the
 * Tailscale IPv4 directly; with `serve` Tailscale terminates HTTPS on 443 at the MagicDNS name.
 */
export function peerUrlFor(input: PeerUrlInput): string {
  if (input.expose === 'serve') {
    const name = input.dnsName?.replace(/\.$/, '')
    if (!name) {
      throw new ActionNeededError('This node has no MagicDNS name, which Tailscale Serve needs for the gateway URL.', {
        code: 'no-magicdns-name',
        hint: 'Enable MagicDNS and HTTPS in the Tailscale admin console (DNS page), then re-run claw-mesh bootstrap.',
      })
    }
    return `https://${name}`
  }
  if (!input.ipv4) {
    throw new ActionNeededError('This node has no Tailscale IPv4 address, so peers have no URL to reach its gateway.', {
      code: 'no-tailscale-ip',
      hint: 'Check `claw-mesh tailscale status` (it must be Running), or run claw-mesh bootstrap.',
    })
  }
  return `http://${input.ipv4}:${input.port ?? DEFAULT_GATEWAY_PORT}`
}
