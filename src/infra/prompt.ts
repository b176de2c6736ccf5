import {createInterface} from 'node:readline'
import {Writable} from 'node:stream'
import {UsageError} from '../core/common/errors.js'
import type {IOStreams} from './io.js'

/**
 * Asks on the terminal (stderr), only when prompting is allowed. Otherwise fails naming the flag to pass,
 * so CI never hangs on a question.
 */
export async function ask(io: IOStreams, opts: {question: string; flag: string; masked?: boolean}): Promise<string> {
  if (!io.canPrompt()) {
    throw new UsageError(`${opts.question.replace(/[:?]\s*$/, '')} is needed and there is no terminal to ask on.`, {
      hint: `Pass ${opts.flag}.`,
    })
  }
  let muted = false
  const output = new Writable({
    write(chunk, _enc, cb) {
      if (!muted) io.stderrStream.write(chunk)
      cb()
    },
  })
  const rl = createInterface({input: io.stdin, output, terminal: true})
  try {
    return await new Promise<string>((resolve) => {
      rl.question(`${opts.question} `, (answer) => {
        if (opts.masked) io.stderrStream.write('\n')
        resolve(answer.trim())
      })
      muted = Boolean(opts.masked)
    })
  } finally {
    rl.close()
  }
}

/** A yes/no question. Without a terminal it fails naming the flag that answers yes, and what it would have asked. */
export async function confirm(io: IOStreams, opts: {question: string; flag: string}): Promise<boolean> {
  if (!io.canPrompt()) {
    throw new UsageError(`"${opts.question}" needs a yes, and there is no terminal to ask on.`, {
      hint: `Pass ${opts.flag} to answer yes.`,
    })
  }
  const answer = await ask(io, {question: `${opts.question} [y/N]`, flag: opts.flag})
  return /^y(es)?$/i.test(answer)
}
