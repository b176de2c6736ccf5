/**
 * Why the OS keychain cannot be used here, in the platform's own terms, and what to do about it. Pure: the platform
 * and the refusal's text in, a cause and a remedy out, so each OS's wording is tested on any OS.
 *
 * The texts matched are the ones the real programs print: keyring-core's "Couldn't access platform storage: …" /
 * "Platform failure: …" wrapping (the @napi-rs/keyring binary), keyring-rs' `Windows ERROR_NO_SUCH_LOGON_SESSION`
 * (CredReadW/CredWriteW in a network logon), Apple's errSecInteractionNotAllowed text, D-Bus's own errors.
 */

/** Why the Secret Service is unusable, as the D-Bus readiness check found it (see secret-service.ts). */
export type SecretServiceProblem = 'no-bus' | 'no-secret-service' | 'no-default-collection' | 'locked'

/**
 * Why the macOS Keychain refused, as claw-mesh's `security` calls found it (macos-keychain.ts):
 * - `item-not-trusted`: the keychain is unlocked but the item's access list does not name /usr/bin/security (an item
 *   an older claw-mesh wrote through node), and no one can answer the prompt here;
 * - `prompt-pending`: `security` did not answer in time: macOS is most likely showing that prompt at the desktop.
 */
export type MacKeychainProblem = 'item-not-trusted' | 'prompt-pending'

export type KeychainProblem = SecretServiceProblem | MacKeychainProblem

export interface KeychainRefusal {
  /** One clause, "the keychain cannot be used here: <cause>". */
  cause: string
  hint: string
}

const FILE_FLAG = 'use --secret-store file (a mode 0600 file in the claw-mesh state directory)'

const LINUX: Record<SecretServiceProblem, string> = {
  'no-bus':
    'there is no D-Bus session bus (no desktop login: SSH without a user session, cron, a container), so no Secret Service',
  'no-secret-service': 'no Secret Service (org.freedesktop.secrets) is running or activatable on the session bus',
  'no-default-collection': 'the Secret Service has no default keyring, and creating one needs a desktop prompt',
  locked:
    'the Secret Service default keyring is locked (it is unlocked by a desktop login, not over SSH or after a reboot)',
}

function linuxProblem(message: string): SecretServiceProblem | undefined {
  if (
    /DBUS_SESSION_BUS_ADDRESS|autolaunch|Failed to connect to socket|Failed to open connection to .*session bus|No DBus session/i.test(
      message,
    )
  )
    return 'no-bus'
  if (/ServiceUnknown|was not provided by any \.service files|Secret Service provider/i.test(message))
    return 'no-secret-service'
  if (/object locked|unlock prompt was dismissed/i.test(message)) return 'locked'
  return undefined
}

/** Where items written by claw-mesh before it went through /usr/bin/security get that program added to their access list. */
const MAC_ALWAYS_ALLOW =
  'At the Mac\'s desktop (Terminal, not SSH), run `claw-mesh gateway configure` once and click Always Allow when macOS asks whether "security" may use the item (that adds it for good), or write new tokens there with `claw-mesh token rotate` (peers then need the new invite)'

export function keychainRefusal(platform: string, message: string, problem?: KeychainProblem): KeychainRefusal {
  if (platform === 'linux') {
    const p = (problem && problem in LINUX ? (problem as SecretServiceProblem) : undefined) ?? linuxProblem(message)
    return {
      cause: p ? LINUX[p] : `the Secret Service refused (${message})`,
      hint: `Run where a Secret Service (gnome-keyring, KeePassXC) is unlocked on your session bus, or ${FILE_FLAG}. claw-mesh never uses the kernel keyring: it forgets everything at reboot.`,
    }
  }
  if (platform === 'darwin') {
    if (problem === 'item-not-trusted') {
      return {
        cause:
          'a Keychain item written by an older claw-mesh trusts only the node binary that wrote it, and this session cannot show the prompt that would let /usr/bin/security read it ("User interaction is not allowed")',
        hint: `${MAC_ALWAYS_ALLOW}; or ${FILE_FLAG}.`,
      }
    }
    if (problem === 'prompt-pending') {
      return {
        cause:
          'the macOS Keychain did not answer: it is probably asking at the desktop whether "security" may use a claw-mesh item (an item an older claw-mesh wrote through node), or to unlock the login keychain',
        hint: `Answer the prompt at the Mac (Always Allow). ${MAC_ALWAYS_ALLOW}; or ${FILE_FLAG}.`,
      }
    }
    // errSecInteractionNotAllowed (-25308): the login keychain is locked and no unlock dialog can be shown (SSH).
    if (/User interaction is not allowed|-25308/i.test(message)) {
      return {
        cause:
          'the macOS login keychain is locked and this session cannot show its unlock prompt ("User interaction is not allowed": an SSH login)',
        hint: `Unlock it first (security unlock-keychain ~/Library/Keychains/login.keychain-db), or run claw-mesh in the Mac's desktop session, or ${FILE_FLAG}.`,
      }
    }
    return {
      cause: `the macOS Keychain refused (${message})`,
      hint: `Run claw-mesh in the Mac's desktop session, or ${FILE_FLAG}.`,
    }
  }
  if (platform === 'win32') {
    // CredReadW/CredWriteW: "Network logon sessions do not have an associated credential set" (ERROR_NO_SUCH_LOGON_SESSION, 1312).
    if (/ERROR_NO_SUCH_LOGON_SESSION|logon session does not exist|\b1312\b/i.test(message)) {
      return {
        cause: 'Credential Manager is not available in an SSH (network) logon (ERROR_NO_SUCH_LOGON_SESSION)',
        hint: `Run at the console or over RDP, or ${FILE_FLAG}.`,
      }
    }
    return {
      cause: `Windows Credential Manager refused (${message})`,
      hint: `Run at the console or over RDP, or ${FILE_FLAG}.`,
    }
  }
  return {cause: `the OS keychain refused (${message})`, hint: `${FILE_FLAG[0].toUpperCase()}${FILE_FLAG.slice(1)}.`}
}
