import {spawn} from 'node:child_process'
import path from 'node:path'
import type {Readable} from 'node:stream'
import {describe, expect, it} from 'vitest'
import {detachedStdio} from '../../src/infra/inherited-fds.js'
import {ROOT} from '../helpers/built-cli.js'
import {tempDir} from '../helpers/fakes/index.js'

const dir = tempDir('fds').path

// Node marks fds up to ~15 close-on-exec at start-up; a shell's process substitution hands over fd 63.
const EXTRA_FD = 63

/**
 * Runs a claw-mesh process (the built runner) that starts a 4-second detached child, the way bootstrap starts the
 * background gateway, with a pipe on fd 63 the way `claw-mesh bootstrap > >(tee log)` has one. Returns how long
 * after claw-mesh exited that pipe reached end-of-file: at once, unless the child inherited it.
 */
function pipeOpenAfterExitMs(): Promise<number> {
  const script = `
    import {createExecaRunner} from ${JSON.stringify(path.join(ROOT, 'dist', 'infra', 'runner.js'))}
    import {Redactor} from ${JSON.stringify(path.join(ROOT, 'dist', 'core', 'secrets', 'redact.js'))}
    await createExecaRunner(new Redactor()).spawnDetached('/bin/sh', ['-c', 'sleep 4'], {logFile: ${JSON.stringify(path.join(dir, 'child.log'))}})
  `
  const stdio: ('ignore' | 'pipe')[] = Array.from({length: EXTRA_FD + 1}, () => 'ignore')
  stdio[EXTRA_FD] = 'pipe'
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {stdio})
    let exitedAt: number | undefined
    child.once('error', reject)
    child.once('exit', () => (exitedAt = performance.now()))
    const pipe = (child.stdio as unknown as Readable[])[EXTRA_FD]
    pipe.resume()
    pipe.once('close', () => {
      const check = () => (exitedAt === undefined ? setTimeout(check, 10) : resolve(performance.now() - exitedAt))
      check()
    })
  })
}

describe('a detached child (the background gateway) gets only /dev/null and its log', () => {
  it("does not hold the caller's pipe open after claw-mesh exits", async () => {
    expect(await pipeOpenAfterExitMs()).toBeLessThan(1500)
  }, 20_000)

  it('maps every inherited descriptor to /dev/null, keeping the log on stdout and stderr', () => {
    expect(detachedStdio(20, 21, [3, 7, 20, 21])).toEqual([21, 20, 20, 21, 'ignore', 'ignore', 'ignore', 21])
  })
})
