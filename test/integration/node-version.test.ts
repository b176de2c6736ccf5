import {execFile} from 'node:child_process'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {CLI, ROOT, cliEnv} from '../helpers/built-cli.js'

const PRETEND_20 = path.join(ROOT, 'test', 'fixtures', 'node-version', 'pretend-node-20.mjs')

function run(args: string[]): Promise<{code: number; stdout: string; stderr: string}> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', PRETEND_20, CLI, ...args], {env: cliEnv()}, (error, stdout, stderr) =>
      resolve({code: error ? Number(error.code) : 0, stdout, stderr}),
    )
  })
}

describe('claw-mesh on a Node older than engines.node', () => {
  it.each([['bootstrap', '--identity', 'demo'], ['--version'], ['--help']])(
    '%s: one line naming the Node version needed, exit 3',
    async (...args) => {
      const r = await run(args)
      expect(r.code).toBe(3)
      expect(r.stdout).toBe('')
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(/^claw-mesh needs Node\.js 22\.12 or newer; this is Node\.js 20\.18\.1 /)
    },
  )
})
