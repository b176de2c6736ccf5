import path from 'node:path'
import type {DaemonPlanOptions, HostProbe, InstallPlan, TailscaleNetworking} from './types.js'

export const DEFAULT_PROXY_PORT = 1055

/**
 * Where a userspace tailscaled's HTTP/SOCKS5 proxy listens: a loopback address that is NOT 127.0.0.1. tailscaled's
 * netstack hands every inbound tailnet TCP connection to 127.0.0.1:<same port> (wgengine/netstack/netstack.go), so a
 * proxy on 127.0.0.1 is served to the whole tailnet — an open, unauthenticated proxy into this host's network, its
 * cloud metadata service and its loopback services, and onto other tailnet nodes as this node. Linux routes all of
 * 127.0.0.0/8 to lo, so 127.0.0.2 needs no setup, and inbound tailnet connections to the port reach nothing.
 * (The alternative, dialling through the LocalAPI socket as `tailscale nc` does, would drop undici's proxy support.)
 */
export const PROXY_HOST = '127.0.0.2'

/** The socket of a tailscaled claw-mesh runs itself, in its state dir. */
export function ownDaemonSocket(stateDir: string): string {
  return path.posix.join(stateDir, 'tailscaled.sock')
}

/** Kernel TUN when asked, or (auto) when one can be made here; userspace networking otherwise. */
export function chooseNetworking(
  probe: HostProbe,
  wanted: DaemonPlanOptions['networking'] = 'auto',
): TailscaleNetworking {
  if (wanted !== 'auto') return wanted
  return probe.tun && (probe.isRoot || Boolean(probe.commands.sudo)) ? 'kernel' : 'userspace'
}

/**
 * tailscaled started by claw-mesh where no service manager runs it (containers, CI runners). Either way it keeps
 * its state in a directory (`--statedir`): the node key survives a restart, and Taildrop has somewhere to put files.
 * In userspace mode there is no 100.x interface, so tailscaled also listens as an HTTP + SOCKS5 proxy on loopback,
 * and claw-mesh sends its own peer traffic through it; inbound connections to the node's tailnet address are
 * handed by tailscaled to the same port on 127.0.0.1, which is where the gateway listens.
 */
export function daemonWithoutServicePlan(
  probe: HostProbe,
  opts: DaemonPlanOptions,
  method: string,
  pre: InstallPlan['steps'] = [],
): InstallPlan {
  const {stateDir} = opts
  const socket = ownDaemonSocket(stateDir)
  const daemonState = path.posix.join(stateDir, 'tailscaled')
  const networking = chooseNetworking(probe, opts.networking)
  const common = [`--statedir=${daemonState}`, `--socket=${socket}`]
  const step = {
    command: probe.commands.tailscaled ?? 'tailscaled',
    // A kernel TUN device needs root. Userspace networking does not: it runs as this user, its state and socket in
    // this user's state dir (no root-owned files there), so a second user on a shared machine gets a node of their own.
    sudo: networking === 'kernel' && !probe.isRoot,
    detachedLog: path.posix.join(stateDir, 'tailscaled.log'),
    waitForSocket: socket,
  }
  const remembered = `claw-mesh remembers the socket (${socket}) and passes --socket to every tailscale call.`
  if (networking === 'kernel') {
    return {
      method,
      socket,
      networking,
      steps: [...pre, {...step, title: 'Start tailscaled with a kernel TUN device', args: common}],
      notes: [
        'No systemd here (container or CI runner): claw-mesh starts tailscaled in the background with a kernel TUN device; it does not survive a reboot.',
        `Its state (node key, Taildrop files) lives in ${daemonState}: a restart keeps the same node.`,
        remembered,
      ],
    }
  }
  const port = opts.proxyPort ?? DEFAULT_PROXY_PORT
  const listen = `${PROXY_HOST}:${port}`
  return {
    method,
    socket,
    networking,
    proxy: `http://${listen}`,
    steps: [
      ...pre,
      {
        ...step,
        title: 'Start tailscaled in userspace-networking mode, with its proxy on loopback',
        // One port for both: tailscaled tells SOCKS5 from HTTP on the same listener.
        args: [
          '--tun=userspace-networking',
          ...common,
          `--socks5-server=${listen}`,
          `--outbound-http-proxy-listen=${listen}`,
        ],
      },
    ],
    notes: [
      `No systemd${probe.tun ? '' : ' and no TUN device'} here (container or CI runner): tailscaled runs in the background in userspace-networking mode and does not survive a reboot.`,
      `There is no tailnet interface in this mode: claw-mesh reaches its peers through tailscaled's proxy at http://${listen} (not on 127.0.0.1, where tailscaled would serve it to the whole tailnet); peers reach this gateway at the node's tailnet address, which tailscaled hands to the gateway on 127.0.0.1.`,
      `Its state (node key, Taildrop files) lives in ${daemonState}: a restart keeps the same node.`,
      remembered,
    ],
  }
}
