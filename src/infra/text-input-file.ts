import {promises as fs} from 'node:fs'
import type {Readable} from 'node:stream'
import {buffer} from 'node:stream/consumers'
import {UsageError} from '../core/common/errors.js'
import {decodeTextInput} from '../core/common/text-input.js'

/**
 * A `file:PATH` (or `--file PATH`) input the user handed claw-mesh, read as bytes and decoded as people's tools write
 * text (decodeTextInput: UTF-8 with or without a BOM, UTF-16 with one). `origin` names the input in every error
 * (`--peer file:clawd.invite`); `hint` says what to do when the file cannot be read at all.
 */
export async function readTextInputFile(file: string, origin: string, hint: string): Promise<string> {
  let bytes: Buffer
  try {
    bytes = await fs.readFile(file)
  } catch (error) {
    throw new UsageError(`${origin}: cannot read the file (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, {
      hint,
    })
  }
  return decodeTextInput(bytes, origin)
}

/** The same for `-` (stdin). */
export async function readTextInputStdin(stdin: Readable, origin: string): Promise<string> {
  return decodeTextInput(await buffer(stdin), origin)
}
