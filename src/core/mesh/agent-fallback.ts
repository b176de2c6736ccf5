import {shQuote} from '../../platform/gateway-common.js'
import {psCommand, psEnvAssignment} from '../os/powershell-quote.js'

/**
 * The command lines the skill gives an agent that has no mesh tools (an older OpenClaw, or the plugin declined), for
 * the shell OpenClaw's exec runs them in. Pure.
 *
 * - The program is always the absolute node and entry bootstrap ran with: exec prepends the login shell's PATH
 *   (`/usr/bin` first on Debian) to the gateway's, so a bare `claw-mesh` starts on whatever `/usr/bin/node` is, and a
 *   too-old one exits 3.
 * - A message never goes on the command line: it goes on stdin, in a quoted heredoc (POSIX) or a single-quoted
 *   here-string (PowerShell), where neither `$(…)` nor a leading `--file=` means anything, and `--` ends the options
 *   before the peer's name.
 */
export type AgentShell = 'posix' | 'powershell'

export interface FallbackProgram {
  shell: AgentShell
  /** Absolute path of the node that runs claw-mesh. */
  node: string
  /** Absolute path of claw-mesh's bin/run.js. */
  entry: string
  /** A non-default CLAW_MESH_HOME, absolute. */
  home?: string
}

/** The line that runs claw-mesh with `args` (words the skill writes itself, never a message). */
export function fallbackLine(p: FallbackProgram, args: string): string {
  const {setup, program} = parts(p)
  return `${setup}${program}${args ? ` ${args}` : ''}`
}

/**
 * A command whose message comes on stdin. `delimiter` ends a POSIX heredoc: it is random per host, so a peer's text
 * cannot know the line that would end it early. PowerShell's here-string always ends at a line starting with `'@`.
 * The PowerShell form sets $OutputEncoding: Windows PowerShell 5.1 pipes ASCII to a native program by default.
 */
export function fallbackStdinBlock(p: FallbackProgram, args: string, text: string, delimiter: string): string {
  const {setup, program} = parts(p)
  if (p.shell === 'powershell')
    return `${setup}$OutputEncoding = [Text.UTF8Encoding]::new($false); @'\n${text}\n'@ | ${program} ${args}`
  return `${program} ${args} <<'${delimiter}'\n${text}\n${delimiter}`
}

function parts(p: FallbackProgram): {setup: string; program: string} {
  if (p.shell === 'powershell') {
    // A quoted path needs the call operator `&`; PowerShell has no `NAME=value cmd`, so the variable is set first.
    return {setup: p.home ? `${psEnvAssignment('CLAW_MESH_HOME', p.home)} ` : '', program: psCommand([p.node, p.entry])}
  }
  const base = `${shQuote(p.node)} ${shQuote(p.entry)}`
  return {setup: '', program: p.home ? `CLAW_MESH_HOME=${shQuote(p.home)} ${base}` : base}
}

const DELIMITER = /CLAW_MESH_END_[0-9A-F]{16}/

/** `bytes`: 8 random bytes from the caller (this module stays pure). */
export function newDelimiter(bytes: Uint8Array): string {
  return `CLAW_MESH_END_${Buffer.from(bytes).toString('hex').toUpperCase()}`
}

/** The delimiter an installed skill already uses, so a re-install writes the same bytes. */
export function delimiterIn(text: string | undefined): string | undefined {
  return text ? DELIMITER.exec(text)?.[0] : undefined
}

const MARKER = /<!-- claw-mesh fallback (\{[^\n]*\}) -->/

/** A comment in the skill naming the program its fallback runs: what doctor checks. */
export function fallbackMarker(p: Pick<FallbackProgram, 'node' | 'entry'>): string {
  return `<!-- claw-mesh fallback ${JSON.stringify({node: p.node, entry: p.entry})} -->`
}

export function parseFallbackMarker(text: string): {node: string; entry: string} | undefined {
  const m = MARKER.exec(text)
  if (!m) return undefined
  try {
    const v = JSON.parse(m[1]) as {node?: unknown; entry?: unknown}
    return typeof v.node === 'string' && typeof v.entry === 'string' ? {node: v.node, entry: v.entry} : undefined
  } catch {
    return undefined
  }
}
