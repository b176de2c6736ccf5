import {mkdirSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {startupEntryPaths, win32Gateway} from '../../src/platform/gateway-win32.js'
import {openclawInternal, openclawInternalsUnavailable} from '../helpers/openclaw-internals.js'
import {tempDir} from '../helpers/fakes/index.js'

const tmp = tempDir('startup').path

const ENVS: [string, NodeJS.ProcessEnv][] = [
  ['APPDATA', {APPDATA: path.join(tmp, 'Roaming')}],
  ['a profile', {APPDATA: path.join(tmp, 'Roaming'), OPENCLAW_PROFILE: 'work'}],
  ['the hidden launcher', {APPDATA: path.join(tmp, 'Roaming'), OPENCLAW_WINDOWS_TASK_HIDDEN_LAUNCHER: '1'}],
  [
    'a task name with characters a file name cannot hold',
    {APPDATA: path.join(tmp, 'Roaming'), OPENCLAW_WINDOWS_TASK_NAME: 'Claw: A/B "test"?'},
  ],
  ['no APPDATA, USERPROFILE', {USERPROFILE: path.join(tmp, 'Users', 'ana')}],
]

describe.skipIf(openclawInternalsUnavailable())(
  "OpenClaw's Startup-folder fallback is where claw-mesh looks for it (W9)",
  {timeout: 60_000},
  () => {
    it.each(ENVS)('%s', async (_name, env) => {
      const theirs = await openclawInternal<(env: NodeJS.ProcessEnv) => string[]>(
        'schtasks-layout',
        'resolveStartupEntryPaths',
      )
      expect([...startupEntryPaths(env, env.OPENCLAW_PROFILE, '/unused')].sort()).toEqual(
        [...new Set(theirs(env))].sort(),
      )
    })
  },
)

describe('the gateway service counts as installed through the Startup folder', () => {
  const noTask = async () => ({
    exitCode: 1,
    stdout: '',
    stderr: 'ERROR: The system cannot find the file specified.',
    notFound: false,
  })
  it.each(['vbs', 'cmd'])('OpenClaw Gateway.%s in the Startup folder, no Scheduled Task → installed', async (ext) => {
    const appData = tempDir('appdata').path
    const dir = path.join(appData, 'Microsoft', 'Windows', 'Start Menu', 'Programs', 'Startup')
    expect(await win32Gateway.serviceInstalled('/unused', undefined, noTask, {APPDATA: appData})).toBe(false)
    mkdirSync(dir, {recursive: true})
    writeFileSync(path.join(dir, `OpenClaw Gateway.${ext}`), '')
    expect(await win32Gateway.serviceInstalled('/unused', undefined, noTask, {APPDATA: appData})).toBe(true)
    // Another profile's entry is not this one.
    expect(await win32Gateway.serviceInstalled('/unused', 'work', noTask, {APPDATA: appData})).toBe(false)
  })
  it('the Scheduled Task alone still counts', async () => {
    expect(
      await win32Gateway.serviceInstalled(
        '/unused',
        undefined,
        async () => ({exitCode: 0, stdout: '', stderr: '', notFound: false}),
        {APPDATA: path.join(tmp, 'none')},
      ),
    ).toBe(true)
  })
})
