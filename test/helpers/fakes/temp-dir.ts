import {chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterAll, onTestFinished} from 'vitest'

/**
 * The temp-dir fixture: a fresh directory under the OS temp dir, removed when the test ends (called inside a test or
 * a beforeEach) or after the file's tests (called at the top of a file, in a describe or a beforeAll).
 * CLAW_MESH_KEEP_TEST_DIRS keeps them.
 */
const pending = new Set<() => void>()
const removeAll = () => {
  for (const remove of pending) remove()
  pending.clear()
}
// Registered when a test file first imports this module (collection time), so a dir made in a beforeAll (where
// neither onTestFinished nor afterAll can be registered) still goes at the end of the file; exit is the backstop.
try {
  afterAll(removeAll)
} catch {
  // imported outside a test file
}
process.once('exit', removeAll)

export interface TempDir {
  path: string
  join(...parts: string[]): string
  /** Writes a file (parents made), optionally with a mode (chmod after writing, so the umask does not change it). */
  write(rel: string, content: string | Buffer, mode?: number): string
  read(rel: string): string
  /** The permission bits of a file, e.g. 0o600. */
  mode(rel: string): number
  mkdir(rel: string, mode?: number): string
  /** An env that keeps a command's homes inside this dir (HOME, CLAW_MESH_HOME, OPENCLAW_STATE_DIR). */
  homeEnv(): Record<string, string>
  remove(): void
}

export function tempDir(what = 'test'): TempDir {
  const dir = mkdtempSync(path.join(os.tmpdir(), `claw-mesh-${what}-`))
  const join = (...parts: string[]) => path.join(dir, ...parts)
  const remove = () => {
    if (!process.env.CLAW_MESH_KEEP_TEST_DIRS) rmSync(dir, {recursive: true, force: true})
  }
  try {
    onTestFinished(remove)
  } catch {
    pending.add(remove)
  }
  return {
    path: dir,
    join,
    write(rel, content, mode) {
      const file = join(rel)
      mkdirSync(path.dirname(file), {recursive: true})
      writeFileSync(file, content)
      if (mode !== undefined) chmodSync(file, mode)
      return file
    },
    read: (rel) => readFileSync(join(rel), 'utf8'),
    mode: (rel) => statSync(join(rel)).mode & 0o777,
    mkdir(rel, mode) {
      const d = join(rel)
      mkdirSync(d, {recursive: true})
      if (mode !== undefined) chmodSync(d, mode)
      return d
    },
    homeEnv: () => ({HOME: join('home'), CLAW_MESH_HOME: join('claw-mesh'), OPENCLAW_STATE_DIR: join('openclaw')}),
    remove,
  }
}
