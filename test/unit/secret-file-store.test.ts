import {promises as fs, type Stats} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {createFileSecretStore, secretFileProblems} from '../../src/infra/secrets/file.js'
import {tempDir} from '../helpers/fakes/index.js'

/**
 * The stat a writable file really has on Windows: libuv's `fs__stat_handle` (src/win/fs.c) gives owner, group and
 * other read+write unless FILE_ATTRIBUTE_READONLY is set, so every file claw-mesh writes stats as 0o100666 (the
 * file-type bits are kept: a symlink is still a symlink).
 */
async function windowsLstat(file: string): Promise<Stats> {
  const real = await fs.lstat(file)
  return Object.assign(Object.create(Object.getPrototypeOf(real) as object) as Stats, real, {
    mode: (real.mode & 0o170000) | 0o666,
    uid: 0,
    gid: 0,
  })
}

function tempFile(): string {
  const dir = tempDir('secret-file').path
  return path.join(dir, 'secrets.json')
}

describe('the file secret store on Windows (every writable file stats as 0666)', () => {
  it('keeps a second and third secret (the second write used to throw "has mode 0666")', async () => {
    const file = tempFile()
    const store = createFileSecretStore(file, {platform: 'win32', lstat: windowsLstat})
    await store.set('gateway-token', 'gw-0123456789abcdef0123456789')
    await store.set('hooks-token', 'hk-0123456789abcdef0123456789')
    await store.set('peer/clawd', 'peer-0123456789abcdef012345678')
    expect(await store.get('gateway-token')).toBe('gw-0123456789abcdef0123456789')
    expect(await store.delete('hooks-token')).toBe(true)
    expect(await secretFileProblems(file, {platform: 'win32', lstat: windowsLstat})).toEqual([])
  })

  it('still refuses extra hard links there, without a chmod hint', async () => {
    const file = tempFile()
    const store = createFileSecretStore(file, {platform: 'win32', lstat: windowsLstat})
    await store.set('gateway-token', 'gw-0123456789abcdef0123456789')
    await fs.link(file, `${file}.copy`)
    const error = await store.get('gateway-token').catch((e: {message: string; hint?: string}) => e)
    expect(error).toMatchObject({message: expect.stringMatching(/has 2 hard links/)})
    expect((error as {hint?: string}).hint).not.toMatch(/chmod/)
    expect((error as {message: string}).message).not.toMatch(/mode/)
  })

  it('still refuses a symlink in its place', async () => {
    const file = tempFile()
    await fs.writeFile(`${file}.elsewhere`, '{}')
    await fs.symlink(`${file}.elsewhere`, file)
    expect(await secretFileProblems(file, {platform: 'win32', lstat: windowsLstat})).toContain('is a symlink')
  })

  it('on Linux and macOS the same 0666 file is refused, with chmod 600 as the fix', async () => {
    const file = tempFile()
    await createFileSecretStore(file, {platform: 'linux'}).set('gateway-token', 'gw-0123456789abcdef0123456789')
    for (const platform of ['linux', 'darwin']) {
      const store = createFileSecretStore(file, {platform, lstat: windowsLstat})
      await expect(store.get('gateway-token')).rejects.toMatchObject({
        message: expect.stringMatching(/has mode 0666 \(must be 0600\)/),
        hint: expect.stringMatching(/chmod 600/),
      })
    }
  })
})
