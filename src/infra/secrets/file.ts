import {promises as fs} from 'node:fs'
import path from 'node:path'
import {ClawMeshError} from '../../core/errors.js'
import {systemClock} from '../clock.js'
import {ensureDir, readIfExists, writeFileAtomic} from '../fs-atomic.js'
import {withLock} from '../lock.js'
import {SECRET_NAMES, type SecretStore} from './types.js'

/**
 * The only file OpenClaw's `file` SecretRef provider is pointed at: `{"gateway-token": …}` and nothing else, 0600,
 * next to secrets.json. OpenClaw (and so the agent it runs) never reads secrets.json, which also holds the mesh
 * secret and every peer's token.
 */
export const GATEWAY_PROVIDER_FILE = 'openclaw-gateway-token.json'

export function gatewayProviderFileFor(secretsFile: string): string {
  return path.join(path.dirname(secretsFile), GATEWAY_PROVIDER_FILE)
}

/** Writes (or, with no token, removes) the provider file when its content differs. Returns true when it changed. */
export async function syncGatewayProviderFile(secretsFile: string, token: string | undefined): Promise<boolean> {
  const file = gatewayProviderFileFor(secretsFile)
  if (token === undefined) {
    const existed = (await readIfExists(file)) !== undefined
    await fs.rm(file, {force: true})
    return existed
  }
  const content = `${JSON.stringify({[SECRET_NAMES.gatewayToken]: token}, null, 2)}\n`
  const problems = await secretFileProblems(file)
  if (problems.length === 0 && (await readIfExists(file)) === content) return false
  // A symlink or foreign file in its place is replaced, never written through.
  if (problems.length > 0) await fs.rm(file, {force: true})
  await ensureDir(path.dirname(file))
  await writeFileAtomic(file, content, 0o600)
  return true
}

export class InsecureSecretFileError extends ClawMeshError {
  constructor(message: string, hint: string) {
    super(message, {code: 'insecure-secret-file', hint})
  }
}

/** Problems with a secret file's permissions: mode, links, owner, symlink. Empty when it is private. */
export async function secretFileProblems(file: string): Promise<string[]> {
  const problems: string[] = []
  let st
  try {
    st = await fs.lstat(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  if (st.isSymbolicLink()) problems.push('is a symlink')
  if (!st.isFile() && !st.isSymbolicLink()) problems.push('is not a regular file')
  if ((st.mode & 0o077) !== 0) problems.push(`has mode ${(st.mode & 0o777).toString(8).padStart(4, '0')} (must be 0600)`)
  if (st.nlink !== 1) problems.push(`has ${st.nlink} hard links (must be 1)`)
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) problems.push(`is owned by uid ${st.uid}, not by you (uid ${process.getuid()})`)
  return problems
}

/**
 * Secrets in a private JSON file (0600, one hard link, owned by the user). Also readable by OpenClaw's own
 * `file` SecretRef provider in `json` mode, so the gateway token can be referenced instead of copied.
 */
export function createFileSecretStore(file: string): SecretStore & {file: string} {
  const load = async (): Promise<Record<string, string>> => {
    const problems = await secretFileProblems(file)
    if (problems.length > 0) {
      throw new InsecureSecretFileError(`The secret file ${file} ${problems.join(', ')}.`, `Run: chmod 600 ${JSON.stringify(file)} (and remove extra hard links), or claw-mesh doctor --fix.`)
    }
    const text = await readIfExists(file)
    if (text === undefined || text.trim() === '') return {}
    try {
      const parsed = JSON.parse(text) as unknown
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, string>
    } catch {
      // fall through
    }
    throw new ClawMeshError(`The secret file ${file} is not valid JSON.`, {hint: 'Move it away and re-run claw-mesh bootstrap to create new tokens.'})
  }
  // Read-modify-write under the lock: two runs adding a peer token at once must both be kept.
  const exclusive = <T>(fn: () => Promise<T>) => withLock({dir: path.dirname(file), name: 'secrets', waitMs: 30_000, clock: systemClock, what: 'claw-mesh secret update'}, fn)
  const save = async (values: Record<string, string>) => {
    await ensureDir(path.dirname(file))
    await writeFileAtomic(file, `${JSON.stringify(values, null, 2)}\n`, 0o600)
  }
  return {
    backend: 'file',
    location: file,
    file,
    async get(name) {
      return (await load())[name]
    },
    set: (name, value) =>
      exclusive(async () => {
        const values = await load()
        if (values[name] === value) return
        values[name] = value
        await save(values)
        if (name === SECRET_NAMES.gatewayToken) await syncGatewayProviderFile(file, value)
      }),
    delete: (name) =>
      exclusive(async () => {
        const values = await load()
        if (!(name in values)) return false
        delete values[name]
        await save(values)
        if (name === SECRET_NAMES.gatewayToken) await syncGatewayProviderFile(file, undefined)
        return true
      }),
  }
}
