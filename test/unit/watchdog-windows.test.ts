import {spawnSync} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import WatchdogInstall from '../../src/commands/watchdog/install.js'
import {decodeFile, encodeFile} from '../../src/core/os/windows-file-encoding.js'
import {createDeps} from '../../src/deps.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {watchdogSchedule} from '../../src/services/watchdog/install.js'
import {onDiskMatches, renderWatchdogFiles, type RenderedFile} from '../../src/services/watchdog/units.js'
import {runCommand} from '../helpers/run-command.js'
import {requireTool} from '../helpers/tools.js'
import {tempDir} from '../helpers/fakes/index.js'

const dir = tempDir('wd-win').path

const WIN_STATE = 'C:\\Users\\Zoë\\AppData\\Local\\claw-mesh'
const NODE = 'C:\\Program Files\\nodejs\\node.exe'
const ENTRY = 'C:\\Users\\Zoë\\AppData\\Roaming\\npm\\node_modules\\claw-mesh\\bin\\run.js'

function windowsFiles(intervalSec = 120): RenderedFile[] {
  const deps = createDeps({
    env: {Path: 'C:\\Windows\\system32;C:\\Windows'},
    platform: 'win32',
    store: createMemoryStateStore(),
  })
  return renderWatchdogFiles(
    {...deps, stateDir: WIN_STATE, home: 'C:\\Users\\Zoë'},
    {intervalSec, failures: 3, cooldownSec: 1800},
    {nodePath: NODE, cliEntry: ENTRY},
  ).files
}
const byName = (files: RenderedFile[], name: string) => files.find((f) => f.path.endsWith(name))!

/** xs:duration as seconds (the task schema's Interval type), for the days/hours/minutes/seconds forms a task uses. */
function durationSec(text: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(text)
  if (!m || text === 'P' || text.endsWith('T')) throw new Error(`not an xs:duration: ${text}`)
  return Number(m[1] ?? 0) * 86400 + Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0)
}

describe('the watchdog task XML on Windows', () => {
  it('is written UTF-16LE with a BOM, declares UTF-16, and reads back as the rendered text', () => {
    const task = byName(windowsFiles(), 'claw-mesh-watchdog.xml')
    expect(task.encoding).toBe('utf-16le')
    const bytes = encodeFile(task.content, task.encoding)
    expect([...bytes.subarray(0, 4)]).toEqual([0xff, 0xfe, 0x3c, 0x00]) // BOM, then "<" in UTF-16LE
    expect(decodeFile(bytes)).toBe(task.content)
    expect(task.content.split('\n')[0]).toBe('<?xml version="1.0" encoding="UTF-16"?>')
    // A non-ASCII profile path survives (what a UTF-8 file read as UTF-16, or the reverse, would garble).
    expect(decodeFile(bytes)).toContain('Zoë')
  })

  it('libxml2 reads the UTF-16 bytes as the declared encoding, and finds the interval', () => {
    const xmllint = requireTool('xmllint', 'libxml2-utils')
    if (!xmllint) return
    const task = byName(windowsFiles(), 'claw-mesh-watchdog.xml')
    const file = path.join(dir, 'task.xml')
    writeFileSync(file, encodeFile(task.content, task.encoding))
    const r = spawnSync(xmllint, ['--nonet', '--xpath', 'string(//*[local-name()="Interval"])', file], {
      encoding: 'utf8',
    })
    expect(r.stderr).toBe('')
    expect(r.stdout.trim()).toBe('PT2M')
  })

  it('re-installing the same task is a no-op; a UTF-8 file from an earlier version is rewritten', async () => {
    const task = {...byName(windowsFiles(), 'claw-mesh-watchdog.xml'), path: path.join(dir, 'same.xml')}
    expect(await onDiskMatches(task)).toBeUndefined()
    writeFileSync(task.path, encodeFile(task.content, task.encoding))
    expect(await onDiskMatches(task)).toBe(true)
    writeFileSync(task.path, task.content) // the same text, in UTF-8
    expect(await onDiskMatches(task)).toBe(false)
  })
})

describe('the watchdog runs without a console window', () => {
  it('the task starts wscript with the .vbs launcher, which runs node hidden (window style 0) and waits for it', () => {
    const files = windowsFiles()
    const task = byName(files, 'claw-mesh-watchdog.xml')
    const launcher = byName(files, 'claw-mesh-watchdog.vbs')
    expect(task.content).toContain('<Command>%SystemRoot%\\System32\\wscript.exe</Command>')
    expect(task.content).toContain(`<Arguments>//B //NoLogo ${WIN_STATE}\\claw-mesh-watchdog.vbs</Arguments>`)
    expect(launcher.encoding).toBe('utf-16le')
    const lines = launcher.content.split('\r\n')
    expect(lines.at(-1)).toBe('') // every line CRLF-terminated
    const run = /^WScript\.Quit shell\.Run\("((?:[^"]|"")*)", 0, True\)$/.exec(lines.at(-2)!)
    expect(run, lines.at(-2)).not.toBeNull()
    // The VBScript string, unquoted, is the Windows command line of node with the env file and the entry.
    expect(run![1].replace(/""/g, '"')).toBe(
      `"${NODE}" --env-file=${WIN_STATE}\\watchdog.env ${ENTRY} watchdog run --failures 3 --cooldown 1800s`,
    )
  })

  it("node's directory goes first on PATH in the launcher, where it counts (W13); the env file no longer pretends to set it", () => {
    const files = windowsFiles()
    expect(byName(files, 'claw-mesh-watchdog.vbs').content).toContain(
      'shell.Environment("Process")("PATH") = "C:\\Program Files\\nodejs" & ";" & shell.Environment("Process")("PATH")\r\n',
    )
    const env = byName(files, 'watchdog.env').content
    expect(env).toContain(`CLAW_MESH_HOME='${WIN_STATE}'`)
    expect(env).not.toMatch(/^PATH=/m)
  })
})

describe('the watchdog interval on Windows', () => {
  it.each([
    [60_000, 'PT1M'],
    [120_000, 'PT2M'],
    [600_000, 'PT10M'],
  ])('%d ms → <Interval>%s</Interval>, within the schema minimum PT1M', (ms, expected) => {
    const schedule = watchdogSchedule({intervalMs: ms}, 'win32')
    const task = byName(windowsFiles(schedule.intervalSec), 'claw-mesh-watchdog.xml')
    const interval = /<Interval>([^<]+)<\/Interval>/.exec(task.content)![1]
    expect(interval).toBe(expected)
    expect(durationSec(interval)).toBeGreaterThanOrEqual(60)
  })

  it.each([30_000, 45_000, 90_000, 150_000])('%d ms is refused on Windows, naming the whole minutes to pass', (ms) => {
    expect(() => watchdogSchedule({intervalMs: ms}, 'win32')).toThrow(/Task Scheduler repeats in whole minutes/)
  })

  it('elsewhere 30 s and 90 s stay allowed', () => {
    expect(watchdogSchedule({intervalMs: 30_000}, 'linux').intervalSec).toBe(30)
    expect(watchdogSchedule({intervalMs: 90_000}, 'darwin').intervalSec).toBe(90)
  })

  it('watchdog install --interval 30s on Windows exits 2 with the fix, and writes nothing', async () => {
    const home = tempDir('home').path
    const run = await runCommand(WatchdogInstall, ['--interval', '30s', '--print'], {
      env: {HOME: home, CLAW_MESH_HOME: path.join(home, 'state')},
      platform: 'win32',
      store: createMemoryStateStore(),
    })
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(/--interval 30s cannot be a Windows Scheduled Task's interval/)
    expect(run.stderr).toMatch(/--interval 1m/)
    expect(run.stdout).toBe('')
  })
})

it('the template declares what the writer writes (no UTF-8 declaration left behind)', () => {
  const template = readFileSync(path.resolve(__dirname, '../../templates/windows/claw-mesh-watchdog.xml'), 'utf8')
  expect(template.startsWith('<?xml version="1.0" encoding="UTF-16"?>')).toBe(true)
})
