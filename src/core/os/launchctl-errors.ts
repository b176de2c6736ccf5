/**
 * launchctl's refusals, read as OpenClaw's launchd runtime reads them (dist/launchd-runtime-*.mjs:
 * isUnsupportedGuiDomain, isLaunchctlBootstrapPendingTeardown). Pure: output in, meaning out.
 */

/** `bootstrap` right after `bootout`: launchd is still tearing the old job down. Retried, as OpenClaw does. */
export const LAUNCHCTL_PENDING_TEARDOWN = /bootstrap failed: 5\b|input\/output error/i

/** OpenClaw's retry budget for a pending teardown, and how often it tries again. */
export const LAUNCHCTL_TEARDOWN_TIMEOUT_MS = 30_000
export const LAUNCHCTL_TEARDOWN_POLL_MS = 500

/** No GUI session for this user in this context (SSH, a headless boot, sudo): gui/<uid> cannot take a LaunchAgent. */
export function launchctlGuiSessionMissing(
  output: string,
  job: string,
): {code: string; message: string; hint: string} | undefined {
  if (
    !/domain does not support specified action|could not find domain for user gui|bootstrap failed: 125\b/i.test(output)
  )
    return undefined
  const uid = /gui[:/] ?(\d+)/i.exec(output)?.[1]
  return {
    code: 'launchd-no-gui-session',
    message: `launchd refused the ${job} LaunchAgent: it needs a logged-in macOS GUI session for this user${uid ? ` (gui/${uid})` : ''}, and claw-mesh runs from SSH, a headless boot or sudo.`,
    hint:
      "Sign in to the Mac's desktop as this user and re-run the same command there (a Terminal in the desktop session, not sudo). " +
      'For a headless Mac, turn on automatic login for this user so macOS creates the session after a reboot (impossible while FileVault is on): see docs/platforms/macos.md.',
  }
}
