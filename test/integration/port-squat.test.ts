import {spawn, type ChildProcess} from 'node:child_process'
import {chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync} from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {linuxLoopbackListeners} from '../../src/platform/listeners-linux.js'
import {runCli, tempHome} from '../helpers/built-cli.js'
import {tempDir} from '../helpers/fakes/index.js'

/**
 * Loopback port squatting (issue 11, #3): with the gateway down, ANOTHER user binds 127.0.0.1:<gateway port> and
 * answers exactly like an OpenClaw gateway (/healthz, the WebSocket challenge, POST /hooks/wake). Before, gateway
 * start "proved" both tokens to it, doctor said the port was the gateway's, the watchdog saw a healthy gateway.
 * Needs root (to run the squatter as uid 65534) and /usr/bin/node for that user.
 */
const HERE = path.dirname(fileURLToPath(import.meta.url))
const NOBODY = 65534
const canRun = process.getuid?.() === 0 && existsSync('/usr/bin/node') && existsSync('/usr/bin/setpriv')

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const {port} = s.address() as net.AddressInfo
      s.close(() => resolve(port))
    })
  })
}

describe.skipIf(!canRun)('a squatter on the gateway port, as another user', () => {
  let dir: string
  let log: string
  let port: number
  let squatter: ChildProcess
  let home: ReturnType<typeof tempHome>
  let env: Record<string, string>
  const tokens = {gateway: `gw-${'g'.repeat(60)}`, hooks: `hk-${'h'.repeat(60)}`}

  beforeAll(async () => {
    dir = tempDir('squat').path
    chmodSync(dir, 0o777)
    copyFileSync(path.join(HERE, '..', 'helpers', 'squatter.mjs'), path.join(dir, 'squatter.mjs'))
    chmodSync(path.join(dir, 'squatter.mjs'), 0o644)
    log = path.join(dir, 'squatter.log')
    port = await freePort()
    squatter = spawn(
      'setpriv',
      [
        `--reuid=${NOBODY}`,
        `--regid=${NOBODY}`,
        '--clear-groups',
        '/usr/bin/node',
        path.join(dir, 'squatter.mjs'),
        String(port),
        log,
      ],
      {stdio: 'inherit'},
    )
    for (let i = 0; i < 100 && !(existsSync(log) && readFileSync(log, 'utf8').includes('listening')); i++)
      await new Promise((r) => setTimeout(r, 50))

    // A machine claw-mesh configured for that port, its gateway down (OpenClaw itself is a stand-in: it is never started).
    home = tempHome()
    mkdirSync(path.join(home.dir, 'bin'))
    const oc = path.join(home.dir, 'bin', 'openclaw')
    writeFileSync(
      oc,
      '#!/bin/sh\ncase "$1" in --version) echo "OpenClaw 2026.9.6 (test)";; config) echo \'{"valid":true,"issues":[]}\';; *) exit 1;; esac\n',
      {mode: 0o755},
    )
    const configPath = path.join(home.dir, 'openclaw', 'openclaw.json')
    env = {...home.env, CLAW_MESH_OPENCLAW: oc, OPENCLAW_CONFIG_PATH: configPath}
    const configure = await runCli(['gateway', 'configure', '--no-plugin', '--port', String(port), '--json'], {env})
    expect(configure.exitCode, configure.stderr).toBe(0)
    // As after a gateway start that applied it: nothing pending, so a healthy answer on the port gets the token proofs.
    const statePath = path.join(home.dir, 'state.json')
    const state = JSON.parse(readFileSync(statePath, 'utf8')) as {gateway: Record<string, unknown>}
    writeFileSync(
      statePath,
      JSON.stringify({...state, gateway: {...state.gateway, pending: [], appliedPort: port, runner: 'external'}}),
      {mode: 0o600},
    )
    // The tokens claw-mesh keeps (the file store), recognisable in the squatter's log.
    const secrets = JSON.parse(readFileSync(path.join(home.dir, 'secrets.json'), 'utf8')) as Record<string, string>
    writeFileSync(
      path.join(home.dir, 'secrets.json'),
      JSON.stringify({...secrets, 'gateway-token': tokens.gateway, 'hooks-token': tokens.hooks}),
      {mode: 0o600},
    )
  }, 120_000)

  afterAll(() => {
    squatter?.kill('SIGKILL')
    home?.cleanup()
  })

  /** Every credential the squatter was handed so far (it logs headers, bodies and WebSocket frames). */
  const captured = () => {
    const text = readFileSync(log, 'utf8')
    return [tokens.gateway, tokens.hooks].filter((t) => text.includes(t))
  }

  it('the Linux probe sees the listener, its owner and its process', () => {
    const l = linuxLoopbackListeners(port)
    expect(l).toMatchObject({
      known: true,
      holders: [{uid: NOBODY, pid: expect.any(Number), cmdline: expect.stringContaining('squatter.mjs')}],
    })
  })

  it("bootstrap's plan sees the other user's listener before anything is joined or written (exit 3, the next free port)", async () => {
    const key = path.join(home.dir, 'ts.key')
    writeFileSync(key, `tskey-auth-k${'x'.repeat(40)}\n`, {mode: 0o600})
    const statePath = path.join(home.dir, 'state.json')
    const before = readFileSync(statePath, 'utf8')
    const run = await runCli(
      ['bootstrap', '--identity', 'second', '--tailscale-key', `file:${key}`, '--install', '--dry-run', '--json'],
      {env},
    )
    expect(run.exitCode, run.stdout + run.stderr).toBe(3)
    const doc = run.json<{ok: boolean; error: {code: string; message: string; hint: string}}>()
    expect(doc.error.code).toBe('gateway-port-taken')
    expect(doc.error.message).toMatch(
      new RegExp(`127\\.0\\.0\\.1:${port} is held by another user: uid 65534 \\(nobody\\)`),
    )
    expect(doc.error.hint).toMatch(/--port \d+ \(free now\)/)
    expect(readFileSync(statePath, 'utf8')).toBe(before)
    expect(captured()).toEqual([])
  })

  it('gateway start refuses, naming the process holding the port, and sends it no token', async () => {
    const run = await runCli(['gateway', 'start', '--json', '--timeout', '20s'], {env, timeoutMs: 90_000})
    expect(run.exitCode, run.stdout + run.stderr).not.toBe(0)
    const doc = run.json<{ok: boolean; error: {code: string; message: string}}>()
    expect(doc.ok).toBe(false)
    expect(doc.error.message).toMatch(
      new RegExp(
        `127\\.0\\.0\\.1:${port} is held by another user: uid 65534 \\(nobody\\), pid \\d+ \\(/usr/bin/node .*squatter\\.mjs`,
      ),
    )
    expect(captured()).toEqual([])
  }, 120_000)

  it("doctor's gateway-port check fails naming the squatter, and the token handshake is not attempted", async () => {
    const run = await runCli(['doctor', '--json'], {env, timeoutMs: 90_000})
    const checks = run.json<{checks: {id: string; status: string; detail: string}[]}>().checks
    const byId = Object.fromEntries(checks.map((c) => [c.id, c]))
    expect(byId['gateway-port']).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/held by another user: uid 65534 \(nobody\)/),
    })
    expect(byId['gateway-token-accepted']?.detail ?? '').toMatch(/not sent|held by another user/)
    expect(captured()).toEqual([])
  }, 120_000)

  it("the watchdog counts the squatter's 200 as a gateway that is down", async () => {
    const run = await runCli(['watchdog', 'run', '--json'], {env, timeoutMs: 60_000})
    const doc = run.json<{healthy: boolean; detail: string}>()
    expect(doc.healthy).toBe(false)
    expect(doc.detail).toMatch(/HTTP 200, but 127\.0\.0\.1:\d+ is held by another user: uid 65534/)
    expect(captured()).toEqual([])
  }, 90_000)
})
