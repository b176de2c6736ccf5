import {promises as fs} from 'node:fs'
import {assertNoSecretInFile} from '../messaging/outbound-guard.js'
import path from 'node:path'
import {ActionNeededError, ClawMeshError, UsageError} from '../../core/common/errors.js'
import {peerHostKind} from '../../core/pairing/peer-url.js'
import {tailscaleError} from '../../core/tailscale/tailscale-errors.js'
import type {PeerRecord} from '../../core/common/state-schema.js'
import type {Deps} from '../../deps.js'
import {ensureDir} from '../../infra/fs-atomic.js'
import type {RunResult} from '../../infra/runner.js'
import {requirePeer} from '../peers/records.js'
import {openTailscale} from '../tailscale/cli.js'

/**
 * Files between mesh hosts over Taildrop (`tailscale file cp` / `tailscale file get`): Tailscale already moves
 * files between the machines, end to end encrypted, so claw-mesh only names the peer and reads the result.
 */

export interface FileSendResult {
  peer: string
  target: string
  file: string
  bytes: number
  /** tailscale warned that the target is offline (the transfer then fails or waits). */
  warnings: string[]
}

export interface ReceivedFile {
  name: string
  path: string
  bytes: number
}

export interface FileGetResult {
  dir: string
  files: ReceivedFile[]
  /** Files left in the inbox and why (e.g. a name conflict with --conflict skip). */
  errors: string[]
}

export type ConflictMode = 'skip' | 'overwrite' | 'rename'

/** The Taildrop target for a peer: its Tailscale hostname, else the tailnet IP in its URL. */
export function taildropTarget(record: PeerRecord): string {
  if (record.hostname) return record.hostname
  const host = new URL(record.url).hostname.replace(/^\[|\]$/g, '')
  const kind = peerHostKind(host)
  if (kind === 'tailnet-ip') return host.includes(':') ? `[${host}]` : host
  if (kind === 'tailnet-name') return host.split('.')[0]
  throw new UsageError(
    `${record.name} has no Tailscale hostname or tailnet address (its URL is ${record.url}), so Taildrop cannot reach it.`,
    {
      code: 'peer-not-in-tailnet',
      hint: `Re-add ${record.name} from its invite (claw-mesh peer add --invite -), which records its Tailscale hostname.`,
    },
  )
}

function fileError(deps: Deps, cli: string, args: string[], r: RunResult, peer: string, target: string): ClawMeshError {
  const text = (r.stderr || r.stdout).trim()
  if (r.timedOut) {
    return new ClawMeshError(`Sending to ${peer} did not finish before the timeout.`, {
      code: 'taildrop-timeout',
      hint: 'Check the peer is online (claw-mesh peer check) and re-run with a longer --timeout.',
    })
  }
  // The App Store Tailscale's CLI runs in a macOS sandbox and cannot open the file (cmd/tailscale/cli/file.go, M8).
  if (/runs in a macOS sandbox that can't read files/i.test(text)) {
    return new ActionNeededError(
      `Taildrop cannot send ${path.basename(args[2] ?? 'the file')} to ${peer}: the App Store Tailscale's CLI runs in a macOS sandbox that cannot read files.`,
      {
        code: 'taildrop-sandboxed',
        hint: 'Use the standalone Tailscale app (https://tailscale.com/download/mac) or the Homebrew tailscaled, whose CLI can read files; see docs/platforms/macos.md.',
      },
    )
  }
  // The real text (tailscale v1.98): "cannot send files: peer is owned by a different user".
  if (/owned by (a )?different user/i.test(text)) {
    return new ActionNeededError(
      `Taildrop refused to send to ${peer} (${target}): it only sends between devices of the same user unless the tailnet policy allows file sharing to that device.`,
      {
        code: 'taildrop-not-allowed',
        hint: 'Tagged mesh machines need a tailnet policy grant for file sharing (see https://tailscale.com/kb/1106/taildrop), or share the file another way.',
      },
    )
  }
  // Seen live between tagged nodes (tailscale 1.98 + Headscale): a tagged node has no user login, so tailscaled
  // has nowhere to keep Taildrop files ("Access denied: Taildrop disabled; no storage directory"). Not a permission
  // problem of this user, whatever "Access denied" suggests.
  if (/Taildrop disabled/i.test(text)) {
    return new ActionNeededError(
      `Taildrop is off for the transfer to ${peer} (${target}): tailscaled has no storage directory (tagged nodes have no user login; a daemon without --statedir has none either).`,
      {
        code: 'taildrop-unavailable',
        hint: 'Taildrop works between untagged nodes of one user: join both with a user-owned key (Headscale: headscale preauthkeys create --user <id>), with tailscaled run with --statedir.',
      },
    )
  }
  if (/can't send to|unknown target|not in your Tailnet|old Tailscale version/i.test(text)) {
    return new ActionNeededError(`Taildrop cannot send to ${peer} (${target}): ${text.split('\n').pop()}`, {
      code: 'taildrop-bad-target',
      hint: `Check that ${peer} is online in the tailnet (claw-mesh peer check ${peer}) and that Taildrop (Send Files) is enabled in the admin console.`,
    })
  }
  return tailscaleError({
    subcommand: 'file',
    args,
    exitCode: r.exitCode,
    stderr: text,
    startHint: deps.platform.tailscaleStartHint,
    os: deps.platform.id,
    cli,
  })
}

/** `tailscale file cp <abs path> <peer>:` — one regular file to one peer. */
export async function sendFile(
  deps: Deps,
  peer: string,
  file: string,
  opts: {timeoutMs: number},
): Promise<FileSendResult> {
  const record = requirePeer(deps.store.read(), peer)
  const target = taildropTarget(record)
  const abs = path.resolve(file)
  let st
  try {
    st = await fs.stat(abs)
  } catch (error) {
    throw new UsageError(`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'}).`, {
      hint: 'Check the path and its permissions.',
    })
  }
  if (!st.isFile())
    throw new UsageError(`${file} is not a regular file: Taildrop sends files, not directories.`, {
      hint: 'Pack a directory first (e.g. tar czf dir.tgz dir) and send the archive.',
    })
  await assertNoSecretInFile(deps, abs, file)
  const cli = openTailscale(deps)
  const args = ['file', 'cp', abs, `${target}:`]
  const r = await cli.raw(args, opts.timeoutMs)
  if (r.exitCode !== 0) throw fileError(deps, cli.location.cli, args, r, record.name, target)
  const warnings = (r.stderr + r.stdout)
    .split('\n')
    .map((l) => l.replace(/^#\s*/, '').trim())
    .filter((l) => /^warning:/i.test(l))
  return {peer: record.name, target, file: abs, bytes: st.size, warnings}
}

type Snapshot = Map<string, {ino: number; mtimeMs: number; size: number}>

async function snapshot(dir: string): Promise<Snapshot> {
  const out: Snapshot = new Map()
  for (const name of await fs.readdir(dir)) {
    const st = await fs.lstat(path.join(dir, name)).catch(() => undefined)
    if (st?.isFile()) out.set(name, {ino: st.ino, mtimeMs: st.mtimeMs, size: st.size})
  }
  return out
}

/**
 * What `file get` put into the directory: new names, and names whose file was replaced (--conflict overwrite).
 * Read from the directory itself, so it does not depend on the wording of tailscale's --verbose output.
 */
export function receivedFiles(dir: string, before: Snapshot, after: Snapshot): ReceivedFile[] {
  const files: ReceivedFile[] = []
  for (const [name, st] of after) {
    const old = before.get(name)
    if (!old || old.ino !== st.ino || old.mtimeMs !== st.mtimeMs || old.size !== st.size)
      files.push({name, path: path.join(dir, name), bytes: st.size})
  }
  return files.sort((a, b) => a.name.localeCompare(b.name))
}

/** Moves every file waiting in this machine's Taildrop inbox into `dir` (created when missing). */
export async function getFiles(
  deps: Deps,
  dir: string,
  opts: {conflict: ConflictMode; wait: boolean; timeoutMs: number},
): Promise<FileGetResult> {
  const abs = path.resolve(dir)
  const st = await fs.stat(abs).catch(() => undefined)
  if (st && !st.isDirectory())
    throw new UsageError(`${dir} is not a directory.`, {hint: 'Pass a directory to receive the files into.'})
  if (!st) await ensureDir(abs, 0o755)
  const cli = openTailscale(deps)
  const args = ['file', 'get', '--verbose', `--conflict=${opts.conflict}`, ...(opts.wait ? ['--wait'] : []), abs]
  const before = await snapshot(abs)
  const r = await cli.raw(args, opts.timeoutMs)
  const files = receivedFiles(abs, before, await snapshot(abs))
  const errors = `${r.stdout}\n${r.stderr}`
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^wrote |^waiting for file/.test(l) && !(r.exitCode === 0 && /^moved \d+\/\d+ files$/.test(l)))
  if (
    r.exitCode !== 0 &&
    files.length === 0 &&
    !errors.some((e) => /refusing to overwrite|already exists|moved \d+\/\d+/.test(e))
  ) {
    if (r.timedOut)
      throw new ClawMeshError(`No file arrived before the timeout (${Math.round(opts.timeoutMs / 1000)} s).`, {
        code: 'taildrop-timeout',
        hint: 'Run it again without --wait to take what is already there.',
      })
    throw tailscaleError({
      subcommand: 'file',
      args,
      exitCode: r.exitCode,
      stderr: r.stderr || r.stdout,
      startHint: deps.platform.tailscaleStartHint,
      os: deps.platform.id,
      cli: cli.location.cli,
    })
  }
  return {dir: abs, files, errors}
}
