import type {PortListeners} from '../../src/core/openclaw/port-holder.js'

/** The listener a real gateway of this user's shows: our uid, a node executable, `openclaw-gateway` as its title. */
export const OWN_GATEWAY = {
  uid: process.getuid?.(),
  user: 'me',
  pid: 4242,
  exe: '/usr/bin/node',
  cmdline: 'openclaw-gateway',
}

/** A loopbackListeners seam for fakes that answer HTTP without a socket: this user's gateway holds the port (or `ports`). */
export function ownGatewayListeners(ports?: () => Set<number>): (port: number) => Promise<PortListeners> {
  return async (port) => ({known: true, holders: !ports || ports().has(port) ? [OWN_GATEWAY] : []})
}
