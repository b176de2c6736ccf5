import {promises as fs, type Stats} from 'node:fs'
import path from 'node:path'
import {ClawMeshError} from '../../core/common/errors.js'
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
export async function syncGatewayProviderFile(
  secretsFile: string,
  token: string | undefined,
  platform: SecretFilePlatform,
): Promise<boolean> {
  const file = gatewayProviderFileFor(secretsFile)
  if (token === undefined) {
    const existed = (await readIfExists(file)) !== undefined
    await fs.rm(file, {force: true})
    return existed
  }
  const content = `${JSON.stringify({[SECRET_NAMES.gatewayToken]: token}, null, 2)}\n`
  const problems = await secretFileProblems(file, platform)
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

/**
 * The OS rules a secret file is judged by. `platform` is the OS id; `lstat` is the file system's (a seam: a test
 * gives the stat a Windows file really has).
 */
export interface SecretFilePlatform {
  platform: string
  lstat?: (file: string) => Promise<Stats>
}

/**
 * Problems with a secret file's permissions: mode, links, owner, symlink. Empty when it is private.
 * On Windows the mode bits mean nothing: libuv stats every writable file as 0666 (`fs__stat_handle` sets read and
 * write for owner, group and other unless FILE_ATTRIBUTE_READONLY) and chmod only toggles read-only. The file is
 * protected there by the NTFS ACL it inherits from %LOCALAPPDATA% (the user, SYSTEM, Administrators), which is also
 * what OpenClaw's Windows check accepts. Symlinks and extra hard links are refused on every OS.
 */
export async function secretFileProblems(file: string, os: SecretFilePlatform): Promise<string[]> {
  const problems: string[] = []
  let st: Stats
  try {
    st = await (os.lstat ?? fs.lstat)(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  if (st.isSymbolicLink()) problems.push('is a symlink')
  if (!st.isFile() && !st.isSymbolicLink()) problems.push('is not a regular file')
  if (os.platform !== 'win32' && (st.mode & 0o077) !== 0)
    problems.push(`has mode ${(st.mode & 0o777).toString(8).padStart(4, '0')} (must be 0600)`)
  if (st.nlink !== 1) problems.push(`has ${st.nlink} hard links (must be 1)`)
  if (os.platform !== 'win32' && typeof process.getuid === 'function' && st.uid !== process.getuid())
    problems.push(`is owned by uid ${st.uid}, not by you (uid ${process.getuid()})`)
  return problems
}

/** What to do about a secret file's problems: no chmod where modes do not apply. */
function insecureFileHint(file: string, platform: string): string {
  if (platform === 'win32')
    return `Remove the symlink or the extra hard links at ${JSON.stringify(file)} (or move the file away and re-run claw-mesh bootstrap).`
  return `Run: chmod 600 ${JSON.stringify(file)} (and remove extra hard links), or claw-mesh doctor --fix.`
}

/**
 * Secrets in a private JSON file (0600, one hard link, owned by the user). Also readable by OpenClaw's own
 * `file` SecretRef provider in `json` mode, so the gateway token can be referenced instead of copied.
 */
export function createFileSecretStore(file: string, os: SecretFilePlatform): SecretStore & {file: string} {
  const load = async (): Promise<Record<string, string>> => {
    const problems = await secretFileProblems(file, os)
    if (problems.length > 0) {
      throw new InsecureSecretFileError(
        `The secret file ${file} ${problems.join(', ')}.`,
        insecureFileHint(file, os.platform),
      )
    }
    const text = await readIfExists(file)
    if (text === undefined || text.trim() === '') return {}
    try {
      const parsed = JSON.parse(text) as unknown
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, string>
    } catch {
      // fall through
    }
    throw new ClawMeshError(`The secret file ${file} is not valid JSON.`, {
      hint: 'Move it away and re-run claw-mesh bootstrap to create new tokens.',
    })
  }
  // Read-modify-write under the lock: two runs adding a peer token at once must both be kept.
  const exclusive = <T>(fn: () => Promise<T>) =>
    withLock(
      {dir: path.dirname(file), name: 'secrets', waitMs: 30_000, clock: systemClock, what: 'claw-mesh secret update'},
      fn,
    )
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
        if (name === SECRET_NAMES.gatewayToken) await syncGatewayProviderFile(file, value, os)
      }),
    delete: (name) =>
      exclusive(async () => {
        const values = await load()
        if (!(name in values)) return false
        delete values[name]
        await save(values)
        if (name === SECRET_NAMES.gatewayToken) await syncGatewayProviderFile(file, undefined, os)
        return true
      }),
  }
}
