import {stripControl} from '../../core/a2a/a2a-protocol.js'
import {randomBytes} from 'node:crypto'
import {constants, promises as fs, rmSync} from 'node:fs'
import path from 'node:path'
import {ActionNeededError, ExternalError, UsageError} from '../../core/common/errors.js'
import {parseOpenClawConfig, type OpenClawConfig} from '../../core/openclaw/openclaw-config.js'
import type {Deps} from '../../deps.js'
import {ensureDir} from '../../infra/fs-atomic.js'
import {onInterrupt} from '../../infra/interrupt.js'
import {openclawArgs, type OpenClawLocation} from './locate.js'

export interface OpenClawConfigFile {
  path: string
  exists: boolean
  /** The exact bytes read (for backups: restore must be byte for byte). */
  raw?: Buffer
  text: string
  config: OpenClawConfig
}

/** Reads and parses openclaw.json. A missing file is an empty config; a syntax error is a UsageError with line:column. */
export async function readOpenClawConfig(file: string): Promise<OpenClawConfigFile> {
  let raw: Buffer
  try {
    raw = await fs.readFile(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return {path: file, exists: false, text: '', config: {}}
    if (code === 'EACCES' || code === 'EPERM') {
      throw new UsageError(`${file} cannot be read (permission denied).`, {
        code: 'openclaw-config-unreadable',
        hint: `Check its owner and mode: ls -l ${JSON.stringify(file)} (it should be yours, mode 0600).`,
      })
    }
    if (code === 'EISDIR')
      throw new UsageError(`${file} is a directory, not openclaw.json.`, {
        hint: 'Point OPENCLAW_CONFIG_PATH at the file itself.',
      })
    throw error
  }
  const text = raw.toString('utf8')
  return {path: file, exists: true, raw, text, config: parseOpenClawConfig(text, file)}
}

/**
 * Refuses to go on when the file cannot be replaced safely: OpenClaw's read-only switches, a symlink (OpenClaw
 * does not support writes through one), a file without write permission (checked by mode bits too, since root
 * passes access checks), or a directory claw-mesh cannot create files in (the atomic rename needs it).
 */
export async function assertConfigWritable(file: OpenClawConfigFile, env: NodeJS.ProcessEnv): Promise<void> {
  if (env.OPENCLAW_CONFIG_READONLY === '1' || env.OPENCLAW_NIX_MODE === '1') {
    throw new UsageError(
      `${file.path} is managed outside OpenClaw (${env.OPENCLAW_NIX_MODE === '1' ? 'OPENCLAW_NIX_MODE' : 'OPENCLAW_CONFIG_READONLY'}=1), so claw-mesh will not write it.`,
      {
        code: 'openclaw-config-readonly',
        hint: 'Make the gateway changes in the system that manages the file (see claw-mesh gateway configure --dry-run for the exact values), or unset the variable.',
      },
    )
  }
  const dir = path.dirname(file.path)
  if (file.exists) {
    const st = await fs.lstat(file.path)
    if (st.isSymbolicLink()) {
      throw new UsageError(`${file.path} is a symlink; OpenClaw does not support writing its config through one.`, {
        code: 'openclaw-config-symlink',
        hint: `Point OPENCLAW_CONFIG_PATH at the real file (${await fs.realpath(file.path).catch(() => 'its target')}), then re-run.`,
      })
    }
    const readOnly =
      (st.mode & 0o222) === 0 ||
      !(await fs.access(file.path, constants.W_OK).then(
        () => true,
        () => false,
      ))
    if (readOnly) {
      throw new UsageError(
        `${file.path} is not writable (mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}); claw-mesh changed nothing.`,
        {
          code: 'openclaw-config-not-writable',
          hint: `Make it writable for your user (chmod 600 ${JSON.stringify(file.path)}), then re-run.`,
        },
      )
    }
  }
  const dirOk = await fs.access(dir, constants.W_OK | constants.X_OK).then(
    () => true,
    (e: NodeJS.ErrnoException) => e.code === 'ENOENT',
  )
  if (!dirOk) {
    throw new UsageError(
      `The directory ${dir} is not writable, so openclaw.json cannot be replaced safely; claw-mesh changed nothing.`,
      {
        code: 'openclaw-config-dir-not-writable',
        hint: `Fix the directory's owner or mode (it should be yours, e.g. chmod 700 ${JSON.stringify(dir)}), then re-run.`,
      },
    )
  }
}

export interface ValidationResult {
  valid: boolean
  issues: {path: string; message: string}[]
  /** Set when the validator itself could not run. */
  error?: string
}

/** `openclaw config validate --json` on a given file (OPENCLAW_CONFIG_PATH points it there). */
export async function validateOpenClawConfig(
  deps: Pick<Deps, 'runner'>,
  loc: OpenClawLocation,
  file: string,
  timeoutMs = 60_000,
): Promise<ValidationResult> {
  const r = await deps.runner.run(loc.bin!, openclawArgs(loc, ['config', 'validate', '--json']), {
    env: {OPENCLAW_CONFIG_PATH: file},
    timeoutMs,
  })
  const json = parseLastJson(r.stdout) as
    {valid?: boolean; issues?: {path?: string; message?: string}[]; error?: {message?: string}} | undefined
  if (json && typeof json.valid === 'boolean') {
    return {
      valid: json.valid,
      issues: (json.issues ?? []).map((i) => ({path: i.path ?? '<root>', message: i.message ?? 'invalid'})),
    }
  }
  return {
    valid: false,
    issues: [],
    error: `openclaw config validate ${r.timedOut ? 'timed out' : `exited ${r.exitCode}`} without a JSON answer: ${(r.stderr || r.stdout).trim().split('\n').slice(-2).join(' ')}`,
  }
}

function parseLastJson(text: string): unknown {
  const start = text.indexOf('{')
  if (start < 0) return undefined
  try {
    return JSON.parse(text.slice(start))
  } catch {
    return undefined
  }
}

/**
 * Writes openclaw.json so it never holds an unvalidated config: the new text goes to a temp file beside it (same
 * directory, so relative includes resolve the same), `validate` checks that file, and only then is it renamed over
 * the original. A failed validation removes the temp file and leaves the original untouched.
 */
export async function writeConfigValidated(
  file: string,
  text: string,
  validate?: (candidate: string) => Promise<ValidationResult>,
): Promise<ValidationResult | undefined> {
  const dir = path.dirname(file)
  await ensureDir(dir)
  const tmp = path.join(dir, `.${path.basename(file)}.claw-mesh-${randomBytes(4).toString('hex')}.tmp`)
  // A SIGTERM while OpenClaw validates the copy must not leave it behind (it holds the hooks token).
  const stop = onInterrupt(() => rmSync(tmp, {force: true}))
  try {
    const handle = await fs.open(tmp, 'wx', 0o600)
    try {
      await handle.writeFile(text)
      await handle.chmod(0o600)
      await handle.sync()
    } finally {
      await handle.close()
    }
    const result = validate ? await validate(tmp) : undefined
    if (result && !result.valid) return result
    await fs.rename(tmp, file)
    return result
  } catch (error) {
    throw writeFailure(file, error)
  } finally {
    // Whatever happened (a full disk half-way through the write included), no temp file is left behind.
    await fs.rm(tmp, {force: true})
    stop()
  }
}

/** A failed write as an error that says what happened to the file (nothing) and what to do. */
function writeFailure(file: string, error: unknown): unknown {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new ActionNeededError(
      `No space left on the device that holds ${file}: the new config could not be written. claw-mesh changed nothing.`,
      {
        code: 'disk-full',
        hint: `Free some space there (df -h ${JSON.stringify(path.dirname(file))}), then re-run the same command.`,
      },
    )
  }
  if (code === 'EROFS' || code === 'EACCES' || code === 'EPERM') {
    return new UsageError(
      `${path.dirname(file)} is not writable (${code}): the new config could not be written. claw-mesh changed nothing.`,
      {
        code: 'config-not-writable',
        hint: 'Make the directory writable for this user (or remount it read-write), then re-run.',
      },
    )
  }
  return error
}

/** The issues of a failed validation as one error: every path and message, and what to do. */
export function validationError(file: string, result: ValidationResult): Error {
  if (result.error) {
    return new ExternalError(`OpenClaw could not validate the new config: ${result.error}`, {
      command: 'openclaw',
      args: ['config', 'validate', '--json'],
      hint: 'Check that `openclaw config validate` runs here, then re-run. claw-mesh did not change the file.',
    })
  }
  const lines = result.issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')
  const ours = result.issues.some((i) => OWNED_PREFIXES.some((p) => i.path === p || i.path.startsWith(`${p}.`)))
  return new UsageError(`OpenClaw rejects the config claw-mesh would write to ${file}:\n${lines}`, {
    code: 'openclaw-config-invalid',
    hint: ours
      ? 'A value claw-mesh sets was refused: re-run with CLAW_MESH_DEBUG=1 and report it (for the secret resolver, check that the state dir is yours and not group/world-writable). The file was not changed.'
      : 'These keys were invalid before claw-mesh touched the file (it only sets gateway.*, secrets.providers.clawmesh and hooks.*): fix them or run `openclaw doctor --fix`, then re-run. The file was not changed.',
  })
}

/** Paths claw-mesh writes; a validation issue elsewhere was already in the user's file. */
const OWNED_PREFIXES = [
  'gateway.mode',
  'gateway.port',
  'gateway.bind',
  'gateway.auth',
  'gateway.tailscale',
  'secrets.providers.clawmesh',
  'hooks.enabled',
  'hooks.token',
]

export interface AuditFinding {
  checkId: string
  severity: 'critical' | 'warn' | 'info' | (string & {})
  title: string
  remediation?: string
}

/** `openclaw security audit --json`: OpenClaw's own findings about this config (doctor lists them beside its own). */
export async function auditOpenClawConfig(
  deps: Pick<Deps, 'runner'>,
  loc: OpenClawLocation,
  file: string,
  timeoutMs = 90_000,
): Promise<{findings?: AuditFinding[]; error?: string}> {
  const r = await deps.runner.run(loc.bin!, openclawArgs(loc, ['security', 'audit', '--json']), {
    env: {OPENCLAW_CONFIG_PATH: file},
    timeoutMs,
  })
  const json = parseLastJson(r.stdout) as {findings?: unknown} | undefined
  if (!json || !Array.isArray(json.findings))
    return {error: `openclaw security audit ${r.timedOut ? 'timed out' : `exited ${r.exitCode}`} without a JSON answer`}
  const text = (v: unknown, max: number) => (typeof v === 'string' ? stripControl(v).slice(0, max) : undefined)
  const findings = json.findings
    .filter((f): f is Record<string, unknown> => Boolean(f) && typeof f === 'object')
    .slice(0, 200)
    .map((f) => ({
      checkId: text(f.checkId, 120) ?? '?',
      severity: text(f.severity, 20) ?? 'info',
      title: text(f.title, 200) ?? '',
      remediation: text(f.remediation, 400),
    }))
  return {findings}
}
