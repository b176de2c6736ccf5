import {readFileSync} from 'node:fs'
import path from 'node:path'
import {beforeEach, describe, expect, it} from 'vitest'
import Invite from '../../src/commands/invite.js'
import PeerAdd from '../../src/commands/peer/add.js'
import PeerRemove from '../../src/commands/peer/remove.js'
import {decodePairingReply, encodePairingReply, newPairingKey} from '../../src/core/pairing/a2a-pairing.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {createDeps} from '../../src/deps.js'
import {createTestIOStreams} from '../../src/infra/io.js'
import {completeReply} from '../../src/services/a2a/pairing.js'
import {runCommand} from '../helpers/run-command.js'
import {tailscaleStatusJson} from '../helpers/tailscale-status-json.js'
import {fakeClock, tableRunner, tempDir} from '../helpers/fakes/index.js'
const TS = '/opt/fake/tailscale'

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
  const dir = tempDir(`pairing-${identity}`).path
  const configPath = path.join(dir, 'openclaw.json')
  const store = createMemoryStateStore({identity, gateway: {expose: 'tailnet', port: 18789}})
  const secrets = createMemorySecretStore()
  const deps = {
    store,
    secrets,
    runner: tailscaleAs(`openclaw-${identity}`, ipv4),
    clock,
    platform: 'linux',
    env: {CLAW_MESH_TAILSCALE: TS, OPENCLAW_CONFIG_PATH: configPath, CLAW_MESH_HOME: dir, PATH: '/nonexistent'},
  }
  const a2a = () =>
    JSON.parse(readFileSync(configPath, 'utf8')).channels.a2a as {
      enabled: boolean
      exposeAgents: string[]
      advertisedUrl?: string
      peers: Record<string, {token: string; url?: string; outboundToken?: string}>
    }
  const run = (Cmd: Parameters<typeof runCommand>[0], argv: string[], stdin?: string) =>
    runCommand(Cmd, argv, {...deps, stdin})
  return {identity, ipv4, store, secrets, configPath, a2a, run, depsOptions: deps}
}

async function pair() {
  const nova = host('nova', '100.101.102.103')
  const clawd = host('clawd', '100.88.12.7')
  const invite = await nova.run(Invite, [])
  expect(invite.exitCode, invite.stderr).toBe(0)
  const accepted = await clawd.run(PeerAdd, ['--invite', '-', '--json'], invite.stdout)
  expect(accepted.exitCode, accepted.stderr).toBe(0)
  const reply = accepted.json<{replyInvite: string}>().replyInvite
  return {nova, clawd, invite: invite.stdout.trim(), reply, accepted}
}

describe('A2A pairing in two one-line messages', () => {
  it("gives each side the pair's two distinct tokens, crossed, and a working channels.a2a entry", async () => {
    const {nova, clawd, invite, reply, accepted} = await pair()
    expect(accepted.json()).toMatchObject({ok: true, name: 'nova', a2a: true, action: 'added', completed: false})
    // B is configured at once: it accepts nova's token and knows where to call nova.
    const onB = clawd.a2a().peers.nova
    expect(onB.url).toBe('http://100.101.102.103:18789/a2a/v1')
    const done = await nova.run(PeerAdd, ['--invite', '-', '--json'], reply)
    expect(done.exitCode, done.stderr).toBe(0)
    expect(done.json()).toMatchObject({name: 'clawd', a2a: true, completed: true})
    const onA = nova.a2a().peers.clawd
    expect(onA.url).toBe('http://100.88.12.7:18789/a2a/v1')
    // What nova presents to clawd is what clawd accepts from nova, and the other way round; the two differ.
    expect(onA.outboundToken).toBe(onB.token)
    expect(onB.outboundToken).toBe(onA.token)
    expect(onA.token).not.toBe(onB.token)
    for (const t of [onA.token, onB.token]) {
      expect(t).toMatch(/^[A-Za-z0-9_-]{43}$/)
      // Neither line carries a token: both can be copied through any channel without giving access.
      expect(invite).not.toContain(t)
      expect(reply).not.toContain(t)
      expect(Buffer.from(invite.split(':').pop()!, 'base64url').toString()).not.toContain(t)
      expect(Buffer.from(reply.split(':').pop()!, 'base64url').toString()).not.toContain(t)
    }
    // The same tokens are in each side's secret store; the invite's private key is gone once used.
    expect(nova.secrets.values.get('a2a/clawd/in')).toBe(onA.token)
    expect(clawd.secrets.values.get('a2a/nova/out')).toBe(onA.token)
    expect([...nova.secrets.values.keys()].filter((k) => k.startsWith('invite/'))).toEqual([])
    expect(nova.a2a()).toMatchObject({enabled: true, exposeAgents: ['main']})
    expect(nova.store.raw().peers.clawd).toMatchObject({
      source: 'invite',
      a2a: {url: 'http://100.88.12.7:18789/a2a/v1', pairedBy: 'invite'},
    })
    // The running gateway reloads channels.a2a by itself: nothing is left pending for a later start or bootstrap.
    expect((nova.store.raw().gateway?.pending ?? []).filter((p) => p.startsWith('channels.a2a.peers'))).toEqual([])
  })

  it('answering the same invite again (a re-run) changes nothing and prints the same reply', async () => {
    const {clawd, invite, reply} = await pair()
    const before = readFileSync(clawd.configPath, 'utf8')
    const again = await clawd.run(PeerAdd, ['--invite', '-', '--json'], invite)
    expect(again.json()).toMatchObject({action: 'unchanged', replyInvite: reply})
    expect(readFileSync(clawd.configPath, 'utf8')).toBe(before)
  })

  it('a re-run on the answering host says the invite was already used, and no reply once the pair is complete', async () => {
    const {nova, clawd, invite, reply} = await pair()
    const again = await clawd.run(PeerAdd, ['--invite', '-'], invite)
    expect(again.exitCode, again.stderr).toBe(0)
    expect(again.stdout.trim()).toBe(reply)
    expect(again.stderr).toMatch(
      /This invite was already used: this machine answered it before.*if nova says it was already used, the pair is complete/,
    )
    expect(again.stderr).not.toMatch(/To finish, run this on/)
    expect((await nova.run(PeerAdd, ['--invite', '-'], reply)).exitCode).toBe(0)
    // peer check saw nova accept the token: the reply is spent.
    clawd.store.update((s) => void delete s.peers.nova.a2a!.awaitingReply)
    const done = await clawd.run(PeerAdd, ['--invite', '-', '--json'], invite)
    expect(done.json<{replyInvite?: string; action: string}>()).toMatchObject({action: 'unchanged'})
    expect(done.json<{replyInvite?: string}>().replyInvite).toBeUndefined()
  })

  it('finds the one pairing line in pasted chat text; refuses two different ones naming both kinds', async () => {
    const nova = host('nova', '100.101.102.103')
    const clawd = host('clawd', '100.88.12.7')
    const invite = (await nova.run(Invite, [])).stdout.trim()
    const chat = `hey, here is my invite:\n> "${invite}"\nthanks!\n`
    const accepted = await clawd.run(PeerAdd, ['--invite', '-', '--json'], chat)
    expect(accepted.exitCode, accepted.stderr).toBe(0)
    const reply = accepted.json<{replyInvite: string}>().replyInvite
    const both = await nova.run(PeerAdd, ['--invite', '-'], `${invite}\n\n${reply}\n`)
    expect(both.exitCode).toBe(2)
    expect(both.stderr).toMatch(
      /2 different pairing lines \(an invite \(claw-mesh-invite:…\) and a pairing reply \(claw-mesh-reply:…\)\)/,
    )
    // Still integrity-checked: the reply with one character changed inside chat text is refused as before.
    const altered = reply.slice(0, -3) + (reply.at(-3) === 'A' ? 'B' : 'A') + reply.slice(-2)
    const forged = await nova.run(PeerAdd, ['--invite', '-'], `ok: ${altered} — done`)
    expect(forged.exitCode).toBe(2)
    expect(forged.stderr).not.toContain(altered)
    const ok = await nova.run(PeerAdd, ['--invite', '-'], `ok: '${reply}' — done`)
    expect(ok.exitCode, ok.stderr).toBe(0)
  })

  it('--invite with the line itself names it an invite, not a secret', async () => {
    const nova = host('nova', '100.101.102.103')
    const clawd = host('clawd', '100.88.12.7')
    const invite = (await nova.run(Invite, [])).stdout.trim()
    const run = await clawd.run(PeerAdd, ['--invite', invite])
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(/Write the invite to a file .* or paste it on stdin: --invite -/)
    expect(run.stderr).not.toMatch(/secret/)
  })

  it('refuses a used reply (exit 2) and changes nothing', async () => {
    const {nova, reply} = await pair()
    await nova.run(PeerAdd, ['--invite', '-'], reply)
    const before = readFileSync(nova.configPath, 'utf8')
    const again = await nova.run(PeerAdd, ['--invite', '-'], reply)
    expect(again.exitCode).toBe(2)
    expect(again.stderr).toMatch(/already used, by clawd/)
    expect(again.stderr).toMatch(/claw-mesh invite/)
    expect(readFileSync(nova.configPath, 'utf8')).toBe(before)
  })

  it('two replies to one invite run at the same time: exactly one pairs (the invite is claimed under the lock)', async () => {
    const {nova, invite, reply} = await pair()
    // eve answers the same invite (she saw it too); both replies reach nova at once.
    const eve = host('eve', '100.66.6.6')
    const eveReply = (await eve.run(PeerAdd, ['--invite', '-', '--json'], invite)).json<{replyInvite: string}>()
      .replyInvite
    const deps = createDeps({...nova.depsOptions, io: createTestIOStreams().io})
    const results = await Promise.allSettled([completeReply(deps, reply), completeReply(deps, eveReply)])
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1)
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult
    expect((refused.reason as {code: string}).code).toBe('reply-used')
    const peers = Object.keys(nova.store.raw().peers)
    expect(peers.filter((n) => n === 'clawd' || n === 'eve')).toHaveLength(1)
  })

  it('refuses a second machine answering an invite that was already used', async () => {
    const {nova, invite, reply} = await pair()
    await nova.run(PeerAdd, ['--invite', '-'], reply)
    const eve = host('eve', '100.66.6.6')
    const eveReply = (await eve.run(PeerAdd, ['--invite', '-', '--json'], invite)).json<{replyInvite: string}>()
      .replyInvite
    const run = await nova.run(PeerAdd, ['--invite', '-'], eveReply)
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(/already used/)
    expect(nova.store.raw().peers.eve).toBeUndefined()
  })

  it("refuses a reply that carries an existing peer's name from another address: the peer is not re-pointed (exit 2)", async () => {
    const {nova, reply} = await pair()
    await nova.run(PeerAdd, ['--invite', '-'], reply)
    // Anyone who saw a new invite of nova's can answer it under the name "clawd", from their own address.
    const invite2 = (await nova.run(Invite, [])).stdout
    const before = {
      state: JSON.stringify(nova.store.raw().peers.clawd),
      secrets: JSON.stringify([...nova.secrets.values]),
      config: readFileSync(nova.configPath, 'utf8'),
    }
    const impostor = host('clawd', '100.66.6.6')
    const forged = (await impostor.run(PeerAdd, ['--invite', '-', '--json'], invite2)).json<{replyInvite: string}>()
      .replyInvite
    const run = await nova.run(PeerAdd, ['--invite', '-', '--json'], forged)
    expect(run.exitCode, run.stdout).toBe(2)
    expect(run.json<{error: {code: string; message: string; hint: string}}>().error).toMatchObject({
      code: 'peer-name-taken',
      message: expect.stringContaining('is at http://100.88.12.7:18789, not http://100.66.6.6:18789'),
      hint: expect.stringContaining('claw-mesh peer remove clawd'),
    })
    expect(JSON.stringify(nova.store.raw().peers.clawd)).toBe(before.state)
    expect(JSON.stringify([...nova.secrets.values])).toBe(before.secrets)
    expect(readFileSync(nova.configPath, 'utf8')).toBe(before.config)
  })

  it("refuses a reply that carries an existing peer's name at its own address: its tokens are not replaced", async () => {
    const {nova, clawd, reply} = await pair()
    await nova.run(PeerAdd, ['--invite', '-'], reply)
    // Whoever saw nova's next invite can answer it as "clawd" with clawd's own URL: nova would accept them as clawd.
    const invite2 = (await nova.run(Invite, [])).stdout
    const again = (await clawd.run(PeerAdd, ['--invite', '-', '--json', '--replace', 'nova'], invite2)).json<{
      replyInvite: string
    }>().replyInvite
    const before = {
      state: JSON.stringify(nova.store.raw().peers.clawd),
      secrets: JSON.stringify([...nova.secrets.values]),
    }
    const run = await nova.run(PeerAdd, ['--invite', '-', '--json'], again)
    expect(run.exitCode, run.stdout).toBe(2)
    expect(run.json<{error: {code: string; hint: string}}>().error).toMatchObject({
      code: 'peer-name-taken',
      hint: expect.stringContaining('--replace clawd'),
    })
    expect(JSON.stringify(nova.store.raw().peers.clawd)).toBe(before.state)
    expect(JSON.stringify([...nova.secrets.values])).toBe(before.secrets)
    const replaced = await nova.run(PeerAdd, ['--invite', '-', '--json', '--replace', 'clawd'], again)
    expect(replaced.exitCode, replaced.stdout).toBe(0)
    expect(replaced.json()).toMatchObject({
      name: 'clawd',
      completed: true,
      changes: expect.arrayContaining(['A2A tokens replaced (paired again)']),
    })
  })

  it('an invite made --for a name is completed only by a reply under that name', async () => {
    const nova = host('nova', '100.101.102.103')
    const made = await nova.run(Invite, ['--for', 'zed', '--json'])
    expect(made.exitCode, made.stderr).toBe(0)
    expect(made.json()).toMatchObject({for: 'zed'})
    const invite = made.json<{invite: string}>().invite
    const eve = host('eve', '100.66.6.6')
    const eveReply = (await eve.run(PeerAdd, ['--invite', '-', '--json'], invite)).json<{replyInvite: string}>()
      .replyInvite
    const refused = await nova.run(PeerAdd, ['--invite', '-', '--json'], eveReply)
    expect(refused.exitCode, refused.stdout).toBe(2)
    expect(refused.json<{error: {code: string; message: string}}>().error).toMatchObject({
      code: 'reply-not-intended',
      message: expect.stringContaining('made for "zed"'),
    })
    expect(nova.store.raw().peers.eve).toBeUndefined()
    // The invite is still open for zed.
    const zed = host('zed', '100.66.6.9')
    const zedReply = (await zed.run(PeerAdd, ['--invite', '-', '--json'], invite)).json<{replyInvite: string}>()
      .replyInvite
    const ok = await nova.run(PeerAdd, ['--invite', '-', '--json'], zedReply)
    expect(ok.exitCode, ok.stdout).toBe(0)
    const listed = await nova.run(Invite, ['--list'])
    expect(listed.stdout).toMatch(/used\s+expires \S+\s+for zed\s+used by zed/)
  })

  it("refuses an invite that carries an existing peer's name from another address", async () => {
    const {clawd} = await pair()
    const fakeNova = host('nova', '100.66.6.7')
    const invite = (await fakeNova.run(Invite, [])).stdout
    const before = JSON.stringify(clawd.store.raw().peers.nova)
    const run = await clawd.run(PeerAdd, ['--invite', '-', '--json'], invite)
    expect(run.exitCode, run.stdout).toBe(2)
    expect(run.json<{error: {code: string}}>().error.code).toBe('peer-name-taken')
    expect(JSON.stringify(clawd.store.raw().peers.nova)).toBe(before)
  })

  it('refuses a forged reply: fields changed, or made with another key (exit 2, nothing written)', async () => {
    const {nova, reply} = await pair()
    const fields = decodePairingReply(reply, {})
    // An attacker who saw the invite swaps in their own key and URL: the MAC cannot match.
    const {mac: _mac, ...rest} = fields
    const forged = encodePairingReply(
      {...rest, key: newPairingKey().publicKey, url: 'http://100.66.6.6:18789'},
      Buffer.alloc(32, 7),
    )
    const run = await nova.run(PeerAdd, ['--invite', '-'], forged)
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(/forged or was altered/)
    expect(nova.store.raw().peers.clawd).toBeUndefined()
    expect(nova.secrets.values.get('a2a/clawd/in')).toBeUndefined()
    // The real reply still completes afterwards: the forgery did not spend the invite.
    expect((await nova.run(PeerAdd, ['--invite', '-'], reply)).exitCode).toBe(0)
  })

  it("refuses a foreign reply (an answer to another machine's invite)", async () => {
    const {reply} = await pair()
    const other = host('nova', '100.101.102.200')
    const run = await other.run(PeerAdd, ['--invite', '-'], reply)
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(/answers an invite this machine did not make/)
  })

  it('refuses an expired invite on B, and a reply to an expired invite on A', async () => {
    const nova = host('nova', '100.101.102.103')
    const clawd = host('clawd', '100.88.12.7')
    const invite = (await nova.run(Invite, ['--expires', '1m'])).stdout
    const reply = (await clawd.run(PeerAdd, ['--invite', '-', '--json'], invite)).json<{replyInvite: string}>()
      .replyInvite
    await clock.advance(2 * 60_000)
    const late = host('late', '100.88.12.8')
    const b = await late.run(PeerAdd, ['--invite', '-'], invite)
    expect(b.exitCode).toBe(2)
    expect(b.stderr).toMatch(/invite from nova expired/)
    const a = await nova.run(PeerAdd, ['--invite', '-'], reply)
    expect(a.exitCode).toBe(2)
    expect(a.stderr).toMatch(/expired at/)
    expect(nova.store.raw().peers.clawd).toBeUndefined()
  })

  it("refuses a revoked invite's reply", async () => {
    const nova = host('nova', '100.101.102.103')
    const clawd = host('clawd', '100.88.12.7')
    const invite = (await nova.run(Invite, ['--json'])).json<{invite: string; id: string}>()
    const reply = (await clawd.run(PeerAdd, ['--invite', '-', '--json'], invite.invite)).json<{replyInvite: string}>()
      .replyInvite
    expect((await nova.run(Invite, ['--revoke', invite.id])).exitCode).toBe(0)
    const run = await nova.run(PeerAdd, ['--invite', '-'], reply)
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(/revoked/)
  })

  it("refuses this machine's own invite", async () => {
    const nova = host('nova', '100.101.102.103')
    const invite = (await nova.run(Invite, [])).stdout
    const run = await nova.run(PeerAdd, ['--invite', '-'], invite)
    expect(run.exitCode).toBe(2)
    expect(run.stderr).toMatch(/this machine's own invite/)
  })

  it("peer remove takes the peer out of channels.a2a and deletes its tokens, leaving the user's own peers", async () => {
    const {nova, reply} = await pair()
    await nova.run(PeerAdd, ['--invite', '-'], reply)
    const config = JSON.parse(readFileSync(nova.configPath, 'utf8'))
    config.channels.a2a.peers.hermes = {token: 'users-own-hermes-token-0123456789'}
    const {writeFileSync} = await import('node:fs')
    writeFileSync(nova.configPath, JSON.stringify(config))
    const run = await nova.run(PeerRemove, ['clawd'])
    expect(run.exitCode, run.stderr).toBe(0)
    expect(nova.a2a().peers).toEqual({hermes: {token: 'users-own-hermes-token-0123456789'}})
    expect(nova.secrets.values.has('a2a/clawd/in')).toBe(false)
    expect(nova.secrets.values.has('a2a/clawd/out')).toBe(false)
  })
})
