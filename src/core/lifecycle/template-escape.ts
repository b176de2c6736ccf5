import {UsageError} from '../common/errors.js'

/**
 * Escaping for the files claw-mesh renders from `templates/` (service units, plists, Task Scheduler XML). Every
 * value is escaped for the format it lands in before it reaches the `{{name}}` renderer, so a path with a quote,
 * a percent sign or an ampersand cannot change the meaning of the file. Pure.
 */
export type TemplateFormat = 'systemd' | 'xml' | 'markdown' | 'vbs'

/** A command line: rendered with the quoting its format needs (systemd ExecStart, Windows Arguments). */
export interface ArgvValue {
  argv: string[]
  /** How the target splits the line back into arguments. */
  style: 'systemd' | 'windows'
}

export type TemplateValue = string | number | boolean | ArgvValue | TemplateValue[] | {[key: string]: TemplateValue}

export function isArgv(v: unknown): v is ArgvValue {
  return (
    typeof v === 'object' &&
    v !== null &&
    Array.isArray((v as ArgvValue).argv) &&
    typeof (v as ArgvValue).style === 'string'
  )
}

export function xmlEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
}

function refuseControl(text: string, where: string): void {
  // A newline in a unit file starts a new directive; other control characters have no business in these files.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text)) {
    throw new UsageError(
      `${where} contains a control character (such as a newline), which cannot go into a service file: ${JSON.stringify(text.slice(0, 80))}.`,
      {
        hint: 'Use paths and values without newlines or control characters.',
      },
    )
  }
}

/**
 * One systemd word in double quotes: backslash and quote escaped (C-style), `%` doubled (specifiers expand in
 * quoted strings too); in command lines `$` is doubled as well (systemd expands $VAR in ExecStart).
 */
export function systemdQuote(text: string, opts: {command?: boolean} = {}): string {
  refuseControl(text, 'A value for a systemd unit')
  let out = text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%')
  if (opts.command) out = out.replace(/\$/g, '$$$$')
  return `"${out}"`
}

/** One argument for CommandLineToArgvW (what Task Scheduler's Arguments and node.exe parse). */
export function windowsQuote(arg: string): string {
  refuseControl(arg, 'A Task Scheduler argument')
  if (arg !== '' && !/[\s"]/.test(arg)) return arg
  let out = '"'
  let backslashes = 0
  for (const ch of arg) {
    if (ch === '\\') {
      backslashes++
      continue
    }
    // Backslashes before a quote are doubled, plus one for the quote itself.
    out += ch === '"' ? '\\'.repeat(backslashes * 2 + 1) + '"' : '\\'.repeat(backslashes) + ch
    backslashes = 0
  }
  return `${out}${'\\'.repeat(backslashes * 2)}"`
}

/** A VBScript string literal: `"…"`, each quote doubled (VBScript has no other escape). */
export function vbsQuote(text: string): string {
  refuseControl(text, 'A value for a VBScript launcher')
  return `"${text.replace(/"/g, '""')}"`
}

export function renderArgv(v: ArgvValue): string {
  return v.style === 'systemd'
    ? v.argv.map((a) => systemdQuote(a, {command: true})).join(' ')
    : v.argv.map(windowsQuote).join(' ')
}

function escapeScalar(text: string, format: TemplateFormat): string {
  if (format === 'xml') {
    refuseControl(text, 'A value for an XML file')
    return xmlEscape(text)
  }
  if (format === 'systemd') return systemdQuote(text)
  if (format === 'vbs') return vbsQuote(text)
  return text
}

/**
 * Escapes every leaf for `format`. Lists of scalars become `[{value}]` so templates write `{{#list}}{{value}}{{/list}}`.
 * Numbers and booleans are written as they are.
 */
export function escapeTemplateValues(
  values: Record<string, TemplateValue>,
  format: TemplateFormat,
): Record<string, unknown> {
  const walk = (v: TemplateValue): unknown => {
    if (typeof v === 'string') return escapeScalar(v, format)
    if (typeof v === 'number' || typeof v === 'boolean') return v
    if (isArgv(v)) {
      const line = renderArgv(v)
      return format === 'xml' ? xmlEscape(line) : format === 'vbs' ? vbsQuote(line) : line
    }
    if (Array.isArray(v))
      return v.map((item) =>
        typeof item === 'object' && !isArgv(item) && !Array.isArray(item) ? walk(item) : {value: walk(item)},
      )
    return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, walk(item)]))
  }
  return walk(values) as Record<string, unknown>
}
