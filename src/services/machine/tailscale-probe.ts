import {connect} from 'node:net'
import type {TailscaleProbe} from '../../core/checks/tailscale.js'
import type {MachineReads} from '../../core/checks/machine-view.js'
import {tailscaleError} from '../../core/tailscale/tailscale-errors.js'
import {parseStatusJson, summarizeStatus} from '../../core/tailscale/tailscale-status.js'
import type {Deps} from '../../deps.js'
import type {RunResult} from '../../infra/runner.js'
import {findTailscaleCli, TailscaleCli, tailscaleSocket} from '../tailscale/cli.js'
import type {ProbeCache} from './memo.js'

/** The one `tailscale status --json` of a run, as it came back: every reader derives its own view of it. */
export interface TailscaleStatusRun {
  /** Absent: no tailscale CLI here. */
  cli?: TailscaleCli
  result?: RunResult
}

/**
 * The Tailscale half of the machine view: the CLI, one `tailscale status --json` (forgotten on
 * `invalidate('tailscale')`), the version it carries, and tailscaled's proxy.
 */
export function createTailscaleProbes(
  deps: Deps,
  cache: ProbeCache,
  opts: {socket?: string; commandTimeoutMs: number; proxyTimeoutMs?: number; reads: MachineReads},
) {
  const {commandTimeoutMs} = opts
  // Found once per run: installing Tailscale is followed by invalidate('tailscale').
  const client = cache.memo(['tailscale'], () => {
    const cli = findTailscaleCli(deps)
    return cli ? new TailscaleCli(deps, {cli, socket: tailscaleSocket(deps, {flag: opts.socket})}) : undefined
  })

  const status = cache.memo(['tailscale'], async (): Promise<TailscaleStatusRun> => {
    const cli = client()
    if (!cli) return {}
    opts.reads.tailscale++
    return {cli, result: await cli.raw(['status', '--json'], commandTimeoutMs)}
  })

  const tailscale = cache.memo(['tailscale'], async (): Promise<TailscaleProbe> => {
    const {cli, result} = await status()
    if (!cli || !result) return {kind: 'missing'}
    if (result.notFound) return {kind: 'error', cli: cli.location.cli, message: `${cli.location.cli} could not be run`}
    if (result.timedOut)
      return {kind: 'error', cli: cli.location.cli, message: `no answer within ${commandTimeoutMs} ms`}
    if (result.exitCode !== 0) {
      const error = tailscaleError({
        subcommand: 'status',
        args: ['status', '--json'],
        exitCode: result.exitCode,
        stderr: result.stderr || result.stdout,
        startHint: deps.platform.tailscaleStartHint,
        os: deps.platform.id,
        cli: cli.location.cli,
      })
      if (error.code === 'tailscale-daemon-down') {
        const appStopped = deps.platform.tailscaleAppStopped?.(deps.probeHost())
        return {
          kind: 'daemon-down',
          cli: cli.location.cli,
          stderr: (result.stderr || result.stdout).trim(),
          ...(appStopped ? {appStopped} : {}),
        }
      }
      return {kind: 'error', cli: cli.location.cli, message: error.message}
    }
    try {
      return {kind: 'ok', cli: cli.location.cli, summary: summarizeStatus(parseStatusJson(result.stdout))}
    } catch (error) {
      return {kind: 'error', cli: cli.location.cli, message: (error as Error).message}
    }
  })

  const version = cache.memo(
    ['tailscale'],
    async (): Promise<{cli?: string; version?: string; versionError?: string}> => {
      const cli = client()
      if (!cli) return {}
      const ts = await tailscale()
      // `status --json` carries the version; only ask `tailscale version` when the daemon did not answer.
      if (ts.kind === 'ok' && ts.summary.version)
        return {cli: cli.location.cli, version: ts.summary.version.split('-')[0]}
      const result = await cli.raw(['version'], commandTimeoutMs)
      const first = result.stdout.split('\n')[0]?.trim()
      if (result.exitCode === 0 && first) return {cli: cli.location.cli, version: first}
      return {
        cli: cli.location.cli,
        versionError: (result.stderr || result.stdout).trim().split('\n')[0] || `exit ${result.exitCode}`,
      }
    },
  )

  const proxy = cache.memo(['tailscale'], async (): Promise<{proxy?: string; answers?: boolean; error?: string}> => {
    let url: string | undefined
    try {
      url = deps.tailscaleProxy()
    } catch (error) {
      return {error: (error as Error).message}
    }
    if (!url) return {}
    const {hostname, port} = new URL(url)
    return {
      proxy: url,
      answers: await tcpAnswers(
        hostname.replace(/^\[|\]$/g, ''),
        Number(port),
        Math.min(opts.proxyTimeoutMs ?? commandTimeoutMs, 3000),
      ),
    }
  })

  return {client, status, tailscale, version, proxy}
}

/** Whether something accepts a TCP connection at host:port (on loopback: tailscaled's proxy) within the timeout. */
function tcpAnswers(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({host, port})
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}
