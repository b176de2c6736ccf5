import {onTestFinished} from 'vitest'
import type {RunOptions, RunResult, Runner} from '../../src/infra/runner.js'

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

export type ScriptedRunner = Runner & {calls: {command: string; args: string[]}[]; verify(): void}

/**
 * The one strict Runner fake: each call must match the next expected one. An unexpected call, a failing callback
 * or an answer left unused fails the test — at the end of the test by itself (verify() runs automatically), even
 * when the code under test swallowed the error.
 */
export function scriptedRunner(script: ExpectedCall[]): ScriptedRunner {
  const queue = [...script]
  const calls: {command: string; args: string[]}[] = []
  const failures: Error[] = []
  const fail = (message: string): never => {
    const error = new Error(message)
    failures.push(error)
    throw error
  }
  const match = (exp: ExpectedCall, command: string, args: string[]) => {
    const cmdOk = typeof exp.command === 'string' ? exp.command === command : exp.command.test(command)
    if (!cmdOk) return false
    if (!exp.args) return true
    return typeof exp.args === 'function' ? exp.args(args) : JSON.stringify(exp.args) === JSON.stringify(args)
  }
  const take = (command: string, args: string[], kind: string): ExpectedCall => {
    calls.push({command, args})
    const next = queue.shift()
    if (!next || !match(next, command, args)) {
      return fail(`unexpected ${kind}: ${command} ${args.join(' ')}${next ? `\n  expected: ${String(next.command)} ${Array.isArray(next.args) ? next.args.join(' ') : ''}` : ' (script exhausted)'}`)
    }
    return next
  }
  let verified = false
  const runner: ScriptedRunner = {
    calls,
    async run(command, args, opts) {
      const a = [...args]
      const next = take(command, a, 'call')
      try {
        await next.onCall?.(a, opts)
      } catch (error) {
        failures.push(error as Error)
        throw error
      }
      return {command, args: a, exitCode: 0, stdout: '', stderr: '', timedOut: false, notFound: false, ...next.result}
    },
    async spawnDetached(command, args) {
      take(command, [...args], 'detached spawn')
      return 4242
    },
    verify() {
      verified = true
      if (failures.length > 0) throw failures[0]
      if (queue.length > 0) throw new Error(`expected calls never happened:\n${queue.map((q) => `  ${String(q.command)} ${Array.isArray(q.args) ? q.args.join(' ') : ''}`).join('\n')}`)
    },
  }
  // Created inside a test: verified when it ends, whether or not the test remembered to.
  try {
    onTestFinished(({task}) => {
      if (task.result?.state === 'fail' && !verified) return
      runner.verify()
    })
  } catch {
    // Outside a test (a shared fixture): the caller verifies.
  }
  return runner
}
