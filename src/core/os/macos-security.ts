/**
 * Talking to the macOS Keychain through Apple's own `/usr/bin/security` (pure parts: the command line it reads, what
 * it prints, what its exit status means). Why through `security` and not the node binary: a legacy Keychain item
 * written without an access object trusts only the program that wrote it, and node's code identity changes with every
 * upgrade (an ad-hoc-signed Homebrew node has no stable designated requirement); `/usr/bin/security` is Apple-signed
 * and the same program for the item's whole life.
 *
 * Everything here follows Apple's source of the tool (apple-oss-distributions/Security, SecurityTool/macOS, tag
 * Security-61901): security.c (`-i` reads stdin lines of at most MAX_LINE_LEN 4096 bytes, `split_line` splits them
 * on white space with '…'/"…" quoting and backslash escapes, no prompt when stdin is not a terminal, the exit status
 * is the last command's OSStatus, so modulo 256), keychain_add.c and keychain_find.c, and its usage text (security(1):
 * "-X  Specify password data to be added as a hexadecimal string", "-T  Specify an application which may access this
 * item (multiple -T options are allowed)", "-U  Update item if it already exists", "By default, the application which
 * creates an item is trusted to access its data without warning").
 */

/** Apple's tool, by absolute path: a `security` found first on PATH would be another program, and another identity. */
export const SECURITY = '/usr/bin/security'

/** `security` exits with its OSStatus modulo 256. */
export const SECURITY_EXIT = {
  /** errSecItemNotFound (-25300): "The specified item could not be found in the keychain." */
  notFound: 44,
  /** errSecInteractionNotAllowed (-25308): "User interaction is not allowed." (no GUI to show a prompt: SSH, a daemon). */
  interactionNotAllowed: 36,
  /** errSecUserCanceled (-128): someone clicked Deny or Cancel in the prompt. */
  userCanceled: 128,
  /** errSecAuthFailed (-25293): the keychain password typed into the prompt was wrong. */
  authFailed: 51,
} as const

/**
 * Longest command `security -i` reads as one line: readline() stops at MAX_LINE_LEN - 1 = 4095 characters, newline
 * included in the count it reaches, and the rest becomes a second command.
 */
export const SECURITY_MAX_LINE = 4094

/** One argument of a `security -i` line, quoted for its split_line: inside "…", a backslash escapes the next character. */
function quoteArg(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`
}

// A control character (a newline above all) would end or bend the command line security reads.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/

/**
 * The stdin line that stores `value` as the generic password (service, name), created or updated (-U), trusting
 * /usr/bin/security alone (-T: the list given replaces the default "the creating program"). The value goes as hex
 * (-X), never as a quoted string, and never in argv: `ps` shows argv to every user of the machine.
 */
export function securityAddLine(service: string, name: string, value: string): string {
  for (const [what, text] of [
    ['service', service],
    ['name', name],
  ] as const) {
    if (CONTROL.test(text))
      throw new Error(`The keychain ${what} ${JSON.stringify(text)} contains a control character.`)
  }
  const hex = Buffer.from(value, 'utf8').toString('hex')
  return `add-generic-password -U -s ${quoteArg(service)} -a ${quoteArg(name)} -T ${quoteArg(SECURITY)} -X ${hex}\n`
}

/**
 * The password in what `security find-generic-password -g` prints on stderr: `password: ` and then print_buffer's
 * rendering (keychain_utilities.c). Bytes all in ' '..'~' and no backslash: `"<the bytes>"`. Otherwise `0x<HEX>`, two
 * spaces (or one and the escaped text in quotes). Empty: nothing. `undefined` when there is no such line.
 *
 * Why -g and not -w: `-w` prints the bytes raw when every one is printable and as lower-case hex otherwise (macOS 26
 * keychain_find.c; earlier versions printed them raw). A value that is itself a hex string (a token) and the hex of a
 * value with a non-ASCII character then print the same, so -w cannot be read back exactly; -g marks hex with `0x`.
 */
export function parseFoundPassword(stderr: string): string | undefined {
  const m = /^password: (.*)$/m.exec(stderr)
  if (!m) return undefined
  const shown = m[1]
  const hex = /^0x([0-9A-Fa-f]*)(?: |$)/.exec(shown)
  if (hex) return hex[1].length % 2 === 0 ? Buffer.from(hex[1], 'hex').toString('utf8') : undefined
  if (shown.length >= 2 && shown.startsWith('"') && shown.endsWith('"')) return shown.slice(1, -1)
  return shown === '' ? '' : undefined
}

export type SecurityOutcome = 'ok' | 'not-found' | 'interaction-not-allowed' | 'denied' | 'failed'

/** What a `security` exit status means for a keychain call. */
export function securityOutcome(exitCode: number): SecurityOutcome {
  if (exitCode === 0) return 'ok'
  if (exitCode === SECURITY_EXIT.notFound) return 'not-found'
  if (exitCode === SECURITY_EXIT.interactionNotAllowed) return 'interaction-not-allowed'
  if (exitCode === SECURITY_EXIT.userCanceled || exitCode === SECURITY_EXIT.authFailed) return 'denied'
  return 'failed'
}
