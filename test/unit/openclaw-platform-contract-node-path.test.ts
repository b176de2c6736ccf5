import {describe, expect, it} from 'vitest'
import {stableHomebrewNodePathCandidates, versionManagerOf} from '../../src/core/openclaw/stable-node-path.js'
import {openclawInternal, openclawInternalsUnavailable} from '../helpers/openclaw-internals.js'

/**
 * Contract (issue 17, M3): the node path claw-mesh bakes into the secret launcher, the watchdog job and the skill
 * follows OpenClaw's own rule for its LaunchAgent: a Homebrew Cellar node becomes <prefix>/opt/<formula>/bin/node
 * (and <prefix>/bin/node for "node"), and a version manager's node is recognised as one. Called in-process from
 * the installed openclaw package: when a future OpenClaw changes its rule, this fails.
 */
const PATHS = [
  '/opt/homebrew/Cellar/node/24.4.1/bin/node',
  '/opt/homebrew/Cellar/node@24/24.16.0/bin/node',
  '/usr/local/Cellar/node/24.4.1/bin/node',
  '/home/linuxbrew/.linuxbrew/Cellar/node/24.4.1/bin/node',
  'C:\\homebrew\\Cellar\\node\\24.4.1\\bin\\node',
  '/opt/homebrew/opt/node/bin/node',
  '/opt/homebrew/bin/node',
  '/usr/local/bin/node',
  '/Users/nova/.nvm/versions/node/v24.16.0/bin/node',
  '/Users/nova/.local/share/fnm/node-versions/v24.16.0/installation/bin/node',
  '/Users/nova/Library/Application Support/fnm/node-versions/v24.16.0/installation/bin/node',
  '/Users/nova/.volta/tools/image/node/24.16.0/bin/node',
  '/Users/nova/.asdf/installs/nodejs/24.16.0/bin/node',
  '/Users/nova/.local/share/mise/installs/node/24.16.0/bin/node',
  '/Users/nova/.nodenv/versions/24.16.0/bin/node',
  '/Users/nova/.n/bin/node',
  '/Users/nova/Cellar/notnode',
]

const unavailable = openclawInternalsUnavailable()

describe.skipIf(unavailable !== undefined)(
  "claw-mesh's baked node path agrees with OpenClaw's own rule",
  {timeout: 60_000},
  () => {
    it.each(PATHS)('%s: the same stable Homebrew candidates', async (p) => {
      const theirs = await openclawInternal<(p: string) => string[]>(
        'stable-node-path',
        'stableHomebrewNodePathCandidates',
      )
      expect(stableHomebrewNodePathCandidates(p)).toEqual(theirs(p))
    })

    it.each(PATHS)('%s: version-managed exactly when OpenClaw says so', async (p) => {
      const theirs = await openclawInternal<(p: string, platform: string) => boolean>(
        'runtime-paths',
        'isVersionManagedNodePath',
      )
      expect(versionManagerOf(p) !== undefined).toBe(theirs(p, 'darwin'))
    })
  },
)
