import {spawnSync} from 'node:child_process'
import {readFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {describe, expect, it} from 'vitest'
import Bootstrap from '../../src/commands/bootstrap.js'
import {BaseCommand} from '../../src/base-command.js'

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
const read = (p: string) => readFileSync(path.join(root, p), 'utf8')
const known = new Set([...Object.keys(Bootstrap.flags), ...Object.keys(BaseCommand.baseFlags)].flatMap((f) => [f, `no-${f}`]))

/** The long flags a template passes to `claw-mesh bootstrap`. */
function bootstrapFlags(text: string): string[] {
  const start = text.indexOf('bootstrap \\')
  expect(start).toBeGreaterThan(-1)
  const block = text.slice(start, text.indexOf('--json', start) + 6)
  return [...block.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1])
}

describe('CI provisioning templates stay in step with the CLI', () => {
  it.each(['templates/github-actions/provision-agent-host.yml', 'templates/cloud-init/claw-mesh-agent.yaml'])('%s uses only real bootstrap flags, and no secret in argv', (file) => {
    const text = read(file)
    const flags = bootstrapFlags(text)
    expect(flags.length).toBeGreaterThan(3)
    for (const f of flags) expect(known, `--${f}`).toContain(f)
    // Secrets come from files or the environment, never as literal values.
    expect(text).not.toMatch(/--tailscale-key\s+(?!file:)\S/)
    expect(text).not.toMatch(/tskey-(auth|client)-[A-Za-z0-9]{4,}/)
  })

  const pyYaml = spawnSync('python3', ['-c', 'import yaml'], {encoding: 'utf8'}).status === 0
  it.skipIf(!pyYaml).each(['templates/github-actions/provision-agent-host.yml', 'templates/cloud-init/claw-mesh-agent.yaml'])('%s parses as YAML (PyYAML)', (file) => {
    const r = spawnSync('python3', ['-c', 'import sys, yaml, json; print(json.dumps(sorted(yaml.safe_load(open(sys.argv[1])).keys(), key=str)))', path.join(root, file)], {encoding: 'utf8'})
    expect(r.status, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).length).toBeGreaterThan(1)
  })

  it('the cloud-init file is cloud-config and the workflow is a dispatchable job', () => {
    expect(read('templates/cloud-init/claw-mesh-agent.yaml').startsWith('#cloud-config\n')).toBe(true)
    const wf = read('templates/github-actions/provision-agent-host.yml')
    expect(wf).toMatch(/^on:\n {2}workflow_dispatch:/m)
    expect(wf).not.toMatch(/\t/) // YAML forbids tabs for indentation
  })
})
