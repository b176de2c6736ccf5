import {fchmodSync, fstatSync} from 'node:fs'
import {Writable, Readable} from 'node:stream'
import {Redactor} from '../core/secrets/redact.js'
import {stripControlKeepColor} from '../core/common/terminal-text.js'

/**
 * Where output goes. Results on stdout, progress and diagnostics on stderr, everything through the redactor.
 * The test version is plain buffers with no terminal.
 */
export interface IOStreams {
  readonly stdin: Readable
  readonly stdoutIsTTY: boolean
  readonly stderrIsTTY: boolean
  readonly stdinIsTTY: boolean
  /** True when prompting is allowed: stdin and stderr are terminals and we are not in --json mode. */
  canPrompt(): boolean
  /** Colour for what goes to stdout, decided from stdout itself (a redirected stdout gets none). */
  readonly stdoutColor: boolean
  /** Colour for progress and diagnostics on stderr, decided from stderr. */
  readonly stderrColor: boolean
  readonly redactor: Redactor
  /** Data on stdout (control characters but colour stripped, then redacted). */
  out(text: string): void
  /** Progress, warnings, diagnostics on stderr (control characters but colour stripped, then redacted). */
  err(text: string): void
  /**
   * Progress drawn by listr2 on stderr: redacted but not stripped, since the animated renderer moves the cursor.
   * Whatever goes into a task's title or output must be stripped (stripControl) before it is handed to listr2.
   */
  errDrawing(text: string): void
  /** Homes the cursor and clears the screen (status --watch): the one control sequence out/err would strip. */
  clearScreen(): void
  /** Writes a value that is itself a secret the user asked for (a resolved token), unredacted, on stdout. */
  outSecret(text: string): void
  /**
   * Data on stdout (redacted) meant for one reader only — an invite pairs once, so whoever reads it first can pair
   * instead: a regular file behind stdout (`> file`) is made 0600 first, as for outSecret.
   */
  outPrivate(text: string): void
  readonly stderrStream: Writable
  jsonMode: boolean
}

export interface IOOptions {
  stdin: Readable
  stdout: Writable & {isTTY?: boolean}
  stderr: Writable & {isTTY?: boolean}
  stdinIsTTY?: boolean
  env: NodeJS.ProcessEnv
  redactor?: Redactor
}

/** NO_COLOR (any non-empty value) wins, then FORCE_COLOR, then TERM=dumb, then whether the stream is a terminal. */
export function colorEnabled(env: NodeJS.ProcessEnv, isTTY: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false'
  if (env.TERM === 'dumb') return false
  return isTTY
}

export function createIOStreams(opts: IOOptions): IOStreams {
  const redactor = opts.redactor ?? new Redactor()
  const stdoutIsTTY = Boolean(opts.stdout.isTTY)
  const stderrIsTTY = Boolean(opts.stderr.isTTY)
  const stdinIsTTY = opts.stdinIsTTY ?? Boolean((opts.stdin as {isTTY?: boolean}).isTTY)
  const guardFile = () => {
    const warning = privatizeOutputFile(opts.stdout)
    if (warning) io.err(`warning: ${warning}\n`)
  }
  const io: IOStreams = {
    stdin: opts.stdin,
    stdoutIsTTY,
    stderrIsTTY,
    stdinIsTTY,
    jsonMode: false,
    canPrompt: () => stdinIsTTY && stderrIsTTY && !io.jsonMode && opts.env.CI !== 'true',
    stdoutColor: colorEnabled(opts.env, stdoutIsTTY),
    stderrColor: colorEnabled(opts.env, stderrIsTTY),
    redactor,
    // Stripped before redaction: a control character slipped inside a secret must not hide it from the redactor.
    out: (text) => opts.stdout.write(redactor.redact(stripControlKeepColor(text))),
    err: (text) => opts.stderr.write(redactor.redact(stripControlKeepColor(text))),
    errDrawing: (text) => opts.stderr.write(redactor.redact(text)),
    clearScreen: () => opts.stdout.write('\u001b[H\u001b[2J'),
    outSecret: (text) => {
      guardFile()
      opts.stdout.write(text)
    },
    outPrivate: (text) => {
      guardFile()
      opts.stdout.write(redactor.redact(stripControlKeepColor(text)))
    },
    stderrStream: opts.stderr,
  }
  return io
}

/**
 * `claw-mesh invite > file`: the shell created the file with the umask's mode (0644 for most), so others could read
 * the secret about to be written into it. A regular file of ours is made 0600 first; one we cannot change is named
 * in a warning. Terminals and pipes are left alone.
 */
export function privatizeOutputFile(stream: Writable): string | undefined {
  const fd = (stream as {fd?: unknown}).fd
  if (typeof fd !== 'number') return undefined
  let st
  try {
    st = fstatSync(fd)
  } catch {
    return undefined
  }
  if (!st.isFile() || (st.mode & 0o077) === 0) return undefined
  const uid = process.getuid?.()
  if (uid !== undefined && st.uid !== uid)
    return `stdout is a file other users can read (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}) that is not yours to change: the secret written to it is readable by them.`
  try {
    fchmodSync(fd, 0o600)
    return undefined
  } catch (error) {
    return `stdout is a file other users can read and claw-mesh could not make it private (${(error as NodeJS.ErrnoException).code}): chmod 600 it.`
  }
}

/** IOStreams over in-memory buffers, for tests. */
export function createTestIOStreams(
  opts: {stdin?: string; tty?: boolean; stdoutTTY?: boolean; stderrTTY?: boolean; env?: NodeJS.ProcessEnv} = {},
): {
  io: IOStreams
  stdout: () => string
  stderr: () => string
} {
  let out = ''
  let err = ''
  const stdout = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out += chunk.toString()
      cb()
    },
  }) as Writable & {isTTY?: boolean}
  const stderr = new Writable({
    write(chunk: Buffer, _enc, cb) {
      err += chunk.toString()
      cb()
    },
  }) as Writable & {isTTY?: boolean}
  stdout.isTTY = opts.stdoutTTY ?? opts.tty ?? false
  stderr.isTTY = opts.stderrTTY ?? opts.tty ?? false
  const io = createIOStreams({
    stdin: Readable.from(opts.stdin === undefined ? [] : [opts.stdin]),
    stdout,
    stderr,
    stdinIsTTY: opts.tty ?? false,
    env: opts.env ?? {NO_COLOR: '1'},
  })
  return {io, stdout: () => out, stderr: () => err}
}
