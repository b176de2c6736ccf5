import {cpSync, existsSync, readFileSync, writeFileSync} from 'node:fs'
import {spawn, spawnSync} from 'node:child_process'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import os from 'node:os'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {ROOT} from '../helpers/built-cli.js'
import {cachedGoTool, requireTool} from '../helpers/tools.js'
import {tempDir} from '../helpers/fakes/index.js'

/**
 * Every provisioning template checked by its own program: cloud-init's schema validator, actionlint (with
 * shellcheck on the run: scripts), Ansible's syntax check and ansible-lint. Each checker is also shown a broken
 * copy and must reject it, so a checker that accepts anything cannot pass this file. The watchdog units
 * (systemd-analyze, xmllint) are checked in templates.test.ts. Missing tools skip locally and fail under CI.
 */
const dir = tempDir('template-tools').path
const tpl = (p: string) => path.join(ROOT, 'templates', p)
const env = {
  ...process.env,
  HOME: dir,
  ANSIBLE_HOME: path.join(dir, '.ansible'),
  ANSIBLE_LOCAL_TEMP: path.join(dir, 'tmp'),
  ANSIBLE_NOCOLOR: '1',
  NO_COLOR: '1',
}
const run = (cmd: string, args: string[], cwd = ROOT) => {
  const r = spawnSync(cmd, args, {cwd, env, encoding: 'utf8', timeout: 120_000})
  return {status: r.status, out: `${r.stdout}${r.stderr}`}
}
/** A copy of a template file with one text replaced: what the checker must reject. */
function broken(file: string, from: string | RegExp, to: string): string {
  const text = readFileSync(file, 'utf8')
  const next = text.replace(from, to)
  expect(next, `the broken copy of ${file} differs`).not.toBe(text)
  const copy = path.join(dir, `broken-${path.basename(file)}`)
  writeFileSync(copy, next)
  return copy
}

describe('cloud-init: templates/cloud-init/claw-mesh-agent.yaml', {timeout: 120_000}, () => {
  const file = tpl('cloud-init/claw-mesh-agent.yaml')
  it('is valid cloud-config (cloud-init schema), and a broken copy is not', () => {
    const ci = requireTool('cloud-init', 'apt-get install cloud-init')
    if (!ci) return
    const ok = run(ci, ['schema', '--config-file', file])
    expect(ok.out).toMatch(/Valid cloud-config/)
    expect(ok.status, ok.out).toBe(0)
    const bad = run(ci, ['schema', '--config-file', broken(file, 'runcmd:\n  - [', 'runcmd:\n  bad: [')])
    expect(bad.status, bad.out).not.toBe(0)
  })
  it('its provisioning script passes shellcheck', () => {
    const sc = requireTool('shellcheck', 'apt-get install shellcheck')
    if (!sc) return
    const script = /content: \|\n((?: {6}.*\n|\n)+)/.exec(readFileSync(file, 'utf8'))![1].replace(/^ {6}/gm, '')
    expect(script.startsWith('#!/bin/sh\n')).toBe(true)
    const f = path.join(dir, 'provision.sh')
    writeFileSync(f, script)
    const ok = run(sc, [f])
    expect(ok.status, ok.out).toBe(0)
    writeFileSync(f, script.replace('npm install -g claw-mesh', 'cd $HOME/x; npm install -g claw-mesh'))
    expect(run(sc, [f]).status).not.toBe(0)
  })
})

describe('GitHub Actions: templates/github-actions/provision-agent-host.yml', {timeout: 120_000}, () => {
  const file = tpl('github-actions/provision-agent-host.yml')
  it('passes actionlint (shellcheck included), and a broken copy does not', () => {
    const al = requireTool('actionlint', 'go install github.com/rhysd/actionlint/cmd/actionlint@v1.7.12 (.ci/run)', [
      cachedGoTool('actionlint'),
    ])
    if (!al) return
    // Without shellcheck actionlint skips the run: scripts silently; CI has it.
    requireTool('shellcheck', 'apt-get install shellcheck')
    const ok = run(al, ['-no-color', file])
    expect(ok.out).toBe('')
    expect(ok.status).toBe(0)
    const bad = run(al, [
      '-no-color',
      broken(file, 'IDENTITY: ${{ inputs.identity }}', 'IDENTITY: ${{ inputs.identiti }}'),
    ])
    expect(bad.out).toMatch(/identiti/)
    expect(bad.status).not.toBe(0)
  })
})

describe('Ansible: templates/ansible (site.yml, roles/claw_mesh)', {timeout: 240_000}, () => {
  const ansibleDir = tpl('ansible')
  /** A copy of templates/ansible with the role's tasks file edited. */
  function brokenRole(from: string, to: string): string {
    const copy = tempDir('ansible').path
    cpSync(ansibleDir, copy, {recursive: true})
    const tasks = path.join(copy, 'roles/claw_mesh/tasks/main.yml')
    const text = readFileSync(tasks, 'utf8')
    expect(text).toContain(from)
    writeFileSync(tasks, text.replace(from, to))
    return copy
  }

  it('site.yml and the role pass ansible-playbook --syntax-check, and a broken copy does not', () => {
    const ap = requireTool('ansible-playbook', 'apt-get install ansible-core')
    if (!ap) return
    const ok = run(ap, ['-i', 'inventory.example.yml', 'site.yml', '--syntax-check'], ansibleDir)
    expect(ok.status, ok.out).toBe(0)
    const copy = brokenRole('  register: claw_mesh_bootstrap\n', '  register: claw_mesh_bootstrap\n  shell: true\n')
    const bad = run(ap, ['-i', 'inventory.example.yml', 'site.yml', '--syntax-check'], copy)
    expect(bad.status, bad.out).not.toBe(0)
  })

  it('passes ansible-lint (production profile), and a broken copy does not', () => {
    const lint = requireTool('ansible-lint', 'apt-get install ansible-lint')
    if (!lint) return
    const ok = run(lint, ['--offline', '--nocolor', '-p'], ansibleDir)
    expect(ok.out).toMatch(/Passed with production profile/)
    expect(ok.status, ok.out).toBe(0)
    const bad = run(
      lint,
      ['--offline', '--nocolor', '-p'],
      brokenRole('- name: Bootstrap this host into the mesh (claw-mesh bootstrap --json)\n', '- name: bootstrap\n'),
    )
    expect(bad.out).toMatch(/name\[casing\]/)
    expect(bad.status).not.toBe(0)
  })

  it('without claw_mesh_bin, --check plans the install from the Node mirror and says bootstrap would start from scratch', async () => {
    const ap = requireTool('ansible-playbook', 'apt-get install ansible-core')
    if (!ap) return
    // A loopback mirror that check mode must not touch (nothing is downloaded in check mode).
    const seen: string[] = []
    const mirror = http.createServer((req, res) => {
      seen.push(req.url ?? '')
      res.end()
    })
    await new Promise<void>((r) => mirror.listen(0, '127.0.0.1', r))
    try {
      const prefix = path.join(dir, 'prefix')
      const inv = path.join(dir, 'inventory-install.yml')
      writeFileSync(
        inv,
        `claw_mesh:\n  hosts:\n    fresh: {ansible_connection: local, ansible_become: false, ansible_python_interpreter: /usr/bin/python3}\n`,
      )
      const args = [
        '-i',
        inv,
        'site.yml',
        '--check',
        '-e',
        `claw_mesh_prefix=${prefix}`,
        '-e',
        `claw_mesh_node_mirror=http://127.0.0.1:${(mirror.address() as AddressInfo).port}`,
      ]
      const child = spawn(ap, args, {cwd: ansibleDir, env: {...env, ANSIBLE_STDOUT_CALLBACK: 'ansible.posix.json'}})
      let out = ''
      child.stdout.on('data', (d: Buffer) => (out += d.toString()))
      const code = await new Promise<number | null>((r) => child.on('close', r))
      const doc = JSON.parse(out) as {
        stats: Record<string, {changed: number; failures: number}>
        plays: {
          tasks: {task: {name: string}; hosts: Record<string, {changed?: boolean; msg?: string; skipped?: boolean}>}[]
        }[]
      }
      const results = Object.fromEntries(doc.plays[0].tasks.map((t) => [t.task.name, t.hosts.fresh]))
      expect(code, out).toBe(0)
      expect(doc.stats.fresh.failures).toBe(0)
      expect(Object.entries(results).find(([n]) => n.startsWith('claw_mesh : Create '))?.[1]).toMatchObject({
        changed: true,
      })
      const arch = os.arch() // Node's own names, as in its tarballs: x64, arm64
      expect(
        Object.entries(results).find(([n]) => n.startsWith('claw_mesh : Report the Node download'))?.[1],
      ).toMatchObject({
        changed: true,
        msg: `would download http://127.0.0.1:${(mirror.address() as AddressInfo).port}/v24.21.0/node-v24.21.0-linux-${arch}.tar.gz into ${prefix}/node`,
      })
      expect(Object.entries(results).find(([n]) => n.startsWith('claw_mesh : Download Node'))?.[1]).toMatchObject({
        skipped: true,
      })
      expect(Object.entries(results).find(([n]) => n.startsWith('claw_mesh : Bootstrap'))?.[1]).toMatchObject({
        changed: true,
        msg: expect.stringMatching(/not installed yet .*from scratch/),
      })
      expect(seen).toEqual([])
      expect(existsSync(prefix)).toBe(false) // check mode wrote nothing
    } finally {
      mirror.close()
    }
  })

  it('rejects a wrong variable before anything runs, naming it (argument_specs)', () => {
    const ap = requireTool('ansible-playbook', 'apt-get install ansible-core')
    if (!ap) return
    const inv = path.join(dir, 'inventory.yml')
    writeFileSync(
      inv,
      'claw_mesh:\n  hosts:\n    nowhere: {ansible_connection: local, ansible_become: false, claw_mesh_bin: /nonexistent/claw-mesh}\n',
    )
    const r = run(ap, ['-i', inv, 'site.yml', '-e', 'claw_mesh_state=sideways'], ansibleDir)
    expect(r.out).toMatch(/claw_mesh_state.*sideways|sideways.*claw_mesh_state/s)
    expect(r.out).toMatch(/Validating arguments against arg spec/)
    expect(r.status).not.toBe(0)
  })
})
