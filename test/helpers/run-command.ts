import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {flagWords} from '../../src/base-command.js'
import type {DepsOptions} from '../../src/deps.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {checkJsonDocument} from './json-document.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')

export interface CommandRun {
  stdout: string
  stderr: string
  exitCode: number
  json<T = Record<string, unknown>>(): T
}

/** A claw-mesh command class, run in this process with its own dependency options. */
export type CommandClass = {runWith(argv: string[], root: string, options: DepsOptions): Promise<unknown>}

/** Runs a command class in-process with injected dependencies and captured streams. */
export async function runCommand(
  Cmd: CommandClass,
  argv: string[],
  deps: Omit<DepsOptions, 'io'> & {stdin?: string; tty?: boolean; stdoutTTY?: boolean; stderrTTY?: boolean} = {},
): Promise<CommandRun> {
  const {stdin, tty, stdoutTTY, stderrTTY, ...rest} = deps
  const streams = createTestIOStreams({stdin, tty, stdoutTTY, stderrTTY, env: {NO_COLOR: '1', ...rest.env}})
  const previous = process.exitCode
  process.exitCode = 0
  // Not this machine's kernel keyring: a command test sees only the keys it describes.
  await Cmd.runWith(argv, ROOT, {
    env: {CLAW_MESH_HOME: '/nonexistent/claw-mesh-test', ...rest.env},
    volatileSecrets: async () => ({keys: []}),
    ...rest,
    io: streams.io,
  })
  const exitCode = Number(process.exitCode ?? 0)
  process.exitCode = previous
  // Every --json document a command test produces is checked against the command's published schema.
  if (flagWords(argv).includes('--json') && streams.stdout().trim() !== '')
    checkJsonDocument((Cmd as {name?: string}).name ?? '', streams.stdout())
  return {
    stdout: streams.stdout(),
    stderr: streams.stderr(),
    exitCode,
    json<T>() {
      return JSON.parse(streams.stdout()) as T
    },
  }
}
