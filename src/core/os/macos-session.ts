/**
 * Whether a Mac's mesh comes back by itself after a reboot (issue 17, M5). The gateway and the watchdog are
 * LaunchAgents in the user's GUI domain (gui/<uid>), and the App Store Tailscale runs in the desktop session too:
 * all of them start only once the user is logged in at the Mac. Automatic login brings the session back after a
 * reboot, and FileVault rules automatic login out. Pure: the outputs of `defaults read … autoLoginUser` and
 * `fdesetup status` in, notes out.
 */

/** The note doctor turns into a warning starts with this. */
export const MAC_REBOOT_WARNING = 'After a reboot this Mac stays out of the mesh until someone logs in'

export interface MacSessionFacts {
  /** This user's login name. */
  user?: string
  /** `defaults read /Library/Preferences/com.apple.loginwindow autoLoginUser`: exit code and stdout. */
  autoLogin: {exitCode: number; stdout: string}
  /** `fdesetup status`: stdout ("FileVault is On." / "FileVault is Off."), or undefined when it could not run. */
  fileVault?: string
}

export function fileVaultState(stdout: string | undefined): 'on' | 'off' | 'unknown' {
  if (stdout === undefined) return 'unknown'
  if (/FileVault is On/i.test(stdout)) return 'on'
  if (/FileVault is Off/i.test(stdout)) return 'off'
  return 'unknown'
}

export function macSessionNotes(f: MacSessionFacts): string[] {
  const who = f.user ?? 'this user'
  const autoLoginUser = f.autoLogin.exitCode === 0 ? f.autoLogin.stdout.trim() || undefined : undefined
  const vault = fileVaultState(f.fileVault)
  const where = `The gateway and the watchdog are LaunchAgents of ${who}'s desktop session: they run while ${who} is logged in at the Mac (the App Store Tailscale too).`
  const tailscale =
    'For an always-on Mac, the open-source tailscaled (brew install tailscale; sudo brew services start tailscale) starts at boot without a login; the App Store app does not.'
  if (autoLoginUser && autoLoginUser === f.user)
    return [`${where} Automatic login is on for ${who}: after a reboot macOS logs in and starts them.`, tailscale]
  const why =
    vault === 'on'
      ? 'FileVault is on, which rules out automatic login: after every reboot (an OS update, a power cut) someone must unlock the disk and log in at the screen (or through Screen Sharing).'
      : autoLoginUser
        ? `Automatic login is set for ${autoLoginUser}, not ${who}.`
        : `Automatic login is off. Turn it on for ${who} (System Settings → Users & Groups → Automatically log in as)${vault === 'unknown' ? ', which FileVault would rule out' : ''}.`
  return [`${MAC_REBOOT_WARNING} as ${who}. ${where} ${why}`, tailscale]
}
