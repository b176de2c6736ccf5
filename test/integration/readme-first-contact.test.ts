import {execFile} from 'node:child_process'
import {existsSync, readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {ROOT} from '../helpers/built-cli.js'
import {tempDir} from '../helpers/fakes/index.js'

/**
 * The README's first command, exactly as written there, on a fresh headless machine: a new HOME, no session bus
 * (SSH into a server, no desktop login), a terminal (`script` gives it one, as an SSH session has). It used to
 * exit 1 ("The keychain refused reading gateway-token: … AccessDenied") while the real run fell back to the file
 * store. The command is read from the README, so the two cannot drift apart.
 */
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8')
const line = readme.split('\n').find((l) => l.startsWith('npm ci && npm run build && node bin/run.js bootstrap'))
const scriptTool = ['/usr/bin/script', '/bin/script'].find((p) => existsSync(p))

describe.skipIf(!scriptTool && process.env.CI !== 'true')(
  "the README's first command on a fresh headless machine",
  () => {
    it('is in the README', () => {
      expect(line, 'the set-up line of the README').toBeDefined()
    })

    it('plans with the file store, says why, and exits 0', async () => {
      const command = line!.replace(/^npm ci && npm run build && /, '').replace(/\s+#.*$/, '')
      const home = tempDir('first').path
      // Nothing of this machine's session: no DBUS_SESSION_BUS_ADDRESS, no XDG_RUNTIME_DIR, a HOME never used.
      const env = {
        PATH: `${path.dirname(process.execPath)}:/usr/bin:/bin`,
        HOME: home,
        TERM: 'dumb',
        NO_COLOR: '1',
        CLAW_MESH_SKIP_NEW_VERSION_CHECK: '1',
      }
      const r = await new Promise<{code: number; out: string}>((resolve) => {
        execFile(
          scriptTool!,
          ['-qec', command, '/dev/null'],
          {cwd: ROOT, env, encoding: 'utf8', timeout: 60_000},
          (error, stdout, stderr) =>
            resolve({code: error ? Number((error as {code?: number}).code ?? 1) : 0, out: stdout + stderr}),
        )
      })
      expect(r.code, r.out).toBe(0)
      expect(r.out).toMatch(/Plan for demo \(dry run: nothing was changed\)/)
      expect(r.out).toMatch(
        /Secrets: file \(.*secrets\.json\) because the OS keychain cannot be used here: there is no D-Bus session bus/,
      )
      // A dry run writes nothing, not even the state dir's secret file.
      expect(existsSync(path.join(home, '.local', 'state', 'claw-mesh', 'secrets.json'))).toBe(false)
    })
  },
)
