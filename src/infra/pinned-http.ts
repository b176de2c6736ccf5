import {checkPin, pinsOf, urlAt, type PinnedPeer} from '../core/pairing/address-pin.js'
import type {HostResolver} from '../core/pairing/peer-url.js'
import {HttpFailure, type HttpClient} from './http.js'

/**
 * Every request to a pinned peer name (see core/pairing/address-pin) resolves the name again, is refused when the answer
 * left the pinned addresses, and otherwise goes to the pinned address itself. Requests to anything else pass as
 * they are. Wraps whichever client the command uses, so no peer path can skip it.
 */
export function pinnedHttpClient(
  inner: HttpClient,
  opts: {peers: () => Iterable<PinnedPeer>; resolve: HostResolver},
): HttpClient {
  return {
    async request(req) {
      let host: string
      try {
        host = new URL(req.url).hostname
      } catch {
        return inner.request(req)
      }
      const pin = pinsOf(opts.peers()).get(host)
      if (!pin) return inner.request(req)
      const resolved = await opts.resolve(host).catch(() => [] as string[])
      const verdict = checkPin(pin, resolved)
      if (!verdict.ok) {
        const now = resolved.length ? `now resolves to ${resolved.join(', ')}` : 'does not resolve now'
        throw new HttpFailure(
          'moved',
          req.url,
          `${req.method ?? 'GET'} ${req.url}: refused: ${host} ${now}, not the tailnet address ${pin.peer} was added at (${pin.addresses.join(', ')})`,
        )
      }
      return inner.request({...req, url: urlAt(req.url, verdict.connectTo)})
    },
  }
}
