import {chmodSync, existsSync, readFileSync, writeFileSync} from 'node:fs'
import {createRequire} from 'node:module'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {cmdArg, cmdScriptInvocation} from '../../src/core/os/windows-cmd.js'
import {Redactor} from '../../src/core/secrets/redact.js'
import {createExecaRunner} from '../../src/infra/runner.js'
import {tempDir} from '../helpers/fakes/index.js'

// cross-spawn (in node_modules through the toolchain) is the reference for cmd.exe escaping that execa's and npm's
// ecosystems rely on: claw-mesh must escape exactly as it does.
const crossSpawnEscape = createRequire(import.meta.url)('cross-spawn/lib/util/escape.js') as {
  command(a: string): string
  argument(a: string, double: boolean): string
}

const dir = tempDir('cmd').path

describe('running a .cmd shim through cmd.exe', () => {
  it.each(['gateway', '--port', '18789', 'work profile', 'a&b', 'x"y', 'C:\\dir\\', '100%', '^caret', '(paren)', ''])(
    'argument %j is escaped as cross-spawn escapes it',
    (arg) => {
      expect(cmdArg(arg, true)).toBe(crossSpawnEscape.argument(arg, true))
      expect(cmdArg(arg, false)).toBe(crossSpawnEscape.argument(arg, false))
    },
  )

  it('cmd.exe /d /s /c "<shim> <args>", verbatim', () => {
    const inv = cmdScriptInvocation(
      'C:\\Users\\a b\\AppData\\Roaming\\npm\\openclaw.cmd',
      ['--profile', 'work', 'gateway', '--port', '18789'],
      'C:\\Windows\\system32\\cmd.exe',
    )
    expect(inv.command).toBe('C:\\Windows\\system32\\cmd.exe')
    expect(inv.windowsVerbatimArguments).toBe(true)
    expect(inv.args.slice(0, 3)).toEqual(['/d', '/s', '/c'])
    const line = `${crossSpawnEscape.command('C:\\Users\\a b\\AppData\\Roaming\\npm\\openclaw.cmd')} ${['--profile', 'work', 'gateway', '--port', '18789'].map((a) => crossSpawnEscape.argument(a, true)).join(' ')}`
    expect(inv.args[3]).toBe(`"${line}"`)
  })

  it("the Runner's spawnDetached on win32 starts a .cmd through %ComSpec%, never directly (spawn EINVAL)", async () => {
    // A stand-in for cmd.exe that records the arguments it was given.
    const fakeCmd = path.join(dir, 'fake-cmd.sh')
    const seen = path.join(dir, 'seen')
    // Written aside and renamed: the test reads the file the moment it exists, so it must exist whole.
    writeFileSync(
      fakeCmd,
      `#!/bin/sh\nfor a in "$@"; do printf '%s\\n' "$a"; done > '${seen}.tmp' && mv '${seen}.tmp' '${seen}'\n`,
    )
    chmodSync(fakeCmd, 0o755)
    const runner = createExecaRunner(new Redactor(), {PATH: process.env.PATH, ComSpec: fakeCmd}, 'win32')
    await runner.spawnDetached('C:\\npm\\openclaw.cmd', ['gateway', '--port', '18789'], {
      logFile: path.join(dir, 'log'),
    })
    for (let i = 0; i < 50 && !existsSync(seen); i++) await new Promise((r) => setTimeout(r, 50))
    const line = [
      'C:\\npm\\openclaw.cmd',
      ...['gateway', '--port', '18789'].map((a) => crossSpawnEscape.argument(a, true)),
    ].join(' ')
    expect(readFileSync(seen, 'utf8').split('\n').slice(0, 4)).toEqual(['/d', '/s', '/c', `"${line}"`])
  })

  it('elsewhere, and for a real executable, the command is spawned as it is', async () => {
    const script = path.join(dir, 'direct.cmd')
    const out = path.join(dir, 'direct-ran')
    writeFileSync(script, `#!/bin/sh\ntouch '${out}'\n`)
    chmodSync(script, 0o755)
    await createExecaRunner(new Redactor(), {PATH: process.env.PATH}, 'linux').spawnDetached(script, [], {
      logFile: path.join(dir, 'log2'),
    })
    for (let i = 0; i < 50 && !existsSync(out); i++) await new Promise((r) => setTimeout(r, 50))
    expect(existsSync(out)).toBe(true)
  })
})
