import {promises as fs} from 'node:fs'
import path from 'node:path'
import type {Deps} from '../../deps.js'
import {ActionNeededError} from '../../core/common/errors.js'
import {ensureDir, readIfExists, writeFileAtomic} from '../../infra/fs-atomic.js'
import {assertPrivateFile} from '../../infra/private-fs.js'
import {pidAlive, processStartTime} from '../../platform/process-info.js'
import {openclawArgs, type OpenClawLocation} from '../openclaw/locate.js'

/**
 * The gateway as a plain background process, for machines without a usable service manager (containers, CI):
 * `openclaw gateway --port N`, detached, output in `<stateDir>/gateway.log`, pid in `<stateDir>/gateway.pid`.
 * It does not survive a reboot.
 */
export function backgroundFiles(stateDir: string): {pidFile: string; logFile: string} {
  return {pidFile: path.join(stateDir, 'gateway.pid'), logFile: path.join(stateDir, 'gateway.log')}
}

export {pidAlive}

/** `<pid>\n<start time>\n`: the start time (Linux) tells our process from a later one that got the same pid. */
export function parsePidFile(text: string | undefined): {pid: number; start?: string} | undefined {
  const [pid, start] = (text ?? '').split('\n').map((l) => l.trim())
  const n = Number(pid)
  return Number.isInteger(n) && n > 0 ? {pid: n, start: start || undefined} : undefined
}

/**
 * The pid in the pid file when that process is still the one claw-mesh started: alive, the same start time, run by
 * this user, and an OpenClaw gateway. Anything else (a recycled pid, another user's process named openclaw, a planted
 * pid file) is not ours: claw-mesh never signals or waits on it.
 */
export async function ourBackgroundPid(
  deps: Pick<Deps, 'stateDir' | 'platform' | 'runner'>,
): Promise<number | undefined> {
  const file = backgroundFiles(deps.stateDir).pidFile
  if (!assertPrivateFile(file, 'gateway pid file')) return undefined
  const recorded = parsePidFile(await readIfExists(file))
  if (!recorded || !pidAlive(recorded.pid)) return undefined
  const start = processStartTime(recorded.pid)
  if (recorded.start !== undefined && start !== undefined && start !== recorded.start) return undefined
  const run = (cmd: string, args: string[]) => deps.runner.run(cmd, args, {timeoutMs: 10_000})
  return (await deps.platform.gateway.isGatewayProcess(recorded.pid, run)) ? recorded.pid : undefined
}

export interface BackgroundStart {
  pid: number
  logFile: string
  /** Byte offset in the log where this start's output begins. */
  logOffset: number
}

export async function startBackgroundGateway(
  deps: Pick<Deps, 'stateDir' | 'runner'>,
  loc: OpenClawLocation,
  port: number,
): Promise<BackgroundStart> {
  const {pidFile, logFile} = backgroundFiles(deps.stateDir)
  await ensureDir(deps.stateDir)
  // Keep one previous log: the gateway is chatty and this file is appended to on every start.
  if (((await fs.stat(logFile).catch(() => undefined))?.size ?? 0) > 5 * 1024 * 1024)
    await fs.rename(logFile, `${logFile}.1`)
  const logOffset = (await fs.stat(logFile).catch(() => undefined))?.size ?? 0
  await fs.appendFile(
    logFile,
    `\n--- claw-mesh: starting openclaw gateway --port ${port} at ${new Date().toISOString()} ---\n`,
    {mode: 0o600},
  )
  const pid = await deps.runner.spawnDetached(loc.bin!, openclawArgs(loc, ['gateway', '--port', String(port)]), {
    logFile,
  })
  await writeFileAtomic(pidFile, `${pid}\n${processStartTime(pid) ?? ''}\n`, 0o600)
  return {pid, logFile, logOffset}
}

/** SIGTERM, wait for the process to go (the gateway drains first), SIGKILL after the grace period. */
export async function stopBackgroundGateway(
  deps: Pick<Deps, 'stateDir' | 'clock'>,
  pid: number,
  graceMs = 30_000,
): Promise<void> {
  const signal = (sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig)
    } catch (error) {
      // Not ours to stop (another user's process): never wait on it.
      if ((error as NodeJS.ErrnoException).code === 'EPERM')
        throw new ActionNeededError(`Process ${pid} is not yours to stop (permission denied).`, {
          code: 'not-our-process',
          hint: `Check what it is: ps -o user,pid,args -p ${pid}`,
        })
    }
  }
  signal('SIGTERM')
  const deadline = deps.clock.now().getTime() + graceMs
  while (pidAlive(pid) && deps.clock.now().getTime() < deadline) await deps.clock.sleep(200)
  if (pidAlive(pid)) {
    signal('SIGKILL')
    const killDeadline = deps.clock.now().getTime() + 10_000
    while (pidAlive(pid) && deps.clock.now().getTime() < killDeadline) await deps.clock.sleep(100)
    if (pidAlive(pid))
      throw new ActionNeededError(`The gateway (pid ${pid}) did not exit after SIGKILL.`, {
        code: 'gateway-unkillable',
        hint: `Check it: ps -o stat,pid,args -p ${pid} (a process stuck in the kernel, state D, exits when its I/O ends).`,
      })
  }
  await fs.rm(backgroundFiles(deps.stateDir).pidFile, {force: true})
}

// Built from a string: a control character in a regex literal trips no-control-regex.
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g')

/** The log written since `offset`, without colour codes. */
export async function readLogSince(logFile: string, offset: number): Promise<string> {
  const handle = await fs.open(logFile, 'r').catch(() => undefined)
  if (!handle) return ''
  try {
    const {size} = await handle.stat()
    const length = Math.max(0, Math.min(size - offset, 256 * 1024))
    const buf = Buffer.alloc(length)
    await handle.read(buf, 0, length, Math.max(offset, size - length))
    return buf.toString('utf8').replace(ANSI, '')
  } finally {
    await handle.close()
  }
}

/** The last lines of a log excerpt, for an error's stderr tail. */
export function logTail(log: string, lines = 8): string {
  return log
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '')
    .slice(-lines)
    .join('\n')
}

/**
 * Why the gateway did not start, from its own output: the "Gateway failed to start: …" line (and its continuation),
 * else config-validation lines, else undefined.
 */
export function gatewayFailureReason(log: string): string | undefined {
  const lines = log.split('\n')
  const i = lines.findIndex((l) => l.includes('Gateway failed to start:'))
  if (i >= 0) {
    const first = lines[i]
      .slice(lines[i].indexOf('Gateway failed to start:') + 'Gateway failed to start:'.length)
      .trim()
    // A continuation line carries the cause (`spawn tailscale ENOENT`), unless it is OpenClaw's generic advice.
    const cont = lines[i + 1]?.trim() ?? ''
    const next =
      cont && !/^\d{4}-\d\d-\d\dT/.test(cont) && !/^If the gateway is supervised/.test(cont) ? ` ${cont}` : ''
    return `${first}${next}`.replace(/\s*Run openclaw gateway status --deep for diagnostics\.?/, '').trim()
  }
  const invalid = lines.filter((l) =>
    /Invalid config|Config validation failed|Unrecognized key|Gateway start blocked|Refusing to bind/i.test(l),
  )
  if (invalid.length > 0)
    return invalid
      .slice(0, 3)
      .map((l) => l.trim())
      .join(' | ')
  return undefined
}
