/**
 * A hostile "gateway" on 127.0.0.1 for attack tests: a real HTTP server that answers every request the way a
 * malicious peer would. Modes:
 *   flood      streams an endless body (64 KiB chunks, no Content-Length) with the given status until the client
 *              hangs up; `floodBytes` caps it for measurements of the old behaviour
 *   declared   claims a huge Content-Length and then streams
 *   body       answers with a fixed body (escape sequences, a secret echoed back, …)
 * It counts requests and the bytes it managed to push, so a test can prove the client stopped reading.
 */
import http from 'node:http'

export interface HostilePeerOptions {
  mode: 'flood' | 'declared' | 'body'
  status?: number
  body?: string
  contentType?: string
  floodBytes?: number
}

export interface HostilePeer {
  url: string
  requests: number
  bytesSent: number
  close(): Promise<void>
}

const CHUNK = Buffer.alloc(64 * 1024, 'A')

export async function startHostilePeer(opts: HostilePeerOptions): Promise<HostilePeer> {
  const peer: HostilePeer = {url: '', requests: 0, bytesSent: 0, close: async () => {}}
  const server = http.createServer((req, res) => {
    peer.requests++
    req.resume()
    const status = opts.status ?? 200
    if (opts.mode === 'body') {
      res.writeHead(status, {'content-type': opts.contentType ?? 'application/json'})
      res.end(opts.body ?? '')
      return
    }
    const headers: Record<string, string> = {'content-type': 'application/json'}
    if (opts.mode === 'declared') headers['content-length'] = String(8 * 1024 ** 3)
    res.writeHead(status, headers)
    const limit = opts.floodBytes ?? Number.POSITIVE_INFINITY
    let sent = 0
    const pump = () => {
      while (sent < limit && !res.destroyed) {
        sent += CHUNK.length
        peer.bytesSent += CHUNK.length
        if (!res.write(CHUNK)) return void res.once('drain', pump)
      }
      if (!res.destroyed) res.end()
    }
    res.on('close', () => (sent = limit))
    pump()
  })
  server.on('clientError', () => {})
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const {port} = server.address() as {port: number}
  peer.url = `http://127.0.0.1:${port}`
  peer.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections()
      server.close(() => resolve())
    })
  return peer
}
