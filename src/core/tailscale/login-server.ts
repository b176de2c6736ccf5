import {UsageError} from '../common/errors.js'

/**
 * The control server a node logs in to. Absent means Tailscale's own (tailscale.com); a URL means a self-hosted
 * one such as Headscale. Once a node has one, every later `tailscale up` with flags must repeat it (the CLI's
 * accidental-revert guard), so claw-mesh remembers it and passes it on each `up`.
 */
export function parseLoginServer(raw: string | undefined, source = '--login-server'): string | undefined {
  const text = raw?.trim()
  if (!text) return undefined
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new UsageError(`${source} ${JSON.stringify(text.slice(0, 100))} is not a URL.`, {
      code: 'login-server-invalid',
      hint: 'Give the control server with its scheme, e.g. --login-server https://headscale.example.com.',
    })
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new UsageError(`${source} must be an http(s) URL, not ${url.protocol.replace(/:$/, '')}.`, {
      code: 'login-server-invalid',
      hint: 'e.g. --login-server https://headscale.example.com',
    })
  }
  if (url.username || url.password || url.search || url.hash) {
    // Not echoed: userinfo or a query may hold a secret.
    throw new UsageError(`${source} has a user name, password, query or fragment; a control server URL has none.`, {
      code: 'login-server-invalid',
      hint: 'Pass only scheme, host and port, e.g. https://headscale.example.com.',
    })
  }
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`
}

/** tailscale.com's control server (and its old name): a --login-server naming it is the default. */
export function isTailscaleControl(loginServer: string | undefined): boolean {
  if (!loginServer) return true
  const host = new URL(loginServer).hostname
  return host === 'controlplane.tailscale.com' || host === 'login.tailscale.com'
}
