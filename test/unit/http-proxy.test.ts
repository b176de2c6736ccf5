import {createServer as createHttpServer, type Server} from 'node:http'
import {connect, type AddressInfo} from 'node:net'
import {afterEach, describe, expect, it} from 'vitest'
import {UsageError} from '../../src/core/common/errors.js'
import {createDeps, tailscaleProxy} from '../../src/deps.js'
import {createFetchHttpClient, HttpFailure, isLoopbackUrl} from '../../src/infra/http.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'

/**
 * tailscaled's outbound HTTP proxy as the tests see it (cmd/tailscaled/proxy.go): CONNECT host:port, 200 then bytes
 * both ways, or a 500 with the dial error. Tailnet addresses are "dialled" by mapping them to loopback servers, so
 * no packet ever goes to a 100.x address.
 */
async function fakeTailscaledProxy(routes: Record<string, number>) {
  const connects: string[] = []
  const plain: string[] = []
  const server = createHttpServer((req, res) => {
    plain.push(`${req.method} ${req.url}`)
    res.writeHead(400).end('bogus RequestURI; must be absolute URL or CONNECT')
  })
  server.on('connect', (req, client, head) => {
    const target = req.url ?? ''
    connects.push(target)
    const port = routes[target]
    if (port === undefined) {
      client.end(
        `HTTP/1.1 500 Internal Server Error\r\nTailscale-Connect-Error: dial tcp ${target}: connection refused\r\ncontent-length: 0\r\n\r\n`,
      )
      return
    }
    const upstream = connect({host: '127.0.0.1', port}, () => {
      client.write('HTTP/1.1 200 OK\r\n\r\n')
      upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  open.push(server)
  return {url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, connects, plain}
}

async function gateway(): Promise<{port: number; hits: string[]}> {
  const hits: string[] = []
  const server = createHttpServer((req, res) => {
    hits.push(`${req.method} ${req.url} host=${req.headers.host}`)
    res.writeHead(200, {'content-type': 'application/json'}).end('{"ok":true,"status":"live"}')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  open.push(server)
  return {port: (server.address() as AddressInfo).port, hits}
}

const open: Server[] = []
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => new Promise((r) => (s.closeAllConnections(), s.close(r)))))
})

describe("userspace networking: claw-mesh reaches the tailnet through tailscaled's proxy", () => {
  it('sends a request for a tailnet address through CONNECT, and the answer comes back', async () => {
    const gw = await gateway()
    const proxy = await fakeTailscaledProxy({'100.64.0.7:18789': gw.port})
    const http = createFetchHttpClient(undefined, {proxy: () => proxy.url})
    const res = await http.request({url: 'http://100.64.0.7:18789/healthz', timeoutMs: 5000})
    expect(res.status).toBe(200)
    expect(res.json()).toEqual({ok: true, status: 'live'})
    expect(proxy.connects).toEqual(['100.64.0.7:18789'])
    expect(gw.hits).toEqual(['GET /healthz host=100.64.0.7:18789'])
  })

  it('sends loopback requests directly, never through the proxy', async () => {
    const gw = await gateway()
    const proxy = await fakeTailscaledProxy({})
    const http = createFetchHttpClient(undefined, {proxy: () => proxy.url})
    expect((await http.request({url: `http://127.0.0.1:${gw.port}/healthz`, timeoutMs: 5000})).status).toBe(200)
    expect(proxy.connects).toEqual([])
    expect(
      ['http://localhost:1/', 'http://[::1]:2/', 'http://127.3.4.5/', 'http://x.localhost/'].every(isLoopbackUrl),
    ).toBe(true)
    expect(
      ['http://100.64.0.1/', 'http://clawd.mesh.test/', 'https://hooks.example.com/', 'not a url'].some(isLoopbackUrl),
    ).toBe(false)
  })

  it('maps a CONNECT tailscaled could not complete to unreachable, and a dead proxy to its own kind', async () => {
    const proxy = await fakeTailscaledProxy({})
    const http = createFetchHttpClient(undefined, {proxy: () => proxy.url})
    const unreachable = await http
      .request({url: 'http://100.64.0.9:18789/healthz', timeoutMs: 5000})
      .catch((e: unknown) => e)
    expect(unreachable).toBeInstanceOf(HttpFailure)
    expect((unreachable as HttpFailure).kind).toBe('unreachable')

    const dead = createFetchHttpClient(undefined, {proxy: () => 'http://127.0.0.1:39'})
    const failure = await dead
      .request({url: 'http://100.64.0.9:18789/healthz', timeoutMs: 5000})
      .catch((e: unknown) => e)
    expect((failure as HttpFailure).kind).toBe('proxy')
    expect((failure as HttpFailure).message).toMatch(/tailscaled's proxy on loopback did not answer/)
  })

  it('without a proxy, requests go directly (kernel TUN)', async () => {
    const gw = await gateway()
    const http = createFetchHttpClient(undefined, {proxy: () => undefined})
    expect((await http.request({url: `http://127.0.0.1:${gw.port}/x`, timeoutMs: 5000})).status).toBe(200)
  })
})

describe('which proxy', () => {
  it('CLAW_MESH_TAILSCALE_PROXY first (none turns it off), then the one tailscale install recorded', () => {
    expect(tailscaleProxy({CLAW_MESH_TAILSCALE_PROXY: 'http://127.0.0.1:1055'}, () => 'http://127.0.0.1:2000')).toBe(
      'http://127.0.0.1:1055',
    )
    expect(tailscaleProxy({CLAW_MESH_TAILSCALE_PROXY: 'none'}, () => 'http://127.0.0.1:2000')).toBeUndefined()
    expect(tailscaleProxy({}, () => 'http://127.0.0.1:2000')).toBe('http://127.0.0.1:2000')
    expect(tailscaleProxy({}, () => undefined)).toBeUndefined()
  })

  it.each([
    'socks5://127.0.0.1:1055',
    'http://10.0.0.5:1055',
    'http://127.0.0.1',
    'http://user:pw@127.0.0.1:1055',
    '127.0.0.1:1055',
  ])("refuses %s: only tailscaled's HTTP proxy on loopback", (value) => {
    expect(() => tailscaleProxy({CLAW_MESH_TAILSCALE_PROXY: value}, () => undefined)).toThrow(UsageError)
  })

  it('a proxy recorded mid-run (tailscale install inside bootstrap) is used from then on', () => {
    const {io} = createTestIOStreams()
    const deps = createDeps({
      env: {CLAW_MESH_HOME: '/nonexistent'},
      platform: 'linux',
      io,
      store: createMemoryStateStore({}),
    })
    expect(deps.tailscaleProxy()).toBeUndefined()
    deps.store.update((s) => void (s.tailscale = {networking: 'userspace', proxy: 'http://127.0.0.1:1055'}))
    expect(deps.tailscaleProxy()).toBe('http://127.0.0.1:1055')
  })

  it('deps route through the recorded proxy', async () => {
    const gw = await gateway()
    const proxy = await fakeTailscaledProxy({'100.64.0.7:18789': gw.port})
    const {io} = createTestIOStreams()
    const deps = createDeps({
      env: {CLAW_MESH_HOME: '/nonexistent'},
      platform: 'linux',
      io,
      store: createMemoryStateStore({tailscale: {networking: 'userspace', proxy: proxy.url}}),
    })
    expect(deps.tailscaleProxy()).toBe(proxy.url)
    expect((await deps.http.request({url: 'http://100.64.0.7:18789/healthz', timeoutMs: 5000})).status).toBe(200)
    expect(proxy.connects).toEqual(['100.64.0.7:18789'])
  })
})
