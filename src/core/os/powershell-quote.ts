/**
 * Command lines for PowerShell, the shell OpenClaw's exec tool runs on Windows (`pwsh`, else Windows PowerShell
 * 5.1, with `-NoProfile -NonInteractive -Command`) and the one a Windows user pastes into. Pure.
 *
 * PowerShell is not a POSIX shell: a line that starts with a quoted string is an expression (a quoted program path
 * needs the call operator `&`), `$` and backticks expand inside double quotes, and the only literal string is the
 * single-quoted one, whose one escape is a doubled quote. PowerShell counts the typographic single quotes
 * (U+2018–U+201B) as quotes too, so those are doubled as well.
 */
import {UsageError} from '../common/errors.js'

const SINGLE_QUOTES = /['\u2018\u2019\u201A\u201B]/g
/** Words PowerShell passes to a native program as they are: no sigil, quote, operator, comma or stop-parsing token. */
const BARE = /^[\w\-.\\/:]+$/

function refuseControl(text: string): void {
  // A newline ends the command; the rest would run as a second one.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) {
    throw new UsageError(
      `A value for a PowerShell command line contains a control character (such as a newline): ${JSON.stringify(text.slice(0, 80))}.`,
      {
        hint: 'Use paths and values without newlines or control characters.',
      },
    )
  }
}

/** One literal string: `'…'`, each single quote doubled. */
export function psQuote(text: string): string {
  refuseControl(text)
  return `'${text.replace(SINGLE_QUOTES, (q) => q + q)}'`
}

/** One argument: bare when PowerShell reads it back unchanged, else a literal string. */
export function psArg(text: string): string {
  return text !== '' && BARE.test(text) && !text.startsWith('--%') ? text : psQuote(text)
}

/**
 * A program and its arguments as one PowerShell command: `& 'C:\…\node.exe' 'C:\…\run.js' ask …`. The call operator
 * makes the quoted path a command instead of a string expression; it is harmless before a bare name.
 */
export function psCommand(argv: readonly string[]): string {
  if (argv.length === 0) throw new Error('psCommand needs a program')
  return ['&', psQuote(argv[0]), ...argv.slice(1).map(psArg)].join(' ')
}

/** Sets an environment variable for the rest of this PowerShell process: `$env:NAME = '…'; `. */
export function psEnvAssignment(name: string, value: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`not an environment variable name: ${name}`)
  return `$env:${name} = ${psQuote(value)};`
}
