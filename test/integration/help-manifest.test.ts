import {readdirSync, readFileSync, statSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {ROOT, runCli} from '../helpers/built-cli.js'

function builtCommands(dir = path.join(ROOT, 'dist', 'commands'), prefix: string[] = []): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name)
    if (statSync(file).isDirectory()) return builtCommands(file, [...prefix, name])
    return name.endsWith('.js') ? [[...prefix, name.replace(/\.js$/, '')].join(':')] : []
  })
}

describe('npm run build writes the oclif manifest, and --help answers from it', () => {
  it('lists exactly the built commands (a stale manifest would hide or invent one)', () => {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'oclif.manifest.json'), 'utf8')) as {
      commands: Record<string, unknown>
    }
    expect(Object.keys(manifest.commands).sort()).toEqual(builtCommands().sort())
  })

  it('--help reads the manifest instead of loading every command', async () => {
    const r = await runCli(['--help'], {env: {DEBUG: 'oclif:config:claw-mesh'}})
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toMatch(/using manifest from .*oclif\.manifest\.json/)
    expect(r.stdout).toMatch(/bootstrap/)
  })
})
