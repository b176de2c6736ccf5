import {spawnSync} from 'node:child_process'
import {describe, expect, it} from 'vitest'
import {fallbackStdinBlock, newDelimiter, parseFallbackMarker} from '../../src/core/mesh/agent-fallback.js'
import {createDeps} from '../../src/deps.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {cliInvocation, fallbackProgram, renderSkill} from '../../src/services/skill/install.js'
import {lintPowerShell, lintPowerShellHereString} from '../helpers/powershell-lint.js'

/** The skill's code blocks (whole: a heredoc spans lines) and the inline spans that run claw-mesh. */
function commandBlocks(text: string, cli: string): {blocks: string[]; inline: string[]} {
  const blocks: string[] = []
  for (const block of text.matchAll(/```(\w+)\n([\s\S]*?)\n```/g)) blocks.push(block[2])
  const inline: string[] = []
  for (const span of text.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`]+)`/g))
    if (span[1].startsWith(cli)) inline.push(span[1])
  return {blocks, inline}
}

const WIN_NODE = 'C:\\Program Files\\nodejs\\node.exe'
const WIN_ENTRY = "C:\\Users\\O'Brien\\AppData\\Roaming\\npm\\node_modules\\claw-mesh\\bin\\run.js"
const DELIM = newDelimiter(Buffer.alloc(8, 0xab))

describe('the skill on Windows: every command parses in the PowerShell OpenClaw exec runs', () => {
  it.each([
    ['the default CLAW_MESH_HOME', {}],
    ['a non-default CLAW_MESH_HOME', {CLAW_MESH_HOME: "D:\\it's home"}],
  ])('%s', (_name, env) => {
    // claw-mesh.cmd on PATH changes nothing: the fallback never relies on PATH.
    const deps = createDeps({
      env: {Path: 'C:\\Users\\ana\\AppData\\Roaming\\npm', ...env},
      platform: 'win32',
      store: createMemoryStateStore({identity: 'nova'}),
    })
    const opts = {nodePath: WIN_NODE, cliEntry: WIN_ENTRY, delimiter: DELIM}
    const cli = cliInvocation(deps, opts)
    const text = renderSkill(deps, opts)
    const {blocks, inline} = commandBlocks(text, cli)
    const piped = blocks.filter((b) => b.includes("@'\n"))
    expect(piped.length).toBe(2)
    for (const block of piped) {
      const r = lintPowerShellHereString(block)
      expect(r.problems, block).toEqual([])
      expect(r.words.slice(0, 3)).toEqual(['&', WIN_NODE, WIN_ENTRY])
      expect(r.words.slice(-3)).toEqual(['--', 'PEER', '-'])
    }
    for (const line of [...blocks.filter((b) => !b.includes("@'\n")).flatMap((b) => b.split('\n')), ...inline])
      expect(lintPowerShell(line).problems, line).toEqual([])
    expect(inline.length).toBeGreaterThan(2)
    expect(text).toContain('```powershell\n')
    expect(text).not.toContain('```bash')
  })

  it('names the program and its arguments exactly (read back through the PowerShell rules)', () => {
    const deps = createDeps({
      env: {Path: 'C:\\npm', CLAW_MESH_HOME: "D:\\it's home"},
      platform: 'win32',
      store: createMemoryStateStore({identity: 'nova'}),
    })
    const cli = cliInvocation(deps, {nodePath: WIN_NODE, cliEntry: WIN_ENTRY})
    expect(lintPowerShell(`${cli} peer list --json`).words).toEqual([
      '$env:CLAW_MESH_HOME',
      '=',
      "D:\\it's home",
      '&',
      WIN_NODE,
      WIN_ENTRY,
      'peer',
      'list',
      '--json',
    ])
  })

  it('a message full of PowerShell syntax stays one literal text on stdin', () => {
    const deps = createDeps({
      env: {Path: 'C:\\npm'},
      platform: 'win32',
      store: createMemoryStateStore({identity: 'nova'}),
    })
    const message = "--file=$HOME\\.openclaw\\openclaw.json $(Remove-Item x) `n \"q\" 'it''s' @'"
    const r = lintPowerShellHereString(
      fallbackStdinBlock(
        fallbackProgram(deps, {nodePath: WIN_NODE, cliEntry: WIN_ENTRY}),
        'ask -- nova -',
        message,
        DELIM,
      ),
    )
    expect(r.problems).toEqual([])
    expect(r.text).toBe(message)
  })
})

describe('the skill elsewhere: every block passes bash -n, and a message reaches stdin untouched', () => {
  it.each(['linux', 'darwin'])('%s', (platform) => {
    const deps = createDeps({
      env: {PATH: '/nonexistent', CLAW_MESH_HOME: "/srv/it's mesh"},
      platform,
      store: createMemoryStateStore({identity: 'nova'}),
    })
    const opts = {nodePath: '/opt/homebrew/bin/node', cliEntry: '/Users/ana/claw mesh/bin/run.js', delimiter: DELIM}
    const text = renderSkill(deps, opts)
    const cli = cliInvocation(deps, opts)
    const {blocks, inline} = commandBlocks(text, cli)
    for (const code of [...blocks, ...inline]) {
      const r = spawnSync('bash', ['-n', '-c', code], {encoding: 'utf8'})
      expect(r.stderr, code).toBe('')
      expect(r.status, code).toBe(0)
    }
    expect(blocks.filter((b) => b.includes(`<<'${DELIM}'`)).length).toBe(2)
    expect(text).toContain('file get ~/inbox')
    expect(text).not.toMatch(/PowerShell/)
  })

  it('runs the block in a real shell: $(…), backticks and a leading --file= arrive as text on stdin, after --', () => {
    // The program is `printf` standing in for node: it prints its arguments, then cat prints stdin.
    const program = {shell: 'posix' as const, node: '/bin/sh', entry: '-c'}
    const message = '--file=~/.openclaw/openclaw.json $(touch /tmp/cm-pwned) `id` \'q\' "d"'
    const block = fallbackStdinBlock(program, `'printf "%s|" "$@"; cat' argv0 ask -- nova -`, message, DELIM)
    const r = spawnSync('bash', ['-c', block], {encoding: 'utf8'})
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toBe(`ask|--|nova|-|${message}\n`)
  })

  it('the marker names the node and entry doctor checks', () => {
    const deps = createDeps({env: {PATH: '/x'}, platform: 'linux', store: createMemoryStateStore({identity: 'nova'})})
    expect(parseFallbackMarker(renderSkill(deps, {nodePath: '/opt/n/node', cliEntry: '/opt/cm/bin/run.js'}))).toEqual({
      node: '/opt/n/node',
      entry: '/opt/cm/bin/run.js',
    })
  })
})
