import {existsSync, promises as fs, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {ActionNeededError} from '../../core/common/errors.js'
import {tailscaleError} from '../../core/tailscale/tailscale-errors.js'
import {parseForceDaemon} from '../../core/tailscale/tailscale-join-plan.js'
import {
  parseStatusJson,
  summarizeStatus,
  type RawStatus,
  type TailscaleSummary,
} from '../../core/tailscale/tailscale-status.js'
import {wifUpArgs, type WifCredential} from '../../core/tailscale/tailscale-wif.js'
import {tailscaleCliOverride, tailscaleSocketSetting} from '../../core/common/settings.js'
import type {Deps} from '../../deps.js'
import {onInterrupt} from '../../infra/interrupt.js'
import type {RunOptions, RunResult} from '../../infra/runner.js'
import {findOnPath} from '../../platform/probe.js'
import {settingsInput} from '../settings/input.js'

export interface TailscaleLocation {
  cli: string
  socket?: string
}

/** Finds the tailscale CLI: $CLAW_MESH_TAILSCALE, PATH, then the per-OS install locations. */
export function findTailscaleCli(
  deps: Pick<Deps, 'env' | 'platform'>,
  exists: (p: string) => boolean = existsSync,
): string | undefined {
  const override = tailscaleCliOverride(deps)
  if (override) return override
  return (
    findOnPath('tailscale', deps.env, deps.platform, exists) ??
    deps.platform.tailscaleCandidates(deps.env).find((p) => exists(p))
  )
}

export function requireTailscaleCli(deps: Pick<Deps, 'env' | 'platform'>): string {
  const cli = findTailscaleCli(deps)
  if (!cli) {
    throw new ActionNeededError('The tailscale CLI was not found (PATH and the usual install locations).', {
      code: 'tailscale-missing',
      hint: 'Install it with: claw-mesh tailscale install (or pass --install to bootstrap).',
    })
  }
  return cli
}

const DEFAULT_TIMEOUT_MS = 15_000

export interface PingResult {
  ok: boolean
  /** `derp` (relayed through a DERP region) or `direct`. */
  path?: 'derp' | 'direct'
  via?: string
  latencyMs?: number
}

/** Parses `pong from openclaw-clawd (100.88.12.7) via DERP(ams) in 38ms` / `… via 198.51.100.7:41641 in 4ms`. */
export function parsePing(stdout: string): PingResult {
  const m = /pong from \S+ \(([^)]+)\) via (\S+) in ([\d.]+)ms/.exec(stdout)
  if (!m) return {ok: false}
  const via = m[2]
  return {ok: true, path: via.startsWith('DERP(') ? 'derp' : 'direct', via, latencyMs: Number(m[3])}
}

/** Thin typed wrapper over the tailscale CLI. Every call goes through the Runner and the error mapper. */
export class TailscaleCli {
  constructor(
    private readonly deps: Pick<Deps, 'runner' | 'platform' | 'redactor'>,
    readonly location: TailscaleLocation,
  ) {}

  private argv(args: string[]): string[] {
    return this.location.socket ? [`--socket=${this.location.socket}`, ...args] : args
  }

  async raw(args: string[], timeoutMs = DEFAULT_TIMEOUT_MS, secretFd?: RunOptions['secretFd']): Promise<RunResult> {
    return this.deps.runner.run(this.location.cli, this.argv(args), {timeoutMs, secretFd})
  }

  async checked(
    subcommand: string,
    args: string[],
    timeoutMs = DEFAULT_TIMEOUT_MS,
    secretFd?: RunOptions['secretFd'],
  ): Promise<RunResult> {
    const result = await this.raw(args, timeoutMs, secretFd)
    if (result.exitCode !== 0) throw this.failure(subcommand, args, result)
    return result
  }

  /** The error a failed `tailscale <subcommand>` is reported with (what `checked` throws). */
  failure(subcommand: string, args: string[], result: RunResult): Error {
    return tailscaleError({
      subcommand,
      args: this.argv(args),
      exitCode: result.exitCode,
      stderr: result.stderr || result.stdout,
      startHint: this.deps.platform.tailscaleStartHint,
      os: this.deps.platform.id,
      cli: this.location.cli,
    })
  }

  async statusRaw(): Promise<RawStatus> {
    const result = await this.checked('status', ['status', '--json'])
    return parseStatusJson(result.stdout)
  }

  async status(): Promise<TailscaleSummary> {
    const [raw, version] = await Promise.all([this.statusRaw(), this.version().catch(() => null)])
    const summary = summarizeStatus(raw)
    return {...summary, version: version ?? summary.version}
  }

  async version(): Promise<string> {
    const result = await this.checked('version', ['version'])
    return result.stdout.split('\n')[0].trim()
  }

  /**
   * `tailscale up` with the key passed as `--auth-key=file:/dev/fd/3`: the CLI reads it from a descriptor it inherits
   * (a nameless file), so the key is never in argv and never in a file that outlives us, kill -9 included. Where
   * there is no /dev/fd (Windows), a 0600 temp file removed on every exit claw-mesh sees (not kill -9).
   */
  async up(opts: {
    key?: string
    wif?: WifCredential
    providerEnv?: Record<string, string>
    hostname: string
    tags: string[]
    loginServer?: string
    timeoutMs: number
    forceReauth?: boolean
    extraFlags?: string[]
  }): Promise<RunResult> {
    let dir: string | undefined
    let stop: (() => void) | undefined
    // One secret at most reaches `up` by file: the auth key, or a workload identity's ID token.
    const secret = opts.key ?? opts.wif?.idToken
    const viaFd = secret !== undefined ? this.deps.platform.secretFd : undefined
    try {
      const args = ['up']
      let secretPath: string | undefined
      if (secret !== undefined && viaFd) secretPath = viaFd.path
      else if (secret !== undefined) {
        const made = await fs.mkdtemp(path.join(os.tmpdir(), 'claw-mesh-key-'))
        dir = made
        stop = onInterrupt(() => rmSync(made, {recursive: true, force: true}))
        secretPath = path.join(made, 'authkey')
        await fs.writeFile(secretPath, secret, {mode: 0o600})
      }
      if (opts.key !== undefined) args.push(`--auth-key=file:${secretPath}`)
      if (opts.wif) args.push(...wifUpArgs(opts.wif, secretPath))
      args.push(`--hostname=${opts.hostname}`)
      // Every `up` with flags must repeat the control server, or the CLI refuses (or heads for tailscale.com).
      if (opts.loginServer) args.push(`--login-server=${opts.loginServer}`)
      if (opts.tags.length > 0) args.push(`--advertise-tags=${opts.tags.join(',')}`)
      if (opts.forceReauth) args.push('--force-reauth')
      args.push(...(opts.extraFlags ?? []), `--timeout=${Math.ceil(opts.timeoutMs / 1000)}s`)
      const secretFd = viaFd && secret !== undefined ? {value: secret, tmpfileFlags: viaFd.tmpfileFlags} : undefined
      if (!opts.providerEnv || Object.keys(opts.providerEnv).length === 0)
        return await this.checked('up', args, opts.timeoutMs + 10_000, secretFd)
      // A workload identity with an audience: tailscale asks the CI's identity provider itself, with that job's variables.
      const result = await this.deps.runner.run(this.location.cli, this.argv(args), {
        timeoutMs: opts.timeoutMs + 10_000,
        secretFd,
        env: opts.providerEnv,
      })
      if (result.exitCode !== 0) throw this.failure('up', args, result)
      return result
    } finally {
      if (dir) await fs.rm(dir, {recursive: true, force: true})
      stop?.()
    }
  }

  /** Bare `tailscale up`: brings a stopped node back with its stored settings (no key, no flags). */
  async resume(timeoutMs: number): Promise<RunResult> {
    return this.checked('up', ['up'], timeoutMs)
  }

  /** Tailscale's ForceDaemon pref (Windows' unattended mode); null when `debug prefs` does not answer. */
  async forceDaemon(): Promise<boolean | null> {
    const r = await this.raw(['debug', 'prefs'])
    return r.exitCode === 0 ? parseForceDaemon(r.stdout) : null
  }

  async set(flags: string[]): Promise<RunResult> {
    return this.checked('set', ['set', ...flags])
  }

  /**
   * One `tailscale ping`. Over DERP the real CLI prints the pong and then exits 1 ("direct connection not
   * established"), so success is the pong line, not the exit code.
   */
  async ping(target: string, timeoutMs: number): Promise<PingResult> {
    const r = await this.raw(
      ['ping', '-c', '1', `--timeout=${Math.max(1, Math.ceil(timeoutMs / 1000))}s`, target],
      timeoutMs + 5000,
    )
    return parsePing(r.stdout)
  }
}

/** Which tailscaled claw-mesh talks to: the settings resolver's rule (core/common/settings.ts), over this machine's state. */
export function tailscaleSocket(
  deps: Pick<Deps, 'env' | 'store' | 'stateDir' | 'platform'>,
  opts: {flag?: string; networking?: string} = {},
): string | undefined {
  return tailscaleSocketSetting(settingsInput(deps, {flags: {socket: opts.flag, networking: opts.networking}})).value
}

/** Opens the CLI at the socket the user gave, or the one claw-mesh recorded, or the OS default. */
export function openTailscale(deps: Deps, socketFlag?: string): TailscaleCli {
  return new TailscaleCli(deps, {cli: requireTailscaleCli(deps), socket: tailscaleSocket(deps, {flag: socketFlag})})
}
