import {execFileSync, spawnSync} from 'node:child_process'
import {mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {requireOrSkip} from '../helpers/mesh-host.js'
import {runCli} from '../helpers/built-cli.js'

/** A tiny tmpfs as OpenClaw's state dir: a real full disk, without filling the machine's. */
function tmpfsUnavailable(): string | undefined {
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return 'mounting a tmpfs needs root'
  const probe = mkdtempSync(path.join(os.tmpdir(), 'tmpfs-probe-'))
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], {encoding: 'utf8'})
  if (r.status === 0) spawnSync('umount', [probe])
  rmSync(probe, {recursive: true, force: true})
  return r.status === 0 ? undefined : `cannot mount a tmpfs here: ${r.stderr.trim() || r.error?.message}`
}

const ready = requireOrSkip(tmpfsUnavailable())
const ORIGINAL =
  '{\n  // my gateway\n  agents: {defaults: {model: "anthropic/claude"}},\n  gateway: {port: 18789},\n}\n'

describe.skipIf(!ready)('a full disk under openclaw.json', () => {
  let home: string
  let stateDir: string
  beforeAll(() => {
    home = mkdtempSync(path.join(os.tmpdir(), 'disk-full-'))
    stateDir = path.join(home, '.openclaw')
    mkdirSync(stateDir)
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', stateDir])
    writeFileSync(path.join(stateDir, 'openclaw.json'), ORIGINAL, {mode: 0o600})
    // Fill what is left (tmpfs counts pages: a filler that takes every free page).
    try {
      writeFileSync(path.join(stateDir, 'filler'), Buffer.alloc(64 * 1024))
    } catch {
      // ENOSPC: the disk is now full, which is the point
    }
  })
  afterAll(() => {
    spawnSync('umount', [stateDir])
    rmSync(home, {recursive: true, force: true})
  })

  it('configure fails with a clear "no space" error, exit 3, the file untouched and no temp file left', async () => {
    const run = await runCli(['gateway', 'configure', '--no-plugin', '--json'], {
      env: {HOME: home, CLAW_MESH_HOME: path.join(home, 'cm'), CLAW_MESH_SECRET_STORE: 'file', PATH: process.env.PATH},
    })
    expect(run.exitCode, run.stderr).toBe(3)
    expect(run.json()).toMatchObject({ok: false, error: {code: 'disk-full'}})
    expect(run.json<{error: {message: string}}>().error.message).toMatch(/No space left .*changed nothing/)
    expect(readFileSync(path.join(stateDir, 'openclaw.json'), 'utf8')).toBe(ORIGINAL)
    expect(readdirSync(stateDir).sort()).toEqual(['filler', 'openclaw.json'])
  })
})
