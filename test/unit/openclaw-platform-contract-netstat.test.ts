import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {parseNetstat} from '../../src/platform/listeners-win32.js'
import {openclawInternal, openclawInternalsUnavailable} from '../helpers/openclaw-internals.js'

type OpenClawNetstat = (output: string, port: number) => {pid: number; address: string}[]

/** Addresses a connection to 127.0.0.1 reaches: claw-mesh asks only about those, OpenClaw about every address. */
const reachableFromLoopback = (address: string) => /^(127\.[\d.]+|0\.0\.0\.0|\[::\]):\d+$/.test(address)

describe.skipIf(openclawInternalsUnavailable())(
  "OpenClaw's own netstat parser (openclaw/openclaw#100012) agrees with claw-mesh's",
  {timeout: 60_000},
  () => {
    it.each(['en', 'de', 'fr', 'es', 'it'])(
      '%s: the same listening pids, on the addresses that reach 127.0.0.1',
      async (lang) => {
        const theirs = await openclawInternal<OpenClawNetstat>('ports-netstat', 'parseWindowsNetstatListeners')
        const text = readFileSync(path.resolve(__dirname, `../fixtures/netstat/${lang}.txt`), 'utf8')
        for (const port of [18789, 135, 1878, 50000]) {
          const expected = [
            ...new Set(
              theirs(text, port)
                .filter((l) => reachableFromLoopback(l.address))
                .map((l) => l.pid),
            ),
          ]
          expect(parseNetstat(text, port), `port ${port}`).toEqual(expected)
        }
        // The fixture is not vacuous for OpenClaw either: it finds the gateway on a translated row.
        expect(theirs(text, 18789).map((l) => l.pid)).toContain(4242)
      },
    )
  },
)
