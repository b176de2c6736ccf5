import path from 'node:path'
import {onTestFinished} from 'vitest'
import type {RunOptions, RunResult, Runner} from '../../../src/infra/runner.js'

/**
 * The Runner fakes (the processes seam). Two modes, one record of calls:
 * - `scriptedRunner([...])` (strict): every call must match an expected entry, in order (or by match, with
 *   `{order: 'any'}`); an unexpected call fails the test naming its argv, and an expected call that never came fails
 *   it at the end (assertDone() runs by itself when the test finishes, even if the code swallowed the error).
 * - `tableRunner({...})`: a table from a command line (basename and leading args) to its answer, for tests that
 *   do not care about order or how often; a call the table does not know still fails the test.
 * Both record each call's argv, whether it had stdin or a descriptor secret, and its env keys, so a test can
 * assert that no secret reached a child's argv or environment (assertNoSecret).
 */

export interface RecordedCall {
  command: string
  args: string[]
  /** Text was fed on stdin (where secrets belong). */
  stdin: boolean
  /** A secret was passed on a descriptor (`secretFd`). */
  secretFd: boolean
  /** The keys of the env the caller added for the child (values stay out of the record, except for assertNoSecret). */
  envKeys: string[]
  detached: boolean
}

export interface ExpectedCall {
  /** Matches the command (exact) and args (exact array, or a predicate). */
  command: string | RegExp
  args?: string[] | ((args: string[]) => boolean)
  result?: Partial<RunResult>
  /**
   * Called with the real call, e.g. to read a key file before it is deleted. Awaited before the call returns, so
   * what it checks is checked while the file still exists; a failure fails the test even if the code under test
   * catches the runner's error.
   */
  onCall?: (args: string[], opts?: RunOptions) => void | Promise<unknown>
}

/** An answer in a table: a partial result, or a function of the call that makes one. */
export type Answer =
  Partial<RunResult> | ((args: string[], opts?: RunOptions) => Partial<RunResult> | Promise<Partial<RunResult>>)

interface Recording {
  calls: RecordedCall[]
  /** How many calls ran `command` (basename) with these leading args. */
  count(command: string, ...prefix: string[]): number
  /** Fails if `secret` appears in any call's argv or in any env value a child was given. */
  assertNoSecret(secret: string): void
}

export type ScriptedRunner = Runner & Recording & {assertDone(): void}
export type TableRunner = Runner & Recording & {answers: Record<string, Answer>; assertDone(): void}

const ok = (command: string, args: string[]): RunResult => ({
  command,
  args,
  exitCode: 0,
  stdout: '',
  stderr: '',
  timedOut: false,
  notFound: false,
})

/** The shared part: the call record, the failure list, and the end-of-test check. */
function recorder() {
  const calls: RecordedCall[] = []
  const envValues: string[] = []
  const failures: Error[] = []
  const fail = (message: string): never => {
    const error = new Error(message)
    failures.push(error)
    throw error
  }
  const record = (
    command: string,
    args: string[],
    opts: {input?: string; env?: Record<string, string | undefined>; secretFd?: unknown} | undefined,
    detached: boolean,
  ) => {
    const env = opts?.env ?? {}
    envValues.push(...Object.values(env).filter((v): v is string => typeof v === 'string'))
    calls.push({
      command,
      args,
      stdin: opts?.input !== undefined,
      secretFd: Boolean(opts?.secretFd),
      envKeys: Object.keys(env),
      detached,
    })
  }
  const recording: Recording = {
    calls,
    count: (command, ...prefix) =>
      calls.filter((c) => path.basename(c.command) === command && prefix.every((p, i) => c.args[i] === p)).length,
    assertNoSecret(secret) {
      const inArgv = calls.find((c) => c.args.some((a) => a.includes(secret)) || c.command.includes(secret))
      if (inArgv)
        throw new Error(
          `a secret reached the argv of ${inArgv.command} ${inArgv.args.length} args (call #${calls.indexOf(inArgv) + 1})`,
        )
      if (envValues.some((v) => v.includes(secret))) throw new Error('a secret reached a child process environment')
    },
  }
  return {recording, failures, fail, record}
}

/**
 * Runs `check` when the test ends, unless the test already failed or already saw this fake's failure (an
 * assertDone() that threw inside the test). Outside a test, the caller checks.
 */
export function checkAtEnd(check: () => void): () => void {
  let seen = false
  const guarded = () => {
    try {
      check()
    } catch (error) {
      seen = true
      throw error
    }
  }
  try {
    onTestFinished(({task}) => {
      if (task.result?.state === 'fail' || seen) return
      check()
    })
  } catch {
    // Created outside a test (a shared fixture): the caller calls assertDone().
  }
  return guarded
}

const shown = (exp: ExpectedCall) =>
  `${String(exp.command)} ${Array.isArray(exp.args) ? exp.args.join(' ') : exp.args ? '(args predicate)' : ''}`.trim()

export function scriptedRunner(script: ExpectedCall[], opts: {order?: 'sequence' | 'any'} = {}): ScriptedRunner {
  const queue = [...script]
  const {recording, failures, fail, record} = recorder()
  const match = (exp: ExpectedCall, command: string, args: string[]) => {
    const cmdOk = typeof exp.command === 'string' ? exp.command === command : exp.command.test(command)
    if (!cmdOk) return false
    if (!exp.args) return true
    return typeof exp.args === 'function' ? exp.args(args) : JSON.stringify(exp.args) === JSON.stringify(args)
  }
  const take = (command: string, args: string[], kind: string): ExpectedCall => {
    const index =
      opts.order === 'any'
        ? queue.findIndex((q) => match(q, command, args))
        : queue.length > 0 && match(queue[0], command, args)
          ? 0
          : -1
    if (index < 0) {
      const next = queue[0]
      return fail(
        `unexpected ${kind}: ${command} ${args.join(' ')}${next ? `\n  expected${opts.order === 'any' ? ' one of' : ''}: ${(opts.order === 'any' ? queue : [next]).map(shown).join('\n    ')}` : ' (script exhausted)'}`,
      )
    }
    return queue.splice(index, 1)[0]
  }
  const runner: ScriptedRunner = {
    ...recording,
    async run(command, args, o) {
      const a = [...args]
      record(command, a, o, false)
      const next = take(command, a, 'call')
      try {
        await next.onCall?.(a, o)
      } catch (error) {
        failures.push(error as Error)
        throw error
      }
      return {...ok(command, a), ...next.result}
    },
    async spawnDetached(command, args, o) {
      const a = [...args]
      record(command, a, {env: o.env}, true)
      take(command, a, 'detached spawn')
      return 4242
    },
    assertDone: () => done(),
  }
  const done = checkAtEnd(() => {
    if (failures.length > 0) throw failures[0]
    if (queue.length > 0)
      throw new Error(`expected calls never happened:\n${queue.map((q) => `  ${shown(q)}`).join('\n')}`)
  })
  return runner
}

/**
 * The table mode: a call's line is the command's basename and its args (a `--socket=` arg left out, so one table
 * serves every socket); the longest key that equals the line or is a prefix of it (at a word boundary) answers.
 * `answers` may be changed by the test between calls.
 */
export function tableRunner(answers: Record<string, Answer>): TableRunner {
  const {recording, failures, fail, record} = recorder()
  const runner: TableRunner = {
    ...recording,
    answers,
    async run(command, args, opts) {
      const a = [...args]
      record(command, a, opts, false)
      const line = [path.basename(command), ...a.filter((x) => !x.startsWith('--socket='))].join(' ')
      const key = Object.keys(answers)
        .sort((x, y) => y.length - x.length)
        .find((k) => line === k || line.startsWith(`${k} `))
      if (key === undefined) return fail(`unexpected call (not in the runner's table): ${line}`)
      const answer = answers[key]
      const partial = typeof answer === 'function' ? await answer(a, opts) : answer
      return {...ok(command, a), ...partial}
    },
    async spawnDetached(command, args, opts) {
      record(command, [...args], {env: opts.env}, true)
      return fail(`unexpected detached spawn: ${command} ${args.join(' ')}`)
    },
    assertDone: () => done(),
  }
  const done = checkAtEnd(() => {
    if (failures.length > 0) throw failures[0]
  })
  return runner
}
