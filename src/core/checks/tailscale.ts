import {isTailscaleControl} from '../tailscale/login-server.js'
import type {TailscaleSummary} from '../tailscale/tailscale-status.js'
import {fail, pass, skip, warn, type CheckOutcome} from './types.js'

/** Pure evaluators for the Tailscale checks: probe results in, outcome out. */

/** What one `tailscale status --json` (plus, when it fails, `tailscale version`) told us. */
export type TailscaleProbe =
  | {kind: 'missing'}
  | {kind: 'daemon-down'; cli: string; stderr: string; appStopped?: {message: string; hint: string}}
  | {kind: 'error'; cli: string; message: string}
  | {kind: 'ok'; cli: string; summary: TailscaleSummary}

export const KEY_EXPIRY_WARN_DAYS = 14
const DAY_MS = 24 * 60 * 60 * 1000
export const ADMIN_MACHINES_URL = 'https://login.tailscale.com/admin/machines'
export const ADMIN_DNS_URL = 'https://login.tailscale.com/admin/dns'

export function evalTailscaleCli(probe: {cli?: string; version?: string; versionError?: string}): CheckOutcome {
  if (!probe.cli)
    return fail(
      'The tailscale CLI was not found (PATH and the usual install locations).',
      'claw-mesh tailscale install',
    )
  if (!probe.version)
    return warn(
      `${probe.cli} is present but \`tailscale version\` failed${probe.versionError ? `: ${probe.versionError}` : ''}.`,
      `${probe.cli} version`,
    )
  return pass(`tailscale ${probe.version} (${probe.cli})`)
}

export function evalTailscaleDaemon(
  probe: TailscaleProbe,
  os: {daemonDownText: string; startHint: string},
): CheckOutcome {
  switch (probe.kind) {
    case 'missing':
      return skip('no tailscale CLI')
    case 'daemon-down':
      // Tailscale.app installed but not running or not approved: start the app (not a second daemon beside it).
      if (probe.appStopped) return fail(probe.appStopped.message, probe.appStopped.hint)
      // The per-OS text users search for, then what the CLI actually said.
      return fail(
        `${os.daemonDownText}${probe.stderr && !probe.stderr.includes(os.daemonDownText) ? ` (tailscale said: ${firstLine(probe.stderr)})` : ''}`,
        os.startHint,
      )
    case 'error':
      return fail(`tailscale status failed: ${probe.message}`, `${probe.cli} status`)
    case 'ok':
      return pass('tailscaled answers')
  }
}

export function evalBackendState(probe: TailscaleProbe, joinHint: string): CheckOutcome {
  if (probe.kind !== 'ok') return skip('the daemon did not answer')
  const s = probe.summary
  switch (s.backendState) {
    case 'Running': {
      const where = `${s.dnsName ?? s.hostname ?? 'this node'}${s.ipv4 ? ` (${s.ipv4})` : ''}`
      if (s.health.length > 0)
        return warn(
          `Running as ${where}, with a health warning: ${s.health[0]}`,
          'tailscale status (read the health messages)',
        )
      return pass(`Running as ${where}`)
    }
    case 'NeedsLogin':
    case 'NoState':
      return fail(`Logged out (${s.backendState}).`, joinHint)
    case 'NeedsMachineAuth':
      return fail(
        'Waiting for a tailnet admin to approve this machine (NeedsMachineAuth).',
        `Approve it at ${ADMIN_MACHINES_URL}`,
      )
    case 'Stopped':
      return fail('Tailscale is stopped (tailscale down was run).', 'tailscale up')
    case 'Starting':
      return warn('Tailscale is still starting.', 'tailscale status (run doctor again in a few seconds)')
    default:
      return fail(`Unexpected backend state ${JSON.stringify(s.backendState)}.`, 'tailscale status')
  }
}

export function evalKeyExpiry(probe: TailscaleProbe, now: Date): CheckOutcome {
  if (probe.kind !== 'ok' || probe.summary.backendState !== 'Running') return skip('not running')
  const expiry = probe.summary.keyExpiry
  if (!expiry) return pass('key expiry is disabled for this node')
  const at = Date.parse(expiry)
  if (Number.isNaN(at)) return warn(`Unreadable key expiry ${JSON.stringify(expiry)}.`, 'tailscale status --json')
  const reauth = `Re-authenticate: claw-mesh tailscale join --hostname ${probe.summary.hostname ?? 'NAME'} --force-reauth --tailscale-key file:PATH; or disable key expiry for this machine at ${ADMIN_MACHINES_URL}`
  const days = (at - now.getTime()) / DAY_MS
  if (days <= 0) return fail(`The node key expired on ${expiry}: this node is cut off from the tailnet.`, reauth)
  if (days < KEY_EXPIRY_WARN_DAYS) return warn(`The node key expires in ${formatDays(days)} (${expiry}).`, reauth)
  return pass(`the node key expires on ${expiry.slice(0, 10)} (in ${Math.floor(days)} days)`)
}

/** The name Tailscale actually gave this node: the first label of its MagicDNS name, else the host name. */
export function actualNodeName(s: TailscaleSummary): string | undefined {
  return (s.machineName || s.hostname || undefined)?.toLowerCase()
}

export function evalHostname(probe: TailscaleProbe, recorded: string | undefined): CheckOutcome {
  if (!recorded) return skip('claw-mesh has not set a hostname yet (claw-mesh bootstrap)')
  if (probe.kind !== 'ok' || probe.summary.backendState !== 'Running') return skip('not running')
  const actual = actualNodeName(probe.summary)
  if (!actual) return warn('Tailscale reports no name for this node.', 'tailscale status')
  const want = recorded.toLowerCase()
  if (actual === want) return pass(actual)
  if (new RegExp(`^${escapeRegExp(want)}-\\d+$`).test(actual)) {
    return fail(
      `Tailscale renamed this node "${actual}": the name "${want}" is taken by another machine (an old registration?), so peers looking for ${want} miss it.`,
      `Remove the old "${want}" machine at ${ADMIN_MACHINES_URL}, then run: tailscale set --hostname=${want}`,
    )
  }
  return warn(`This node is "${actual}", but claw-mesh set "${want}".`, `claw-mesh tailscale join --hostname ${want}`)
}

/** `loginServer`: the self-hosted control server recorded in state (Headscale), whose MagicDNS is set in its own config. */
export function evalMagicDNS(probe: TailscaleProbe, expose: string | undefined, loginServer?: string): CheckOutcome {
  if (probe.kind !== 'ok' || probe.summary.backendState !== 'Running') return skip('not running')
  const s = probe.summary
  if (s.magicDNSEnabled) return pass(`MagicDNS on${s.magicDNSSuffix ? ` (${s.magicDNSSuffix})` : ''}`)
  const remedy = loginServer
    ? `Enable MagicDNS on the control server ${loginServer}: on Headscale, set dns.magic_dns: true (with a dns.base_domain) in its config.yaml and restart headscale`
    : `Enable MagicDNS at ${ADMIN_DNS_URL}`
  if (expose === 'serve')
    return fail(
      'MagicDNS is off, and the gateway is exposed with Tailscale Serve, which needs a MagicDNS name.',
      remedy,
    )
  return warn('MagicDNS is off: peers must use IP addresses.', remedy)
}

/**
 * A proxy on 127.0.0.1 in userspace networking is reachable from the tailnet: tailscaled's netstack hands every
 * inbound tailnet connection to 127.0.0.1:<same port> (claw-mesh's own listens on 127.0.0.2, see PROXY_HOST).
 */
export function proxyExposedToTailnet(proxyUrl: string): boolean {
  try {
    return new URL(proxyUrl).hostname === '127.0.0.1'
  } catch {
    return false
  }
}

const PROXY_REMEDY =
  'Let claw-mesh run tailscaled with its proxy: claw-mesh tailscale install --networking userspace; or restart yours with --outbound-http-proxy-listen=127.0.0.2:1055 --socks5-server=127.0.0.2:1055 and set CLAW_MESH_TAILSCALE_PROXY=http://127.0.0.2:1055'

/** Userspace networking has no route to the tailnet but tailscaled's own proxy: claw-mesh must know it, and it must answer. */
export function evalUserspaceProxy(
  probe: TailscaleProbe,
  proxy: {proxy?: string; answers?: boolean; error?: string},
): CheckOutcome {
  if (probe.kind !== 'ok') return skip('tailscale status unavailable')
  const tun = probe.summary.tun
  if (tun !== false) {
    if (proxy.proxy && proxy.answers === false)
      return warn(
        `A proxy is set (${proxy.proxy}) but does not answer, and this node has a kernel TUN device: claw-mesh's peer traffic fails.`,
        'Unset CLAW_MESH_TAILSCALE_PROXY (or set it to none), or start the proxy again',
      )
    return skip(
      tun === true
        ? 'kernel TUN device: peers are reached directly'
        : 'tailscale does not say whether it uses a TUN device',
    )
  }
  if (proxy.error)
    return fail(
      proxy.error,
      'Set CLAW_MESH_TAILSCALE_PROXY to the address in tailscaled --outbound-http-proxy-listen, e.g. http://127.0.0.2:1055',
    )
  if (!proxy.proxy) {
    return fail(
      'tailscaled runs in userspace networking (no tailnet interface here), and claw-mesh knows no proxy of it: nothing claw-mesh sends reaches a peer.',
      PROXY_REMEDY,
    )
  }
  if (!proxy.answers)
    return fail(
      `tailscaled runs in userspace networking, but its proxy at ${proxy.proxy} does not answer.`,
      PROXY_REMEDY,
    )
  // tailscaled hands inbound tailnet connections to 127.0.0.1:<port>: a proxy there is every tailnet node's.
  if (proxyExposedToTailnet(proxy.proxy)) {
    return fail(
      `tailscaled's proxy listens on ${proxy.proxy}, and in userspace networking tailscaled hands every inbound tailnet connection to 127.0.0.1 on the same port: any tailnet node can use it, unauthenticated, to reach this host's network, its cloud metadata service, its loopback services, and other tailnet nodes as this node.`,
      "Restart tailscaled with its proxy on another loopback address. claw-mesh's own: stop it (kill the pid in claw-mesh status, or tailscale's --socket daemon), then claw-mesh tailscale install --networking userspace (it listens on 127.0.0.2). Yours: --outbound-http-proxy-listen=127.0.0.2:1055 --socks5-server=127.0.0.2:1055 and CLAW_MESH_TAILSCALE_PROXY=http://127.0.0.2:1055",
    )
  }
  return pass(`userspace networking: peer traffic goes through tailscaled's proxy at ${proxy.proxy}`)
}

/**
 * Headscale has no counterpart of tailscale.com's "HTTPS Certificates" switch: it issues no certificates for node
 * names and does not support Serve (its feature list leaves Serve unchecked, juanfont/headscale#1921); its `tls_*`
 * settings only give Headscale's own server a certificate. So the fix there is another exposure, not a setting.
 */
const HEADSCALE_HTTPS_REMEDY =
  "Headscale does not issue HTTPS certificates for node names (Tailscale Serve is not supported there; its tls_* settings only cover Headscale's own server): expose the gateway on its tailnet address instead, claw-mesh gateway configure --expose tailnet (WireGuard already encrypts it)"

/** `loginServer`: the self-hosted control server recorded in state (Headscale), which has no HTTPS certificates to enable. */
export function evalHttpsCerts(probe: TailscaleProbe, expose: string | undefined, loginServer?: string): CheckOutcome {
  if (expose !== 'serve')
    return skip(`not needed (the gateway is exposed ${expose ? `with "${expose}"` : 'without Tailscale Serve'})`)
  if (probe.kind !== 'ok' || probe.summary.backendState !== 'Running') return skip('not running')
  const s = probe.summary
  const remedy =
    loginServer && !isTailscaleControl(loginServer)
      ? HEADSCALE_HTTPS_REMEDY.replace('Headscale does', `The control server ${loginServer} (Headscale) does`)
      : `Enable HTTPS Certificates at ${ADMIN_DNS_URL}`
  if (s.certDomains.length === 0)
    return fail(
      'No HTTPS certificate domains (CertDomains is empty): Tailscale Serve cannot get a certificate.',
      remedy,
    )
  if (s.dnsName && !s.certDomains.includes(s.dnsName))
    return warn(`CertDomains (${s.certDomains.join(', ')}) does not include ${s.dnsName}.`, remedy)
  return pass(`certificates available for ${s.certDomains.join(', ')}`)
}

function formatDays(days: number): string {
  if (days < 1) return `${Math.max(1, Math.round(days * 24))} hours`
  return `${Math.floor(days)} days`
}

function firstLine(text: string): string {
  return text.trim().split('\n')[0]
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
