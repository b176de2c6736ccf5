import {readdirSync, readFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import {parse} from 'acorn'
import {describe, expect, it} from 'vitest'
import {packageRoot} from '../../src/infra/package-root.js'
// @ts-expect-error: a build script in plain JavaScript, without types
import {asciiOnly, OCLIF_EDITS} from '../../scripts/bundle-plugins.mjs'

/**
 * The edits scripts/bundle.mjs makes to @oclif/core's files while bundling: each must find its text in the installed
 * oclif (the build fails otherwise), and each must leave oclif's behaviour as it was.
 */
interface Edit {
  file: RegExp
  from: string
  to: string
}
const edits = OCLIF_EDITS as Edit[]
const lib = path.dirname(createRequire(import.meta.url).resolve('@oclif/core'))

function libFiles(dir: string): string[] {
  return readdirSync(dir, {withFileTypes: true}).flatMap((e) =>
    e.isDirectory() ? libFiles(path.join(dir, e.name)) : e.name.endsWith('.js') ? [path.join(dir, e.name)] : [],
  )
}

describe("the bundle's edits to @oclif/core", () => {
  it('each finds its text exactly once in the installed oclif', () => {
    const files = libFiles(lib)
    for (const edit of edits) {
      const matched = files.filter((f) => edit.file.test(f))
      expect(matched.length, String(edit.file)).toBeGreaterThan(0)
      for (const f of matched) expect(readFileSync(f, 'utf8').split(edit.from).length - 1, `${f}: ${edit.from}`).toBe(1)
    }
  })

  it('command ids sort by code unit exactly as localeCompare sorts them (the collator is not started)', () => {
    const manifest = JSON.parse(readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as {
      oclif: {topics: Record<string, unknown>}
    }
    const commands = readdirSync(path.join(packageRoot(), 'src', 'commands'), {recursive: true})
      .map(String)
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.replace(/\.ts$/, '').split(path.sep).join(':'))
    const ids = [...commands, ...Object.keys(manifest.oclif.topics)]
    expect(ids.every((id) => /^[a-z:-]*$/.test(id))).toBe(true)
    const byUnit = [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    expect(byUnit).toEqual([...ids].sort((a, b) => a.localeCompare(b)))
  })

  it('without DEBUG, the logger gets functions that print nothing; with DEBUG, the debug package', () => {
    const logger = edits.find((e) => e.file.test(path.join(lib, 'logger.js')))!
    const run = (env: Record<string, string | undefined>) =>
      new Function('process', '__importDefault', 'require', `${logger.to}\nreturn debug_1.default`)(
        {env},
        (m: unknown) => ({default: m}),
        () => 'the debug package',
      ) as unknown
    const quiet = run({}) as (ns: string) => (...args: unknown[]) => unknown
    expect(quiet('oclif')('anything')).toBeUndefined()
    expect(run({DEBUG: 'oclif:*'})).toBe('the debug package')
  })
})

describe('asciiOnly: the bundle as a one-byte string', () => {
  const ascii = asciiOnly as (text: string, file: string, p: typeof parse) => string
  const run = (code: string): unknown => {
    const out: {value?: unknown} = {}
    new Function('out', code)(out)
    return out.value
  }

  it('escapes characters in comments and regular expression literals, and the code does the same', () => {
    const code = [
      '// a dash \u2014 and an ellipsis \u2026',
      '/** block \u00e9 */',
      'const esc = /[\u001b\u009b]\\[/g',
      'const emoji = /\ud83d\ude00/u',
      'out.value = [esc.test("\\u009b["), emoji.test("\\ud83d\\ude00"), "caf\\u00e9"]',
    ].join('\n')
    expect(code).toMatch(/[^\0-\x7f]/)
    const out = ascii(code, 'x.js', parse)
    expect(out).not.toMatch(/[^\0-\x7f]/)
    expect(out).toContain('// a dash \\u2014 and an ellipsis \\u2026')
    expect(run(out)).toEqual(run(code))
    expect(run(out)).toEqual([true, true, 'caf\u00e9'])
  })

  it('refuses a character anywhere else, naming the file and line: an escape there could change the code', () => {
    const raw = 'const a = 1\nout.value = String.raw`\u2014`'
    expect(() => ascii(raw, 'chunks/x.js', parse)).toThrow(/chunks\/x\.js:2: a non-ASCII character/)
  })

  it('leaves an ASCII file as it is', () => {
    expect(ascii('const a = "\\u2014"', 'x.js', parse)).toBe('const a = "\\u2014"')
  })
})
