import http from 'node:http'
import type {AddressInfo} from 'node:net'
import {meshProofKey} from '../../src/core/pairing/mesh-proof.js'
import {createFetchHttpClient, HttpFailure, type HttpClient} from '../../src/infra/http.js'
import type {PluginApi} from '../../src/plugin/host.js'
import {proofHandler, rateLimiter} from '../../src/plugin/proof-route.js'

/**
 * Fleet members as discovery meets them: each tailnet address is served on loopback by the plugin's real proof
 * route (src/plugin/proof-route.ts) over real HTTP. `http` sends a request for http://<tailnet ip>:<port>/… to that
 * member's loopback server and refuses any address with no member (a node whose gateway is down).
 */
export type MemberKind =
  /** The real plugin with the key bootstrap derives from `secret`. */
  | {kind: 'member'; name: string; secret: string}
  /** The real plugin bootstrapped without the mesh secret: no proof key. */
  | {kind: 'no-key'}
  /** A gateway without claw-mesh's plugin: the route is not there. */
  | {kind: 'no-plugin'}
  /** Any answer at all, e.g. a forged or relayed proof. */
  | {kind: 'custom'; answer: (body: Record<string, unknown>) => {status: number; body: unknown}}

export interface ProofMembers {
  http: HttpClient
  /** Every request each address received (method, path, authorization, body), for "sent nothing else" checks. */
  seen: Map<string, {method: string; path: string; authorization?: string; body: string}[]>
  close(): Promise<void>
}

const pluginApi = (config: unknown): PluginApi => ({
  registerTool() {},
  registerService() {},
  runtime: {config: {current: () => config}},
})

export async function startProofMembers(members: Record<string, MemberKind>): Promise<ProofMembers> {
  const servers = new Map<string, http.Server>()
  const ports = new Map<string, number>()
  const seen: ProofMembers['seen'] = new Map()
  for (const [ip, m] of Object.entries(members)) {
    const config =
      m.kind === 'member'
        ? {
            plugins: {
              entries: {'claw-mesh': {config: {meshProof: {name: m.name, key: meshProofKey(m.secret, m.name)}}}},
            },
          }
        : {plugins: {entries: {'claw-mesh': {config: {}}}}}
    const handle = proofHandler(pluginApi(config), rateLimiter())
    const server = http.createServer((req, res) => {
      const log = seen.get(ip) ?? (seen.set(ip, []), seen.get(ip)!)
      const entry = {method: req.method ?? '', path: req.url ?? '', authorization: req.headers.authorization, body: ''}
      log.push(entry)
      if (m.kind === 'no-plugin' || req.url !== '/claw-mesh/v1/proof')
        return void res.writeHead(404, {'content-type': 'text/plain'}).end('Not Found')
      if (m.kind === 'custom') {
        let body = ''
        req.on('data', (c) => (body += c))
        req.on('end', () => {
          entry.body = body
          const a = m.answer(JSON.parse(body) as Record<string, unknown>)
          res.writeHead(a.status, {'content-type': 'application/json'}).end(JSON.stringify(a.body))
        })
        return
      }
      void handle(req, res)
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    servers.set(ip, server)
    ports.set(ip, (server.address() as AddressInfo).port)
  }
  const real = createFetchHttpClient()
  return {
    seen,
    http: {
      request(req) {
        const u = new URL(req.url)
        const port = ports.get(u.hostname)
        if (port === undefined)
          return Promise.reject(new HttpFailure('refused', req.url, `connect ECONNREFUSED ${u.host}`))
        return real.request({...req, url: `http://127.0.0.1:${port}${u.pathname}${u.search}`})
      },
    },
    close: () =>
      Promise.all([...servers.values()].map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => undefined),
  }
}
