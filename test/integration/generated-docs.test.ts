import {execFileSync} from 'node:child_process'
import {readdirSync, readFileSync, statSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {CHECK_IDS} from '../../src/core/checks/catalog.js'
import {ExitCode} from '../../src/core/errors.js'
import {SETTINGS_ENV} from '../../src/core/settings.js'
import {ROOT} from '../helpers/built-cli.js'

/** The docs that come from the code are checked against it: a change to a command or an exit code shows up here. */
describe('generated and code-derived docs are fresh', () => {
  it('docs/commands.md is what `npm run readme` writes from the built commands', () => {
    const committed = readFileSync(path.join(ROOT, 'docs', 'commands.md'), 'utf8')
    const oclif = path.join(ROOT, 'node_modules', '.bin', 'oclif')
    // --dry-run prints the file it would write, after one "replacing <!-- commands -->" line of its own.
    const generated = execFileSync(oclif, ['readme', '--no-aliases', '--readme-path', 'docs/commands.md', '--dry-run'], {cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
      .replace(/^replacing .*\n/, '')
      .trimEnd()
    expect(generated.length).toBeGreaterThan(1000)
    expect(committed.trimEnd(), 'docs/commands.md is stale: run npm run build && npm run readme').toBe(generated)
  }, 60_000)

  it("the README's exit-code table lists exactly the codes claw-mesh exits with", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8')
    const table = readme.slice(readme.indexOf('## Exit codes'), readme.indexOf('\n## ', readme.indexOf('## Exit codes') + 1))
    const documented = [...table.matchAll(/^\| (\d+) \|/gm)].map((m) => Number(m[1])).sort((a, b) => a - b)
    const inCode = [...new Set(Object.values(ExitCode))].sort((a, b) => a - b)
    expect(documented).toEqual(inCode)
  })

  it("docs/doctor.md, the secret entries in docs/secrets.md, docs/json.md and the README's exit-code table are what scripts/gen-docs.mjs writes from the built code", () => {
    // Exits 1 naming the stale file; throws when SECRET_NAMES gained or lost an entry the script does not describe.
    const run = () => execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'gen-docs.mjs'), '--check'], {cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe']})
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
    for (const file of ['README.md', 'docs/doctor.md']) {
      const text = readFileSync(path.join(ROOT, file), 'utf8')
      // `doctor --only ID` in prose, and the notes' leading `id`.
      const named = [...text.matchAll(/--only ([a-z][a-z0-9-]+)|^- `([a-z][a-z0-9-]+)`/gm)].map((m) => m[1] ?? m[2])
      for (const id of named) expect(ids.has(id), `${file} names the doctor check ${id}, which does not exist`).toBe(true)
    }
  })

  it('docs/configuration.md documents exactly the CLAW_MESH_* variables src/ reads', () => {
    const source = listFiles(path.join(ROOT, 'src')).filter((f) => f.endsWith('.ts')).map((f) => readFileSync(f, 'utf8')).join('\n')
    // Read as env.X / env['X'], handed to a secret reader (envName: 'X') or an oclif flag (env: 'X'), or named in help ($X).
    const read = new Set([...source.matchAll(/(?:env\.|env\[['"]|envName: ['"]|env: ['"]|ENV = ['"]|\$)(CLAW_MESH_[A-Z0-9_]*[A-Z0-9])\b/g)].map((m) => m[1]))
    for (const name of Object.values(SETTINGS_ENV)) read.add(name) // the settings resolver names its variables in a table
    const setForChildren = new Set([...source.matchAll(/\b(CLAW_MESH_ALERT_[A-Z_]+|CLAW_MESH_SKIP_NEW_VERSION_CHECK)\b/g)].map((m) => m[1]))
    const doc = readFileSync(path.join(ROOT, 'docs', 'configuration.md'), 'utf8')
    const section = doc.slice(doc.indexOf('## Environment variables'))
    const rows = [...section.matchAll(/^\| (`CLAW_MESH_.*?) \|/gm)].flatMap((m) => [...m[1].matchAll(/`(CLAW_MESH_[A-Z0-9_]+)`/g)].map((n) => n[1]))
    const documented = new Set(rows)
    expect(read.size).toBeGreaterThan(15)
    expect([...read].filter((n) => !documented.has(n)).sort(), 'read in src/ but not in docs/configuration.md').toEqual([])
    expect([...documented].filter((n) => !read.has(n) && !setForChildren.has(n)).sort(), 'in docs/configuration.md but no longer read or set in src/').toEqual([])
  })

  it("the README's documentation index links every guide in docs/", () => {
    const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8')
    const index = readme.slice(readme.indexOf('## Documentation'), readme.indexOf('\n## ', readme.indexOf('## Documentation') + 1))
    const guides = listFiles(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md') && !f.includes(`${path.sep}reference${path.sep}`)).map((f) => path.relative(ROOT, f).split(path.sep).join('/'))
    expect(guides.length).toBeGreaterThan(10)
    const linked = new Set([...index.matchAll(/\]\(([^)#]+)/g)].map((m) => path.posix.normalize(m[1])))
    // A row may shorten the siblings of its first link ([windows.md](docs/platforms/windows.md)): links are full paths.
    expect(guides.filter((g) => !linked.has(g)).sort(), 'not linked from the README documentation index').toEqual([])
    for (const target of linked) expect(statSync(path.join(ROOT, target), {throwIfNoEntry: false}), `${target} is linked but missing`).toBeDefined()
  })

  it('nothing in the repository points outside it (the shared workspace of its authors)', () => {
    const tracked = execFileSync('git', ['ls-files', '-z'], {cwd: ROOT, encoding: 'utf8'}).split('\0').filter(Boolean)
    const outside = /\.\.\/shared\/|\/work\/shared/
    const self = path.relative(ROOT, new URL(import.meta.url).pathname)
    const offenders = tracked.filter((f) => f !== self && /\.(md|ts|mjs|js|json|ya?ml|sh)$/.test(f) && outside.test(readFileSync(path.join(ROOT, f), 'utf8')))
    expect(offenders).toEqual([])
  })
})

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name)
    return statSync(file).isDirectory() ? listFiles(file) : [file]
  })
}
