import {readFileSync, rmSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {encodeFile} from '../../src/core/os/windows-file-encoding.js'
import {createDeps} from '../../src/deps.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {renderWatchdogFiles, type RenderedFile} from '../../src/services/watchdog/units.js'
import {openclawInternal, openclawInternalsUnavailable} from '../helpers/openclaw-internals.js'

const files = (): RenderedFile[] => {
  const deps = createDeps({env: {}, platform: 'win32', store: createMemoryStateStore()})
  const stateDir = 'C:\\Users\\Zoë Doe\\AppData\\Local\\claw-mesh'
  return renderWatchdogFiles(
    {...deps, stateDir, home: 'C:\\Users\\Zoë Doe'},
    {intervalSec: 120, failures: 3, cooldownSec: 1800},
    {
      nodePath: 'C:\\Program Files\\nodejs\\node.exe',
      cliEntry: 'C:\\Users\\Zoë Doe\\AppData\\Roaming\\npm\\node_modules\\claw-mesh\\bin\\run.js',
    },
  ).files
}
const byName = (name: string) => files().find((f) => f.path.endsWith(name))!

describe.skipIf(openclawInternalsUnavailable())(
  'claw-mesh writes its Windows task files the way OpenClaw writes its own (W5, W6)',
  {timeout: 60_000},
  () => {
    it('the task XML: the declaration OpenClaw renders, and the exact bytes OpenClaw writes for the same text', async () => {
      const build = await openclawInternal<
        (p: {taskDescription: string; taskUser: string | null; launchPath: string}) => string
      >('schtasks-layout', 'buildScheduledTaskXml')
      const write = await openclawInternal<(xml: string) => Promise<string>>('schtasks-layout', 'writeTaskXmlTempFile')
      const theirs = build({taskDescription: 'OpenClaw Gateway', taskUser: 'PC\\zoe', launchPath: 'C:\\x\\gateway.vbs'})
      const ours = byName('claw-mesh-watchdog.xml')
      expect(ours.content.split('\n')[0]).toBe(theirs.split('\n')[0])
      const xmlPath = await write(ours.content)
      try {
        expect(readFileSync(xmlPath).equals(encodeFile(ours.content, ours.encoding))).toBe(true)
      } finally {
        rmSync(path.dirname(xmlPath), {recursive: true, force: true})
      }
    })

    it('the .vbs launcher: the bytes OpenClaw writes for a launcher, and the same shape as its hidden launcher', async () => {
      const encode = await openclawInternal<(p: {format: 'vbs' | 'cmd'; content: string}) => Buffer>(
        'schtasks-layout',
        'encodeWindowsLauncherScript',
      )
      const buildHidden = await openclawInternal<
        (p: {description?: string; scriptPath: string; taskSupervisor?: boolean}) => string
      >('schtasks-layout', 'buildHiddenLauncherScript')
      const ours = byName('claw-mesh-watchdog.vbs')
      expect(encode({format: 'vbs', content: ours.content}).equals(encodeFile(ours.content, ours.encoding))).toBe(true)

      const theirs = buildHidden({
        description: 'OpenClaw Gateway',
        scriptPath: 'C:\\Users\\Zoë Doe\\.openclaw\\gateway.cmd',
        taskSupervisor: true,
      })
      const shape = (text: string) =>
        text.split('\r\n').map((line) =>
          line
            .replace(/^' .*/, "' <description>")
            .replace(
              /^shell\.Environment\("Process"\)\("\w+"\) = .*$/,
              'shell.Environment("Process")("<NAME>") = <value>',
            )
            .replace(
              /^WScript\.Quit shell\.Run\("(?:[^"]|"")*", 0, True\)$/,
              'WScript.Quit shell.Run("<command line>", 0, True)',
            ),
        )
      // Comment, WScript.Shell, process environment for the child, then Run hidden (0) and wait (True), its exit code
      // becoming the task's result; CRLF throughout.
      expect(shape(ours.content)).toEqual(shape(theirs))
      expect(shape(theirs)).toContain('WScript.Quit shell.Run("<command line>", 0, True)')
    })
  },
)
