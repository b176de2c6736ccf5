import {execFileSync, spawnSync} from 'node:child_process'
import dgram from 'node:dgram'
import net from 'node:net'
import {describe, expect, it} from 'vitest'
import {requireOrSkip} from '../helpers/mesh-host.js'
import {guardUnavailable, strayDestinations} from '../helpers/stray-traffic-guard.js'

const table = process.env.CLAW_MESH_STRAY_GUARD_TABLE
const ready = requireOrSkip(
  guardUnavailable() ??
    (table ? undefined : 'the stray-traffic guard is not active in this run (CLAW_MESH_STRAY_GUARD=off?)'),
)

/** Forgives this file's own deliberate strays, so they do not fail the run they prove the guard in. */
function forgive(addresses: string[]): void {
  for (const a of addresses)
    execFileSync('nft', ['delete', 'element', 'inet', table!, a.includes(':') ? 'dest6' : 'dest4', `{ ${a} }`])
}

describe.skipIf(!ready)('the stray-traffic guard', () => {
  it("rejects and records a UDP packet, a TCP connect to a tailnet address and a child process's packet; loopback passes", async () => {
    const udp = await new Promise<string | undefined>((resolve) => {
      const s = dgram.createSocket('udp4')
      s.send('stray', 9, '198.51.100.1', (error) => {
        s.close()
        resolve((error as NodeJS.ErrnoException | null)?.code)
      })
    })
    expect(udp).toBe('EPERM')
    const tcp = await new Promise<string>((resolve) => {
      const c = net.connect(80, '100.64.77.77')
      c.on('connect', () => resolve('connected'))
      c.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message))
      setTimeout(() => resolve('timeout'), 5000)
    })
    expect(tcp).toBe('ECONNREFUSED') // the guard's reject, not a timeout: the SYN never left
    // A child of another language (bash's /dev/udp) is in the same group.
    const child = spawnSync('bash', ['-c', 'echo stray > /dev/udp/198.51.100.77/9'], {encoding: 'utf8'})
    expect(child.stderr).toMatch(/Operation not permitted/)
    const loop = await new Promise<string>((resolve) => {
      const server = net
        .createServer((sock) => sock.end('ok'))
        .listen(0, '127.0.0.1', () => {
          const c = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1')
          c.on('data', (d) => {
            server.close()
            resolve(String(d))
          })
        })
    })
    expect(loop).toBe('ok')
    const seen = strayDestinations(table!)
    expect(seen).toEqual(expect.arrayContaining(['198.51.100.1', '100.64.77.77', '198.51.100.77']))
    forgive(['198.51.100.1', '100.64.77.77', '198.51.100.77'])
    expect(strayDestinations(table!)).not.toEqual(expect.arrayContaining(['198.51.100.1']))
  })
})
