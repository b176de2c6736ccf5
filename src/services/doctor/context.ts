import type {DoctorContext, PeerProbeView} from '../../core/checks/context.js'
import {findPeerNode, type PingView} from '../../core/checks/peers.js'
import type {PeerRecord} from '../../core/common/state-schema.js'
import type {Deps} from '../../deps.js'
import {createMachineView, type MachineView} from '../machine/view.js'
import {limiter, memo, memoBy} from '../machine/memo.js'
import {checkPeers} from '../peers/check.js'
import {byName} from '../../core/common/order.js'

export interface DoctorContextOptions {
  /** Only this peer (--peer NAME). */
  peer?: string
  /** Per-peer network timeout. */
  peerTimeoutMs: number
  /** Timeout for local commands (tailscale status, openclaw config validate). */
  commandTimeoutMs?: number
  socket?: string
  /** The machine view to read (default: a new one for this run). */
  view?: MachineView
}

// Enough that 100 peers need a few rounds at most: a ping to an unreachable node waits its whole timeout.
const PING_CONCURRENCY = 25

/**
 * The doctor's context: the machine view (one `tailscale status --json`, one config read, one health probe, however
 * many checks ask), plus what is about this run's peers: one peer sweep, one ping a peer, one clock sample.
 */
export function createDoctorContext(deps: Deps, opts: DoctorContextOptions): DoctorContext & {view: MachineView} {
  const view =
    opts.view ??
    createMachineView(deps, {
      socket: opts.socket,
      commandTimeoutMs: opts.commandTimeoutMs,
      proxyTimeoutMs: opts.peerTimeoutMs,
    })
  const stateOrEmpty = () => {
    const s = view.state()
    return s.ok ? s.state : undefined
  }

  const records = memo((): PeerRecord[] => {
    const all = Object.values(stateOrEmpty()?.peers ?? {}).sort(byName)
    return opts.peer ? all.filter((r) => r.name === opts.peer) : all
  })

  // One sweep over every peer, reusing the peer service (it also records each verdict in lastCheck).
  const peerSweep = memo(async (): Promise<Map<string, PeerProbeView>> => {
    const names = records().map((r) => r.name)
    if (names.length === 0) return new Map()
    const result = await checkPeers(deps, {names, timeoutMs: opts.peerTimeoutMs, view})
    return new Map(result.peers.map((p) => [p.name, p]))
  })

  const pingLimit = limiter(PING_CONCURRENCY)
  const ping = memoBy(async (name: string): Promise<{result?: PingView; why?: string}> => {
    const record = records().find((r) => r.name === name)
    const ts = await view.tailscale()
    if (!record) return {why: 'unknown peer'}
    if (ts.kind !== 'ok') return {why: 'tailscale status unavailable'}
    if (ts.summary.backendState !== 'Running') return {why: `this machine's Tailscale is ${ts.summary.backendState}`}
    const node = findPeerNode(ts.summary, record)
    if (!node) return {why: 'not in the tailnet'}
    if (!node.online) return {why: 'offline'}
    const target = node.ipv4 ?? node.dnsName ?? node.hostname
    const cli = view.tailscaleClient()!
    return {result: await pingLimit(() => cli.ping(target, opts.peerTimeoutMs))}
  })

  const clockSample = memo(async () => {
    const sweep = await peerSweep()
    const answering = records().find((r) => sweep.get(r.name)?.probes.healthz.status === 'ok')
    if (!answering)
      return {why: records().length === 0 ? 'no peers to compare clocks with' : 'no peer answered /healthz'}
    const sentAt = deps.clock.now().getTime()
    try {
      const response = await deps.http.request({url: `${answering.url}/healthz`, timeoutMs: opts.peerTimeoutMs})
      const receivedAt = deps.clock.now().getTime()
      const date = response.headers.date
      if (!date) return {why: `${answering.name} sent no Date header`}
      return {sample: {peer: answering.name, date, sentAt, receivedAt}}
    } catch (error) {
      return {why: `${answering.name} did not answer again: ${(error as Error).message}`}
    }
  })

  return {
    ...view,
    view,
    peerRecords: records,
    peerProbe: async (name) => (await peerSweep()).get(name),
    ping,
    clockSample,
  }
}
