/**
 * A stand-in for PowerShell's parser (none runs here: PowerShell is a dotnet tool and NuGet is out of reach), with
 * the rules that decide whether a command line claw-mesh hands out runs in `powershell -Command`:
 *
 * - quotes: `'…'` is literal, its one escape a doubled quote (the typographic quotes U+2018–U+201B count as `'`);
 *   `"…"` escapes with a backtick or a doubled `"`; outside quotes a backtick escapes the next character and `#` at
 *   the start of a word starts a comment (about_Quoting_Rules, about_Parsing);
 * - a line that starts with a quoted string is an expression, not a command: running a quoted path needs `&`;
 * - a bare command name must not be one npm resolves to a `.ps1` (the Restricted execution policy refuses those):
 *   it names its `.cmd`/`.exe`, or is a cmdlet (Verb-Noun);
 * - `<` is "reserved for future use" (a parse error) and `&&`/`||` do not exist in Windows PowerShell 5.1.
 *
 * `words` returns the arguments the line passes, so the quoting is checked by reading it back.
 */
const SQ = /['\u2018\u2019\u201A\u201B]/

export interface PsLine {
  problems: string[]
  words: string[]
}

export function lintPowerShell(line: string): PsLine {
  const problems: string[] = []
  const words: string[] = []
  const quotedStart: boolean[] = []
  let i = 0
  const n = line.length
  while (i < n) {
    const c = line[i]
    if (c === ' ' || c === '\t') {
      i++
      continue
    }
    if (c === '#') break
    if (c === ';') {
      words.push(';')
      quotedStart.push(false)
      i++
      continue
    }
    let word = ''
    const startsQuoted = SQ.test(c) || c === '"'
    while (i < n && line[i] !== ' ' && line[i] !== '\t' && line[i] !== ';') {
      const ch = line[i]
      if (SQ.test(ch)) {
        i++
        let closed = false
        while (i < n) {
          if (SQ.test(line[i])) {
            if (i + 1 < n && SQ.test(line[i + 1])) {
              word += line[i]
              i += 2
              continue
            }
            i++
            closed = true
            break
          }
          word += line[i++]
        }
        if (!closed) problems.push('unterminated single-quoted string')
      } else if (ch === '"') {
        i++
        let closed = false
        while (i < n) {
          if (line[i] === '`' && i + 1 < n) {
            word += line[i + 1]
            i += 2
            continue
          }
          if (line[i] === '"') {
            if (line[i + 1] === '"') {
              word += '"'
              i += 2
              continue
            }
            i++
            closed = true
            break
          }
          word += line[i++]
        }
        if (!closed) problems.push('unterminated double-quoted string')
      } else if (ch === '`') {
        word += line[i + 1] ?? ''
        i += 2
      } else {
        if (ch === '<') problems.push('"<" is reserved in PowerShell (no input redirection)')
        if (ch === '&' && line[i + 1] === '&') problems.push('"&&" does not exist in Windows PowerShell 5.1')
        if (ch === '|' && line[i + 1] === '|') problems.push('"||" does not exist in Windows PowerShell 5.1')
        word += ch
        i++
      }
    }
    words.push(word)
    quotedStart.push(startsQuoted)
  }
  // Each statement (split at ';') must be an assignment or a command.
  let k = 0
  while (k < words.length) {
    let end = words.indexOf(';', k)
    if (end === -1) end = words.length
    const stmt = words.slice(k, end)
    const first = stmt[0]
    if (first !== undefined) {
      if (quotedStart[k])
        problems.push(`starts with a quoted string (${first}): an expression, not a command; put & in front`)
      else if (/^\$env:[A-Za-z_]\w*$/.test(first)) {
        if (stmt[1] !== '=' || stmt.length !== 3) problems.push(`malformed assignment to ${first}`)
      } else if (first === '&') {
        if (stmt.length < 2) problems.push('& without a command')
      } else if (/\.ps1$/i.test(first)) problems.push(`${first} is a script the execution policy may refuse`)
      else if (!/\.(cmd|exe|bat|com)$/i.test(first) && !/^[A-Z][a-z]+-[A-Za-z]+$/.test(first)) {
        problems.push(
          `bare "${first}" resolves to ${first}.ps1 when npm installed it, which the execution policy refuses; name ${first}.cmd`,
        )
      }
      if (stmt.some((w) => w.startsWith('~/'))) problems.push('"~/" is not expanded for native programs: use $HOME\\')
    }
    k = end + 1
  }
  return {problems, words: words.filter((w) => w !== ';')}
}

const ENCODING = '$OutputEncoding = [Text.UTF8Encoding]::new($false);'

/**
 * A block that pipes a single-quoted here-string into a command (what the skill's fallback does with a message):
 * `[setup;] $OutputEncoding = …; @'⏎text⏎'@ | & 'node' 'run.js' …`. The opening `@'` must end its line and `'@` start
 * the closing one (about_Quoting_Rules); the text in between is literal. Returns the text and the command's words.
 */
export function lintPowerShellHereString(block: string): PsLine & {text?: string} {
  const m = /^(.*)@'\n([\s\S]*?)\n'@ \| (.*)$/.exec(block)
  if (!m) return {problems: ['not a here-string piped into a command'], words: []}
  const [, head, text, command] = m as unknown as [string, string, string, string]
  const problems: string[] = []
  if (!head.endsWith(`${ENCODING} `))
    problems.push('$OutputEncoding is not set to UTF-8 before the pipe (Windows PowerShell 5.1 pipes ASCII)')
  const setup = head.slice(0, -`${ENCODING} `.length).trim()
  if (setup) problems.push(...lintPowerShell(setup).problems)
  if (/^'@/m.test(text)) problems.push("a line of the text starts with '@ and ends the here-string early")
  const cmd = lintPowerShell(command)
  return {problems: [...problems, ...cmd.problems], words: cmd.words, text}
}
