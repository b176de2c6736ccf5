import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'
import {afterEach, describe, expect, it} from 'vitest'
import {createFetchHttpClient, HttpFailure} from '../../src/infra/http.js'
import {plainHttpRequest} from '../../src/infra/plain-http.js'

/**
 * http: URLs go through node:http instead of fetch (start-up: fetch initialises undici on first use). The peer must
 * not tell the difference, nor the caller: the same request on the wire (but for connection handling and
 * accept-encoding), and the same answer, cap and failures as fetch gives.
 */
const open: Server[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r)))))
})

async function server(
  handler: (req: IncomingMessage, res: ServerResponse, body: string) => void,
): Promise<{url: string; seen: {method?: string; url?: string; headers: string[]; body: string}[]}> {
  const seen: {method?: string; url?: string; headers: string[]; body: string}[] = []
  const s = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      seen.push({method: req.method, url: req.url, headers: req.rawHeaders, body})
      handler(req, res, body)
    })
  })
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  open.push(s)
  return {url: `http://127.0.0.1:${(s.address() as AddressInfo).port}`, seen}
}

/** A request's headers, in name order, without the two that differ by design (fetch keeps the connection and asks for gzip). */
const wire = (raw: string[]) =>
  raw
    .flatMap((v, i) =>
      i % 2 === 0 && !['connection', 'accept-encoding'].includes(v.toLowerCase())
        ? [`${v.toLowerCase()}: ${raw[i + 1]}`]
        : [],
    )
    .sort()

describe('plain http through node:http, as fetch would', () => {
  it.each([
    [
      'a JSON POST with a bearer token',
      {
        method: 'POST',
        headers: {authorization: 'Bearer abcdefgh12345678', 'content-type': 'application/json'},
        body: '{"jsonrpc":"2.0","id":"1"}',
      },
    ],
    ['a text body without a content type', {method: 'POST', headers: {'A2A-Version': '1.0'}, body: 'héllo'}],
    ['a GET without headers', {method: 'GET'}],
  ])('%s: the same request on the wire and the same answer', async (_name, init) => {
    const peer = await server((_req, res, body) => {
      res.setHeader('Set-Cookie', ['a=1', 'b=2'])
      res.setHeader('X-Multi', ['one', 'two'])
      res.writeHead(201, {'content-type': 'application/json'}).end(JSON.stringify({echo: body}))
    })
    const signal = AbortSignal.timeout(5000)
    const viaFetch = await fetch(`${peer.url}/a2a/v1`, {...init, signal, redirect: 'manual'})
    const fetchHeaders: Record<string, string> = {}
    viaFetch.headers.forEach((v, k) => (fetchHeaders[k] = v))
    const fetchBody = await viaFetch.text()
    const plain = await plainHttpRequest(`${peer.url}/a2a/v1`, {...init, signal}, 1 << 20)
    const [sentByFetch, sentPlain] = peer.seen
    expect(wire(sentPlain.headers)).toEqual(wire(sentByFetch.headers))
    expect({method: sentPlain.method, url: sentPlain.url, body: sentPlain.body}).toEqual({
      method: sentByFetch.method,
      url: sentByFetch.url,
      body: sentByFetch.body,
    })
    expect(plain.status).toBe(viaFetch.status)
    expect(plain.raw).toBe(fetchBody)
    const dropKeepAlive = (h: Record<string, string>) =>
      Object.fromEntries(Object.entries(h).filter(([k]) => k !== 'connection' && k !== 'keep-alive'))
    expect(dropKeepAlive(plain.headers)).toEqual(dropKeepAlive(fetchHeaders))
    expect(Object.keys(plain.headers)).toEqual(Object.keys(plain.headers).sort())
  })

  it('does not follow a redirect (fetch runs with redirect: manual)', async () => {
    const peer = await server((_req, res) => res.writeHead(302, {location: 'http://127.0.0.1:9/elsewhere'}).end())
    const client = createFetchHttpClient()
    const res = await client.request({url: `${peer.url}/healthz`, timeoutMs: 5000})
    expect(res.status).toBe(302)
    expect(res.headers.location).toBe('http://127.0.0.1:9/elsewhere')
    expect(peer.seen).toHaveLength(1)
  })

  it('cuts a body over the cap, declared or streamed, as too-large', async () => {
    const declared = await server((_req, res) => res.writeHead(200, {'content-length': '2000'}).end('x'.repeat(2000)))
    const streamed = await server((_req, res) => {
      res.writeHead(200)
      res.write('y'.repeat(1500))
      setTimeout(() => res.end('y'.repeat(1500)), 20)
    })
    const client = createFetchHttpClient()
    for (const url of [declared.url, streamed.url]) {
      const err = await client.request({url, timeoutMs: 5000, maxBodyBytes: 1000}).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(HttpFailure)
      expect((err as HttpFailure).kind).toBe('too-large')
    }
    expect((await client.request({url: declared.url, timeoutMs: 5000, maxBodyBytes: 2000})).body).toHaveLength(2000)
  })

  it('fails as fetch does: timeout, connection refused', async () => {
    const slow = await server(() => {})
    const client = createFetchHttpClient()
    const timeout = await client.request({url: slow.url, timeoutMs: 200}).catch((e: unknown) => e)
    expect((timeout as HttpFailure).kind).toBe('timeout')
    expect((timeout as HttpFailure).message).toBe(`GET ${slow.url}: no answer before the timeout`)
    const closed = await server(() => {})
    const port = new URL(closed.url).port
    await Promise.all(open.splice(0).map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r)))))
    const refused = await client
      .request({url: `http://127.0.0.1:${port}/healthz`, timeoutMs: 2000})
      .catch((e: unknown) => e)
    expect((refused as HttpFailure).kind).toBe('refused')
  })

  it('redacts registered secrets in the body it returns', async () => {
    const peer = await server((_req, res) => res.writeHead(200).end('token=s3cret-value-123 ok'))
    const {Redactor} = await import('../../src/core/secrets/redact.js')
    const redactor = new Redactor()
    redactor.add('s3cret-value-123')
    expect((await createFetchHttpClient(redactor).request({url: peer.url, timeoutMs: 5000})).body).toBe(
      'token=[REDACTED] ok',
    )
  })
})
