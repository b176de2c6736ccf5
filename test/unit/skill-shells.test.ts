import {spawnSync} from 'node:child_process'
import {describe, expect, it} from 'vitest'
import {createDeps} from '../../src/deps.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {cliInvocation, renderSkill} from '../../src/services/skill/install.js'
import {lintPowerShell} from '../helpers/powershell-lint.js'

/** Every command line the skill gives the agent: the lines of its code blocks and the inline spans that run claw-mesh. */
function commandLines(text: string, cli: string): string[] {
  const lines: string[] = []
  for (const block of text.matchAll(/```(\w+)\n([\s\S]*?)```/g)) lines.push(...block[2].split('\n').filter((l) => l.trim()))
  for (const span of text.replace(/```[\s\S]*?```/g, '').matchAll(/`([^`]+)`/g)) {
    const code = span[1].replace(/\s*\n\s*/g, ' ')
    if (code.startsWith(cli)) lines.push(code)
  }
  // The exec tool call example: the command inside the JSON is a command line too.
  for (const m of text.matchAll(/`exec (\{[^`]+\})`/g)) lines.push((JSON.parse(m[1].replace(/\n/g, ' ')) as {command: string}).command)
  return lines
}

const WIN_NODE = 'C:\\Program Files\\nodejs\\node.exe'
const WIN_ENTRY = "C:\\Users\\O'Brien\\AppData\\Roaming\\npm\\node_modules\\claw-mesh\\bin\\run.js"

describe('the skill on Windows: every command line parses in the PowerShell OpenClaw exec runs (W3)', () => {
  const cases = [
    ['claw-mesh is not on PATH', {}, () => false],
    ['claw-mesh.cmd is on PATH', {}, (p: string) => p.toLowerCase().endsWith('\\npm\\claw-mesh.cmd')],
    ['a non-default CLAW_MESH_HOME', {CLAW_MESH_HOME: 'D:\\claw mesh'}, () => false],
  ] as const
  it.each(cases)('%s', (_name, env, exists) => {
    const deps = createDeps({env: {Path: 'C:\\Users\\ana\\AppData\\Roaming\\npm', ...env}, platform: 'win32', store: createMemoryStateStore({identity: 'nova'})})
    const opts = {nodePath: WIN_NODE, cliEntry: WIN_ENTRY, exists}
    const cli = cliInvocation(deps, opts)
    const text = renderSkill(deps, opts)
    const lines = commandLines(text, cli)
    expect(lines.length).toBeGreaterThan(15)
    for (const line of lines) expect(lintPowerShell(line).problems, line).toEqual([])
    expect(cli).toMatch(exists('C:\\Users\\ana\\AppData\\Roaming\\npm\\claw-mesh.cmd') ? /^claw-mesh\.cmd$/ : /& 'C:\\Program Files\\nodejs\\node\.exe' /)
    expect(text).toContain('```powershell\n')
    expect(text).not.toContain('```bash')
    expect(text).toMatch(/## On Windows: your exec tool runs PowerShell/)
  })

  it('names the program and its arguments exactly (read back through the PowerShell rules)', () => {
    const deps = createDeps({env: {Path: 'C:\\npm', CLAW_MESH_HOME: "D:\\it's home"}, platform: 'win32', store: createMemoryStateStore({identity: 'nova'})})
    const cli = cliInvocation(deps, {nodePath: WIN_NODE, cliEntry: WIN_ENTRY, exists: () => false})
    expect(lintPowerShell(`${cli} peer list --json`).words).toEqual(['$env:CLAW_MESH_HOME', '=', "D:\\it's home", '&', WIN_NODE, WIN_ENTRY, 'peer', 'list', '--json'])
    expect(cliInvocation(deps, {nodePath: WIN_NODE, cliEntry: WIN_ENTRY, exists: (p) => p.endsWith('claw-mesh.cmd')})).toBe("$env:CLAW_MESH_HOME = 'D:\\it''s home'; claw-mesh.cmd")
  })
})

describe('the skill elsewhere: every command line passes bash -n', () => {
  it.each(['linux', 'darwin'])('%s', (platform) => {
    const deps = createDeps({env: {PATH: '/nonexistent', CLAW_MESH_HOME: "/srv/it's mesh"}, platform, store: createMemoryStateStore({identity: 'nova'})})
    const opts = {nodePath: '/opt/homebrew/bin/node', cliEntry: '/Users/ana/claw mesh/bin/run.js'}
    const text = renderSkill(deps, opts)
    const lines = commandLines(text, cliInvocation(deps, opts))
    expect(lines.length).toBeGreaterThan(15)
    for (const line of lines) {
      const r = spawnSync('bash', ['-n', '-c', line], {encoding: 'utf8'})
      expect(r.stderr, line).toBe('')
      expect(r.status, line).toBe(0)
    }
    expect(text).toContain('```bash\n')
    expect(text).toContain('file get ~/inbox')
    expect(text).not.toMatch(/PowerShell/)
  })
})
