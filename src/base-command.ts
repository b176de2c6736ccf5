import {appendFileSync} from 'node:fs'
import {Command, Config, Flags, type Interfaces} from '@oclif/core'
import {
  BugError,
  ClawMeshError,
  type DeclaredExitCodes,
  ExitCode,
  UsageError,
  exitCodeOf,
} from './core/common/errors.js'
import {redactKnownShapes} from './core/secrets/redact.js'
import {closest} from './core/common/suggest.js'
import {stripControl, stripControlValue} from './core/common/terminal-text.js'
import {createDeps, type Deps, type DepsOptions} from './deps.js'
import {runInterruptCleanups} from './infra/interrupt.js'
import {monotonicMs} from './core/common/duration.js'

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

export {onInterrupt} from './infra/interrupt.js'

/**
 * Every claw-mesh command: builds the dependency bag once, renders the result (human or one JSON document),
 * and turns errors into documented exit codes with a message and a hint, always redacted.
 */
export abstract class BaseCommand<T extends typeof Command = typeof Command> extends Command {
  static override baseFlags = {
    json: Flags.boolean({
      description: 'Print exactly one JSON document on stdout (progress goes to stderr).',
      default: false,
      helpGroup: 'GLOBAL',
    }),
  }

  /** The verdict codes this command exits with and why (the README's exit-code table is generated from them). */
  static exitCodes: DeclaredExitCodes = {}

  /** Read-only commands (status --watch) end quietly on Ctrl-C: there is nothing to pick up again. */
  static readOnly = false

  /** The result is for one reader (an invite): a file behind stdout is made 0600 before it is written. */
  static privateOutput = false

  protected deps!: Deps
  protected flags!: BaseFlags<T>
  protected args!: BaseArgs<T>
  private jsonRequested = false
  /** What this run's dependency bag is built from; `runWith` sets it (in-process runs with fakes). */
  private depsOptions: DepsOptions = {}

  /**
   * Runs the command in this process with the given dependency options, the way oclif's `run` does otherwise:
   * the options belong to this one instance, so runs cannot see each other's fakes.
   */
  static async runWith(this: typeof BaseCommand, argv: string[], root: string, options: DepsOptions): Promise<unknown> {
    const config = await Config.load(root)
    const cmd = new (this as unknown as new (argv: string[], config: Config) => BaseCommand)(argv, config)
    cmd.depsOptions = options
    if (!cmd.id) cmd.id = this.name.toLowerCase()
    return cmd._run()
  }

  protected abstract execute(): Promise<unknown>
  /** Renders the result for a person. Defaults to printing nothing beyond progress. */
  protected render(_result: unknown): void {}
  /** Exit code for a successful result (doctor returns non-zero when a check failed). */
  protected exitCodeFor(_result: unknown): number {
    return ExitCode.OK
  }

  public override async init(): Promise<void> {
    await super.init()
    let parsed: {flags: Record<string, unknown>; args: Record<string, unknown>}
    try {
      parsed = await this.parse({
        flags: this.ctor.flags,
        baseFlags: (this.ctor as typeof BaseCommand).baseFlags,
        args: withoutStdin(this.ctor.args),
        strict: this.ctor.strict,
      })
    } catch (error) {
      // The error is rendered the way it was asked for; only words before `--` are flags (after it, a message may
      // say "--json"). Nothing runs after a parse error, so the bag is read-only.
      this.jsonRequested = flagWords(this.argv).includes('--json')
      this.useDeps(true)
      // Whatever oclif's parser rejects (unknown flag, repeated flag, bad option, a flag's own parse) is usage.
      if (error instanceof ClawMeshError) throw error
      const message = parseErrorMessage((error as Error).message)
      const ctor = this.ctor as typeof BaseCommand
      const meant = flagSuggestion(message, Object.keys({...ctor.baseFlags, ...ctor.flags}))
      throw new UsageError(message, {
        hint: `${meant ? `Did you mean --${meant}? ` : ''}See: ${this.config.bin} ${this.id?.replaceAll(':', ' ') ?? ''} --help`,
      })
    }
    this.flags = parsed.flags as BaseFlags<T>
    this.args = parsed.args as BaseArgs<T>
    this.jsonRequested = parsed.flags.json === true
    // A dry run is known before anything runs, so the dependency bag itself can refuse to change anything.
    this.useDeps(parsed.flags['dry-run'] === true)
  }

  private useDeps(dryRun: boolean): void {
    this.deps = createDeps({...this.depsOptions, dryRun})
    this.deps.io.jsonMode = this.jsonRequested
  }

  public async run(): Promise<void> {
    const stopSignals = this.listenForSignals()
    const started = monotonicMs()
    try {
      // Results carry what peers, gateways and the tailnet said: no terminal control from them reaches the render.
      const result = stripControlValue(await this.execute())
      if (this.jsonRequested) {
        // `ok` says the command ran (its verdict is the exit code); a result's own `ok` (an A2A task that completed)
        // must not turn it into `false` without an `error`, which is what a failed command prints.
        const doc = `${JSON.stringify(this.deps.redactor.redactValue({...(result as object), ok: true}), null, 2)}\n`
        if ((this.ctor as typeof BaseCommand).privateOutput) this.deps.io.outPrivate(doc)
        else this.deps.io.out(doc)
      } else {
        this.render(result)
      }
      const code = this.exitCodeFor(result)
      if (code !== ExitCode.OK) process.exitCode = code
    } finally {
      stopSignals()
      this.reportUsage(started)
    }
  }

  /** For benchmarks: `CLAW_MESH_REPORT_USAGE=FILE` appends this process's own CPU time and peak memory. */
  private reportUsage(started: number): void {
    const file = this.deps?.env.CLAW_MESH_REPORT_USAGE
    if (!file) return
    const usage = process.resourceUsage()
    const line = {
      command: this.id,
      wallMs: Math.round(monotonicMs() - started),
      cpuUserMs: Math.round(usage.userCPUTime / 1000),
      cpuSystemMs: Math.round(usage.systemCPUTime / 1000),
      maxRssKb: usage.maxRSS,
    }
    appendFileSync(file, `${JSON.stringify(line)}\n`)
  }

  private listenForSignals(): () => void {
    const handler = (signal: NodeJS.Signals) => {
      runInterruptCleanups()
      if (!(this.ctor as typeof BaseCommand).readOnly)
        this.deps?.io.err(`\nInterrupted by ${signal}. Run the same command again: it picks up where it stopped.\n`)
      process.exit(signal === 'SIGINT' ? ExitCode.INTERRUPTED : 128 + 15)
    }
    process.once('SIGINT', handler)
    process.once('SIGTERM', handler)
    return () => {
      process.off('SIGINT', handler)
      process.off('SIGTERM', handler)
    }
  }

  protected override async catch(error: Error & {exitCode?: number; oclif?: {exit?: number}}): Promise<void> {
    // oclif's own parse errors (unknown flag, missing arg) are usage errors.
    let err: ClawMeshError
    if (error instanceof ClawMeshError) err = error
    else if (isOclifParseError(error))
      err = new UsageError(parseErrorMessage(error.message), {
        hint: `See: ${this.config.bin} ${this.id?.replaceAll(':', ' ') ?? ''} --help`,
      })
    else if (error.oclif?.exit !== undefined && error.message?.startsWith('EEXIT')) {
      process.exitCode = error.oclif.exit
      return
    } else err = new BugError(error.message ?? String(error))
    const io = this.deps?.io
    const code = exitCodeOf(err)
    // Messages quote peer answers and other programs' stderr: stripped whole (colour too) before anything prints them.
    const message = stripControl(err.message)
    const hint = err.hint ? stripControl(err.hint) : undefined
    if (!io) {
      process.stderr.write(`Error: ${redactKnownShapes(message)}\n`)
      process.exitCode = code
      return
    }
    if (this.jsonRequested) {
      io.out(
        `${JSON.stringify({ok: false, error: {code: err.code, exitCode: code, message: io.redactor.redact(message), hint: hint ? io.redactor.redact(hint) : undefined}}, null, 2)}\n`,
      )
    }
    io.err(`Error: ${message}\n`)
    if (hint) io.err(`  → ${hint}\n`)
    const stderrTail = stripControl((err as {stderr?: string}).stderr ?? '')
    if (stderrTail) io.err(`  ${stderrTail.trim().split('\n').slice(-5).join('\n  ')}\n`)
    if (this.deps.env.CLAW_MESH_DEBUG && error.stack) io.err(`${error.stack}\n`)
    process.exitCode = code
  }
}

/** For "Nonexistent flag: --jsn": the flag that was probably meant (`json`), when one is close enough. */
export function flagSuggestion(message: string, flags: readonly string[]): string | undefined {
  const typed = /^Nonexistent flags?: --([^\s,=]+)/.exec(message)?.[1]
  return typed === undefined ? undefined : closest(typed, flags)
}

/** The words oclif may read as flags: everything before a bare `--`. */
export function flagWords(argv: readonly string[]): readonly string[] {
  const end = argv.indexOf('--')
  return end === -1 ? argv : argv.slice(0, end)
}

function isOclifParseError(error: Error): boolean {
  const name = error.constructor?.name ?? ''
  return (
    /Parse|Flag|Arg|RequiredArgs|Unexpected|Nonexistent|FailedFlagValidation/.test(name) ||
    /^(Nonexistent flag|Unexpected argument|Missing required|Expected --|Expected a|Parsing --)/.test(
      error.message ?? '',
    )
  )
}

/**
 * oclif fills a missing argument from stdin whenever stdin is not a terminal (a pipe, a file, a `while read` loop),
 * which sends piped text nobody meant as an argument and swallows the loop's input. claw-mesh reads stdin only where
 * `-` asks for it, so every argument is declared to oclif with `ignoreStdin`.
 */
export function withoutStdin<A extends Record<string, object>>(args: A | undefined): A {
  const out: Record<string, object> = {}
  for (const [name, arg] of Object.entries(args ?? {})) out[name] = {...arg, ignoreStdin: true}
  return out as A
}

/**
 * One line for an oclif parse error. oclif lists missing arguments on the lines after "Missing 1 required arg:",
 * so the first line alone would drop the names.
 */
export function parseErrorMessage(message: string): string {
  const lines = message.split('\n')
  const missing = /^Missing (\d+) required args?:?$/.exec(lines[0].trim())
  if (!missing) return lines[0]
  // The list ends at the first blank line; a wrapped description continues on an indented line.
  const end = lines.findIndex((l, i) => i > 0 && l.trim() === '')
  const names = lines
    .slice(1, end === -1 ? undefined : end)
    .filter((l) => /^\S/.test(l) && !/^See more help/i.test(l))
    .map((l) => l.split(/\s+/)[0])
  return `Missing ${missing[1]} required argument${missing[1] === '1' ? '' : 's'}: ${names.join(', ')}.`
}
