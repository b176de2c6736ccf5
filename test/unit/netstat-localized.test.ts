import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {judgeListeners} from '../../src/core/openclaw/port-holder.js'
import {parseNetstat, win32LoopbackListeners} from '../../src/platform/listeners-win32.js'

const FIXTURES = path.resolve(__dirname, '../fixtures/netstat')
const LANGS = ['en', 'de', 'fr', 'es', 'it'] as const
const fixture = (lang: string) => readFileSync(path.join(FIXTURES, `${lang}.txt`), 'utf8')

describe('netstat -ano on a localized Windows', () => {
  it.each(LANGS)('%s: the gateway on 127.0.0.1 and the IPv6 wildcard listener, nothing else', (lang) => {
    expect(parseNetstat(fixture(lang), 18789)).toEqual([4242, 4243])
  })

  it('the French state is two words: the pid is still the last field', () => {
    const row = "  TCP    127.0.0.1:18789        0.0.0.0:0              À L'ÉCOUTE      4242\r\n"
    expect(parseNetstat(row, 18789)).toEqual([4242])
  })

  it('the state word decoded from the OEM code page as UTF-8 (ABH\\uFFFDREN) changes nothing', () => {
    expect(parseNetstat(fixture('de').replaceAll('Ö', '\uFFFD'), 18789)).toEqual([4242, 4243])
  })

  it.each([
    [
      'a port that only starts with the one asked for',
      '  TCP    127.0.0.1:187890       0.0.0.0:0              LISTENING       11\r\n',
    ],
    [
      'a connection whose peer sits on port 0 of a real address',
      '  TCP    127.0.0.1:18789        10.0.0.2:0             SYN_SENT        12\r\n',
    ],
    ['a pid that is not a number', '  TCP    127.0.0.1:18789        0.0.0.0:0              LISTENING       x13\r\n'],
    ['pid 0', '  TCP    127.0.0.1:18789        0.0.0.0:0              LISTENING       0\r\n'],
    ['a row cut short', '  TCP    127.0.0.1:18789        0.0.0.0:0\r\n'],
  ])('ignores %s', (_name, row) => {
    expect(parseNetstat(row, 18789)).toEqual([])
  })

  it.each(LANGS)('%s: gateway start sees the healthy gateway as ours (no rollback)', async (lang) => {
    const calls: string[][] = []
    const run = async (cmd: string, args: string[]) => {
      calls.push([cmd, ...args])
      if (cmd === 'netstat') return {exitCode: 0, stdout: fixture(lang), stderr: '', notFound: false}
      const pid = /ProcessId=(\d+)/.exec(args.join(' '))?.[1]
      return {
        exitCode: 0,
        stdout: `C:\\Program Files\\nodejs\\node.exe\r\n"C:\\Program Files\\nodejs\\node.exe" C:\\Users\\u\\AppData\\Roaming\\npm\\node_modules\\openclaw\\dist\\index.js gateway --port 18789 (pid ${pid})\r\n`,
        stderr: '',
        notFound: false,
      }
    }
    const listeners = await win32LoopbackListeners(18789, run)
    // -ano without -p TCP: `-p TCP` lists IPv4 only and would hide the [::] listener.
    expect(calls[0]).toEqual(['netstat', '-ano'])
    expect(listeners).toMatchObject({known: true, holders: [{pid: 4242}, {pid: 4243}]})
    expect(judgeListeners(listeners, 18789, {})).toMatchObject({ours: true})
  })

  it('netstat missing is "cannot tell", never "free"', async () => {
    const listeners = await win32LoopbackListeners(18789, async () => ({
      exitCode: -1,
      stdout: '',
      stderr: '',
      notFound: true,
    }))
    expect(judgeListeners(listeners, 18789, {})).toMatchObject({ours: false, reason: 'unknown'})
  })
})
