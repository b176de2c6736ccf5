import {spawn} from 'node:child_process'
import {readFileSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {fileURLToPath} from 'node:url'
import {tempDir} from '../helpers/fakes/index.js'
import {describe, expect, it} from 'vitest'
import {BusyError} from '../../src/core/common/errors.js'
import {systemClock} from '../../src/infra/clock.js'
import {acquireLock, acquireLockSync} from '../../src/infra/lock.js'
import {processStartTime} from '../../src/platform/process-info.js'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
let dir: string
const fresh = () => (dir = tempDir('lock').path)

/** A worker process: takes the lock, appends "in <pid> <t>" / "out <pid> <t>" around a short hold. */
const WORKER = `
import {appendFileSync} from 'node:fs'
const {acquireLock} = await import(process.argv[1])
const {systemClock} = await import(process.argv[2])
const [dir, log] = [process.argv[3], process.argv[4]]
for (let i = 0; i < 3; i++) {
  const lock = await acquireLock({dir, name: 'state', waitMs: 60000, clock: systemClock, what: 'test'})
  appendFileSync(log, 'in ' + process.pid + ' ' + performance.timeOrigin + performance.now() + '\\n')
  await new Promise((r) => setTimeout(r, 5))
  appendFileSync(log, 'out ' + process.pid + '\\n')
  lock.release()
}
`

describe('the lock is exclusive', () => {
  it('eight processes taking it three times each: never two holders at once', async () => {
    fresh()
    const log = path.join(dir, 'log')
    writeFileSync(log, '')
    // The workers load the source through tsx, as vitest does: no build needed for the unit suite.
    const mod = (p: string) => path.join(ROOT, 'src', p)
    await Promise.all(
      Array.from(
        {length: 8},
        () =>
          new Promise<void>((resolve, reject) => {
            const child = spawn(
              process.execPath,
              [
                '--import',
                'tsx',
                '--input-type=module',
                '-e',
                WORKER,
                mod('infra/lock.ts'),
                mod('infra/clock.ts'),
                dir,
                log,
              ],
              {stdio: 'inherit'},
            )
            child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`worker exited ${code}`))))
          }),
      ),
    )
    const lines = readFileSync(log, 'utf8').trim().split('\n')
    expect(lines).toHaveLength(48)
    // Strictly alternating in/out of the same pid: an overlap would put two "in" lines in a row.
    for (let i = 0; i < lines.length; i += 2) {
      expect(lines[i]).toMatch(/^in /)
      expect(lines[i + 1]).toBe(`out ${lines[i].split(' ')[1]}`)
    }
  }, 60_000)

  it('a live holder makes the next one wait, then fail as busy (exit 6)', async () => {
    fresh()
    const held = await acquireLock({dir, name: 'x', waitMs: 0, clock: systemClock, what: 'test'})
    await expect(
      acquireLock({dir, name: 'x', waitMs: 100, clock: systemClock, what: 'test run'}),
    ).rejects.toBeInstanceOf(BusyError)
    expect(() => acquireLockSync({dir, name: 'x', waitMs: 50, what: 'test run'})).toThrow(
      /Another test run is running on this host \(pid \d+\)/,
    )
    held.release()
    acquireLockSync({dir, name: 'x', waitMs: 0, what: 'test'}).release()
  })

  it('a lock left by a dead process is taken over', async () => {
    fresh()
    writeFileSync(path.join(dir, 'x.lock'), '999999999\n123\n')
    const lock = await acquireLock({dir, name: 'x', waitMs: 0, clock: systemClock, what: 'test'})
    expect(readFileSync(path.join(dir, 'x.lock'), 'utf8')).toBe(
      `${process.pid}\n${processStartTime(process.pid) ?? ''}\n`,
    )
    lock.release()
  })

  it.runIf(processStartTime(process.pid) !== undefined)(
    'a lock naming a live pid with another start time (a recycled pid) is taken over',
    async () => {
      fresh()
      writeFileSync(path.join(dir, 'x.lock'), `${process.ppid}\n1\n`)
      const lock = acquireLockSync({dir, name: 'x', waitMs: 0, what: 'test'})
      lock.release()
    },
  )

  it('the lock file records pid and start time, and is gone after release', async () => {
    fresh()
    const lock = acquireLockSync({dir, name: 'y', waitMs: 0, what: 'test'})
    expect(readFileSync(path.join(dir, 'y.lock'), 'utf8').split('\n')[0]).toBe(String(process.pid))
    lock.release()
    expect(() => readFileSync(path.join(dir, 'y.lock'))).toThrow(/ENOENT/)
  })
})
