import {readFileSync} from 'node:fs'
import path from 'node:path'
import {beforeEach, describe, expect, it} from 'vitest'
import Invite from '../../src/commands/invite.js'
import PeerAdd from '../../src/commands/peer/add.js'
import PeerList from '../../src/commands/peer/list.js'
import PeerRemove from '../../src/commands/peer/remove.js'
import PeerTrust from '../../src/commands/peer/trust.js'
import {CHAT_DENY} from '../../src/core/pairing/pair-trust.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {runCommand} from '../helpers/run-command.js'
import {createDeps} from '../../src/deps.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {configureGateway} from '../../src/services/gateway/configure.js'
import {tailscaleStatusJson} from '../helpers/tailscale-status-json.js'
import {fakeClock, tableRunner, tempDir} from '../helpers/fakes/index.js'

/** Answers `tailscale status --json` / `version` as the named node, however often it is asked. */
function tailscaleAs(hostname: string, ipv4: string) {
  return tableRunner({
    'tailscale status --json': {stdout: tailscaleStatusJson({self: {hostname, ipv4, tags: ['tag:claw-mesh']}})},
    'tailscale version': {stdout: '1.98.10\n'},
  })
}

/** Starts at the real time (invites carry real-looking dates); a test moves it with clock.advance. */
let clock = fakeClock({start: Date.now(), autoAdvance: true})
beforeEach(() => void (clock = fakeClock({start: Date.now(), autoAdvance: true})))

function host(identity: string, ipv4: string) {
  const dir = tempDir(`trust-${identity}`).path
  const configPath = path.join(dir, 'openclaw.json')
  const store = createMemoryStateStore({identity, gateway: {expose: 'tailnet', port: 18789}})
  const secrets = createMemorySecretStore()
  const deps = {
    store,
    secrets,
    runner: tailscaleAs(`openclaw-${identity}`, ipv4),
    clock,
    platform: 'linux',
    env: {
      CLAW_MESH_TAILSCALE: '/opt/fake/tailscale',
      OPENCLAW_CONFIG_PATH: configPath,
      CLAW_MESH_HOME: dir,
      PATH: '/nonexistent',
    },
  }
  const policies = () =>
    (JSON.parse(readFileSync(configPath, 'utf8')).tools?.toolsBySender ?? {}) as Record<string, {deny: string[]}>
  const run = (Cmd: Parameters<typeof runCommand>[0], argv: string[], stdin?: string) =>
    runCommand(Cmd, argv, {...deps, stdin})
  return {store, configPath, policies, run, deps}
}

/** nova invites, clawd answers, nova completes: with the --trust flags given to each step. */
async function pair(flags: {invite?: string[]; accept?: string[]; complete?: string[]} = {}) {
  const nova = host('nova', '100.101.102.103')
  const clawd = host('clawd', '100.88.12.7')
  const invite = await nova.run(Invite, flags.invite ?? [])
  expect(invite.exitCode, invite.stderr).toBe(0)
  const accepted = await clawd.run(PeerAdd, ['--invite', '-', '--json', ...(flags.accept ?? [])], invite.stdout)
  expect(accepted.exitCode, accepted.stderr).toBe(0)
  const done = await nova.run(
    PeerAdd,
    ['--invite', '-', ...(flags.complete ?? [])],
    accepted.json<{replyInvite: string}>().replyInvite,
  )
  expect(done.exitCode, done.stderr).toBe(0)
  return {nova, clawd, invite, accepted, done}
}

// Each test pairs two hosts (three commands, each a validated config write): slow on a loaded machine.
describe('per-pair trust', {timeout: 30_000}, () => {
  it('a new pair gets chat on both sides: recorded, written as a deny policy for its sender, and said so', async () => {
    const {nova, clawd, invite, accepted, done} = await pair()
    expect(invite.stderr).toContain(
      'The pair it makes gets trust chat (its messages cannot run commands or change files here) here.',
    )
    expect(accepted.json()).toMatchObject({name: 'nova', trust: 'chat'})
    expect(done.stderr).toContain(
      'Trust: chat (its messages cannot run commands or change files here); to let it run commands here: claw-mesh peer trust clawd delegate.',
    )
    expect(nova.store.raw().peers.clawd.trust).toBe('chat')
    expect(nova.policies()).toEqual({'channel:a2a:clawd': {deny: [...CHAT_DENY]}})
    expect(clawd.policies()).toEqual({'channel:a2a:nova': {deny: [...CHAT_DENY]}})
    const list = await nova.run(PeerList, [])
    expect(list.stdout).toMatch(/clawd\s+openclaw-clawd\s+\S+\s+a2a\s+chat\s+-\s+invite/)
  })

  it('--trust delegate at invite time applies when the reply completes the pair; on the answering side at peer add', async () => {
    const {nova, clawd, invite, accepted} = await pair({
      invite: ['--trust', 'delegate'],
      accept: ['--trust', 'delegate'],
    })
    expect(invite.stderr).toContain('gets trust delegate (its messages may run commands and change files here)')
    expect(accepted.json()).toMatchObject({trust: 'delegate'})
    expect(nova.policies()).toEqual({'channel:a2a:clawd': {deny: []}})
    expect(clawd.policies()).toEqual({'channel:a2a:nova': {deny: []}})
  })

  it('peer trust changes the level, rewrites openclaw.json, and a second run changes nothing', async () => {
    const {nova} = await pair()
    const up = await nova.run(PeerTrust, ['clawd', 'delegate', '--json'])
    expect(up.exitCode, up.stderr).toBe(0)
    expect(up.json()).toMatchObject({
      name: 'clawd',
      from: 'chat',
      to: 'delegate',
      changed: true,
      sync: {configured: true, changed: true},
    })
    expect(nova.policies()['channel:a2a:clawd']).toEqual({deny: []})
    expect(nova.store.raw().peers.clawd.trust).toBe('delegate')
    const before = readFileSync(nova.configPath, 'utf8')
    const again = await nova.run(PeerTrust, ['clawd', 'delegate'])
    expect(again.exitCode).toBe(0)
    expect(again.stderr).toContain('clawd already has trust delegate')
    expect(readFileSync(nova.configPath, 'utf8')).toBe(before)
    const down = await nova.run(PeerTrust, ['clawd', 'chat'])
    expect(down.stderr).toContain('clawd: trust delegate → chat')
    expect(nova.policies()['channel:a2a:clawd']).toEqual({deny: [...CHAT_DENY]})
  })

  it('peer trust repairs a policy edited by hand even when the record already says so', async () => {
    const {nova} = await pair()
    const config = JSON.parse(readFileSync(nova.configPath, 'utf8'))
    config.tools.toolsBySender['channel:a2a:clawd'] = {}
    const {writeFileSync} = await import('node:fs')
    writeFileSync(nova.configPath, JSON.stringify(config))
    await nova.run(PeerTrust, ['clawd', 'chat'])
    expect(nova.policies()['channel:a2a:clawd']).toEqual({deny: [...CHAT_DENY]})
  })

  it('refuses an unknown level (exit 2) and an unknown peer, changing nothing', async () => {
    const {nova} = await pair()
    const before = readFileSync(nova.configPath, 'utf8')
    const bad = await nova.run(PeerTrust, ['clawd', 'root'])
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toMatch(/LEVEL "root" is not a trust level/)
    const unknown = await nova.run(PeerTrust, ['zed', 'delegate'])
    expect(unknown.exitCode).toBe(2)
    expect(unknown.stderr).toMatch(/There is no peer named "zed"/)
    const flag = await nova.run(Invite, ['--trust', 'full'])
    expect(flag.exitCode).toBe(2)
    expect(flag.stderr).toMatch(/--trust "full" is not a trust level/)
    expect(readFileSync(nova.configPath, 'utf8')).toBe(before)
    expect(nova.store.raw().peers.clawd.trust).toBe('chat')
  })

  it("removing the peer removes its policy and keeps the user's own", async () => {
    const {nova} = await pair()
    const config = JSON.parse(readFileSync(nova.configPath, 'utf8'))
    config.tools.toolsBySender['id:me'] = {alsoAllow: ['group:fs']}
    const {writeFileSync} = await import('node:fs')
    writeFileSync(nova.configPath, JSON.stringify(config))
    const removed = await nova.run(PeerRemove, ['clawd'])
    expect(removed.exitCode, removed.stderr).toBe(0)
    expect(nova.policies()).toEqual({'id:me': {alsoAllow: ['group:fs']}})
  })

  it('a pair recorded by an older version gets chat on the next configure, with a note saying how to delegate', async () => {
    const {nova} = await pair()
    // As an older claw-mesh left it: no level in the record, no policy in openclaw.json.
    nova.store.update((st) => void delete st.peers.clawd.trust)
    const config = JSON.parse(readFileSync(nova.configPath, 'utf8'))
    delete config.tools
    const {writeFileSync} = await import('node:fs')
    writeFileSync(nova.configPath, JSON.stringify(config))
    const r = await configureGateway(createDeps({...nova.deps, io: createTestIOStreams().io}))
    expect(r.trustNotes).toEqual([
      'clawd was paired before per-pair trust: its messages now get the chat level here (no commands, no file changes). To let it run commands here: claw-mesh peer trust clawd delegate',
    ])
    expect(r.notes).toContain(r.trustNotes[0])
    expect(nova.policies()).toEqual({'channel:a2a:clawd': {deny: [...CHAT_DENY]}})
    const again = await configureGateway(createDeps({...nova.deps, io: createTestIOStreams().io}))
    expect(again.trustNotes).toEqual([])
    expect(again.changed).toBe(false)
  })
})
