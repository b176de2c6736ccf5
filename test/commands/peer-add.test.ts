import {existsSync, promises as fs} from 'node:fs'
import path from 'node:path'
import {beforeEach, describe, expect, it} from 'vitest'
import PeerAdd from '../../src/commands/peer/add.js'
import {encodeInvite, INVITE_PREFIX, type Invite} from '../../src/core/pairing/hooks-invite.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {runCommand} from '../helpers/run-command.js'
import {tempDir} from '../helpers/fakes/index.js'

const TOKEN = 'hooks-token-of-nova-5e1f0c9a7b3d'
const base: Invite = {
  name: 'nova',
  hostname: 'openclaw-nova',
  url: 'http://100.101.102.103:18789',
  hooksToken: TOKEN,
  tailnet: 'example.com',
  createdAt: '2026-09-01T10:00:00.000Z',
}
const INVITE = encodeInvite(base)

function memory(initial: Parameters<typeof createMemoryStateStore>[0] = {}) {
  return {store: createMemoryStateStore(initial), secrets: createMemorySecretStore()}
}

describe('claw-mesh peer add (in memory)', () => {
  it('adds a peer from an invite on stdin: record in state, token in the secret store, never printed', async () => {
    const m = memory()
    const run = await runCommand(PeerAdd, ['--invite', '-'], {...m, stdin: `${INVITE}\n`})
    expect(run.exitCode).toBe(0)
    expect(m.store.raw().peers.nova).toMatchObject({
      name: 'nova',
      hostname: 'openclaw-nova',
      url: 'http://100.101.102.103:18789',
      source: 'invite',
      messaging: true,
    })
    expect(m.secrets.values.get('peer/nova')).toBe(TOKEN)
    expect(m.store.raw().secrets?.names).toContain('peer/nova')
    expect(run.stderr).toMatch(/Added peer nova/)
    expect(run.stdout + run.stderr).not.toContain(TOKEN)
    expect(JSON.stringify(m.store.raw())).not.toContain(TOKEN)
  })

  it('reads the invite from $CLAW_MESH_INVITE and renames it with --name', async () => {
    const m = memory()
    const run = await runCommand(PeerAdd, ['--name', 'laptop', '--json'], {...m, env: {CLAW_MESH_INVITE: INVITE}})
    expect(run.exitCode).toBe(0)
    expect(run.json()).toMatchObject({ok: true, name: 'laptop', action: 'added', messaging: true, source: 'invite'})
    expect(m.secrets.values.get('peer/laptop')).toBe(TOKEN)
    expect(run.stdout).not.toContain(TOKEN)
  })

  it('does nothing when the same invite is added again, and says so', async () => {
    const m = memory()
    await runCommand(PeerAdd, ['--invite', '-'], {...m, stdin: INVITE})
    const before = m.store.raw()
    const run = await runCommand(PeerAdd, ['--invite', '-', '--json'], {...m, stdin: INVITE})
    expect(run.json()).toMatchObject({action: 'unchanged', changes: []})
    expect(m.store.raw()).toEqual(before)
  })

  it('refuses an invite that re-points a known peer to another URL, and replaces it with --replace NAME', async () => {
    const m = memory()
    await runCommand(PeerAdd, ['--invite', '-'], {...m, stdin: INVITE})
    const changed = encodeInvite({
      ...base,
      url: 'http://100.101.102.104:18789',
      hooksToken: 'a-rotated-token-0123456789',
    })
    const before = JSON.stringify(m.store.raw())
    const refused = await runCommand(PeerAdd, ['--invite', '-', '--json'], {...m, stdin: changed})
    expect(refused.exitCode).toBe(2)
    expect(refused.json()).toMatchObject({
      ok: false,
      error: {code: 'peer-name-taken', hint: expect.stringContaining('--replace nova')},
    })
    expect(JSON.stringify(m.store.raw())).toBe(before)
    expect(m.secrets.values.get('peer/nova')).toBe(TOKEN)
    const wrongName = await runCommand(PeerAdd, ['--invite', '-', '--replace', 'clawd'], {...m, stdin: changed})
    expect(wrongName.exitCode).toBe(2)
    const run = await runCommand(PeerAdd, ['--invite', '-', '--replace', 'nova'], {...m, stdin: changed})
    expect(run.exitCode).toBe(0)
    expect(run.stderr).toMatch(
      /Updated peer nova .*url http:\/\/100\.101\.102\.103:18789 → http:\/\/100\.101\.102\.104:18789; hooks token replaced/,
    )
    expect(m.secrets.values.get('peer/nova')).toBe('a-rotated-token-0123456789')
  })

  it('updates the hooks token of a known peer at the same URL without --replace', async () => {
    const m = memory()
    await runCommand(PeerAdd, ['--invite', '-'], {...m, stdin: INVITE})
    const rotated = encodeInvite({...base, hooksToken: 'a-rotated-token-0123456789'})
    const run = await runCommand(PeerAdd, ['--invite', '-'], {...m, stdin: rotated})
    expect(run.exitCode, run.stderr).toBe(0)
    expect(m.secrets.values.get('peer/nova')).toBe('a-rotated-token-0123456789')
  })

  it.each([
    [
      'a v1 invite',
      (m: ReturnType<typeof memory>) =>
        runCommand(PeerAdd, ['--invite', '-', '--json'], {
          ...m,
          stdin: encodeInvite({...base, hooksToken: 'attacker-chosen-token-0123456789'}),
        }),
    ],
    [
      'a URL',
      (m: ReturnType<typeof memory>) =>
        runCommand(PeerAdd, ['http://100.101.102.103:18789', '--name', 'nova', '--json'], m),
    ],
  ])('refuses %s for a peer paired over A2A: no downgrade to hooks (exit 2, nothing written)', async (_what, add) => {
    const paired = {
      name: 'nova',
      url: 'http://100.101.102.103:18789',
      addedAt: '2026-09-01T10:00:00.000Z',
      source: 'invite' as const,
      messaging: false,
      a2a: {
        url: 'http://100.101.102.103:18789/a2a/v1',
        pairedBy: 'invite' as const,
        pairedAt: '2026-09-01T10:00:00.000Z',
      },
    }
    const m = memory({peers: {nova: paired}})
    const before = JSON.stringify(m.store.raw())
    const run = await add(m)
    expect(run.exitCode, run.stdout).toBe(2)
    expect(run.json()).toMatchObject({
      ok: false,
      error: {code: 'peer-downgrade', message: expect.stringContaining('paired over A2A')},
    })
    expect(JSON.stringify(m.store.raw())).toBe(before)
    expect(m.secrets.values.size).toBe(0)
  })

  it('adds a health-only peer by URL (messaging off) and derives the hostname from MagicDNS', async () => {
    const m = memory()
    const run = await runCommand(PeerAdd, ['https://openclaw-clawd.tail4f3a2.ts.net/', '--name', 'clawd'], m)
    expect(run.exitCode).toBe(0)
    expect(m.store.raw().peers.clawd).toMatchObject({
      url: 'https://openclaw-clawd.tail4f3a2.ts.net',
      hostname: 'openclaw-clawd',
      messaging: false,
      source: 'url',
    })
    expect(m.secrets.values.size).toBe(0)
    expect(run.stderr).toMatch(/Health checks only/)
  })

  it('refuses plain http to a MagicDNS name that a hostile resolver points outside the tailnet, writing nothing', async () => {
    const m = memory()
    const looked: string[] = []
    const resolveHost = async (host: string) => (looked.push(host), ['203.0.113.66'])
    const run = await runCommand(PeerAdd, ['http://openclaw-clawd.tail4f3a2.ts.net:18789', '--name', 'clawd'], {
      ...m,
      resolveHost,
    })
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(/resolves to 203\.0\.113\.66: not a tailnet address/)
    expect(looked).toEqual(['openclaw-clawd.tail4f3a2.ts.net'])
    expect(m.store.raw().peers).toEqual({})
    const ok = await runCommand(PeerAdd, ['http://openclaw-clawd.tail4f3a2.ts.net:18789', '--name', 'clawd'], {
      ...m,
      resolveHost: async () => ['100.88.12.7'],
    })
    expect(ok.exitCode, ok.stderr).toBe(0)
  })

  it('refuses a loopback or metadata-service URL unless --allow-insecure-url, and warns when it is given', async () => {
    const m = memory()
    for (const url of ['http://127.0.0.1:18789', 'http://169.254.169.254']) {
      const run = await runCommand(PeerAdd, [url, '--name', 'clawd'], m)
      expect(run.exitCode).toBe(2)
      expect(run.stderr).toMatch(/points at a (loopback|link-local) address/)
    }
    expect(m.store.raw().peers).toEqual({})
    const run = await runCommand(PeerAdd, ['http://127.0.0.1:18789', '--name', 'clawd', '--allow-insecure-url'], m)
    expect(run.exitCode).toBe(0)
    expect(run.stderr).toMatch(/warning: --allow-insecure-url: clawd is outside the tailnet/)
  })

  it('takes the hooks token for a URL peer from a file', async () => {
    const m = memory()
    const token = tempDir('peer').write('token', 'clawd-hooks-token-0123456789\n', 0o600)
    const run = await runCommand(
      PeerAdd,
      ['http://100.88.12.7:18789', '--name', 'clawd', '--hooks-token', `file:${token}`],
      m,
    )
    expect(run.exitCode).toBe(0)
    expect(m.store.raw().peers.clawd.messaging).toBe(true)
    expect(m.secrets.values.get('peer/clawd')).toBe('clawd-hooks-token-0123456789')
  })

  it('accepts plain http outside the tailnet only with --allow-insecure-url, warning about it', async () => {
    const m = memory()
    const run = await runCommand(PeerAdd, ['http://192.168.1.10:18789', '--name', 'lan-box', '--allow-insecure-url'], m)
    expect(run.exitCode).toBe(0)
    expect(run.stderr).toMatch(/warning: --allow-insecure-url/)
  })

  it("refuses this machine's own invite", async () => {
    const m = memory({identity: 'nova', tailscale: {hostname: 'openclaw-nova'}})
    const run = await runCommand(PeerAdd, ['--invite', '-'], {...m, stdin: INVITE})
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(/own invite/)
  })
})

describe('claw-mesh peer add: bad input exits 2 and writes nothing', () => {
  let home: string
  beforeEach(() => {
    home = tempDir('home').path
  })
  const env = () => ({CLAW_MESH_HOME: home, CLAW_MESH_SECRET_STORE: 'file'})
  const payload = JSON.parse(Buffer.from(INVITE.split(':')[2], 'base64url').toString('utf8')) as Record<string, unknown>

  it.each<[string, string[], string | undefined, RegExp]>([
    ['a truncated invite', ['--invite', '-'], INVITE.slice(0, -20), /incomplete or corrupted|integrity check/],
    [
      'a tampered invite',
      ['--invite', '-'],
      `${INVITE_PREFIX}v1:${Buffer.from(JSON.stringify({...payload, url: 'http://100.66.6.6:18789'})).toString('base64url')}`,
      /integrity check does not match/,
    ],
    ['a malformed invite', ['--invite', '-'], 'claw-mesh-invite:v1:%%%not-base64%%%', /characters that never appear/],
    ['an invite from a newer claw-mesh', ['--invite', '-'], INVITE.replace(':v1:', ':v3:'), /newer claw-mesh/],
    ['an oversized invite', ['--invite', '-'], `${INVITE}${'A'.repeat(5000)}`, /well under 4096/],
    ['an empty stdin', ['--invite', '-'], '', /is empty/],
    ['an invite on the command line', [INVITE], undefined, /do not put it on the command line/],
    ['a literal --invite value', ['--invite', INVITE], undefined, /takes file:PATH or -/],
    ['a non-tailnet http URL', ['http://203.0.113.7:18789', '--name', 'x'], undefined, /plain http to 203\.0\.113\.7/],
    ['a URL with credentials', ['http://u:p@100.88.12.7:18789', '--name', 'x'], undefined, /user name or password/],
    [
      'an invalid --name',
      ['http://100.88.12.7:18789', '--name', 'Bad_Name'],
      undefined,
      /--name "Bad_Name" is not a valid DNS label/,
    ],
    ['a URL without --name', ['http://100.88.12.7:18789'], undefined, /--name is required/],
    [
      'a literal --hooks-token',
      ['http://100.88.12.7:18789', '--name', 'x', '--hooks-token', 'abcdefabcdefabcdef'],
      undefined,
      /takes file:PATH or -/,
    ],
    ['a short hooks token', ['http://100.88.12.7:18789', '--name', 'x', '--hooks-token', '-'], 'short', /at least 16/],
    ['an invite and a hooks token', ['--invite', '-', '--hooks-token', '-'], INVITE, /cannot be combined/],
    ['nothing at all', [], undefined, /Nothing to add/],
  ])('%s', async (_title, argv, stdin, message) => {
    const run = await runCommand(PeerAdd, argv, {env: env(), stdin})
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(message)
    expect(run.stderr).toMatch(/→ /) // every refusal carries a hint
    expect(run.stderr + run.stdout).not.toContain(TOKEN)
    expect(existsSync(path.join(home, 'state.json'))).toBe(false)
    expect(existsSync(path.join(home, 'secrets.json'))).toBe(false)
  })

  it('writes the state and secret files on success (mode 0600)', async () => {
    const run = await runCommand(PeerAdd, ['--invite', '-'], {env: env(), stdin: INVITE})
    expect(run.exitCode).toBe(0)
    const state = JSON.parse(await fs.readFile(path.join(home, 'state.json'), 'utf8'))
    expect(state.peers.nova.url).toBe('http://100.101.102.103:18789')
    expect(await fs.readFile(path.join(home, 'state.json'), 'utf8')).not.toContain(TOKEN)
    const secrets = JSON.parse(await fs.readFile(path.join(home, 'secrets.json'), 'utf8'))
    expect(secrets['peer/nova']).toBe(TOKEN)
    expect((await fs.stat(path.join(home, 'secrets.json'))).mode & 0o777).toBe(0o600)
  })
})
