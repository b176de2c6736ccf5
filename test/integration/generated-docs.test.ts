import {execFileSync} from 'node:child_process'
import {existsSync, readdirSync, readFileSync, statSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {CHECK_IDS} from '../../src/core/checks/catalog.js'
import {ExitCode} from '../../src/core/common/errors.js'
import {SETTINGS_ENV} from '../../src/core/common/settings.js'
import {ROOT} from '../helpers/built-cli.js'

/** The docs that come from the code are checked against it: a change to a command or an exit code shows up here. */
describe('generated and code-derived docs are fresh', () => {
  it('docs/commands.md is what `npm run readme` writes from the built commands', () => {
    const committed = readFileSync(path.join(ROOT, 'docs', 'commands.md'), 'utf8')
    const oclif = path.join(ROOT, 'node_modules', '.bin', 'oclif')
    // --dry-run prints the file it would write, after one "replacing <!-- commands -->" line of its own.
    const generated = execFileSync(
      oclif,
      ['readme', '--no-aliases', '--readme-path', 'docs/commands.md', '--dry-run'],
      {cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']},
    )
      .replace(/^replacing .*\n/, '')
      .trimEnd()
    expect(generated.length).toBeGreaterThan(1000)
    expect(committed.trimEnd(), 'docs/commands.md is stale: run npm run build && npm run readme').toBe(generated)
  }, 60_000)

  it("the README's exit-code table lists exactly the codes claw-mesh exits with", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8')
    const table = readme.slice(
      readme.indexOf('## Exit codes'),
      readme.indexOf('\n## ', readme.indexOf('## Exit codes') + 1),
    )
    const documented = [...table.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1])).sort((a, b) => a - b)
    const inCode = [...new Set(Object.values(ExitCode))].sort((a, b) => a - b)
    expect(documented).toEqual(inCode)
  })

  it("docs/doctor.md, the secret entries in docs/secrets.md, docs/json.md and the README's exit-code table are what scripts/gen-docs.mjs writes from the built code", () => {
    // Exits 1 naming the stale file; throws when SECRET_NAMES gained or lost an entry the script does not describe.
    const run = () =>
      execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'gen-docs.mjs'), '--check'], {
        cwd: ROOT,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    expect(run).not.toThrow()
    const doctor = readFileSync(path.join(ROOT, 'docs', 'doctor.md'), 'utf8')
    expect(doctor).toMatch(/\| `peer-trust` \| peers \|/)
    // Every command's --json shape, from the zod schemas the command tests check documents against.
    const shapes = readFileSync(path.join(ROOT, 'docs', 'json.md'), 'utf8')
    expect(shapes).toContain('### `claw-mesh peer list --json`')
    expect(shapes).toMatch(/### `claw-mesh ask --json`\n\n```ts\n\{\n {2}ok: boolean\n {2}peer: string\n/)
  })

  it('every check id docs name exists in the catalog', () => {
    const ids = new Set(CHECK_IDS)
    // The guides (not the flag help in commands.md, nor the reference sheets about other programs).
    const guides = listFiles(path.join(ROOT, 'docs'))
      .map((f) => path.relative(ROOT, f))
      .filter(
        (f) =>
          f.endsWith('.md') && f !== path.join('docs', 'commands.md') && !f.startsWith(path.join('docs', 'reference')),
      )
    expect(guides.length).toBeGreaterThan(15)
    for (const file of ['README.md', ...guides]) {
      const text = readFileSync(path.join(ROOT, file), 'utf8')
      // `doctor --only ID` in prose everywhere, and the notes' leading `id` in docs/doctor.md.
      const notes = file === path.join('docs', 'doctor.md') ? [...text.matchAll(/^- `([a-z][a-z0-9-]+)`/gm)] : []
      const named = [...text.matchAll(/--only ([a-z][a-z0-9-]+)/g), ...notes].map((m) => m[1])
      for (const id of named)
        expect(ids.has(id), `${file} names the doctor check ${id}, which does not exist`).toBe(true)
    }
  })

  it('docs/configuration.md documents exactly the CLAW_MESH_* variables src/ reads', () => {
    const source = listFiles(path.join(ROOT, 'src'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n')
    // Read as env.X / env['X'], handed to a secret reader (envName: 'X') or an oclif flag (env: 'X'), or named in help ($X).
    const read = new Set(
      [
        ...source.matchAll(
          /(?:env\.|env\[['"]|envName: ['"]|env: ['"]|ENV = ['"]|\$)(CLAW_MESH_[A-Z0-9_]*[A-Z0-9])\b/g,
        ),
      ].map((m) => m[1]),
    )
    for (const name of Object.values(SETTINGS_ENV)) read.add(name) // the settings resolver names its variables in a table
    const setForChildren = new Set(
      [...source.matchAll(/\b(CLAW_MESH_ALERT_[A-Z_]+|CLAW_MESH_SKIP_NEW_VERSION_CHECK)\b/g)].map((m) => m[1]),
    )
    const doc = readFileSync(path.join(ROOT, 'docs', 'configuration.md'), 'utf8')
    const section = doc.slice(doc.indexOf('## Environment variables'))
    const rows = [...section.matchAll(/^\| (`CLAW_MESH_.*?) \|/gm)].flatMap((m) =>
      [...m[1].matchAll(/`(CLAW_MESH_[A-Z0-9_]+)`/g)].map((n) => n[1]),
    )
    const documented = new Set(rows)
    expect(read.size).toBeGreaterThan(15)
    expect([...read].filter((n) => !documented.has(n)).sort(), 'read in src/ but not in docs/configuration.md').toEqual(
      [],
    )
    expect(
      [...documented].filter((n) => !read.has(n) && !setForChildren.has(n)).sort(),
      'in docs/configuration.md but no longer read or set in src/',
    ).toEqual([])
  })

  it("the README's documentation index links every guide in docs/", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8')
    const index = readme.slice(
      readme.indexOf('## Documentation'),
      readme.indexOf('\n## ', readme.indexOf('## Documentation') + 1),
    )
    const guides = listFiles(path.join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md') && !f.includes(`${path.sep}reference${path.sep}`))
      .map((f) => path.relative(ROOT, f).split(path.sep).join('/'))
    expect(guides.length).toBeGreaterThan(10)
    const linked = new Set([...index.matchAll(/\]\(([^)#]+)/g)].map((m) => path.posix.normalize(m[1])))
    // A row may shorten the siblings of its first link ([windows.md](docs/platforms/windows.md)): links are full paths.
    expect(guides.filter((g) => !linked.has(g)).sort(), 'not linked from the README documentation index').toEqual([])
    for (const target of linked)
      expect(
        statSync(path.join(ROOT, target), {throwIfNoEntry: false}),
        `${target} is linked but missing`,
      ).toBeDefined()
  })

  it('every relative link in the docs resolves: to a file or folder, and an #anchor to a heading of that file', () => {
    const docs = [
      'README.md',
      'CONTRIBUTING.md',
      'CHANGELOG.md',
      'test/README.md',
      ...listFiles(path.join(ROOT, 'docs')).map((f) => path.relative(ROOT, f)),
    ].filter((f) => f.endsWith('.md'))
    expect(docs.length).toBeGreaterThan(20)
    const broken: string[] = []
    let checked = 0
    for (const file of docs) {
      for (const {target, line} of markdownLinks(readFileSync(path.join(ROOT, file), 'utf8'))) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue // https:, mailto:: not ours to check offline
        checked++
        const [rel, anchor] = target.split('#', 2) as [string, string | undefined]
        const resolved =
          rel === '' ? path.join(ROOT, file) : path.join(ROOT, path.dirname(file), decodeURIComponent(rel))
        if (path.relative(ROOT, resolved).startsWith('..')) {
          broken.push(`${file}:${line}: ${target} (outside the repository)`)
        } else if (!existsSync(resolved)) {
          broken.push(`${file}:${line}: ${target} (no such file)`)
        } else if (
          anchor !== undefined &&
          resolved.endsWith('.md') &&
          !headingAnchors(readFileSync(resolved, 'utf8')).has(anchor)
        ) {
          broken.push(`${file}:${line}: ${target} (no heading #${anchor} in ${path.relative(ROOT, resolved)})`)
        }
      }
    }
    expect(checked).toBeGreaterThan(100)
    expect(broken, 'broken relative links').toEqual([])
  })

  it('nothing in the repository points outside it (the shared workspace of its authors)', () => {
    const tracked = execFileSync('git', ['ls-files', '-z'], {cwd: ROOT, encoding: 'utf8'}).split('\0').filter(Boolean)
    const outside = /\.\.\/shared\/|\/work\/shared/
    const self = path.relative(ROOT, new URL(import.meta.url).pathname)
    const offenders = tracked.filter(
      (f) =>
        f !== self &&
        /\.(md|ts|mjs|js|json|ya?ml|sh)$/.test(f) &&
        outside.test(readFileSync(path.join(ROOT, f), 'utf8')),
    )
    expect(offenders).toEqual([])
  })
})

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name)
    return statSync(file).isDirectory() ? listFiles(file) : [file]
  })
}

/** Markdown text without fenced code blocks (kept as empty lines, so line numbers stay right) and inline code. */
function proseLines(markdown: string): string[] {
  let fenced = false
  return markdown.split('\n').map((line) => {
    if (/^\s*(```|~~~)/.test(line)) {
      fenced = !fenced
      return ''
    }
    return fenced ? '' : line.replaceAll(/`[^`]*`/g, 'x')
  })
}

/** Every inline link `[text](target)` outside code, with its line number. */
function markdownLinks(markdown: string): {target: string; line: number}[] {
  return proseLines(markdown).flatMap((text, i) =>
    [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => ({target: m[1], line: i + 1})),
  )
}

/** The anchors GitHub gives a file's headings: lower case, punctuation dropped, spaces to hyphens, -1/-2 for repeats. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>()
  let fenced = false
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced
    const heading = fenced ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)
    if (!heading) continue
    const base = heading[1]
      .toLowerCase()
      .replaceAll(/[^\p{L}\p{N}\s_-]/gu, '')
      .replaceAll(/\s/g, '-')
    let anchor = base
    for (let n = 1; anchors.has(anchor); n++) anchor = `${base}-${n}`
    anchors.add(anchor)
  }
  return anchors
}
