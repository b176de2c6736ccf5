import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {createDeps} from '../../src/deps.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {platformAdapter} from '../../src/platform/index.js'
import {agentShell, cliInvocation, renderSkill} from '../../src/services/skill/install.js'
import {openclawInternal, openclawInternalsUnavailable} from '../helpers/openclaw-internals.js'
import {lintPowerShell} from '../helpers/powershell-lint.js'

type GetShellConfig = () => {shell: string; args: string[]}

const realPlatform = Object.getOwnPropertyDescriptor(process, 'platform')!
/** OpenClaw decides from process.platform at call time: pretend to be that OS for the one call, then restore. */
async function openclawShellOn(platform: NodeJS.Platform): Promise<{shell: string; args: string[]}> {
  const getShellConfig = await openclawInternal<GetShellConfig>('shell-utils', 'getShellConfig')
  Object.defineProperty(process, 'platform', {...realPlatform, value: platform})
  try {
    return getShellConfig()
  } finally {
    Object.defineProperty(process, 'platform', realPlatform)
  }
}

describe.skipIf(openclawInternalsUnavailable())(
  "OpenClaw's exec shell is the shell claw-mesh writes the skill for",
  {timeout: 60_000},
  () => {
    afterEach(() => expect(process.platform).toBe(realPlatform.value))

    it('win32: OpenClaw runs PowerShell with -Command, and the rendered skill is PowerShell', async () => {
      const {shell, args} = await openclawShellOn('win32')
      expect(path.win32.basename(shell).toLowerCase()).toMatch(/^(pwsh|powershell)(\.exe)?$/)
      expect(args).toEqual(['-NoProfile', '-NonInteractive', '-Command'])
      expect(agentShell(platformAdapter('win32'))).toBe('powershell')
      const deps = createDeps({env: {}, platform: 'win32', store: createMemoryStateStore({identity: 'nova'})})
      const opts = {
        nodePath: 'C:\\Program Files\\nodejs\\node.exe',
        cliEntry: 'C:\\npm\\node_modules\\claw-mesh\\bin\\run.js',
        exists: () => false,
      }
      const cli = cliInvocation(deps, opts)
      expect(lintPowerShell(`${cli} peer list --json`).problems).toEqual([])
      expect(renderSkill(deps, opts)).toContain('```powershell\n')
    })

    it('linux: OpenClaw runs a POSIX shell with -c, and the rendered skill is for one', async () => {
      const {shell, args} = await openclawShellOn('linux')
      expect(path.basename(shell)).toMatch(/^(ba|z|da)?sh$/)
      expect(args.at(-1)).toBe('-c')
      expect(agentShell(platformAdapter('linux'))).toBe('posix')
    })
  },
)
