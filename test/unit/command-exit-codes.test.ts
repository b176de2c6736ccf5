import {readdirSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {ExitCode, VERDICT_EXIT_CODES, type ExitCodeName} from '../../src/core/common/errors.js'

const ROOT = path.resolve(import.meta.dirname, '..', '..')
const COMMANDS = path.join(ROOT, 'src', 'commands')
const files = readdirSync(COMMANDS, {recursive: true, encoding: 'utf8'})
  .filter((f) => f.endsWith('.ts'))
  .sort()
const nameOf = (code: number) => (Object.keys(ExitCode) as ExitCodeName[]).find((k) => ExitCode[k] === code)
const TASK_CODES = ['PENDING', 'INPUT_REQUIRED'] // what render/a2a.ts's taskExitCode returns besides FAILED

/**
 * Each command declares the verdict codes it exits with (`static exitCodes`); the README's exit-code table is
 * generated from those declarations. These tests hold the declarations to the code and to the help text.
 */
describe('the exit codes each command declares', () => {
  it('include every verdict code the command returns', async () => {
    let seen = 0
    for (const file of files) {
      const source = readFileSync(path.join(COMMANDS, file), 'utf8')
      const {default: cls} = await import(path.join(COMMANDS, file))
      const declared = Object.keys(cls.exitCodes ?? {})
      const used = VERDICT_EXIT_CODES.filter(
        (v) => source.includes(`ExitCode.${v}`) || (source.includes('taskExitCode(') && TASK_CODES.includes(v)),
      )
      for (const code of used)
        expect(declared, `${file} returns ExitCode.${code} but does not declare it in static exitCodes`).toContain(code)
      seen += used.length
    }
    expect(seen).toBeGreaterThan(10)
  }, 60_000)

  it('agree with the "Exit codes:" line of the command\'s help', async () => {
    let lines = 0
    for (const file of files) {
      const {default: cls} = await import(path.join(COMMANDS, file))
      const help = String(cls.description ?? '')
      const line = help.slice(help.indexOf('Exit codes:'))
      if (!help.includes('Exit codes:')) continue
      lines++
      // "0 done, 2 bad flag …", "…; 7 (--wait) still working; 10 queued …": a code opens the line or follows ", " or "; ".
      const listed = [...line.matchAll(/(?:^Exit codes: |[;,] )(\d+) /g)].map((m) => Number(m[1]))
      expect(listed.length, `${file}: no codes found in ${line.slice(0, 80)}`).toBeGreaterThan(0)
      for (const code of listed) {
        const name = nameOf(code)
        expect(name, `${file}'s help lists exit ${code}, which claw-mesh never exits with`).toBeDefined()
        if ((VERDICT_EXIT_CODES as readonly string[]).includes(name!))
          expect(
            Object.keys(cls.exitCodes ?? {}),
            `${file}'s help lists exit ${code} (${name}) but the command does not declare it`,
          ).toContain(name)
      }
      for (const declared of Object.keys(cls.exitCodes ?? {}))
        expect(
          listed,
          `${file} declares ${declared} but its help's exit codes leave out ${ExitCode[declared as ExitCodeName]}`,
        ).toContain(ExitCode[declared as ExitCodeName])
    }
    expect(lines).toBeGreaterThan(5)
  }, 60_000)
})
