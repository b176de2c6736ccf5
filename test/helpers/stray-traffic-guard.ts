import {execFileSync, spawnSync} from 'node:child_process'

/**
 * vitest globalSetup: no test may send a packet anywhere but loopback or the namespaces it made. This machine has
 * a default route, so a stray packet (a 100.64.x address dialled from the root namespace, a DNS lookup, a phone-home)
 * would leave it. The guard is in the kernel, so it sees every child process whatever its language: the test run
 * takes a group id of its own (children inherit it), and an nftables output rule in the root namespace rejects —
 * and records the destination of — every packet a socket of that group sends out of a non-loopback interface.
 * Processes moved into a test namespace (ip netns exec) send through that namespace's hooks, not this one, so
 * the hosts' own traffic is untouched. At the end of the run any recorded destination fails the run.
 */
// One group per run (from the pid): two runs side by side must not record each other's packets.
export const GUARD_GID = Number(process.env.CLAW_MESH_STRAY_GUARD_GID || 30_000 + (process.pid % 30_000))
const TABLE_PREFIX = 'cmguard'

function nft(args: string[], input?: string): string {
  return execFileSync('nft', args, {
    encoding: 'utf8',
    input,
    stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
  })
}

/** Why the guard cannot run here, or undefined. */
export function guardUnavailable(): string | undefined {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0)
    return 'the stray-traffic guard needs root (nftables)'
  const r = spawnSync('nft', ['--version'], {encoding: 'utf8'})
  if (r.error) return 'nft is missing: install nftables (scripts/provision.sh does)'
  return undefined
}

/** Destinations the guarded processes tried to reach, per table (`dns`: the DNS lookups, kept apart). */
export function strayDestinations(table: string, kind: 'dest' | 'dns' = 'dest'): string[] {
  const out: string[] = []
  for (const set of [`${kind}4`, `${kind}6`]) {
    const doc = JSON.parse(nft(['-j', 'list', 'set', 'inet', table, set])) as {nftables: {set?: {elem?: unknown[]}}[]}
    for (const entry of doc.nftables)
      for (const elem of entry.set?.elem ?? []) out.push(typeof elem === 'string' ? elem : JSON.stringify(elem))
  }
  return out
}

function dropStaleTables(): void {
  // A run killed before its teardown leaves its table behind (harmless: it matches only its own group).
  const doc = JSON.parse(nft(['-j', 'list', 'tables'])) as {nftables: {table?: {family: string; name: string}}[]}
  for (const {table} of doc.nftables) {
    const pid = table?.name.startsWith(TABLE_PREFIX) ? Number(table.name.slice(TABLE_PREFIX.length)) : NaN
    if (!Number.isInteger(pid) || pid === process.pid) continue
    try {
      process.kill(pid, 0)
    } catch {
      spawnSync('nft', ['delete', 'table', table!.family, table!.name])
    }
  }
}

export function rules(table: string, gid: number): string {
  return `table inet ${table} {
  set dest4 { type ipv4_addr; flags dynamic; size 4096; }
  set dest6 { type ipv6_addr; flags dynamic; size 4096; }
  set dns4 { type ipv4_addr; flags dynamic; size 256; }
  set dns6 { type ipv6_addr; flags dynamic; size 256; }
  chain out {
    type filter hook output priority 0; policy accept;
    meta skgid ${gid} oifname != "lo" meta nfproto ipv4 udp dport 53 add @dns4 { ip daddr } counter reject
    meta skgid ${gid} oifname != "lo" meta nfproto ipv4 tcp dport 53 add @dns4 { ip daddr } counter reject
    meta skgid ${gid} oifname != "lo" meta nfproto ipv6 udp dport 53 add @dns6 { ip6 daddr } counter reject
    meta skgid ${gid} oifname != "lo" meta nfproto ipv6 tcp dport 53 add @dns6 { ip6 daddr } counter reject
    meta skgid ${gid} oifname != "lo" meta nfproto ipv4 add @dest4 { ip daddr } counter reject
    meta skgid ${gid} oifname != "lo" meta nfproto ipv6 add @dest6 { ip6 daddr } counter reject
  }
}
`
}

// Several vitest projects (integration, e2e) each run this setup in the same main process: one table, counted.
const shared = globalThis as {__clawMeshStrayGuard?: {users: number}}

export function setup(): (() => void) | undefined {
  if (process.env.CLAW_MESH_STRAY_GUARD === 'off') return undefined
  if (shared.__clawMeshStrayGuard) {
    shared.__clawMeshStrayGuard.users++
    return release
  }
  const why = guardUnavailable()
  if (why) {
    if (process.env.CI === 'true') throw new Error(`stray-traffic guard unavailable under CI: ${why}`)
    console.warn(`stray-traffic guard off: ${why}`)
    return undefined
  }
  dropStaleTables()
  const table = `${TABLE_PREFIX}${process.pid}`
  nft(['-f', '-'], rules(table, GUARD_GID))
  process.setgid!(GUARD_GID) // POSIX only; guardUnavailable() has checked getuid
  process.env.CLAW_MESH_STRAY_GUARD_TABLE = table
  shared.__clawMeshStrayGuard = {users: 1}
  return release
}

function release(): void {
  const state = shared.__clawMeshStrayGuard
  if (!state || --state.users > 0) return
  delete shared.__clawMeshStrayGuard
  const table = process.env.CLAW_MESH_STRAY_GUARD_TABLE!
  const stray = strayDestinations(table)
  const dns = strayDestinations(table, 'dns')
  spawnSync('nft', ['delete', 'table', 'inet', table])
  // The e2e suite runs inside a namespace with only loopback (scripts/isolated.sh): there nothing is even routed.
  // Run in the host's namespace instead, the gateways it starts (OpenClaw looks names up at start) land here.
  if (dns.length > 0)
    throw new Error(
      `stray traffic: DNS lookups to ${dns.join(', ')} from the tests (rejected by the guard). Run the e2e suite as npm run test:e2e does, inside scripts/isolated.sh`,
    )
  if (stray.length > 0)
    throw new Error(
      `stray traffic: the tests sent packets off this machine's loopback, to ${stray.join(', ')} (rejected by the guard; see test/helpers/stray-traffic-guard.ts)`,
    )
}
