import {randomUUID} from 'node:crypto'
import {a2aFailure} from '../../core/a2a/a2a-errors.js'
import {getTaskBody} from '../../core/a2a/a2a-protocol.js'
import {UsageError} from '../../core/common/errors.js'
import {tokenProblem} from '../../core/pairing/hooks-invite.js'
import {
  assertTailnetResolution,
  INSECURE_URL_FLAG,
  normalizePeerUrl,
  peerHostKind,
  tailnetHostnameOf,
} from '../../core/pairing/peer-url.js'
import {peerOf} from '../../core/common/state-schema.js'
import {assertHostname} from '../../core/common/validate.js'
import type {Deps} from '../../deps.js'
import {SECRET_NAMES} from '../../infra/secrets/types.js'
import {callA2a, fetchAgentCard} from '../a2a/client.js'
import {savePeer, type SaveAction} from './records.js'
import {magicDnsSuffixSetting} from '../../core/common/settings.js'
import {settingsInput} from '../settings/input.js'

export interface AddForeignOptions {
  /** The agent's JSON-RPC endpoint, or the base URL its Agent Card is published under. */
  url: string
  name?: string
  /** The bearer token the agent expects (read from a file, stdin or an env var: never argv). */
  token: string
  allowInsecureUrl?: boolean
}

export interface AddForeignResult {
  name: string
  url: string
  /** The JSON-RPC endpoint claw-mesh calls. */
  endpoint: string
  /** Where the endpoint came from: the agent's card, or the URL as given (no card found). */
  endpointFrom: 'card' | 'url'
  cardName?: string
  action: SaveAction
  changes: string[]
}

const CARD_TIMEOUT_MS = 10_000

/**
 * `peer add URL --name NAME --a2a-token file:PATH`: any A2A 1.0 agent, outbound only. The URL is either the agent's
 * card base (the endpoint is read from its card) or the endpoint itself. The same URL rules as every peer apply to
 * both, since the card is another machine's word. One authenticated GetTask proves the token and the version before
 * anything is written.
 */
export async function addForeignPeer(deps: Deps, opts: AddForeignOptions): Promise<AddForeignResult> {
  if (opts.name === undefined)
    throw new UsageError('--name is required with --a2a-token.', {
      hint: 'Pass the name you will use with claw-mesh ask, e.g. --name hermes.',
    })
  const name = assertHostname(opts.name, '--name')
  const problem = tokenProblem(opts.token)
  if (problem)
    throw new UsageError(`--a2a-token: the token ${problem}.`, {
      hint: "Pass the bearer token the agent's operator issued for this machine: --a2a-token file:PATH or - (stdin).",
    })
  const magicDNSSuffix = magicDnsSuffixSetting(settingsInput(deps)).value
  const rules = {allowInsecure: opts.allowInsecureUrl, magicDNSSuffix}
  const url = normalizePeerUrl(opts.url, rules)
  await assertTailnetResolution(url, deps.resolveHost, {...rules, label: 'URL'})
  const existing = peerOf(deps.store.read(), name)
  if (existing && existing.a2a?.kind !== 'foreign' && (existing.a2a || existing.messaging)) {
    throw new UsageError(
      `${name} is already a claw-mesh peer (an OpenClaw gateway): adding it as a foreign A2A agent would drop its pairing.`,
      {hint: `Choose another --name, or remove it first: claw-mesh peer remove ${name}.`},
    )
  }
  let found = await fetchAgentCard(deps, url, CARD_TIMEOUT_MS)
  let base = url
  const origin = new URL(url).origin
  if (!found.card && origin !== url) {
    // Given the endpoint itself: the card is at the origin, and counts only if it names this very endpoint.
    const atOrigin = await fetchAgentCard(deps, origin, CARD_TIMEOUT_MS)
    if (atOrigin.card?.url === url) [found, base] = [atOrigin, origin]
  }
  if (found.card?.unusable)
    throw new UsageError(`${name}'s Agent Card at ${url} is unusable: ${found.card.unusable}.`, {
      hint: "claw-mesh speaks A2A 1.0 over JSON-RPC; ask the agent's operator for such an endpoint.",
    })
  const endpoint = found.card?.url
    ? normalizePeerUrl(found.card.url, {...rules, label: "The Agent Card's JSONRPC url"})
    : url
  // The token goes where the card says: a card must not send it to a host the user never named.
  if (new URL(endpoint).host !== new URL(url).host) {
    throw new UsageError(
      `${name}'s Agent Card at ${url} names an endpoint on another host (${new URL(endpoint).host}): claw-mesh will not send the token there on the card's word.`,
      {
        hint: `If you trust that host, add the endpoint itself: claw-mesh peer add ${endpoint} --name ${name} --a2a-token file:PATH.`,
      },
    )
  }
  if (endpoint !== url)
    await assertTailnetResolution(endpoint, deps.resolveHost, {...rules, label: "The Agent Card's JSONRPC url"})
  for (const u of new Set([url, endpoint])) {
    const host = new URL(u).hostname
    if (opts.allowInsecureUrl && !['tailnet-ip', 'tailnet-name'].includes(peerHostKind(host, magicDNSSuffix))) {
      deps.io.err(
        `warning: ${INSECURE_URL_FLAG}: ${name} is outside the tailnet (${host}); ${new URL(u).protocol === 'http:' ? 'messages and its token travel unencrypted' : 'its token goes wherever that host is'}.\n`,
      )
    }
  }
  deps.redactor.add(opts.token)
  // "Task not found" for an id nobody has is only said once the token and the version were accepted.
  const target = {peer: name, url: endpoint, token: opts.token, kind: 'foreign' as const}
  const proof = await callA2a(deps, target, getTaskBody(`claw-mesh-add-${randomUUID()}`), {
    method: 'GetTask',
    timeoutMs: CARD_TIMEOUT_MS,
    retryForMs: 0,
  })
  if (!(proof.kind === 'rpc-error' && proof.code === -32001) && proof.kind !== 'task')
    throw a2aFailure({...target, url: endpoint}, proof)
  const secrets = await deps.secrets()
  const tokenName = SECRET_NAMES.a2aOut(name)
  const old = await secrets.get(tokenName)
  if (old !== opts.token) await secrets.set(tokenName, opts.token)
  const extraChanges = existing && old !== opts.token ? ['A2A token replaced'] : []
  const saved = await savePeer(deps, secrets, {
    name,
    hostname: tailnetHostnameOf(url),
    url: base,
    source: 'url',
    a2a: {url: endpoint, pairedBy: 'token', kind: 'foreign'},
    extraChanges,
  })
  return {
    name,
    url: base,
    endpoint,
    endpointFrom: found.card?.url ? 'card' : 'url',
    ...(found.card ? {cardName: found.card.name} : {}),
    ...saved,
  }
}
