// Go `flag` package semantics, because tailscale's CLI is built on it: `-x` and `--x` are the same,
// bool flags take `=false` but never a separate value, parsing stops at the first non-flag argument,
// and errors print a fixed text and exit 2 (the sub-command flag sets use flag.ExitOnError).
import {SimExit} from './env.mjs'

/**
 * spec: {name: {type: 'bool'|'string'|'duration'|'int', default?, alias?: 'canonical-name'}}.
 * Returns {values, set (canonical names given), given (canonical name → text as typed), positional}.
 */
export function parseFlags(args, spec, usage) {
  const values = {}
  for (const [name, def] of Object.entries(spec)) {
    if (!def.alias) values[name] = def.default ?? defaultFor(def.type)
  }
  const set = new Set()
  const given = new Map()
  let i = 0
  for (; i < args.length; i++) {
    const arg = args[i]
    if (arg.length < 2 || arg[0] !== '-') break
    if (arg === '--') {
      i++
      break
    }
    let body = arg.slice(arg[1] === '-' ? 2 : 1)
    if (body.length === 0 || body[0] === '-' || body[0] === '=') throw usageError(`bad flag syntax: ${arg}`, usage)
    let value
    const eq = body.indexOf('=')
    if (eq >= 0) {
      value = body.slice(eq + 1)
      body = body.slice(0, eq)
    }
    if (body === 'h' || body === 'help') throw new SimExit(usageText(usage), 0, {raw: true})
    const def = spec[body]
    if (!def) throw usageError(`flag provided but not defined: -${body}`, usage)
    const name = def.alias ?? body
    const type = spec[name].type
    if (type === 'bool') {
      if (value === undefined) value = 'true'
      const parsed = parseBool(value)
      if (parsed === undefined)
        throw usageError(`invalid boolean value ${goQuote(value)} for -${body}: parse error`, usage)
      values[name] = parsed
    } else {
      if (value === undefined) {
        if (i + 1 >= args.length) throw usageError(`flag needs an argument: -${body}`, usage)
        value = args[++i]
      }
      values[name] = convert(type, value, body, usage)
    }
    set.add(name)
    given.set(name, value)
  }
  return {values, set, given, positional: args.slice(i)}
}

function defaultFor(type) {
  if (type === 'bool') return false
  if (type === 'string') return ''
  return 0
}

function convert(type, value, flag, usage) {
  if (type === 'string') return value
  if (type === 'int') {
    if (!/^[+-]?\d+$/.test(value))
      throw usageError(`invalid value ${goQuote(value)} for flag -${flag}: parse error`, usage)
    return Number(value)
  }
  const ms = parseGoDuration(value)
  if (ms === undefined) throw usageError(`invalid value ${goQuote(value)} for flag -${flag}: parse error`, usage)
  return ms
}

function parseBool(text) {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false
  return undefined
}

function usageText(usage) {
  return `USAGE\n  ${usage}\n`
}

function usageError(line, usage) {
  return new SimExit(`${line}\n${usageText(usage)}`, 2, {raw: true})
}

/** Go's %q for plain ASCII text (good enough for the texts the simulator quotes). */
export function goQuote(text) {
  return JSON.stringify(text)
}

const UNIT_MS = {ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000}

/** time.ParseDuration, in milliseconds; undefined when Go would reject the text. */
export function parseGoDuration(text) {
  if (text === '0' || text === '+0' || text === '-0') return 0
  const m = /^([+-]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|ms|s|m|h))+)$/.exec(text)
  if (!m) return undefined
  let total = 0
  for (const part of m[2].matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|ms|s|m|h)/g)) total += Number(part[1]) * UNIT_MS[part[2]]
  return m[1] === '-' ? -total : total
}

/** time.Duration.String() for whole milliseconds: 0s, 500ms, 30s, 1m30s, 1h0m0s. */
export function formatGoDuration(ms) {
  if (ms === 0) return '0s'
  const sign = ms < 0 ? '-' : ''
  ms = Math.abs(Math.round(ms))
  if (ms < 1000) return `${sign}${ms}ms`
  const h = Math.floor(ms / 3_600_000)
  const m = Math.floor((ms % 3_600_000) / 60_000)
  const s = (ms % 60_000) / 1000
  let text = sign
  if (h) text += `${h}h`
  if (h || m) text += `${m}m`
  return `${text}${s}s`
}
