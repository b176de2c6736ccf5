import {execFileSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {ExitCode} from '../../src/core/errors.js'
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
})
