import {existsSync, readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import type Conf from 'conf'
import {UsageError} from '../core/common/errors.js'
import {ONE_SHOT_PARSE, stateSchema, type State} from '../core/common/state-schema.js'
import {writeFailure} from './fs-atomic.js'
import {acquireLockSync} from './lock.js'
import {assertPrivateDir, assertPrivateFile, ensurePrivateDirSync} from './private-fs.js'

/** How long an update waits for another process's update (they take milliseconds). */
const UPDATE_WAIT_MS = 30_000

/**
 * A typed store over conf, kept in claw-mesh's private state dir (0700, the file 0600). Every update is a
 * read-modify-write under an exclusive lock, so concurrent runs (ten `peer add` at once) never lose a record, and
 * the file is only trusted when it is the user's own and nobody else can write it.
 */
export interface StateStore {
  readonly path: string
  read(): State
  update(mutate: (state: State) => void): State
}

/**
 * conf (with the JSON-schema validator it brings) costs ~90 ms to load: only a write loads it. A read is the same
 * JSON.parse conf would do, so `ask`, `send`, `status` and `peer check` start without it.
 */
function loadConf(): typeof Conf {
  // Node 22.12 calls require() of an ES module experimental and says so on stderr (22.13+ and 24 do not): not here.
  // eslint-disable-next-line @typescript-eslint/unbound-method -- kept unbound to put the very same function back; called with .call(process)
  const emit = process.emitWarning
  process.emitWarning = (warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning?.message
    if (/ES Module .* using require\(\)|loading ES Module in require\(\)/.test(String(text))) return
    return (emit as (...args: unknown[]) => void).call(process, warning, ...rest)
  }
  try {
    return (createRequire(import.meta.url)('conf') as {default: typeof Conf}).default
  } finally {
    process.emitWarning = emit
  }
}

export function createStateStore(dir: string): StateStore {
  let conf: Conf<Record<string, unknown>> | undefined
  const open = () => {
    if (!conf) ensurePrivateDirSync(dir)
    const Store = conf ? undefined : loadConf()
    return (conf ??= new Store!<Record<string, unknown>>({
      cwd: dir,
      configName: 'state',
      projectName: 'claw-mesh',
      configFileMode: 0o600,
      clearInvalidConfig: false,
      projectSuffix: '',
    }))
  }
  const checked = () => {
    assertPrivateDir(dir)
    assertPrivateFile(file)
  }
  const parse = (raw: unknown): State => {
    const result = stateSchema.safeParse(raw, ONE_SHOT_PARSE)
    if (!result.success) {
      // Name the field: "peers.clawd.url: expected string" says what to fix, the bare message does not.
      const issue = result.error.issues[0]
      const where = issue?.path.length ? `${issue.path.map(String).join('.')}: ` : ''
      throw new UsageError(`claw-mesh state file ${file} is not valid: ${where}${issue?.message ?? 'unknown error'}.`, {
        hint: 'Fix or move the file away; claw-mesh rebuilds it on the next bootstrap.',
      })
    }
    return result.data
  }
  const file = path.join(dir, 'state.json')
  return {
    get path() {
      return file
    },
    read() {
      // Reading never creates anything: a fresh machine (or a dry run) leaves no trace.
      if (!existsSync(file)) return parse({})
      checked()
      return parse(storeOf(() => ({store: JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>}), file))
    },
    update(mutate) {
      const c = open()
      const lock = acquireLockSync({dir, name: 'state', waitMs: UPDATE_WAIT_MS, what: 'claw-mesh state update'})
      try {
        checked()
        const state = parse(storeOf(() => c, file))
        mutate(state)
        try {
          c.store = state
        } catch (error) {
          throw writeFailure(file, error, 'claw-mesh state')
        }
        return state
      } finally {
        lock.release()
      }
    },
  }
}

/** The file's contents; a file that is not JSON at all is named with the same hint as one that fails the schema. */
function storeOf(open: () => {store: Record<string, unknown>}, file: string): Record<string, unknown> {
  try {
    return open().store
  } catch (error) {
    if (!(error instanceof SyntaxError)) throw error
    throw new UsageError(`claw-mesh state file ${file} is not valid JSON.`, {
      hint: 'Fix or move the file away; claw-mesh rebuilds it on the next bootstrap.',
    })
  }
}

/** An in-memory store for tests. */
export function createMemoryStateStore(initial: Partial<State> = {}): StateStore & {raw: () => State} {
  let state = stateSchema.parse(initial, ONE_SHOT_PARSE)
  return {
    path: ':memory:',
    read: () => structuredClone(state),
    update(mutate) {
      const next = structuredClone(state)
      mutate(next)
      state = stateSchema.parse(next, ONE_SHOT_PARSE)
      return structuredClone(state)
    },
    raw: () => state,
  }
}
