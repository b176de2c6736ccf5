import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import {onTestFinished} from 'vitest'
import {Redactor} from '../../src/core/secrets/redact.js'
import {createExecaRunner, type Runner} from '../../src/infra/runner.js'

const FAKE = path.join(__dirname, 'fake-security.mjs')

export interface FakeItem {
  service: string
  account: string
  /** The password bytes, hex. */
  data: string
  /** The programs the item's access list trusts without a prompt. */
  trusted: string[]
}

export interface FakeKeychainState {
  locked?: boolean
  items: FakeItem[]
  calls: {argv: string[]; stdin: string; caller: string}[]
}

/**
 * A macOS login keychain in a JSON file, reached only through test/helpers/fake-security.mjs. `runner()` is the real
 * execa Runner with one change: the program claw-mesh names as /usr/bin/security is that script (the fake learns
 * which program it stands for, the caller whose access the items check). Any other program fails the test.
 */
export function fakeKeychain(initial: Partial<FakeKeychainState> = {}) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cm-fake-keychain-'))
  onTestFinished(() => rmSync(dir, {recursive: true, force: true}))
  const file = path.join(dir, 'keychain.json')
  writeFileSync(file, JSON.stringify({items: [], calls: [], ...initial}))
  const read = (): FakeKeychainState => JSON.parse(readFileSync(file, 'utf8'))
  return {
    file,
    read,
    /** A keychain-era item: what keyring-rs wrote through node, trusting that node binary alone. */
    seed(item: FakeItem) {
      const s = read()
      s.items.push(item)
      writeFileSync(file, JSON.stringify(s))
    },
    runner(session: {gui?: boolean; dialog?: 'always-allow'} = {}): Runner & {commands: string[]} {
      const real = createExecaRunner(new Redactor(), {PATH: process.env.PATH, HOME: dir}, 'darwin')
      const commands: string[] = []
      return {
        commands,
        async run(command, args, opts = {}) {
          commands.push(command)
          if (command !== '/usr/bin/security')
            throw new Error(`the keychain store ran ${command}, not /usr/bin/security`)
          const env = {
            ...opts.env,
            CLAW_MESH_FAKE_KEYCHAIN: file,
            CLAW_MESH_FAKE_SECURITY_CALLER: command,
            CLAW_MESH_FAKE_SESSION: session.gui ? 'gui' : 'ssh',
            CLAW_MESH_FAKE_DIALOG: session.dialog,
          }
          const r = await real.run(process.execPath, [FAKE, ...args], {...opts, env})
          return {...r, command, args: [...args]}
        },
        spawnDetached: () => Promise.reject(new Error('the keychain store never starts a daemon')),
      }
    },
  }
}

export const hex = (value: string) => Buffer.from(value, 'utf8').toString('hex')
