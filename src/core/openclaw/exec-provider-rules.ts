import type {PlatformId} from '../../platform/types.js'

/** What `lstat` says about an exec provider's command, as far as OpenClaw's rules need it. */
export interface CommandStat {
  symlink: boolean
  mode: number
  uid: number
}

/**
 * Why OpenClaw would refuse to run an exec SecretRef provider's command, by its rules (empty: it would run it).
 * POSIX: not a symlink, not group- or world-writable, owned by the user. Windows: libuv reports every writable file
 * as mode 0666 and no owner, so those two say nothing there; OpenClaw checks the file's ACL instead (@openclaw/fs-safe
 * `inspectPathPermissions`: `C:\Program Files\nodejs\node.exe` with `BUILTIN\Users:(RX)` passes), which claw-mesh
 * leaves to OpenClaw. Pure.
 */
export function execCommandProblems(
  command: string,
  st: CommandStat,
  platform: PlatformId,
  myUid: number | undefined,
): string[] {
  if (st.symlink) return [`${command} is a symlink (OpenClaw refuses to run one)`]
  if (platform === 'win32') return []
  const problems: string[] = []
  if ((st.mode & 0o022) !== 0) problems.push(`${command} is group- or world-writable (OpenClaw refuses to run it)`)
  if (myUid !== undefined && st.uid !== myUid)
    problems.push(`${command} is not owned by you (OpenClaw refuses to run it)`)
  return problems
}
