import {findPeerNode} from '../../core/checks/peers.js'
import {peerHostKind} from '../../core/pairing/peer-url.js'
import {acceptedBy, peerIdentity, type PeerIdentity} from '../../core/pairing/peer-identity.js'
import type {PeerRecord} from '../../core/common/state-schema.js'
import {peerOf} from '../../core/common/state-schema.js'
import {summarizeStatus, parseStatusJson, type TailscaleSummary} from '../../core/tailscale/tailscale-status.js'
import type {Deps} from '../../deps.js'
import {describeFailure, HttpFailure, type HttpResponse} from '../../infra/http.js'
import {requireTailscaleCli} from '../tailscale/cli.js'
import {createMachineView, type MachineView} from '../machine/view.js'
import {randomUUID} from 'node:crypto'
import {readA2aSettings, type A2aSettings} from '../../core/a2a/a2a-config.js'
import {getTaskBody} from '../../core/a2a/a2a-protocol.js'
import {callA2a, fetchAgentCard, type A2aOutcome} from '../a2a/client.js'
import {a2aAnswerProbe, checkForeign} from './check-foreign.js'
import {readPairTokens, type PairTokensStored} from '../a2a/tokens.js'
import type {PeerCard} from '../../core/mesh/mesh-card.js'
import {CARD_TIMEOUT_MS, fetchPeerCard, recordCards} from './cards.js'
import {peerToken, requirePeer} from './records.js'
import {remedyFor} from './check-remedy.js'
import {byName} from '../../core/common/order.js'
import {monotonicMs} from '../../core/common/duration.js'

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
  /** A foreign A2A agent (checked by its card and one authenticated call); absent for OpenClaw gateways. */
  kind?: 'foreign'
  status: PeerStatus
  /** Latency of the /healthz answer (a foreign agent: of its card and A2A answers), when there was one. */
  latencyMs?: number
  probes: {
    tailnet: ProbeResult
    healthz: ProbeResult
    readyz: ProbeResult
    hooks: ProbeResult
    agentCard: ProbeResult
    a2a: ProbeResult
    a2aHere: ProbeResult
  }
  /** What is wrong, one line (empty when ok). */
  detail: string
  /** What the peer offers, from its claw-mesh card (when it served one; recorded in state with the verdict). */
  card?: PeerCard
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
async function probe(
  deps: Pick<Deps, 'http'>,
  req: {method?: string; url: string; headers?: Record<string, string>; body?: string},
  timeoutMs: number,
): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({failure: describeFailure('timeout')}), timeoutMs + GRACE_MS)
  })
  const request = deps.http.request({...req, timeoutMs}).then(
    (response): Outcome => ({response}),
    (error): Outcome => ({
      failure: error instanceof HttpFailure ? describeFailure(error.kind) : String((error as Error)?.message ?? error),
    }),
  )
  try {
    return await Promise.race([request, deadline])
  } finally {
    clearTimeout(timer)
  }
}

/** The tailnet as the view's one `tailscale status --json` saw it, or why it could not be read. */
async function readTailnet(deps: Deps, view: MachineView): Promise<{summary?: TailscaleSummary; note?: string}> {
  try {
    const {cli, result} = await view.tailscaleStatus()
    if (!cli || !result) requireTailscaleCli(deps)
    if (result!.exitCode !== 0) throw cli!.failure('status', ['status', '--json'], result!)
    return {summary: summarizeStatus(parseStatusJson(result!.stdout))}
  } catch (error) {
    return {note: `tailnet presence not checked: ${(error as Error).message.split('\n')[0]}`}
  }
}

const GONE = "not in this tailnet's peer list"

function tailnetProbe(record: PeerRecord, ts: {summary?: TailscaleSummary; note?: string}): ProbeResult {
  const kind = peerHostKind(new URL(record.url).hostname, ts.summary?.magicDNSSuffix ?? undefined)
  if (!ts.summary) return {status: 'skip', detail: 'tailscale unavailable'}
  if (ts.summary.backendState !== 'Running')
    return {status: 'fail', detail: `this machine's Tailscale is ${ts.summary.backendState}`}
  const node = findPeerNode(ts.summary, record)
  if (!node) {
    // A peer known only by a loopback (tunnel) or public URL need not be in the tailnet at all.
    if (!record.hostname && (kind === 'loopback' || kind === 'other'))
      return {status: 'skip', detail: 'not a tailnet URL'}
    return {status: 'fail', detail: GONE}
  }
  if (!node.online)
    return {status: 'fail', detail: `offline in the tailnet${node.lastSeen ? ` (last seen ${node.lastSeen})` : ''}`}
  return {
    status: 'ok',
    detail: `online (${node.hostname}${node.relay && !node.curAddr ? `, via DERP ${node.relay}` : ''})`,
  }
}

function healthProbe(outcome: Outcome, what: 'live' | 'ready'): ProbeResult {
  if ('failure' in outcome) return {status: 'fail', detail: outcome.failure}
  const {status, latencyMs} = outcome.response
  if (status === 200) return {status: 'ok', detail: what, httpStatus: status, latencyMs}
  if (status === 503)
    return {
      status: 'fail',
      detail: what === 'ready' ? 'not ready (503)' : 'starting or draining (503)',
      httpStatus: status,
      latencyMs,
    }
  if (status === 404)
    return {status: 'fail', detail: 'answers, but not like an OpenClaw gateway (404)', httpStatus: status, latencyMs}
  return {status: 'fail', detail: `unexpected HTTP ${status}`, httpStatus: status, latencyMs}
}

function hooksProbe(outcome: Outcome): ProbeResult {
  if ('failure' in outcome) return {status: 'fail', detail: outcome.failure}
  const {status, latencyMs, headers} = outcome.response
  const base = {httpStatus: status, latencyMs}
  // `POST /hooks/wake {}`: the gateway checks the token before the body, so 400 ("text required") means accepted.
  if (status === 400 || status === 200) return {...base, status: 'ok', detail: 'token accepted'}
  if (status === 401) return {...base, status: 'fail', detail: 'token refused (401)'}
  if (status === 429)
    return {
      ...base,
      status: 'warn',
      detail: `rate-limited (429${headers['retry-after'] ? `, retry after ${headers['retry-after']}s` : ''})`,
    }
  if (status === 404) return {...base, status: 'fail', detail: 'hooks are not enabled on the peer (404)'}
  return {...base, status: 'fail', detail: `unexpected HTTP ${status}`}
}

/** Seen live: OpenClaw serves no A2A routes (404) until its channel has a peer, so an inviter that has not run the reply yet looks like a gateway without A2A. */
const NOT_YET =
  "not accepted yet: its A2A channel has no peer configured until it runs this machine's reply (or, in a fleet, discovers it)"

function agentCardProbe(record: PeerRecord, found: Awaited<ReturnType<typeof fetchAgentCard>>): ProbeResult {
  if (!record.a2a) return {status: 'skip', detail: 'not paired over A2A'}
  if (!found.card && found.status === 404 && record.a2a.awaitingReply)
    return {status: 'skip', detail: NOT_YET, httpStatus: 404}
  if (!found.card)
    return {
      status: found.status === 404 ? 'fail' : 'warn',
      detail:
        found.status === 404
          ? 'no A2A channel on the peer (404: OpenClaw older than 2026.9.6, or A2A off)'
          : `no Agent Card: ${found.failure}`,
      httpStatus: found.status,
    }
  if (found.card.url && found.card.url !== record.a2a.url)
    return {
      status: 'warn',
      detail: `the Agent Card advertises ${found.card.url}, this machine calls ${record.a2a.url}`,
      httpStatus: 200,
    }
  return {
    status: 'ok',
    detail: `${found.card.name}${found.card.version ? ` ${found.card.version}` : ''}, agents ${found.card.skills.join(', ') || '-'}`,
    httpStatus: 200,
  }
}

function a2aTokenProbe(record: PeerRecord, outcome: A2aOutcome | undefined): ProbeResult {
  if (!record.a2a) return {status: 'skip', detail: 'not paired over A2A'}
  if (!outcome) return {status: 'fail', detail: 'half-paired: no token for calling it in the secret store'}
  // GetTask on an id nobody has: "task not found" can only come after the token was accepted.
  if (outcome.kind === 'rpc-error' && outcome.code === -32001) return {status: 'ok', detail: 'our token accepted'}
  if (outcome.kind === 'no-a2a' && outcome.status === 404 && record.a2a.awaitingReply)
    return {status: 'skip', detail: NOT_YET, httpStatus: 404}
  if (outcome.kind === 'unauthorized' && record.a2a.awaitingReply) {
    const what =
      record.a2a.pairedBy === 'fleet'
        ? `${record.name} has not discovered this machine yet (claw-mesh peer discover there)`
        : `${record.name} has to run this machine's reply (claw-mesh peer add --invite - there)`
    return {status: 'skip', detail: `not accepted yet: ${what}`, httpStatus: 401}
  }
  if (outcome.kind === 'unauthorized') return {status: 'fail', detail: 'our token refused (401)', httpStatus: 401}
  if (outcome.kind === 'rate-limited')
    return {status: 'warn', detail: 'rate-limited by the peer (A2A: 30 requests a minute)'}
  if (outcome.kind === 'starting') return {status: 'warn', detail: 'its A2A channel is still starting'}
  return a2aAnswerProbe(outcome)
}

function attributed(result: ProbeResult, identity: PeerIdentity, url: string): ProbeResult {
  return result.status === 'ok' ? {...result, detail: acceptedBy(result.detail, identity, url)} : result
}

function a2aHereProbe(
  record: PeerRecord,
  here: {settings?: A2aSettings; inbound?: string; note?: string},
): ProbeResult {
  if (!record.a2a) return {status: 'skip', detail: 'not paired over A2A'}
  if (!here.settings) return {status: 'skip', detail: here.note ?? 'openclaw.json not read'}
  if (!here.settings.enabled) return {status: 'fail', detail: "the A2A channel is off in this machine's openclaw.json"}
  const configured = here.settings.inboundTokens[record.name]
  if (!here.inbound) return {status: 'fail', detail: 'half-paired: its inbound token is missing from the secret store'}
  if (!configured)
    return {status: 'fail', detail: 'its inbound token is not in channels.a2a.peers here: it cannot call this machine'}
  if (configured !== here.inbound)
    return {status: 'fail', detail: 'channels.a2a.peers here holds another token than the secret store'}
  return {status: 'ok', detail: 'its token is configured here'}
}

function verdict(r: Omit<PeerCheckResult, 'status' | 'detail' | 'remedy'>): PeerStatus {
  if (r.probes.healthz.status !== 'ok') return 'down'
  return Object.values(r.probes).every((p) => p.status === 'ok' || p.status === 'skip') ? 'ok' : 'degraded'
}

interface PeerInputs {
  token?: string
  tokenMissing: boolean
  a2aOut?: string
  here: {settings?: A2aSettings; inbound?: string; note?: string}
  /** Read its claw-mesh card too (never from an impostor, never for a run that records nothing). */
  readCard: boolean
}

async function checkOne(
  deps: Deps,
  record: PeerRecord,
  inputs: PeerInputs,
  timeoutMs: number,
  tailnet: Promise<{summary?: TailscaleSummary; note?: string}>,
): Promise<PeerCheckResult> {
  const {token, tokenMissing} = inputs
  const base = record.url
  const ts = await tailnet
  const identity = peerIdentity(ts.summary, record)
  // Another node holds the address now: its gateway would get our tokens. It is not asked with them.
  const presence =
    identity.verdict === 'mismatch' ? {status: 'fail' as const, detail: identity.detail} : tailnetProbe(record, ts)
  const host = new URL(base).hostname.replace(/^\[|\]$/g, '')
  const self = host === ts.summary?.ipv4 || host === ts.summary?.ipv6
  if (presence.status === 'fail' && presence.detail === GONE && peerHostKind(host) === 'tailnet-ip' && !self) {
    // A tailnet address whose node left the tailnet: nothing can answer there, so no request goes out (it would only
    // wait out its timeout, or leave this machine by another route).
    const notProbed: ProbeResult = {status: 'skip', detail: 'not probed: gone from the tailnet'}
    const down: ProbeResult = {status: 'fail', detail: notProbed.detail}
    const probes = {
      tailnet: presence,
      healthz: down,
      readyz: notProbed,
      hooks: notProbed,
      agentCard: notProbed,
      a2a: notProbed,
      a2aHere: a2aHereProbe(record, inputs.here),
    }
    const detail = `tailnet: ${GONE}`
    return {
      name: record.name,
      url: record.url,
      messaging: record.messaging,
      probes,
      status: 'down',
      detail,
      remedy: `${record.name} is gone from the tailnet: claw-mesh peer remove ${record.name} (or claw-mesh doctor --fix --yes), then pair again if it comes back.`,
    }
  }
  if (record.a2a?.kind === 'foreign') return checkForeign(deps, record, {presence, a2aOut: inputs.a2aOut, timeoutMs})
  // At most one authenticated request per peer per run: the gateway throttles failed attempts (20/min → 429).
  const impostor: ProbeResult | undefined =
    identity.verdict === 'mismatch'
      ? {status: 'fail', detail: `not probed with our token: ${identity.detail}`}
      : undefined
  const hooks =
    impostor && token
      ? Promise.resolve(impostor)
      : token
        ? probe(
            deps,
            {
              method: 'POST',
              url: `${base}/hooks/wake`,
              headers: {authorization: `Bearer ${token}`, 'content-type': 'application/json'},
              body: '{}',
            },
            timeoutMs,
          ).then(hooksProbe)
        : Promise.resolve<ProbeResult>(
            tokenMissing
              ? {status: 'fail', detail: 'hooks token missing from the secret store'}
              : {status: 'skip', detail: 'messaging off (no hooks token)'},
          )
  const a2aTarget =
    record.a2a && inputs.a2aOut && !impostor
      ? {peer: record.name, url: record.a2a.url, token: inputs.a2aOut, kind: 'openclaw' as const}
      : undefined
  const [healthz, readyz, hooksResult, card, a2aOutcome, meshCard] = await Promise.all([
    probe(deps, {url: `${base}/healthz`}, timeoutMs).then((o) => healthProbe(o, 'live')),
    probe(deps, {url: `${base}/readyz`}, timeoutMs).then((o) => healthProbe(o, 'ready')),
    hooks,
    record.a2a ? fetchAgentCard(deps, record.url, timeoutMs) : Promise.resolve({}),
    a2aTarget
      ? callA2a(deps, a2aTarget, getTaskBody(`claw-mesh-check-${randomUUID()}`), {method: 'GetTask', timeoutMs})
      : Promise.resolve(undefined),
    inputs.readCard && record.a2a && !impostor
      ? fetchPeerCard(deps, record, Math.min(timeoutMs, CARD_TIMEOUT_MS))
      : undefined,
  ])
  const a2a =
    impostor && record.a2a && inputs.a2aOut
      ? impostor
      : attributed(a2aTokenProbe(record, a2aOutcome), identity, record.a2a?.url ?? record.url)
  const probes = {
    tailnet: presence,
    healthz,
    readyz,
    hooks: attributed(hooksResult, identity, record.url),
    agentCard: agentCardProbe(record, card),
    a2a,
    a2aHere: a2aHereProbe(record, inputs.here),
  }
  const partial = {
    name: record.name,
    url: record.url,
    messaging: record.messaging,
    latencyMs: healthz.latencyMs,
    probes,
  }
  const status = verdict(partial)
  const problems = Object.entries(partial.probes)
    .filter(([, p]) => p.status === 'fail' || p.status === 'warn')
    .map(([id, p]) => `${id}: ${p.detail}`)
  const result: PeerCheckResult = {
    ...partial,
    status,
    detail: problems.join('; '),
    ...(meshCard?.state === 'card' ? {card: meshCard.card} : {}),
  }
  if (status !== 'ok') result.remedy = remedyFor(result)
  return result
}

/** This machine's own channels.a2a (to prove each peer's inbound token is configured here). */
async function localA2aSettings(
  view: MachineView,
  configPath: string | undefined,
): Promise<{settings?: A2aSettings; note?: string}> {
  if (!configPath) return {note: 'the gateway is not configured here'}
  try {
    const file = await view.config(configPath)
    return file.exists ? {settings: readA2aSettings(file.config)} : {note: `${configPath} does not exist`}
  } catch (error) {
    return {note: `openclaw.json unreadable: ${(error as Error).message.split('\n')[0]}`}
  }
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
    /** The machine as the caller already sees it (doctor and bootstrap share one `tailscale status` and one openclaw.json read). */
    view?: MachineView
    /** Record each verdict in lastCheck (default). Bootstrap's verification on a run that changed nothing writes nothing. */
    record?: boolean
  },
): Promise<CheckPeersResult> {
  const view = opts.view ?? createMachineView(deps, {tailscaleTimeoutMs: opts.timeoutMs})
  const state = view.readState()
  const records =
    opts.names && opts.names.length > 0
      ? opts.names.map((n) => requirePeer(state, n))
      : Object.values(state.peers).sort(byName)
  if (records.length === 0)
    return {
      peers: [],
      tailscale: {available: false, note: 'no peers'},
      timeoutMs: opts.timeoutMs,
      elapsedMs: 0,
      summary: {ok: 0, degraded: 0, down: 0},
    }
  const started = monotonicMs()
  const secrets = records.some((r) => r.messaging || r.a2a) ? await deps.secrets() : undefined
  const tokens = await Promise.all(
    records.map((r) => (secrets ? peerToken(deps, secrets, r) : Promise.resolve(undefined))),
  )
  const pairs = await Promise.all(
    records.map((r): Promise<PairTokensStored> =>
      secrets && r.a2a ? readPairTokens(secrets, r.name) : Promise.resolve({}),
    ),
  )
  const settings = records.some((r) => r.a2a) ? await localA2aSettings(view, state.gateway?.configPath) : {}
  const tailnet = readTailnet(deps, view)
  const peers = await Promise.all(
    records.map((r, i) =>
      checkOne(
        deps,
        r,
        {
          token: tokens[i],
          tokenMissing: r.messaging && !tokens[i],
          a2aOut: pairs[i].outbound,
          here: {...settings, inbound: pairs[i].inbound},
          readCard: opts.record !== false,
        },
        opts.timeoutMs,
        tailnet,
      ),
    ),
  )
  const ts = await tailnet
  const at = deps.clock.now().toISOString()
  // A completed pairing is always recorded; the verdicts only when asked to (bootstrap's no-op re-run writes nothing).
  const completed = peers
    .filter((p) => peerOf(state, p.name)?.a2a?.awaitingReply && p.probes.a2a.status === 'ok')
    .map((p) => p.name)
  if (opts.record !== false || completed.length > 0) {
    deps.store.update((s) => {
      for (const p of peers) {
        const record = peerOf(s, p.name)
        if (opts.record !== false && record && record.url === p.url)
          record.lastCheck = {at, status: p.status, latencyMs: p.latencyMs, detail: p.detail || undefined}
        // The inviter accepted our token: the pair is complete from now on (a later refusal is a real failure).
        if (record?.a2a?.awaitingReply && completed.includes(p.name)) delete record.a2a.awaitingReply
      }
      recordCards(
        s,
        peers.flatMap((p) =>
          p.card ? [{name: p.name, url: p.url, fetch: {state: 'card' as const, card: p.card}}] : [],
        ),
        at,
      )
    })
    view.invalidate('state')
  }
  const summary = {ok: 0, degraded: 0, down: 0}
  for (const p of peers) summary[p.status]++
  return {
    peers,
    tailscale: {available: Boolean(ts.summary), note: ts.note},
    timeoutMs: opts.timeoutMs,
    elapsedMs: Math.round(monotonicMs() - started),
    summary,
  }
}
