// One plain-HTTP request with node:http, for infra/http.ts. Node's fetch loads and initialises its bundled undici on
// first use (~35 ms of CPU, more than the rest of a loopback or tailnet round trip), and a claw-mesh command makes
// one or two requests, so http: URLs go through node:http: same headers on the wire as fetch sends (but
// accept-encoding: nothing is compressed, so nothing needs decompressing), no redirect followed, no connection kept,
// the same body cap, and errors that infra/http.ts classifies as it does fetch's (`code`, AbortError/TimeoutError).
// https: and the userspace proxy stay on fetch.
import {request} from 'node:http'

export interface PlainInit {
  method: string
  headers?: Record<string, string>
  body?: string
  signal: AbortSignal
}

export interface PlainAnswer {
  status: number
  /** As fetch's Headers list them: lower-case names in order, repeated ones joined with ", " (set-cookie: the last). */
  headers: Record<string, string>
  raw: string
}

/** What fetch adds to every request it sends (undici, Node 22 and 24), in the order it adds them. */
const FETCH_DEFAULTS: Record<string, string> = {
  accept: '*/*',
  'accept-language': '*',
  'sec-fetch-mode': 'cors',
  'user-agent': 'node',
}

export class PlainBodyTooLarge extends Error {}

export function plainHttpRequest(url: string, init: PlainInit, max: number): Promise<PlainAnswer> {
  const headers: Record<string, string> = {}
  for (const [k, v] of Object.entries(init.headers ?? {})) headers[k.toLowerCase()] = v
  if (init.body !== undefined && headers['content-type'] === undefined)
    headers['content-type'] = 'text/plain;charset=UTF-8'
  for (const [k, v] of Object.entries(FETCH_DEFAULTS)) headers[k] ??= v
  if (init.body !== undefined) headers['content-length'] = String(Buffer.byteLength(init.body))
  return new Promise((resolve, reject) => {
    const req = request(url, {method: init.method, headers, signal: init.signal, agent: false}, (res) => {
      const declared = Number(res.headers['content-length'] ?? Number.NaN)
      if (Number.isFinite(declared) && declared > max) {
        res.destroy()
        return reject(new PlainBodyTooLarge())
      }
      const chunks: Buffer[] = []
      let total = 0
      res.on('data', (chunk: Buffer) => {
        total += chunk.byteLength
        if (total > max) {
          res.destroy()
          reject(new PlainBodyTooLarge())
          return
        }
        chunks.push(chunk)
      })
      res.on('error', reject)
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: headersOf(res.rawHeaders),
          raw: new TextDecoder().decode(Buffer.concat(chunks)),
        }),
      )
    })
    req.on('error', reject)
    req.end(init.body)
  })
}

function headersOf(raw: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toLowerCase()
    out[name] = name === 'set-cookie' || out[name] === undefined ? raw[i + 1] : `${out[name]}, ${raw[i + 1]}`
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
}
