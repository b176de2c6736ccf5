import {spawn, type ChildProcess} from 'node:child_process'
import {randomBytes} from 'node:crypto'
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type {NetnsHost} from './netns.js'
import {runTool} from './openclaw.js'
import {
  configureScriptedModel,
  messageText,
  startScriptedModel,
  toolNames,
  type ModelRequest,
  type Script,
  type ScriptedModel,
} from './scripted-model.js'

/**
 * One test host with a real agent runtime: a real OpenClaw gateway in a network namespace (no default route)
 * whose agents' model is a scripted model on that namespace's 127.0.0.1. The A2A config is hand-written here on
 * purpose, minimal and self-contained; claw-mesh's own provisioning is what the mesh tests exercise.
 */
export interface AgentHost {
  name: string
  net: NetnsHost
  port: number
  /** `http://<tailnet ip>:<port>` */
  url: string
  dir: string
  configPath: string
  env: Record<string, string>
  model: ScriptedModel
  gatewayToken: string
  /** Runs a command inside this host's namespace with its OpenClaw environment. */
  run(
    cmd: string,
    args: string[],
    opts?: {input?: string; env?: Record<string, string>},
  ): Promise<{exitCode: number; stdout: string; stderr: string}>
  /** `openclaw <args>` on this host. */
  openclaw(args: string[], opts?: {input?: string}): Promise<{exitCode: number; stdout: string; stderr: string}>
  startGateway(): Promise<void>
  stopGateway(): Promise<void>
  cleanup(): Promise<void>
}

export interface A2aPeerConfig {
  /** What this peer presents to us. */
  token: string
  /** The peer's JSON-RPC endpoint and what we present to it (outbound). */
  url?: string
  outboundToken?: string
}

const token = () => randomBytes(24).toString('base64url')

export async function createAgentHost(opts: {
  net: NetnsHost
  openclaw: string
  node: string
  script: Script
  port?: number
}): Promise<AgentHost> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `cm-agent-${opts.net.name}-`))
  const home = path.join(dir, 'home')
  const stateDir = path.join(dir, 'openclaw')
  mkdirSync(home, {recursive: true})
  mkdirSync(stateDir, {recursive: true, mode: 0o700})
  const configPath = path.join(stateDir, 'openclaw.json')
  const port = opts.port ?? 18789
  const gatewayToken = token()
  const env: Record<string, string> = {
    PATH: [
      path.dirname(opts.node),
      path.dirname(opts.openclaw),
      '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    ].join(path.delimiter),
    HOME: home,
    OPENCLAW_STATE_DIR: stateDir,
    OPENCLAW_CONFIG_PATH: configPath,
    NO_COLOR: '1',
  }
  const inNs = ['ip', 'netns', 'exec', opts.net.ns]
  const model = await startScriptedModel({
    dir: path.join(dir, 'model'),
    script: opts.script,
    node: opts.node,
    prefix: inNs,
  })
  writeFileSync(
    configPath,
    // No recurring heartbeat: by default its output goes to the "owner" route, which with A2A peers configured was
    // seen to be a peer — two paired hosts then message each other every cycle, and the model log stops being
    // deterministic.
    JSON.stringify(
      {
        gateway: {mode: 'local', port, bind: 'tailnet', auth: {mode: 'token', token: gatewayToken}},
        agents: {defaults: {heartbeat: {every: '0m'}}},
      },
      null,
      2,
    ),
    {mode: 0o600},
  )
  configureScriptedModel(configPath, model.baseUrl)
  let gateway: ChildProcess | undefined
  const run: AgentHost['run'] = (cmd, args, runOpts = {}) =>
    runTool(cmd, args, {env: {...env, ...runOpts.env}, input: runOpts.input, prefix: inNs})
  const host: AgentHost = {
    name: opts.net.name,
    net: opts.net,
    port,
    url: `http://${opts.net.ip}:${port}`,
    dir,
    configPath,
    env,
    model,
    gatewayToken,
    run,
    openclaw: (args, o) => run(opts.openclaw, args, o),
    async startGateway() {
      const log = path.join(dir, 'gateway.log')
      gateway = spawn('sh', ['-c', `exec "$0" "$@" >>'${log}' 2>&1`, ...inNs, opts.openclaw, 'gateway'], {
        env,
        stdio: 'ignore',
        detached: true,
      })
      // Healthy first, then the A2A routes: for ~10 s after /healthz they say "Plugin runtime is starting".
      const deadline = Date.now() + 120_000
      for (;;) {
        const r = await run('curl', ['-s', '-m', '2', `http://127.0.0.1:${port}/.well-known/agent-card.json`])
        if (r.stdout.startsWith('{') && r.stdout.includes('supportedInterfaces')) return
        if (gateway.exitCode !== null) throw new Error(`[${host.name}] gateway exited ${gateway.exitCode}; log: ${log}`)
        if (Date.now() > deadline) throw new Error(`[${host.name}] A2A agent card not served within 120 s; log: ${log}`)
        await new Promise((r2) => setTimeout(r2, 500))
      }
    },
    async stopGateway() {
      if (!gateway?.pid) return
      try {
        process.kill(-gateway.pid, 'SIGTERM')
      } catch {
        // gone
      }
      const deadline = Date.now() + 15_000
      while (gateway.exitCode === null && gateway.signalCode === null && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 200))
      gateway = undefined
    },
    async cleanup() {
      await host.stopGateway()
      model.stop()
      if (!process.env.CLAW_MESH_KEEP_TEST_DIRS) rmSync(dir, {recursive: true, force: true})
    },
  }
  return host
}

/** The minimal `channels.a2a` for a host: enabled, advertised at its tailnet URL, and its peers. */
export function a2aChannelConfig(host: {url: string}, peers: Record<string, A2aPeerConfig>) {
  return {enabled: true, advertisedUrl: host.url, peers}
}

/** Sets `channels.a2a` in a host's openclaw.json (every other key kept); a running gateway hot-reloads it. */
export function writeA2aConfig(
  host: AgentHost,
  peers: Record<string, A2aPeerConfig>,
  extra: Record<string, unknown> = {},
): void {
  const config = JSON.parse(readFileSync(host.configPath, 'utf8')) as Record<string, Record<string, unknown>>
  config.channels = {...config.channels, a2a: {...a2aChannelConfig(host, peers), ...extra}}
  writeFileSync(host.configPath, JSON.stringify(config, null, 2), {mode: 0o600})
}

/**
 * Pairs two hosts both ways with a distinct token per direction: `a` knows `b` as peer `b.name` and vice versa.
 * Returns the tokens so a test can also call either side with raw JSON-RPC as that peer.
 */
export function pairA2a(a: AgentHost, b: AgentHost): {aToB: string; bToA: string} {
  const aToB = token()
  const bToA = token()
  writeA2aConfig(a, {[b.name]: {token: bToA, url: `${b.url}/a2a/v1`, outboundToken: aToB}})
  writeA2aConfig(b, {[a.name]: {token: aToB, url: `${a.url}/a2a/v1`, outboundToken: bToA}})
  return {aToB, bToA}
}

/** One raw A2A JSON-RPC call from inside `from`'s namespace to `to`, presenting `token` (independent of claw-mesh). */
export async function a2aRpc(
  from: AgentHost,
  to: AgentHost,
  token: string,
  method: string,
  params: unknown,
): Promise<{status: number; body: Record<string, unknown>}> {
  const req = JSON.stringify({jsonrpc: '2.0', id: `t-${Date.now()}`, method, params})
  // The token goes in a curl config on stdin, not in argv.
  const cfg = `header = "authorization: Bearer ${token}"\nheader = "content-type: application/json"\ndata = ${JSON.stringify(req)}\n`
  const r = await from.run('curl', ['-s', '-m', '200', '-K', '-', '-w', '\n%{http_code}', `${to.url}/a2a/v1`], {
    input: cfg,
  })
  const cut = r.stdout.lastIndexOf('\n')
  const text = r.stdout.slice(0, cut)
  return {
    status: Number(r.stdout.slice(cut + 1)),
    body: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : {raw: text},
  }
}

/** One owner turn on a host: `openclaw agent --agent main --json --message TEXT` (a Gateway-backed operator turn). */
export async function ownerTurn(
  host: AgentHost,
  text: string,
): Promise<{exitCode: number; ms: number; status?: string; text: string; raw: string}> {
  const started = Date.now()
  const r = await host.openclaw(['agent', '--agent', 'main', '--json', '--message', text])
  const ms = Date.now() - started
  try {
    const out = JSON.parse(r.stdout) as {status?: string; result?: {payloads?: Array<{text?: string}>}}
    return {
      exitCode: r.exitCode,
      ms,
      status: out.status,
      text: (out.result?.payloads ?? []).map((p) => p.text ?? '').join('\n'),
      raw: r.stdout,
    }
  } catch {
    return {exitCode: r.exitCode, ms, text: '', raw: `${r.stdout}\n${r.stderr}`}
  }
}

/**
 * The tools an OpenClaw run offered its model: `direct` (the request's tool schemas) and `deferred` (the catalog
 * behind tool_search/tool_call, listed in the system prompt under "Available deferred-schema tools:").
 */
export function toolSurface(r: ModelRequest): {direct: string[]; deferred: string[]} {
  const system = messageText(r.body?.messages.find((m) => m.role === 'system'))
  const block = /Available deferred-schema tools:\n([\s\S]*?)\n\n/.exec(system)?.[1] ?? ''
  const deferred = block
    .split('\n')
    .map((l) => /^- ([A-Za-z0-9_.-]+)/.exec(l)?.[1])
    .filter((n): n is string => Boolean(n))
  return {direct: toolNames(r), deferred}
}

/**
 * Waits until `to`'s agent answers a SendMessage from `from` (as peer `from.name`). For a while after the A2A routes
 * come up, a run can still fail with "another OpenClaw process owns state-lifecycle" (the gateway's startup state
 * maintenance, ~1 min on a loaded 2-core machine): a test that needs a real answer waits this out once.
 */
export async function waitForAgent(
  from: AgentHost,
  to: AgentHost,
  token: string,
  timeoutMs = 180_000,
): Promise<{attempts: number; ms: number}> {
  const started = Date.now()
  for (let attempts = 1; ; attempts++) {
    const r = await a2aRpc(from, to, token, 'SendMessage', {
      message: {messageId: `warm-up-${Date.now()}`, role: 'ROLE_USER', parts: [{text: 'warm-up'}]},
    })
    const state =
      (r.body.result as {task?: {status?: {state?: string}}} | undefined)?.task?.status?.state ?? `HTTP ${r.status}`
    if (state === 'TASK_STATE_COMPLETED') return {attempts, ms: Date.now() - started}
    if (Date.now() - started > timeoutMs)
      throw new Error(
        `[${to.name}] agent still not answering after ${timeoutMs} ms (last: ${state} ${JSON.stringify(r.body).slice(0, 300)})`,
      )
    await new Promise((res) => setTimeout(res, 2000))
  }
}
