import {randomUUID} from 'node:crypto'
import {getTaskBody} from '../../core/a2a/a2a-protocol.js'
import type {PeerRecord} from '../../core/common/state-schema.js'
import type {Deps} from '../../deps.js'
import {callA2a, fetchAgentCard, type A2aOutcome} from '../a2a/client.js'
import type {PeerCheckResult, PeerStatus, ProbeResult} from './check.js'
import {monotonicMs} from '../../core/common/duration.js'

/** The A2A answers every kind of peer can give, as one probe line (the OpenClaw-only ones are read before this). */
export function a2aAnswerProbe(outcome: A2aOutcome): ProbeResult {
  // GetTask on an id nobody has: "task not found" can only come after the token (and the version) were accepted.
  if (outcome.kind === 'rpc-error' && outcome.code === -32001) return {status: 'ok', detail: 'our token accepted'}
  const said = 'message' in outcome && outcome.message ? `: ${outcome.message}` : ''
  switch (outcome.kind) {
    case 'unauthorized':
      return {status: 'fail', detail: `our token refused (401${said})`, httpStatus: 401}
    case 'forbidden':
      return {status: 'fail', detail: `our token may not call it (403${said})`, httpStatus: 403}
    case 'version-refused':
      return {status: 'fail', detail: `refuses A2A 1.0 (VersionNotSupported -32009${said})`}
    case 'rate-limited':
      return {status: 'warn', detail: `rate-limited by the peer${said}`}
    case 'starting':
      return {status: 'warn', detail: 'its A2A channel is still starting'}
    case 'no-a2a':
      return {status: 'fail', detail: `no A2A endpoint (HTTP ${outcome.status})`, httpStatus: outcome.status}
    case 'server-error':
      return {status: 'fail', detail: `server error (HTTP ${outcome.status}${said})`, httpStatus: outcome.status}
    case 'network':
      return {status: 'fail', detail: outcome.detail}
    case 'rpc-error':
      return {status: 'fail', detail: `unexpected A2A error ${outcome.code}${said}`}
    default:
      return {status: 'fail', detail: `unexpected answer (${outcome.kind})`}
  }
}

const NOT_OPENCLAW: ProbeResult = {status: 'skip', detail: 'not an OpenClaw gateway (a foreign A2A agent)'}

function cardProbe(record: PeerRecord, found: Awaited<ReturnType<typeof fetchAgentCard>>): ProbeResult {
  // A card is how an A2A agent is found, but an agent added by its endpoint may publish none: not fatal.
  if (!found.card)
    return {status: 'warn', detail: `no Agent Card at ${record.url}: ${found.failure}`, httpStatus: found.status}
  if (found.card.unusable) return {status: 'fail', detail: found.card.unusable, httpStatus: 200}
  if (found.card.url !== record.a2a?.url)
    return {
      status: 'warn',
      detail: `the Agent Card advertises ${found.card.url}, this machine calls ${record.a2a?.url}`,
      httpStatus: 200,
    }
  return {
    status: 'ok',
    detail: `${found.card.name}${found.card.version ? ` ${found.card.version}` : ''}, skills ${found.card.skills.join(', ') || '-'}`,
    httpStatus: 200,
  }
}

function remedyFor(record: PeerRecord, a2a: ProbeResult, card: ProbeResult): string | undefined {
  const again = `claw-mesh peer add ${record.url} --name ${record.name} --a2a-token file:PATH`
  if (a2a.httpStatus === 401 || a2a.httpStatus === 403 || a2a.detail.startsWith('its token is missing'))
    return `Get a valid token from ${record.name}'s operator and store it: ${again}`
  if (a2a.detail.startsWith('refuses A2A 1.0') || card.status === 'fail')
    return `${record.name} must offer an A2A 1.0 JSON-RPC interface; claw-mesh speaks nothing else.`
  if (a2a.status === 'fail')
    return `Check that the agent runs and that ${record.a2a?.url} is its endpoint (see its Agent Card); re-add it with: ${again}`
  if (card.status === 'warn' && card.detail.startsWith('the Agent Card advertises'))
    return `Re-add it so claw-mesh calls the endpoint its card advertises: ${again}`
  return undefined
}

/**
 * `peer check` for a foreign A2A agent, the A2A way: its Agent Card, and one authenticated GetTask on a random id
 * (answered "task not found" only once the token and the version were accepted). OpenClaw's health and hooks routes
 * mean nothing there and are not called.
 */
export async function checkForeign(
  deps: Pick<Deps, 'http' | 'clock'>,
  record: PeerRecord,
  inputs: {presence: ProbeResult; a2aOut?: string; timeoutMs: number},
): Promise<PeerCheckResult> {
  const url = record.a2a?.url ?? record.url
  const started = monotonicMs()
  const [found, outcome] = await Promise.all([
    fetchAgentCard(deps, record.url, inputs.timeoutMs),
    inputs.a2aOut
      ? callA2a(
          deps,
          {peer: record.name, url, token: inputs.a2aOut, kind: 'foreign'},
          getTaskBody(`claw-mesh-check-${randomUUID()}`),
          {method: 'GetTask', timeoutMs: inputs.timeoutMs, retryForMs: 0},
        )
      : Promise.resolve(undefined),
  ])
  const latencyMs = Math.round(monotonicMs() - started)
  const a2a: ProbeResult = outcome
    ? {...a2aAnswerProbe(outcome), latencyMs}
    : {status: 'fail', detail: 'its token is missing from the secret store'}
  const agentCard = cardProbe(record, found)
  const probes = {
    tailnet: inputs.presence,
    healthz: NOT_OPENCLAW,
    readyz: NOT_OPENCLAW,
    hooks: NOT_OPENCLAW,
    agentCard,
    a2a,
    a2aHere: {status: 'skip' as const, detail: 'outbound only: it cannot call this machine'},
  }
  const unreachable = outcome?.kind === 'network' || outcome?.kind === 'no-a2a'
  const status: PeerStatus = unreachable
    ? 'down'
    : Object.values(probes).every((p) => p.status === 'ok' || p.status === 'skip')
      ? 'ok'
      : 'degraded'
  const detail = Object.entries(probes)
    .filter(([, p]) => p.status === 'fail' || p.status === 'warn')
    .map(([id, p]) => `${id}: ${p.detail}`)
    .join('; ')
  const result: PeerCheckResult = {
    name: record.name,
    url: record.url,
    messaging: record.messaging,
    kind: 'foreign',
    latencyMs: a2a.status === 'ok' ? latencyMs : undefined,
    probes,
    status,
    detail,
  }
  if (status !== 'ok') result.remedy = remedyFor(record, a2a, agentCard)
  return result
}
