#!/usr/bin/env node
// Benchmark: `claw-mesh doctor` with the built CLI on a host with 100 peers, 10 of which never answer (fake
// gateways that accept TCP and stay silent). Every peer is also a node in this host's tailnet: a tiny `tailscale`
// stand-in (a /bin/sh script, as cheap to start as the real Go binary) prints a 100-node `status --json` and
// answers `ping` over DERP. OpenClaw is the real one when installed (config validate costs ~2 s of it).
// Expectation from the issue: about a second plus the slowest peer's timeout, whatever the peer count.
// Prints markdown table rows for bench/run.js. Needs Node 24 and a build (npm run build).
// Usage: node bench/doctor.bench.mjs [--peers 100] [--silent 10] [--timeout 2s] [--runs 3]
import {existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {startFakePeers} from '../test/helpers/fake-peer.ts'
import {defaultOpenClaw} from '../test/helpers/tool-cache.ts'
import {arg, durationMs, median, runCli} from './lib.mjs'

const count = Number(arg('peers', '100'))
const silent = Number(arg('silent', '10'))
const timeout = arg('timeout', '2s')
const timeoutMs = durationMs(timeout)
const runs = Number(arg('runs', '3'))
const OPENCLAW = process.env.CLAW_MESH_TEST_OPENCLAW || defaultOpenClaw()

const node = (i, hostname, ipv4, online = true) => ({
  ID: `n${i}CNTRL`,
  HostName: hostname,
  DNSName: `${hostname}.tail4f3a2.ts.net.`,
  OS: 'linux',
  TailscaleIPs: [ipv4],
  Tags: ['tag:claw-mesh'],
  Online: online,
  Relay: 'ams',
  LastSeen: '0001-01-01T00:00:00Z',
})

/** A claw-mesh home and OpenClaw config for this host, the peers in state, their tokens, and the tailscale stand-in. */
function makeHost(fleet) {
  const home = mkdtempSync(path.join(os.tmpdir(), 'claw-bench-doctor-'))
  const peers = {}
  const secrets = {'gateway-token': 'bench-gateway-token-0123456789', 'hooks-token': 'bench-hooks-token-0123456789'}
  const tailnet = {}
  fleet.peers.forEach((p, i) => {
    const name = `peer-${i}`
    const ipv4 = `100.64.${1 + Math.floor(i / 250)}.${(i % 250) + 1}`
    peers[name] = {
      name,
      hostname: `openclaw-${name}`,
      url: p.url,
      addedAt: new Date().toISOString(),
      source: 'invite',
      messaging: true,
    }
    secrets[`peer/${name}`] = p.token
    tailnet[`nodekey:${String(i).padStart(64, '0')}`] = node(i, `openclaw-${name}`, ipv4)
  })
  const configPath = path.join(home, 'openclaw', 'openclaw.json')
  mkdirSync(path.dirname(configPath), {recursive: true, mode: 0o700})
  writeFileSync(
    configPath,
    JSON.stringify(
      {
        gateway: {mode: 'local', port: 1, bind: 'tailnet', auth: {mode: 'token', token: secrets['gateway-token']}},
        hooks: {enabled: true, token: secrets['hooks-token']},
      },
      null,
      2,
    ),
    {mode: 0o600},
  )
  const state = {
    version: 1,
    identity: 'bench',
    tailscale: {hostname: 'openclaw-bench'},
    gateway: {configPath, port: 1, expose: 'tailnet'},
    secrets: {backend: 'file', names: Object.keys(secrets)},
    peers,
  }
  writeFileSync(path.join(home, 'state.json'), JSON.stringify(state), {mode: 0o600})
  writeFileSync(path.join(home, 'secrets.json'), JSON.stringify(secrets), {mode: 0o600})
  const status = {
    Version: '1.84.3-t1a2b3c4d5-g6e7f8a9b0',
    BackendState: 'Running',
    TailscaleIPs: ['100.101.102.103'],
    Self: {...node(9999, 'openclaw-bench', '100.101.102.103'), KeyExpiry: '2099-01-01T00:00:00Z'},
    Health: [],
    MagicDNSSuffix: 'tail4f3a2.ts.net',
    CurrentTailnet: {Name: 'example.com', MagicDNSSuffix: 'tail4f3a2.ts.net', MagicDNSEnabled: true},
    CertDomains: ['openclaw-bench.tail4f3a2.ts.net'],
    Peer: tailnet,
  }
  writeFileSync(path.join(home, 'status.json'), JSON.stringify(status, null, 2))
  const ts = path.join(home, 'tailscale')
  writeFileSync(
    ts,
    `#!/bin/sh
case "$1" in --socket=*) shift ;; esac
case "$1" in
  status) cat '${path.join(home, 'status.json')}' ;;
  version) echo 1.84.3 ;;
  ping) for last; do :; done; echo "pong from peer ($last) via DERP(ams) in 12ms"; exit 1 ;;
  *) echo "bench tailscale: unexpected $*" >&2; exit 2 ;;
esac
`,
    {mode: 0o700},
  )
  return {home, configPath, ts}
}

export async function benchDoctor() {
  const fleet = await startFakePeers(count, (i) => ({
    mode: i < silent ? 'silent' : 'healthy',
    token: `bench-hooks-token-${i}-0123456789`,
  }))
  const host = makeHost(fleet)
  const withOpenClaw = existsSync(OPENCLAW)
  const env = {
    CLAW_MESH_HOME: host.home,
    CLAW_MESH_SECRET_STORE: 'file',
    CLAW_MESH_SKIP_NEW_VERSION_CHECK: '1',
    CLAW_MESH_TAILSCALE: host.ts,
    OPENCLAW_CONFIG_PATH: host.configPath,
    HOME: host.home,
    ...(withOpenClaw ? {CLAW_MESH_OPENCLAW: OPENCLAW} : {}),
    NO_COLOR: '1',
  }
  try {
    const walls = []
    const inner = []
    let lines = 0
    for (let r = 0; r < runs; r++) {
      const res = await runCli(['doctor', '--timeout', timeout, '--json'], env)
      const doc = JSON.parse(res.stdout)
      const health = doc.checks.filter((c) => c.id === 'peer-health')
      const down = health.filter((c) => c.status === 'fail').length
      const up = health.filter((c) => c.status === 'pass').length
      if (res.code !== 5 || down !== silent || up !== count - silent || doc.summary.crashed !== 0) {
        throw new Error(
          `unexpected result (exit ${res.code}): ${down} down, ${up} up, ${JSON.stringify(doc.summary)}\n${res.stderr}`,
        )
      }
      walls.push(res.ms)
      inner.push(doc.durationMs)
      lines = doc.checks.length
      const slowest = [...doc.checks].sort((a, b) => b.durationMs - a.durationMs).slice(0, 4)
      process.stderr.write(
        `bench doctor: run ${r + 1}: ${(res.ms / 1000).toFixed(2)} s; slowest: ${slowest.map((c) => `${c.id}${c.peer ? `:${c.peer}` : ''} ${c.durationMs} ms`).join(', ')}\n`,
      )
    }
    const wall = median(walls)
    const checks = median(inner)
    return [
      `| \`doctor\` ${count} peers (${silent} silent), --timeout ${timeout}, median of ${runs}${withOpenClaw ? ', real openclaw' : ''} | ${(wall / 1000).toFixed(2)} s wall | checks ${(checks / 1000).toFixed(2)} s = timeout + ${((checks - timeoutMs) / 1000).toFixed(2)} s; ${lines} check results, ${count} pings (25 at a time) |`,
    ]
  } finally {
    await fleet.close()
    rmSync(host.home, {recursive: true, force: true})
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const row of await benchDoctor()) console.log(row)
}
