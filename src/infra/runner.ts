import {closeSync, mkdtempSync, openSync, rmdirSync, unlinkSync, writeSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type {Options as ExecaOptions} from 'execa'
import {ExternalError} from '../core/common/errors.js'
import type {PlatformId} from '../platform/types.js'
import type {Redactor} from '../core/secrets/redact.js'
import {detachedStdio} from './inherited-fds.js'
import {childEnvironment} from './child-env.js'

export interface RunOptions {
  /** Text fed on stdin (use it for secrets: never argv). */
  input?: string
  /** Added to the allow-listed environment every child gets (see child-env.ts). */
  env?: Record<string, string | undefined>
  cwd?: string
  timeoutMs?: number
  /** Throw an ExternalError (command, args, redacted stderr tail) on a non-zero exit. Default: return the result with its exitCode. */
  reject?: boolean
  /** Detach the child into its own session (daemons). */
  detached?: boolean
  /**
   * A secret the child reads from `/dev/fd/3` (Linux, macOS): it sits in an anonymous file that has no name (Linux
   * O_TMPFILE, `tmpfileFlags`) or loses it before the child starts, so nothing is left on disk whatever ends us,
   * kill -9 included.
   */
  secretFd?: {value: string; tmpfileFlags?: number}
}

export interface RunResult {
  command: string
  args: string[]
  exitCode: number
  stdout: string
  stderr: string
  timedOut: boolean
  /** The command could not be started at all (ENOENT, EACCES). */
  notFound: boolean
}

/** The only place claw-mesh starts processes. */
export interface Runner {
  run(command: string, args: readonly string[], opts?: RunOptions): Promise<RunResult>
  /** Starts a long-lived process detached from us, with output into a log file. Returns its pid. */
  spawnDetached(
    command: string,
    args: readonly string[],
    opts: {logFile: string; env?: Record<string, string | undefined>; cwd?: string},
  ): Promise<number>
}

const STDERR_TAIL = 2000

export function createExecaRunner(
  redactor: Redactor,
  parentEnv: NodeJS.ProcessEnv = process.env,
  platform: PlatformId = 'linux',
): Runner {
  // Computed per call: a child sees the allow-listed part of our environment plus what the caller adds, never a secret.
  const envFor = (extra?: Record<string, string | undefined>) => ({...childEnvironment(parentEnv), ...extra})
  return {
    async run(command, args, opts = {}) {
      const secretFd = opts.secretFd ? anonymousFile(opts.secretFd.value, opts.secretFd.tmpfileFlags) : undefined
      const options: ExecaOptions = {
        reject: false,
        input: opts.input,
        env: envFor(opts.env),
        extendEnv: false,
        cwd: opts.cwd,
        timeout: opts.timeoutMs,
        stripFinalNewline: false,
        windowsHide: true,
        // The secret's descriptor becomes the child's fd 3 (execa passes a number through to spawn, though its
        // types do not list one for extra fds); stdin as usual.
        ...(secretFd === undefined
          ? {stdin: opts.input === undefined ? ('ignore' as const) : undefined}
          : {
              stdio: [
                opts.input === undefined ? 'ignore' : 'pipe',
                'pipe',
                'pipe',
                secretFd as unknown as 'ignore',
              ] as const,
            }),
      }
      let r
      try {
        // Loaded on the first child process (~90 ms): commands that run none (ask, send, peer check) start without it.
        const {execa} = await import('execa')
        r = await execa(command, [...args], options)
      } finally {
        if (secretFd !== undefined) closeSync(secretFd)
      }
      const notFound = Boolean(
        r.failed && r.exitCode === undefined && !r.timedOut && (r as {code?: string}).code !== undefined,
      )
      const result: RunResult = {
        command,
        args: [...args],
        exitCode: r.exitCode ?? (r.timedOut ? 124 : 127),
        stdout: String(r.stdout ?? ''),
        stderr: String(r.stderr ?? ''),
        timedOut: Boolean(r.timedOut),
        notFound,
      }
      if (opts.reject && result.exitCode !== 0) {
        throw new ExternalError(
          `${command} ${args[0] ?? ''} ${result.timedOut ? 'timed out' : `failed with exit code ${result.exitCode}`}`.replace(
            /\s+/g,
            ' ',
          ),
          {
            command,
            args: args.map((a) => redactor.redact(a)),
            exitStatus: result.exitCode,
            stderr: redactor.tail(result.stderr, STDERR_TAIL),
          },
        )
      }
      return result
    },
    async spawnDetached(command, args, opts) {
      const {spawn} = await import('node:child_process')
      const {devNull} = await import('node:os')
      const fd = openSync(opts.logFile, 'a', 0o600)
      const nullFd = openSync(devNull, 'r+')
      try {
        // A .cmd shim (openclaw.cmd) cannot be spawned without a shell on Windows (spawn EINVAL): cmd.exe runs it.
        const cmd = platform === 'win32' ? await import('../core/os/windows-cmd.js') : undefined
        const viaCmd = cmd?.isCmdScript(command) ? cmd.cmdScriptInvocation(command, args, parentEnv.ComSpec) : undefined
        const child = spawn(viaCmd?.command ?? command, viaCmd?.args ?? [...args], {
          windowsVerbatimArguments: viaCmd?.windowsVerbatimArguments,
          detached: true,
          // Only /dev/null and the log: a descriptor inherited from our caller would keep its pipe open (#15).
          stdio: detachedStdio(fd, nullFd),
          env: envFor(opts.env),
          cwd: opts.cwd,
          windowsHide: true,
        })
        await new Promise<void>((resolve, reject) => {
          child.once('spawn', () => resolve())
          child.once('error', reject)
        })
        child.unref()
        return child.pid ?? -1
      } finally {
        closeSync(fd)
        closeSync(nullFd)
      }
    },
  }
}

/**
 * A file only our descriptor reaches: created without a name where the OS can (O_TMPFILE), else created in a private
 * directory and unlinked at once, before any child starts. Its data vanishes with the last descriptor.
 */
function anonymousFile(value: string, tmpfileFlags?: number): number {
  let fd: number | undefined
  if (tmpfileFlags !== undefined) {
    try {
      fd = openSync(os.tmpdir(), tmpfileFlags, 0o600)
    } catch {
      fd = undefined // a file system without O_TMPFILE: the named route below
    }
  }
  if (fd === undefined) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'claw-mesh-fd-'))
    const file = path.join(dir, 'secret')
    try {
      fd = openSync(file, 'wx+', 0o600)
    } finally {
      try {
        unlinkSync(file)
      } catch {
        // never created
      }
      rmdirSync(dir)
    }
  }
  // A positioned write (pwrite at 0) leaves the descriptor's offset at 0. On macOS the child's open of /dev/fd/3 is a
  // dup(3) that shares this offset (XNU fdesc_open → dupfdopen), so a plain write, which moves it to the end, would
  // hand `tailscale up` an empty key (issue 17, M1). Linux re-opens the file and reads from 0 either way.
  writeSync(fd, value, 0)
  return fd
}
