import {randomBytes} from 'node:crypto'
import {existsSync, promises as fs} from 'node:fs'
import path from 'node:path'
import {
  CLAW_MESH_PROVIDER,
  hooksTokenOf,
  plaintextGatewayTokenOf,
  type OpenClawConfig,
  type SecretRef,
} from '../../core/openclaw/openclaw-config.js'
import type {Redactor} from '../../core/secrets/redact.js'
import {stableNodePath} from '../../core/openclaw/stable-node-path.js'
import {isWeakToken} from '../../core/secrets/token-strength.js'
import {ensureDir, writeFileAtomic} from '../../infra/fs-atomic.js'
import {packageRoot} from '../../infra/package-root.js'
import {gatewayProviderFileFor} from '../../infra/secrets/file.js'
import {SECRET_NAMES, type SecretStore} from '../../infra/secrets/types.js'
import type {PlatformAdapter} from '../../platform/types.js'

/** A fresh gateway or hooks token: 256 random bits (MIN_TOKEN_BITS), URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url')
}

/**
 * Where a token came from: the secret store, adopted from openclaw.json, new, or new because the one found was weak
 * (`replaced`), or a weak one kept because the user accepted that risk by name (`kept-weak`).
 */
export type TokenSource = 'store' | 'adopted' | 'new' | 'replaced' | 'kept-weak'

export interface GatewayTokens {
  gateway: string
  hooks: string
  sources: {gateway: TokenSource; hooks: TokenSource}
}

/**
 * The gateway and hooks tokens: from the secret store; else adopted from openclaw.json (a plain-string
 * gateway.auth.token or hooks.token the user already hands out); else new. A token under MIN_TOKEN_BITS (one
 * an older claw-mesh adopted, `aaaaaaaaaaaaaaaa`) is replaced before configure widens the gateway from loopback to
 * the tailnet, unless `keepWeak` (--accept-risk weak-tokens). The two are always different (the gateway refuses
 * its own token on hook endpoints). Every value is registered with the redactor.
 */
export async function ensureGatewayTokens(
  store: SecretStore,
  config: OpenClawConfig,
  opts: {persist: boolean; redactor: Redactor; keepWeak?: boolean},
): Promise<GatewayTokens> {
  const pick = async (name: string, fromConfig: string | undefined, avoid?: string): Promise<[string, TokenSource]> => {
    const stored = await store.get(name)
    const found: [string, TokenSource] | undefined =
      stored && stored !== avoid
        ? [stored, 'store']
        : fromConfig && fromConfig !== avoid
          ? [fromConfig, 'adopted']
          : undefined
    if (!found) return [newToken(), 'new']
    if (!isWeakToken(found[0])) return found
    return opts.keepWeak ? [found[0], 'kept-weak'] : [newToken(), 'replaced']
  }
  const [gateway, gatewaySource] = await pick(SECRET_NAMES.gatewayToken, plaintextGatewayTokenOf(config))
  opts.redactor.add(gateway)
  const [hooks, hooksSource] = await pick(SECRET_NAMES.hooksToken, hooksTokenOf(config), gateway)
  opts.redactor.add(hooks)
  if (opts.persist) {
    if (gatewaySource !== 'store') await store.set(SECRET_NAMES.gatewayToken, gateway)
    if (hooksSource !== 'store') await store.set(SECRET_NAMES.hooksToken, hooks)
  }
  return {gateway, hooks, sources: {gateway: gatewaySource, hooks: hooksSource}}
}

/**
 * The node claw-mesh bakes into files that outlive this run (the secret launcher, the watchdog job, the skill):
 * this one, by Homebrew's upgrade-proof path when it runs from a versioned Cellar directory (OpenClaw's rule).
 */
export function bakedNodePath(
  execPath: string = process.execPath,
  exists: (p: string) => boolean = existsSync,
): string {
  return stableNodePath(execPath, exists)
}

/** claw-mesh's own entry point (bin/run.js), absolute: the same from src/, dist/ and the start-up bundle. */
export function cliEntryPath(): string {
  return path.join(packageRoot(), 'bin', 'run.js')
}

export interface SecretWiring {
  ref: SecretRef
  provider: Record<string, unknown>
  /** The launcher file to write (exec provider on POSIX). */
  launcher?: {file: string; content: string}
  describe: string
}

/**
 * How openclaw.json points at the gateway token:
 * - file store → OpenClaw's own `file` provider reads a file holding only the gateway token (0600, next to
 *   secrets.json, kept in step by the file store), by JSON pointer: never secrets.json with the peer tokens;
 * - keychain → an `exec` provider runs `claw-mesh secrets resolve` through a launcher in claw-mesh's state dir.
 */
export function secretWiring(
  store: SecretStore,
  opts: {platform: PlatformAdapter; stateDir: string; nodePath?: string; cliEntry?: string},
): SecretWiring {
  if (store.backend === 'file') {
    return {
      ref: {source: 'file', provider: CLAW_MESH_PROVIDER, id: `/${SECRET_NAMES.gatewayToken}`},
      provider: {source: 'file', path: gatewayProviderFileFor(store.location), mode: 'json'},
      describe: `${gatewayProviderFileFor(store.location)}, the gateway token alone (OpenClaw file provider)`,
    }
  }
  const launcher = opts.platform.gateway.secretLauncher({
    nodePath: opts.nodePath ?? bakedNodePath(),
    cliEntry: opts.cliEntry ?? cliEntryPath(),
    stateDir: opts.stateDir,
    backend: store.backend,
  })
  const provider: Record<string, unknown> = {source: 'exec', command: launcher.command}
  if (launcher.args.length > 0) provider.args = launcher.args
  if (launcher.env) provider.env = launcher.env
  provider.passEnv = [...opts.platform.gateway.secretResolverPassEnv]
  provider.jsonOnly = true
  // Node start + a keychain read; a locked keychain fails inside claw-mesh's own 5 s keychain timeout first.
  provider.timeoutMs = 20_000
  return {
    ref: {source: 'exec', provider: CLAW_MESH_PROVIDER, id: SECRET_NAMES.gatewayToken},
    provider,
    launcher: launcher.file && launcher.content ? {file: launcher.file, content: launcher.content} : undefined,
    describe: `${store.location} (OpenClaw exec provider: ${launcher.command})`,
  }
}

/**
 * Writes the launcher when its content or safety differs: a regular file (never a symlink), mode 0700, owned by
 * us — what OpenClaw's exec provider insists on. Returns true when it wrote.
 */
export async function writeSecretLauncher(launcher: {file: string; content: string}): Promise<boolean> {
  await ensureDir(path.dirname(launcher.file), 0o700)
  const st = await fs.lstat(launcher.file).catch(() => undefined)
  if (
    st &&
    st.isFile() &&
    (st.mode & 0o777) === 0o700 &&
    (typeof process.getuid !== 'function' || st.uid === process.getuid())
  ) {
    const current = await fs.readFile(launcher.file, 'utf8')
    if (current === launcher.content) return false
  }
  if (st && !st.isFile()) await fs.rm(launcher.file, {force: true, recursive: false})
  await writeFileAtomic(launcher.file, launcher.content, 0o700)
  return true
}
