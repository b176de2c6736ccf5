import type {RunOptions, RunResult, Runner} from '../../src/infra/runner.js'

export interface ExpectedCall {
  /** Matches the command (exact) and args (exact array, or a predicate). */
  command: string | RegExp
  args?: string[] | ((args: string[]) => boolean)
  result?: Partial<RunResult>
  /** Called with the real call, e.g. to read a key file before it is deleted. */
  onCall?: (args: string[], opts?: RunOptions) => void
}

/**
 * A Runner that follows a script: each call must match the next expected one. An unexpected call throws at once;
 * `verify()` fails when an expected call never happened.
 */
export function scriptedRunner(script: ExpectedCall[]): Runner & {calls: {command: string; args: string[]}[]; verify(): void} {
  const queue = [...script]
  const calls: {command: string; args: string[]}[] = []
  const match = (exp: ExpectedCall, command: string, args: string[]) => {
    const cmdOk = typeof exp.command === 'string' ? exp.command === command : exp.command.test(command)
    if (!cmdOk) return false
    if (!exp.args) return true
    return typeof exp.args === 'function' ? exp.args(args) : JSON.stringify(exp.args) === JSON.stringify(args)
  }
  return {
    calls,
    async run(command, args, opts) {
      const a = [...args]
      calls.push({command, args: a})
      const next = queue.shift()
      if (!next || !match(next, command, a)) {
        throw new Error(`unexpected call: ${command} ${a.join(' ')}${next ? `\n  expected: ${String(next.command)} ${Array.isArray(next.args) ? next.args.join(' ') : ''}` : ' (script exhausted)'}`)
      }
      next.onCall?.(a, opts)
      return {command, args: a, exitCode: 0, stdout: '', stderr: '', timedOut: false, notFound: false, ...next.result}
    },
    async spawnDetached(command, args) {
      calls.push({command, args: [...args]})
      const next = queue.shift()
      if (!next || !match(next, command, [...args])) throw new Error(`unexpected detached spawn: ${command} ${args.join(' ')}`)
      return 4242
    },
    verify() {
      if (queue.length > 0) throw new Error(`expected calls never happened:\n${queue.map((q) => `  ${String(q.command)} ${Array.isArray(q.args) ? q.args.join(' ') : ''}`).join('\n')}`)
    },
  }
}
