import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'

/** The folder map CONTRIBUTING.md describes, held to the code: pure folders stay pure, core stays sorted by topic. */
const SRC = path.resolve(import.meta.dirname, '../../src')
const files = (dir: string): string[] =>
  readdirSync(path.join(SRC, dir), {recursive: true, encoding: 'utf8'})
    .filter((f) => f.endsWith('.ts'))
    .map((f) => path.join(dir, f))
// What reaches the disk, a process or the network: the seams in src/infra/ and the services own these.
const IO_MODULES = /from ['"](node:fs|node:fs\/promises|node:child_process|node:http|node:https|execa|conf)['"]/

describe('the folder map', () => {
  it.each(['core', 'render'])('src/%s reads no file, starts no process and opens no connection', (dir) => {
    const offenders = files(dir).filter((f) => IO_MODULES.test(readFileSync(path.join(SRC, f), 'utf8')))
    expect(offenders).toEqual([])
  })

  it('src/core keeps every file in a topic folder', () => {
    const loose = readdirSync(path.join(SRC, 'core'), {withFileTypes: true})
      .filter((e) => e.isFile())
      .map((e) => e.name)
    expect(loose).toEqual([])
  })

  it('no two modules of the CLI export the same name (one name, one meaning)', () => {
    // src/plugin/ is another program (bundled into the gateway), with names of its own.
    const owners = new Map<string, string[]>()
    for (const dir of ['.']) {
      for (const f of files(dir).filter((x) => !x.startsWith('plugin'))) {
        for (const m of readFileSync(path.join(SRC, f), 'utf8').matchAll(
          /^export (?:async )?(?:function|const|class) ([A-Za-z0-9_$]+)/gm,
        ))
          owners.set(m[1], [...(owners.get(m[1]) ?? []), f])
      }
    }
    expect(owners.size).toBeGreaterThan(500)
    expect(
      [...owners].filter(([, where]) => where.length > 1).map(([name, where]) => `${name}: ${where.join(', ')}`),
    ).toEqual([])
  })

  it('the CLI finds its own files from the package root, never relative to a module (the bundle moves modules)', () => {
    // new URL('../…', import.meta.url) resolves from dist/services/… under tsc and from dist/bundle/ in the bundle.
    const relative = /new URL\(\s*['"]\.\.?\//
    const offenders = files('.')
      .filter((f) => !f.startsWith('plugin'))
      .filter((f) => relative.test(readFileSync(path.join(SRC, f), 'utf8')))
    expect(offenders).toEqual([])
  })

  it('code that runs parses with zod/mini: the classic zod only in the schemas the generated docs are made from', () => {
    // Building classic schemas (each instance with its own ~50 methods) was the largest single cost of start-up.
    const docsOnly = ['core/common/json-schemas.ts', 'core/tailscale/tailscale-summary-schema.ts']
    const classic = files('.').filter((f) => /from ['"]zod['"]/.test(readFileSync(path.join(SRC, f), 'utf8')))
    expect(classic.sort()).toEqual(docsOnly)
    // zod/mini loads no locale: a module that parses with it takes the English messages first.
    const mini = files('.').filter((f) => /from ['"]zod\/mini['"]/.test(readFileSync(path.join(SRC, f), 'utf8')))
    expect(mini.length).toBeGreaterThan(3)
    for (const f of mini.filter((m) => !m.endsWith('zod-messages.ts')))
      expect(readFileSync(path.join(SRC, f), 'utf8'), f).toMatch(/import '[./]*(common\/)?zod-messages\.js'/)
  })
})
