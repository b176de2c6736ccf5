import {describe, expect, it} from 'vitest'
import PeerList from '../../src/commands/peer/list.js'
import PeerRemove from '../../src/commands/peer/remove.js'
import type {PeerRecord} from '../../src/core/common/state-schema.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {runCommand} from '../helpers/run-command.js'
import {scriptedRunner} from '../helpers/fakes/runner.js'
import {tailscaleStatusJson} from '../helpers/tailscale-status-json.js'

const TS = '/opt/fake/tailscale'
const NOVA_TOKEN = 'hooks-token-of-nova-5e1f0c9a7b3d'
const MESH = 'mesh-secret-shared-0123456789'
const peers: Record<string, PeerRecord> = {
  nova: {
    name: 'nova',
    hostname: 'openclaw-nova',
    url: 'http://100.101.102.103:18789',
    addedAt: '2026-09-01T10:00:00.000Z',
    source: 'invite',
    messaging: true,
    lastCheck: {at: '2026-09-02T08:00:00.000Z', status: 'ok', latencyMs: 12},
  },
  box: {
    name: 'box',
    url: 'https://box.example.com',
    addedAt: '2026-09-01T11:00:00.000Z',
    source: 'url',
    messaging: false,
  },
  clawd: {
    name: 'clawd',
    hostname: 'openclaw-clawd',
    url: 'http://100.88.12.7:18789',
    addedAt: '2026-09-01T12:00:00.000Z',
    source: 'discovered',
    messaging: true,
  },
}
const fixture = () => ({
  store: createMemoryStateStore({
    identity: 'me',
    gateway: {expose: 'tailnet', port: 18789},
    peers: structuredClone(peers),
    secrets: {names: ['mesh-secret', 'peer/nova']},
  }),
  secrets: createMemorySecretStore({'peer/nova': NOVA_TOKEN, 'mesh-secret': MESH}),
})

describe('claw-mesh peer list', () => {
  it('colours stdout only when stdout is a terminal, whatever stderr is', async () => {
    const redirected = await runCommand(PeerList, [], {
      ...fixture(),
      env: {NO_COLOR: ''},
      stdoutTTY: false,
      stderrTTY: true,
    })
    expect(redirected.stdout).toMatch(/nova/)
    expect(redirected.stdout).not.toContain('\u001b[')
    const terminal = await runCommand(PeerList, [], {
      ...fixture(),
      env: {NO_COLOR: ''},
      stdoutTTY: true,
      stderrTTY: false,
    })
    expect(terminal.stdout).toContain('\u001b[32mok')
  })

  it('prints a table sorted by name', async () => {
    const run = await runCommand(PeerList, [], fixture())
    expect(run.exitCode).toBe(0)
    const lines = run.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^NAME\s+HOSTNAME\s+URL\s+VIA\s+TRUST\s+CAPS\s+SOURCE\s+LAST CHECK$/)
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['box', 'clawd', 'nova'])
    expect(lines[3]).toMatch(
      /nova\s+openclaw-nova\s+http:\/\/100\.101\.102\.103:18789\s+hooks\s+-\s+-\s+invite\s+ok 2026-09-02/,
    )
  })

  it('says how to add a peer when there is none', async () => {
    const run = await runCommand(PeerList, [], {store: createMemoryStateStore(), secrets: createMemorySecretStore()})
    expect(run.stdout).toMatch(/No peers\. Add one with: claw-mesh peer add --invite -/)
  })

  it.each([['--json'], ['--format', 'json']])('prints the records as JSON with %s, without tokens', async (...argv) => {
    const run = await runCommand(PeerList, argv, fixture())
    const doc = run.json<{ok: boolean; peers: PeerRecord[]}>()
    expect(doc.ok).toBe(true)
    expect(doc.peers.map((p) => p.name)).toEqual(['box', 'clawd', 'nova'])
    expect(run.stdout).not.toContain(NOVA_TOKEN)
    expect(run.stdout).not.toContain(MESH)
  })

  it('renders the peer sheet in markdown with this host, every peer and how to send, and no token', async () => {
    const runner = scriptedRunner([
      {
        command: TS,
        args: ['status', '--json'],
        result: {stdout: tailscaleStatusJson({self: {hostname: 'openclaw-me', ipv4: '100.64.1.2'}})},
      },
    ])
    const run = await runCommand(PeerList, ['--format', 'md'], {
      ...fixture(),
      runner,
      env: {CLAW_MESH_TAILSCALE: TS},
      platform: 'linux',
    })
    runner.assertDone()
    const md = run.stdout
    expect(md).toMatch(/^# Peer configuration \(me\)/)
    expect(md).toContain('- Tailscale IP: 100.64.1.2')
    expect(md).toContain('- Gateway URL: http://100.64.1.2:18789')
    expect(md).toContain('## Peers (3)')
    expect(md).toContain('### nova\n')
    expect(md).toContain('- Gateway URL: http://100.101.102.103:18789')
    expect(md).toContain('- How to send: `claw-mesh send nova "…"`')
    expect(md).toContain('- Last check: ok at 2026-09-02T08:00:00.000Z, 12 ms')
    expect(md).toMatch(/### box\n[\s\S]*- Messaging: off \(health checks only/)
    expect(md).toMatch(/### clawd\n[\s\S]*discovered in the tailnet/)
    expect(md).not.toContain(NOVA_TOKEN)
    expect(md).not.toContain(MESH)
    expect(md).not.toMatch(/\{\{|\}\}/)
  })

  it('still renders the sheet when Tailscale is unavailable', async () => {
    const run = await runCommand(PeerList, ['--format', 'md'], {
      store: createMemoryStateStore(),
      secrets: createMemorySecretStore(),
      env: {PATH: '/nonexistent'},
      platform: 'linux',
    })
    expect(run.exitCode).toBe(0)
    expect(run.stdout).toContain('- Tailscale IP: unknown')
    expect(run.stdout).toContain('No peers yet.')
  })
})

describe('claw-mesh peer remove', () => {
  it('removes the peer and its own token', async () => {
    const f = fixture()
    const run = await runCommand(PeerRemove, ['nova'], f)
    expect(run.exitCode).toBe(0)
    expect(f.store.raw().peers.nova).toBeUndefined()
    expect(f.secrets.values.has('peer/nova')).toBe(false)
    expect(f.store.raw().secrets?.names).toEqual(['mesh-secret'])
    expect(run.stderr).toMatch(/Removed peer nova .* and its hooks token/)
  })

  it('keeps the shared mesh secret when removing a discovered peer, and warns it may come back', async () => {
    const f = fixture()
    const run = await runCommand(PeerRemove, ['clawd'], f)
    expect(run.exitCode).toBe(0)
    expect(f.secrets.values.get('mesh-secret')).toBe(MESH)
    expect(run.stderr).toMatch(/next claw-mesh peer discover adds it back/)
  })

  it('refuses an unknown name with exit 2, listing the known ones', async () => {
    const f = fixture()
    const run = await runCommand(PeerRemove, ['nvoa'], f)
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(/no peer named "nvoa"/)
    expect(run.stderr).toMatch(/Known peers: box, clawd, nova/)
    expect(Object.keys(f.store.raw().peers)).toHaveLength(3)
  })
})

describe('peer names that are also Object.prototype properties', () => {
  it.each(['constructor', 'toString', 'valueOf', 'hasOwnProperty'])(
    '"%s" is no peer until one is added under that name (not the prototype\'s function)',
    async (name) => {
      const run = await runCommand(PeerRemove, [name, '--json'], fixture())
      expect(run.exitCode).toBe(2)
      expect(run.json<{error: {code: string; message: string}}>().error).toMatchObject({
        code: 'unknown-peer',
        message: `There is no peer named "${name}".`,
      })
    },
  )
})
