import {describe, expect, it} from 'vitest'
import {psArg, psCommand, psEnvAssignment, psQuote} from '../../src/core/os/powershell-quote.js'
import {lintPowerShell} from '../helpers/powershell-lint.js'

describe('PowerShell quoting', () => {
  it.each<[string, string]>([
    ['plain', "'plain'"],
    ['C:\\Program Files\\nodejs\\node.exe', "'C:\\Program Files\\nodejs\\node.exe'"],
    ["O'Brien", "'O''Brien'"],
    ['costs $5 and $(rm -r x)', "'costs $5 and $(rm -r x)'"],
    ['a `backtick` and "quotes"', '\'a `backtick` and "quotes"\''],
    ['it\u2019s typographic', "'it\u2019\u2019s typographic'"],
    ['', "''"],
  ])('psQuote %j → %s', (value, expected) => {
    expect(psQuote(value)).toBe(expected)
  })

  it.each([
    ['ask', 'ask'],
    ['--timeout', '--timeout'],
    ['C:\\Users\\ana\\inbox', 'C:\\Users\\ana\\inbox'],
    ['two words', "'two words'"],
    ['$HOME', "'$HOME'"],
    ['a,b', "'a,b'"],
    ['@splat', "'@splat'"],
    ['--%', "'--%'"],
    ['x;y', "'x;y'"],
    ['', "''"],
  ])('psArg %j → %s', (value, expected) => {
    expect(psArg(value)).toBe(expected)
  })

  it('refuses a newline, which would end the command and start another', () => {
    expect(() => psQuote('a\nRemove-Item C:\\')).toThrow(/control character/)
  })

  it.each([
    [
      'C:\\Program Files\\nodejs\\node.exe',
      "C:\\Users\\O'Brien\\AppData\\Roaming\\npm\\node_modules\\claw-mesh\\bin\\run.js",
      'ask',
      'nova',
      'costs $5; rm -r ~',
    ],
    ['C:\\Users\\a b\\node.exe', 'C:\\x\\run.js', '--file', 'C:\\a\u2018b\\task.md'],
  ])('a command line PowerShell reads back as the same program and arguments: %j', (...argv) => {
    const line = psCommand(argv)
    const read = lintPowerShell(line)
    expect(read.problems).toEqual([])
    expect(read.words).toEqual(['&', ...argv])
  })

  it('sets the environment for the rest of the command: $env:NAME = literal;', () => {
    const line = `${psEnvAssignment('CLAW_MESH_HOME', "D:\\claw's home")} & 'node.exe' 'run.js'`
    expect(line).toBe("$env:CLAW_MESH_HOME = 'D:\\claw''s home'; & 'node.exe' 'run.js'")
    expect(lintPowerShell(line)).toEqual({
      problems: [],
      words: ['$env:CLAW_MESH_HOME', '=', "D:\\claw's home", '&', 'node.exe', 'run.js'],
    })
  })

  it('the stand-in parser rejects what PowerShell rejects', () => {
    expect(lintPowerShell('"C:\\Program Files\\nodejs\\node.exe" "C:\\x\\run.js" ask nova hi').problems.join()).toMatch(
      /expression, not a command/,
    )
    expect(lintPowerShell('claw-mesh ask nova hi').problems.join()).toMatch(/claw-mesh.ps1/)
    expect(lintPowerShell("& 'node.exe' 'unterminated").problems.join()).toMatch(/unterminated/)
    expect(lintPowerShell('claw-mesh.cmd peer add --invite - < nova.invite').problems.join()).toMatch(/reserved/)
    expect(lintPowerShell('claw-mesh.cmd file get ~/inbox').problems.join()).toMatch(/~\//)
  })
})
