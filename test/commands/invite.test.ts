import {describe, expect, it} from 'vitest'
import Invite from '../../src/commands/invite.js'
import {decodePairingInvite} from '../../src/core/pairing/a2a-pairing.js'
import type {State} from '../../src/core/common/state-schema.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {runCommand} from '../helpers/run-command.js'
import {scriptedRunner} from '../helpers/fakes/runner.js'
import {tailscaleStatusJson} from '../helpers/tailscale-status-json.js'

const TS = '/opt/fake/tailscale'
const statusCalls = (backendState = 'Running') => [
  {command: TS, args: ['status', '--json'], result: {stdout: tailscaleStatusJson({backendState})}},
  {command: TS, args: ['version'], result: {stdout: '1.84.3\n'}},
]

/** `reads: false`: the command must refuse before it asks Tailscale anything (the strict runner holds it to that). */
async function invite(argv: string[], state: Partial<State>, backendState?: string, reads = true) {
  const runner = scriptedRunner(reads ? statusCalls(backendState) : [])
  const store = createMemoryStateStore(state)
  const secrets = createMemorySecretStore()
  const run = await runCommand(Invite, argv, {
    runner,
    store,
    secrets,
    env: {CLAW_MESH_TAILSCALE: TS},
    platform: 'linux',
  })
  return {run, runner, store, secrets}
}

const bootstrapped: Partial<State> = {identity: 'nova', gateway: {expose: 'tailnet', port: 18789}}

describe('claw-mesh invite', () => {
  it('prints one v2 invite line on stdout: name, URL, one-time id, expiry, public key — no token', async () => {
    const {run, runner, store, secrets} = await invite([], bootstrapped)
    runner.assertDone()
    expect(run.exitCode).toBe(0)
    expect(run.stdout.split('\n').filter(Boolean)).toHaveLength(1)
    const inv = decodePairingInvite(run.stdout, {now: new Date()})
    expect(inv).toMatchObject({
      name: 'nova',
      hostname: 'openclaw-nova',
      url: 'http://100.101.102.103:18789',
      tailnet: 'example.com',
    })
    expect(Date.parse(inv.expiresAt) - Date.parse(inv.createdAt)).toBe(24 * 3600 * 1000)
    // The private half stays here, under the invite's id; the id is recorded as open.
    expect(secrets.values.get(`invite/${inv.id}`)).toMatch(/^[A-Za-z0-9_-]{40,}$/)
    expect(run.stdout).not.toContain(secrets.values.get(`invite/${inv.id}`))
    expect(store.read().invites[inv.id]).toMatchObject({expiresAt: inv.expiresAt})
    expect(run.stderr).toMatch(/holds no token/)
  })

  it('two invites are different (one-time ids and keys)', async () => {
    const a = decodePairingInvite((await invite([], bootstrapped)).run.stdout, {now: new Date()})
    const b = decodePairingInvite((await invite([], bootstrapped)).run.stdout, {now: new Date()})
    expect(a.id).not.toBe(b.id)
    expect(a.key).not.toBe(b.key)
  })

  it('--expires sets the lifetime; out-of-range values are refused (exit 2) and nothing is stored', async () => {
    const {run} = await invite(['--expires', '2h'], bootstrapped)
    const inv = decodePairingInvite(run.stdout, {now: new Date()})
    expect(Date.parse(inv.expiresAt) - Date.parse(inv.createdAt)).toBe(2 * 3600 * 1000)
    const bad = await invite(['--expires', '31d'], bootstrapped, undefined, false)
    expect(bad.run.exitCode).toBe(2)
    expect(bad.run.stderr).toMatch(/--expires|duration/)
    expect(bad.secrets.values.size).toBe(0)
  })

  it('uses the MagicDNS https URL when the gateway is exposed with Serve', async () => {
    const {run} = await invite([], {identity: 'nova', gateway: {expose: 'serve', port: 18789}})
    expect(decodePairingInvite(run.stdout, {now: new Date()}).url).toBe('https://openclaw-nova.tail4f3a2.ts.net')
  })

  it('prints a JSON document with the invite', async () => {
    const {run} = await invite(['--json'], bootstrapped)
    const doc = run.json<{ok: boolean; invite: string; id: string; name: string; url: string; expiresAt: string}>()
    expect(doc).toMatchObject({ok: true, name: 'nova', hostname: 'openclaw-nova', url: 'http://100.101.102.103:18789'})
    expect(decodePairingInvite(doc.invite, {now: new Date()}).id).toBe(doc.id)
  })

  it('--list shows open, used, expired and revoked invites; --revoke withdraws one and deletes its key', async () => {
    const now = Date.now()
    const iso = (ms: number) => new Date(now + ms).toISOString()
    const state: Partial<State> = {
      ...bootstrapped,
      invites: {
        aaaaaaaaaaaaaaaaaaaaaa: {createdAt: iso(-3000), expiresAt: iso(3_600_000)},
        bbbbbbbbbbbbbbbbbbbbbb: {createdAt: iso(-2000), expiresAt: iso(3_600_000), usedBy: 'clawd', usedAt: iso(-1000)},
        cccccccccccccccccccccc: {createdAt: iso(-1000), expiresAt: iso(-10)},
      },
    }
    const store = createMemoryStateStore(state)
    const secrets = createMemorySecretStore({'invite/aaaaaaaaaaaaaaaaaaaaaa': 'k'})
    const list = await runCommand(Invite, ['--list', '--json'], {store, secrets, platform: 'linux'})
    expect(list.json<{invites: {id: string; status: string}[]}>().invites.map((i) => i.status)).toEqual([
      'open',
      'used',
      'expired',
    ])
    const revoke = await runCommand(Invite, ['--revoke', 'aaaaaaaaaaaaaaaaaaaaaa'], {store, secrets, platform: 'linux'})
    expect(revoke.exitCode).toBe(0)
    expect(secrets.values.has('invite/aaaaaaaaaaaaaaaaaaaaaa')).toBe(false)
    expect(store.read().invites.aaaaaaaaaaaaaaaaaaaaaa.revokedAt).toBeTruthy()
    const unknown = await runCommand(Invite, ['--revoke', 'nope'], {store, secrets, platform: 'linux'})
    expect(unknown.exitCode).toBe(2)
    expect(unknown.stderr).toMatch(/no invite with id "nope"/)
  })

  it.each<[string, Partial<State>, string | undefined, RegExp]>([
    ['no identity', {gateway: {expose: 'tailnet'}}, undefined, /no claw-mesh identity/],
    ['no gateway exposure', {identity: 'nova'}, undefined, /not opened to the tailnet/],
    ['Tailscale logged out', bootstrapped, 'NeedsLogin', /not connected.*NeedsLogin/],
  ])('asks for bootstrap when there is %s (exit 3), storing nothing', async (_title, state, backendState, message) => {
    const {run, secrets} = await invite([], state, backendState, Boolean(state.identity && state.gateway))
    expect(run.exitCode).toBe(3)
    expect(run.stderr).toMatch(message)
    expect(run.stderr).toMatch(/bootstrap/)
    expect(run.stdout).toBe('')
    expect(secrets.values.size).toBe(0)
  })
})
