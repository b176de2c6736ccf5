import {execFileSync} from 'node:child_process'
import {existsSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import {CLI, cliEnv, runCli, tempHome} from '../helpers/built-cli.js'
import {tempDir} from '../helpers/fakes/index.js'

// oclif fills a missing optional argument from stdin whenever stdin is not a terminal. claw-mesh reads stdin
// only where `-` asks for it: these run the built CLI with text on a pipe and no `-`.
const home = tempHome('claw-mesh-stdin-')
const work = tempDir('stdin-cwd').path
afterAll(() => {
  home.cleanup()
})
/** A file for the loop to read its lines from. */
function stdinFile(text: string): string {
  const file = path.join(work, `stdin-${Math.random().toString(36).slice(2)}`)
  writeFileSync(file, text)
  return file
}
// oclif gives stdin 10 ms to answer; a generous wait makes a CLI that reads stdin for a missing argument always
// see the text, so these tests fail deterministically on such a CLI.
const env = {
  ...home.env,
  CLAW_MESH_TAILSCALE: '/nonexistent/tailscale',
  PATH: path.dirname(process.execPath),
  OCLIF_STDIN_TIMEOUT_MS: '5000',
}

describe('piped stdin is read only where - asks for it', () => {
  it('send without a message and without - refuses instead of sending what is on stdin', async () => {
    const r = await runCli(['send', 'beta'], {env, input: 'hi\n'})
    expect(r.stderr).toMatch(/No message given/)
    expect(r.exitCode).toBe(2)
  })

  it('send --file with text on stdin reads the file, not "both"', async () => {
    const file = path.join(work, 'task.md')
    writeFileSync(file, 'do the thing\n')
    const r = await runCli(['send', 'beta', '--file', file], {env, input: 'x\n'})
    expect(r.stderr).not.toMatch(/not both/)
    expect(r.stderr).toMatch(/beta/)
  })

  it('peer check without a name checks every peer, not one named after stdin', async () => {
    const r = await runCli(['peer', 'check'], {env, input: 'x\n'})
    expect(r.stdout + r.stderr).toMatch(/No peers to check/)
    expect(r.exitCode).toBe(0)
  })

  it('file get without a directory does not create one named after stdin', async () => {
    await runCli(['file', 'get'], {env, input: 'text\n', cwd: work})
    expect(existsSync(path.join(work, 'text'))).toBe(false)
  })

  it('peer add --invite - reads the invite from stdin, not as the URL argument', async () => {
    // A version no claw-mesh makes: the answer shows where the text went without contacting anyone.
    const r = await runCli(['peer', 'add', '--invite', '-'], {env, input: 'claw-mesh-invite:v9:AAAA\n'})
    expect(r.stderr).not.toMatch(/command line/)
    expect(r.stderr).toMatch(/The invite is version 9, made by a newer claw-mesh/)
    expect(r.exitCode).toBe(2)
  })

  it('a while-read loop keeps its input: the CLI inside does not swallow the remaining lines', () => {
    const script = `while read -r line; do "$NODE" "$CLI" peer check >/dev/null 2>&1; echo "$line"; done < "$INPUT"`
    const out = execFileSync('/bin/sh', ['-c', script], {
      env: cliEnv({...env, NODE: process.execPath, CLI, INPUT: stdinFile('a\nb\nc\n')}),
      encoding: 'utf8',
    })
    expect(out).toBe('a\nb\nc\n')
  })

  it('names the missing argument in full', async () => {
    const r = await runCli(['peer', 'remove'], {env})
    expect(r.stderr).toMatch(/Missing 1 required argument: name\./)
    expect(r.exitCode).toBe(2)
  })
})
