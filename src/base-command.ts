import {appendFileSync} from 'node:fs'
import {Command, Flags, type Interfaces} from '@oclif/core'
import {BugError, ClawMeshError, ExitCode, UsageError, exitCodeOf} from './core/errors.js'
import {createDeps, type Deps, type DepsOptions} from './deps.js'
import {runInterruptCleanups} from './infra/interrupt.js'

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof BaseCommand)['baseFlags'] & T['flags']>
export type BaseArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

export {onInterrupt} from './infra/interrupt.js'

/**
 * Every claw-mesh command: builds the dependency bag once, renders the result (human or one JSON document),
 * and turns errors into documented exit codes with a message and a hint, always redacted.
 */
export abstract class BaseCommand<T extends typeof Command = typeof Command> extends Command {
  static override baseFlags = {
    json: Flags.boolean({description: 'Print exactly one JSON document on stdout (progress goes to stderr).', default: false, helpGroup: 'GLOBAL'}),
  }

  /** Read-only commands (status --watch) end quietly on Ctrl-C: there is nothing to pick up again. */
  static readOnly = false

  /** Tests replace this to inject fakes into in-process command runs. */
  static depsOverride: (() => DepsOptions) | undefined

  protected deps!: Deps
  protected flags!: BaseFlags<T>
  protected args!: BaseArgs<T>
  private jsonRequested = false

  protected abstract execute(): Promise<unknown>
  /** Renders the result for a person. Defaults to printing nothing beyond progress. */
  protected render(_result: unknown): void {}
  /** Exit code for a successful result (doctor returns non-zero when a check failed). */
  protected exitCodeFor(_result: unknown): number {
    return ExitCode.OK
  }

  public override async init(): Promise<void> {
    this.jsonRequested = this.argv.includes('--json')
    this.deps = createDeps(BaseCommand.depsOverride?.() ?? {})
    this.deps.io.jsonMode = this.jsonRequested
    await super.init()
    try {
      const {flags, args} = await this.parse({flags: this.ctor.flags, baseFlags: (this.ctor as typeof BaseCommand).baseFlags, args: this.ctor.args, strict: this.ctor.strict})
      this.flags = flags as BaseFlags<T>
      this.args = args as BaseArgs<T>
    } catch (error) {
      // Whatever oclif's parser rejects (unknown flag, repeated flag, bad option, a flag's own parse) is usage.
      if (error instanceof ClawMeshError) throw error
      throw new UsageError(firstLine((error as Error).message), {hint: `See: ${this.config.bin} ${this.id?.replaceAll(':', ' ') ?? ''} --help`})
    }
  }

  public async run(): Promise<void> {
    const stopSignals = this.listenForSignals()
    const started = performance.now()
    try {
      const result = await this.execute()
      if (this.jsonRequested) {
        this.deps.io.out(`${JSON.stringify(this.deps.redactor.redactValue({ok: true, ...(result as object)}), null, 2)}\n`)
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
    const line = {command: this.id, wallMs: Math.round(performance.now() - started), cpuUserMs: Math.round(usage.userCPUTime / 1000), cpuSystemMs: Math.round(usage.systemCPUTime / 1000), maxRssKb: usage.maxRSS}
    appendFileSync(file, `${JSON.stringify(line)}\n`)
  }

  private listenForSignals(): () => void {
    const handler = (signal: NodeJS.Signals) => {
      runInterruptCleanups()
      if (!(this.ctor as typeof BaseCommand).readOnly) this.deps?.io.err(`\nInterrupted by ${signal}. Run the same command again: it picks up where it stopped.\n`)
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
    else if (isOclifParseError(error)) err = new UsageError(firstLine(error.message), {hint: `See: ${this.config.bin} ${this.id?.replaceAll(':', ' ') ?? ''} --help`})
    else if (error.oclif?.exit !== undefined && error.message?.startsWith('EEXIT')) {
      process.exitCode = error.oclif.exit
      return
    } else err = new BugError(error.message ?? String(error))
    const io = this.deps?.io
    const code = exitCodeOf(err)
    if (!io) {
      process.stderr.write(`Error: ${err.message}\n`)
      process.exitCode = code
      return
    }
    if (this.jsonRequested) {
      io.out(`${JSON.stringify({ok: false, error: {code: err.code, exitCode: code, message: io.redactor.redact(err.message), hint: err.hint ? io.redactor.redact(err.hint) : undefined}}, null, 2)}\n`)
    }
    io.err(`Error: ${err.message}\n`)
    if (err.hint) io.err(`  → ${err.hint}\n`)
    const stderrTail = (err as {stderr?: string}).stderr
    if (stderrTail) io.err(`  ${stderrTail.trim().split('\n').slice(-5).join('\n  ')}\n`)
    if (this.deps.env.CLAW_MESH_DEBUG && error.stack) io.err(`${error.stack}\n`)
    process.exitCode = code
  }
}

function isOclifParseError(error: Error): boolean {
  const name = error.constructor?.name ?? ''
  return /Parse|Flag|Arg|RequiredArgs|Unexpected|Nonexistent|FailedFlagValidation/.test(name) || /^(Nonexistent flag|Unexpected argument|Missing required|Expected --|Expected a|Parsing --)/.test(error.message ?? '')
}

function firstLine(message: string): string {
  return message.split('\n')[0]
}
