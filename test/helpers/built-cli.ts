import {execFile} from 'node:child_process'
import {mkdtempSync, rmSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {jsonSchemas} from '../../src/core/common/json-schemas.js'
import {checkJsonDocument} from './json-document.js'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const CLI = path.join(ROOT, 'bin', 'run.js')

export interface CliRun {
  exitCode: number
  stdout: string
  stderr: string
  json<T = Record<string, unknown>>(): T
}

/** The environment the built CLI runs in under test: as a user's, without a terminal (vitest sets NODE_ENV=test). */
export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CLAW_MESH_SKIP_NEW_VERSION_CHECK: '1',
    NODE_ENV: 'production',
    NO_COLOR: '1',
    CI: 'true',
    ...extra,
  }
}

/** Runs the BUILT CLI (`npm run build` first) as a child process. Never rejects on a non-zero exit. */
export function runCli(
  args: string[],
  opts: {env?: Record<string, string | undefined>; input?: string; timeoutMs?: number; cwd?: string} = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [CLI, ...args],
      {
        env: cliEnv(opts.env),
        cwd: opts.cwd,
        timeout: opts.timeoutMs ?? 60_000,
        encoding: 'utf8',
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number')
          return reject(new Error(`claw-mesh ${args.join(' ')}: ${error.message}\n${stderr}`))
        try {
          if (args.includes('--json') && stdout.trim() !== '') checkBuiltJson(args, stdout)
        } catch (mismatch) {
          return reject(mismatch)
        }
        resolve({
          exitCode: error ? Number(error.code) : 0,
          stdout,
          stderr,
          json<T>() {
            return JSON.parse(stdout) as T
          },
        })
      },
    )
    if (opts.input !== undefined) child.stdin?.end(opts.input)
    else child.stdin?.end()
  })
}

/** `peer add … --json` → the peer:add schema (the command is the leading words before any flag). */
function checkBuiltJson(args: string[], stdout: string): void {
  const words = args.slice(
    0,
    args.findIndex((a) => a.startsWith('-')) === -1 ? args.length : args.findIndex((a) => a.startsWith('-')),
  )
  const id = [words.slice(0, 2).join(':'), words[0]].find((w) => w && (w in jsonSchemas || w === 'secrets:resolve'))
  if (!id) return
  checkJsonDocument(
    id
      .split(':')
      .map((w) => w[0].toUpperCase() + w.slice(1))
      .join(''),
    stdout,
  )
}

/** A temporary claw-mesh home (state dir) with the file secret store. */
export function tempHome(prefix = 'claw-mesh-home-'): {dir: string; env: Record<string, string>; cleanup(): void} {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix))
  return {
    dir,
    env: {CLAW_MESH_HOME: dir, CLAW_MESH_SECRET_STORE: 'file', HOME: dir},
    cleanup: () => rmSync(dir, {recursive: true, force: true}),
  }
}
