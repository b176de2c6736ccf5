import {findPeerNode} from '../../core/checks/peers.js'
import {peerHostKind} from '../../core/peer-url.js'
import type {PeerRecord} from '../../core/state-schema.js'
import {summarizeStatus, parseStatusJson, type TailscaleSummary} from '../../core/tailscale-status.js'
import type {Deps} from '../../deps.js'
import {describeFailure, HttpFailure, type HttpResponse} from '../../infra/http.js'
import {openTailscale} from '../tailscale/cli.js'
import {peerToken, requirePeer} from './records.js'

export type ProbeStatus = 'ok' | 'warn' | 'fail' | 'skip'
export type PeerStatus = 'ok' | 'degraded' | 'down'

export interface ProbeResult {
  status: ProbeStatus
  detail: string
  httpStatus?: number
  latencyMs?: number
}

export interface PeerCheckResult {
  name: string
  url: string
  messaging: boolean
  status: PeerStatus
  /** Latency of the /healthz answer, when there was one. */
  latencyMs?: number
  probes: {tailnet: ProbeResult; healthz: ProbeResult; readyz: ProbeResult; hooks: ProbeResult}
  /** What is wrong, one line (empty when ok). */
  detail: string
  /** The next step, when something is wrong. */
  remedy?: string
}

export interface CheckPeersResult {
  peers: PeerCheckResult[]
  tailscale: {available: boolean; note?: string}
  timeoutMs: number
  elapsedMs: number
  summary: Record<PeerStatus, number>
}

/** Extra time granted past the per-peer timeout before a probe is abandoned, whatever the HTTP client does. */
const GRACE_MS = 250

type Outcome = {response: HttpResponse} | {failure: string}

/** One HTTP request that always settles by its deadline: a peer that accepts TCP and never answers cannot stall the run. */
async function probe(deps: Pick<Deps, 'http'>, req: {method?: string; url: string; headers?: Record<string, string>; body?: string}, timeoutMs: number): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({failure: describeFailure('timeout')}), timeoutMs + GRACE_MS)
  })
  const request = deps.http.request({...req, timeoutMs}).then(
    (response): Outcome => ({response}),
    (error): Outcome => ({failure: error instanceof HttpFailure ? describeFailure(error.kind) : String((error as Error)?.message ?? error)}),
  )
  try {
    return await Promise.race([request, deadline])
  } finally {
    clearTimeout(timer)
  }
}

async function readTailnet(deps: Deps, timeoutMs: number): Promise<{summary?: TailscaleSummary; note?: string}> {
  try {
    const cli = openTailscale(deps)
    const result = await cli.checked('status', ['status', '--json'], timeoutMs)
    return {summary: summarizeStatus(parseStatusJson(result.stdout))}
  } catch (error) {
    return {note: `tailnet presence not checked: ${(error as Error).message.split('\n')[0]}`}
  }
}


function tailnetProbe(record: PeerRecord, ts: {summary?: TailscaleSummary; note?: string}): ProbeResult {
  const kind = peerHostKind(new URL(record.url).hostname)
  if (!ts.summary) return {status: 'skip', detail: 'tailscale unavailable'}
  if (ts.summary.backendState !== 'Running') return {status: 'fail', detail: `this machine's Tailscale is ${ts.summary.backendState}`}
  const node = findPeerNode(ts.summary, record)
  if (!node) {
    // A peer known only by a loopback (tunnel) or public URL need not be in the tailnet at all.
    if (!record.hostname && (kind === 'loopback' || kind === 'other')) return {status: 'skip', detail: 'not a tailnet URL'}
    return {status: 'fail', detail: "not in this tailnet's peer list"}
  }
  if (!node.online) return {status: 'fail', detail: `offline in the tailnet${node.lastSeen ? ` (last seen ${node.lastSeen})` : ''}`}
  return {status: 'ok', detail: `online (${node.hostname}${node.relay && !node.curAddr ? `, via DERP ${node.relay}` : ''})`}
}

function healthProbe(outcome: Outcome, what: 'live' | 'ready'): ProbeResult {
  if ('failure' in outcome) return {status: 'fail', detail: outcome.failure}
  const {status, latencyMs} = outcome.response
  if (status === 200) return {status: 'ok', detail: what, httpStatus: status, latencyMs}
  if (status === 503) return {status: 'fail', detail: what === 'ready' ? 'not ready (503)' : 'starting or draining (503)', httpStatus: status, latencyMs}
  if (status === 404) return {status: 'fail', detail: 'answers, but not like an OpenClaw gateway (404)', httpStatus: status, latencyMs}
  return {status: 'fail', detail: `unexpected HTTP ${status}`, httpStatus: status, latencyMs}
}

function hooksProbe(outcome: Outcome): ProbeResult {
  if ('failure' in outcome) return {status: 'fail', detail: outcome.failure}
  const {status, latencyMs, headers} = outcome.response
  const base = {httpStatus: status, latencyMs}
  // `POST /hooks/wake {}`: the gateway checks the token before the body, so 400 ("text required") means accepted.
  if (status === 400 || status === 200) return {...base, status: 'ok', detail: 'token accepted'}
  if (status === 401) return {...base, status: 'fail', detail: 'token refused (401)'}
  if (status === 429) return {...base, status: 'warn', detail: `rate-limited (429${headers['retry-after'] ? `, retry after ${headers['retry-after']}s` : ''})`}
  if (status === 404) return {...base, status: 'fail', detail: 'hooks are not enabled on the peer (404)'}
  return {...base, status: 'fail', detail: `unexpected HTTP ${status}`}
}

function remedyFor(r: PeerCheckResult): string | undefined {
  const {tailnet, healthz, readyz, hooks} = r.probes
  if (tailnet.status === 'fail' && tailnet.detail.startsWith('offline')) return `${r.name} is offline in Tailscale: wake the machine or start Tailscale on it.`
  if (healthz.status === 'fail') {
    if (healthz.detail.startsWith('connection refused')) return `Nothing listens at ${r.url}: start the gateway on ${r.name} (claw-mesh gateway status there).`
    if (healthz.detail.startsWith('no answer')) return `No answer from ${r.url}: check the machine is on the tailnet and its gateway is bound to the tailnet, not loopback only.`
    if (healthz.httpStatus === 404) return `Something else answers at ${r.url}: check the port (OpenClaw's default is 18789) and that the URL points at the gateway.`
    return `Check the gateway on ${r.name} (claw-mesh gateway status there) and the URL (${r.url}).`
  }
  if (hooks.status === 'fail' && hooks.httpStatus === 401) return `${r.name}'s hooks token changed: ask for a new invite (claw-mesh invite there) and run claw-mesh peer add --invite - here.`
  if (hooks.status === 'warn') return 'Too many refused hooks tokens from this machine: wait a minute before checking again.'
  if (hooks.status === 'fail' && hooks.detail.includes('secret store')) return `Re-add the peer with its token: claw-mesh peer add --invite - (or --hooks-token file:PATH).`
  if (hooks.status === 'fail') return `Enable hooks on ${r.name} (claw-mesh bootstrap there).`
  if (readyz.status === 'fail') return `The gateway on ${r.name} is live but not ready: run openclaw health there.`
  if (tailnet.status === 'fail') return 'Check claw-mesh tailscale status on both machines.'
  return undefined
}

function verdict(r: Omit<PeerCheckResult, 'status' | 'detail' | 'remedy'>): PeerStatus {
  if (r.probes.healthz.status !== 'ok') return 'down'
  return Object.values(r.probes).every((p) => p.status === 'ok' || p.status === 'skip') ? 'ok' : 'degraded'
}

async function checkOne(deps: Deps, record: PeerRecord, token: string | undefined, tokenMissing: boolean, timeoutMs: number, tailnet: Promise<{summary?: TailscaleSummary; note?: string}>): Promise<PeerCheckResult> {
  const base = record.url
  // At most one authenticated request per peer per run: the gateway throttles failed attempts (20/min → 429).
  const hooks = token
    ? probe(deps, {method: 'POST', url: `${base}/hooks/wake`, headers: {authorization: `Bearer ${token}`, 'content-type': 'application/json'}, body: '{}'}, timeoutMs).then(hooksProbe)
    : Promise.resolve<ProbeResult>(tokenMissing ? {status: 'fail', detail: 'hooks token missing from the secret store'} : {status: 'skip', detail: 'messaging off (no hooks token)'})
  const [healthz, readyz, hooksResult, ts] = await Promise.all([
    probe(deps, {url: `${base}/healthz`}, timeoutMs).then((o) => healthProbe(o, 'live')),
    probe(deps, {url: `${base}/readyz`}, timeoutMs).then((o) => healthProbe(o, 'ready')),
    hooks,
    tailnet,
  ])
  const partial = {name: record.name, url: record.url, messaging: record.messaging, latencyMs: healthz.latencyMs, probes: {tailnet: tailnetProbe(record, ts), healthz, readyz, hooks: hooksResult}}
  const status = verdict(partial)
  const problems = Object.entries(partial.probes).filter(([, p]) => p.status === 'fail' || p.status === 'warn').map(([id, p]) => `${id}: ${p.detail}`)
  const result: PeerCheckResult = {...partial, status, detail: problems.join('; ')}
  if (status !== 'ok') result.remedy = remedyFor(result)
  return result
}

/**
 * Checks every peer (or the named ones) concurrently, each bounded by `timeoutMs`: tailnet presence from one
 * `tailscale status` call, /healthz, /readyz and one hooks-token probe. Records each verdict in `lastCheck`.
 */
export async function checkPeers(
  deps: Deps,
  opts: {
    names?: string[]
    timeoutMs: number
    /** A tailnet view the caller already read (doctor shares one `tailscale status` among all its checks). */
    tailnet?: Promise<{summary?: TailscaleSummary; note?: string}>
  },
): Promise<CheckPeersResult> {
  const state = deps.store.read()
  const records = opts.names && opts.names.length > 0 ? opts.names.map((n) => requirePeer(state, n)) : Object.values(state.peers).sort((a, b) => a.name.localeCompare(b.name))
  if (records.length === 0) return {peers: [], tailscale: {available: false, note: 'no peers'}, timeoutMs: opts.timeoutMs, elapsedMs: 0, summary: {ok: 0, degraded: 0, down: 0}}
  const started = performance.now()
  const secrets = records.some((r) => r.messaging) ? await deps.secrets() : undefined
  const tokens = await Promise.all(records.map((r) => (secrets ? peerToken(deps, secrets, r) : undefined)))
  const tailnet = opts.tailnet ?? readTailnet(deps, opts.timeoutMs)
  const peers = await Promise.all(records.map((r, i) => checkOne(deps, r, tokens[i], r.messaging && !tokens[i], opts.timeoutMs, tailnet)))
  const ts = await tailnet
  const at = deps.clock.now().toISOString()
  deps.store.update((s) => {
    for (const p of peers) {
      const record = s.peers[p.name]
      if (record && record.url === p.url) record.lastCheck = {at, status: p.status, latencyMs: p.latencyMs, detail: p.detail || undefined}
    }
  })
  const summary = {ok: 0, degraded: 0, down: 0}
  for (const p of peers) summary[p.status]++
  return {peers, tailscale: {available: Boolean(ts.summary), note: ts.note}, timeoutMs: opts.timeoutMs, elapsedMs: Math.round(performance.now() - started), summary}
}
