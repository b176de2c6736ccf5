import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {evalFirewall, parseNetshRules} from '../../src/core/checks/system.js'
import {tokenProblem} from '../../src/core/pairing/hooks-invite.js'
import {createDeps} from '../../src/deps.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {platformAdapter} from '../../src/platform/index.js'
import {npmBinHint} from '../../src/services/openclaw/install.js'
import {waitForDaemon} from '../../src/services/tailscale/install.js'
import {scriptedRunner} from '../helpers/fakes/runner.js'
import {fakeClock} from '../helpers/fakes/index.js'

const probe = {
  platform: 'win32' as const,
  isRoot: false,
  hasSystemd: false,
  inContainer: false,
  tun: false,
  commands: {winget: 'C:\\Users\\a\\AppData\\Local\\Microsoft\\WindowsApps\\winget.exe'},
}

describe('Windows: npm prefix, winget and the named pipe', () => {
  it("npm's global commands live in the prefix itself on Windows, in <prefix>/bin elsewhere", () => {
    expect(npmBinHint('win32')).toMatch(/%APPDATA%\\npm/)
    expect(npmBinHint('win32')).not.toMatch(/<prefix>\/bin/)
    expect(npmBinHint('linux')).toMatch(/<prefix>\/bin/)
  })

  it('the winget install waits for the Tailscale service to answer before the first status', () => {
    const plan = platformAdapter('win32').planTailscaleInstall(probe, {stateDir: 'C:\\x'})
    expect(plan.steps.at(-1)).toMatchObject({command: probe.commands.winget, waitForDaemon: true})
  })

  it('waiting on the named pipe: status until it answers, no file check (a pipe is not a file)', async () => {
    const TS = 'C:\\Program Files\\Tailscale\\tailscale.exe'
    const down = {
      exitCode: 1,
      stderr: 'failed to connect to local tailscaled process; is the Tailscale service running?',
    }
    const runner = scriptedRunner([
      {command: TS, args: ['status', '--json'], result: down},
      {command: TS, args: ['status', '--json'], result: down},
      {command: TS, args: ['status', '--json'], result: {stdout: '{"BackendState":"NeedsLogin"}'}},
    ])
    const clock = fakeClock({start: 0, autoAdvance: true})
    const deps = createDeps({
      env: {CLAW_MESH_TAILSCALE: TS},
      platform: 'win32',
      store: createMemoryStateStore(),
      runner,
      clock,
    })
    const seen: string[] = []
    await waitForDaemon(deps, undefined, 60_000, (m) => seen.push(m), {checkFile: false})
    expect(seen).toEqual(
      Array(2).fill('waiting for tailscaled on \\\\.\\pipe\\ProtectedPrefix\\Administrators\\Tailscale\\tailscaled'),
    )
  })

  it('a service that never answers: a timeout naming the service and how to start it', async () => {
    const TS = 'C:\\Program Files\\Tailscale\\tailscale.exe'
    const runner = scriptedRunner(
      Array.from({length: 4}, () => ({command: TS, args: ['status', '--json'], result: {exitCode: 1}})),
    )
    const clock = fakeClock({start: 0, autoAdvance: true})
    const deps = createDeps({
      env: {CLAW_MESH_TAILSCALE: TS},
      platform: 'win32',
      store: createMemoryStateStore(),
      runner,
      clock,
    })
    await expect(waitForDaemon(deps, undefined, 1000, undefined, {checkFile: false})).rejects.toMatchObject({
      code: 'tailscale-daemon-timeout',
      hint: expect.stringMatching(/Start-Service Tailscale/),
    })
  })

  it("the longest mesh secret claw-mesh accepts fits Credential Manager's blob as keyring-rs stores it (UTF-16)", () => {
    // CRED_MAX_CREDENTIAL_BLOB_SIZE is 2560 bytes; keyring-rs writes the password as UTF-16 (2 bytes a character).
    const CRED_MAX_CREDENTIAL_BLOB_SIZE = 2560
    const longest = 'x'.repeat(1024)
    expect(tokenProblem(longest)).toBeUndefined()
    expect(Buffer.byteLength(longest, 'utf16le')).toBeLessThanOrEqual(CRED_MAX_CREDENTIAL_BLOB_SIZE)
    expect(tokenProblem('x'.repeat(1025))).toMatch(/longer than 1024/)
    // Non-ASCII (which would change the byte count) is refused anyway.
    expect(tokenProblem(`${'é'.repeat(40)}`)).toMatch(/non-ASCII/)
  })
})

describe("doctor's Windows firewall check never passes on what it cannot read", () => {
  const fixture = (name: string) => readFileSync(path.resolve(__dirname, `../fixtures/doctor/${name}`), 'utf8')
  it.each<[string, string, string]>([
    ['an inbound Block rule on the port (English)', 'netsh-block.txt', 'fail'],
    ['the same rule on a German Windows (Regelname, Aktion: Blockieren): cannot tell', 'netsh-de-block.txt', 'warn'],
    ['an enabled inbound Allow rule for the port', 'netsh-allow.txt', 'pass'],
  ])('%s → %s', (_name, file, status) => {
    expect(evalFirewall({tool: 'netsh', finding: parseNetshRules(fixture(file), 18789)}, 18789).status).toBe(status)
  })
  it('no rule for the port at all: the default inbound policy blocks it, so warn, not pass', () => {
    const outcome = evalFirewall({tool: 'netsh', finding: parseNetshRules(fixture('netsh-allow.txt'), 8080)}, 8080)
    expect(outcome.status).toBe('warn')
    expect(
      evalFirewall(
        {tool: 'netsh', finding: parseNetshRules('\r\nNo rules match the specified criteria.\r\n', 18789)},
        18789,
      ).status,
    ).toBe('warn')
  })
  it('the German output is named as unreadable, with what to check by hand', () => {
    const outcome = evalFirewall({tool: 'netsh', finding: parseNetshRules(fixture('netsh-de-block.txt'), 18789)}, 18789)
    expect(outcome).toMatchObject({
      detail: expect.stringMatching(/cannot tell .*translates its field names/),
      remedy: expect.stringMatching(/Inbound Rules/),
    })
  })
})
