import os from 'node:os'
import type {Readable} from 'node:stream'
import {UsageError} from '../core/common/errors.js'
import {expandHome} from '../core/common/file-arg.js'
import {readTextInputFile, readTextInputStdin} from './text-input-file.js'
import type {Redactor} from '../core/secrets/redact.js'

export interface SecretSource {
  /** How the user gave it, for messages: `file:/run/secrets/ts`, `stdin`, `$CLAW_MESH_TAILSCALE_KEY`, `argument`. */
  origin: string
  value: string
}

/**
 * Reads a secret given as `file:PATH`, `-` (stdin), a literal value, or an environment variable.
 * The value is registered with the redactor at once so it can never be printed.
 */
export async function readSecretInput(opts: {
  flag: string
  raw?: string
  envName?: string
  env: NodeJS.ProcessEnv
  stdin: Readable
  redactor: Redactor
  /** Whether a literal value on the command line is allowed (it is visible to `ps`). */
  allowLiteral?: boolean
  /** What the value is, for messages (`invite`); default `secret`. */
  noun?: string
}): Promise<SecretSource | undefined> {
  let source: SecretSource | undefined
  const raw = opts.raw
  const noun = opts.noun ?? 'secret'
  if (raw === undefined || raw === '') {
    const fromEnv = opts.envName ? opts.env[opts.envName] : undefined
    // Read once, then gone: nothing later in this run (or a child it starts) can find it in the environment.
    if (opts.envName) delete opts.env[opts.envName]
    if (fromEnv) source = {origin: `$${opts.envName}`, value: fromEnv.trim()}
  } else if (raw === '-') {
    source = {origin: 'stdin', value: (await readTextInputStdin(opts.stdin, `${opts.flag} - (stdin)`)).trim()}
  } else if (raw.startsWith('file:')) {
    const file = expandHome(raw.slice(5), opts.env.HOME || opts.env.USERPROFILE || os.homedir())
    const text = await readTextInputFile(
      file,
      `${opts.flag} ${raw}`,
      `Check the path and its permissions, or pass the ${noun} on stdin with ${opts.flag} -.`,
    )
    source = {origin: raw, value: text.trim()}
  } else {
    if (opts.allowLiteral === false) {
      throw new UsageError(`${opts.flag} takes file:PATH or - (stdin), not a literal value.`, {
        hint: `Write the ${noun} to a file (mode 0600) and pass ${opts.flag} file:PATH, or paste it on stdin: ${opts.flag} -`,
      })
    }
    source = {origin: 'argument', value: raw.trim()}
  }
  if (source && source.value === '') {
    throw new UsageError(`${opts.flag}: the ${noun} from ${source.origin} is empty.`, {
      hint: `Put the ${noun} in the file or stream.`,
    })
  }
  if (source) opts.redactor.add(source.value)
  return source
}
