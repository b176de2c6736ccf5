import {describe, expect, it} from 'vitest'
import Invite from '../../src/commands/invite.js'
import {decodeInvite} from '../../src/core/invite.js'
import type {State} from '../../src/core/state-schema.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {runCommand} from '../helpers/run-command.js'
import {scriptedRunner} from '../helpers/scripted-runner.js'
import {tailscaleStatusJson} from '../helpers/tailscale-status-json.js'

const TS = '/opt/fake/tailscale'
const HOOKS = 'hooks-token-of-nova-5e1f0c9a7b3d'
const statusCalls = (backendState = 'Running') => [
  {command: TS, args: ['status', '--json'], result: {stdout: tailscaleStatusJson({backendState})}},
  {command: TS, args: ['version'], result: {stdout: '1.84.3\n'}},
]

async function invite(argv: string[], state: Partial<State>, secrets: Record<string, string>, backendState?: string) {
  const runner = scriptedRunner(statusCalls(backendState))
  const run = await runCommand(Invite, argv, {runner, store: createMemoryStateStore(state), secrets: createMemorySecretStore(secrets), env: {CLAW_MESH_TAILSCALE: TS}, platform: 'linux'})
  return {run, runner}
}

const bootstrapped: Partial<State> = {identity: 'nova', gateway: {expose: 'tailnet', port: 18789}}

describe('claw-mesh invite', () => {
  it('prints one invite line on stdout and a secret warning on stderr', async () => {
    const {run, runner} = await invite([], bootstrapped, {'hooks-token': HOOKS})
    runner.verify()
    expect(run.exitCode).toBe(0)
    const line = run.stdout.trim()
    expect(run.stdout.split('\n').filter(Boolean)).toHaveLength(1)
    expect(decodeInvite(line)).toMatchObject({name: 'nova', hostname: 'openclaw-nova', url: 'http://100.101.102.103:18789', hooksToken: HOOKS, tailnet: 'example.com'})
    expect(run.stderr).toMatch(/secret.*trusted channel/)
    expect(run.stderr).not.toContain(HOOKS)
  })

  it('uses the MagicDNS https URL when the gateway is exposed with Serve', async () => {
    const {run} = await invite([], {identity: 'nova', gateway: {expose: 'serve', port: 18789}}, {'hooks-token': HOOKS})
    expect(decodeInvite(run.stdout).url).toBe('https://openclaw-nova.tail4f3a2.ts.net')
  })

  it('prints a JSON document with the invite unredacted and nothing else secret', async () => {
    const {run} = await invite(['--json'], bootstrapped, {'hooks-token': HOOKS})
    const doc = run.json<{ok: boolean; invite: string; name: string; hostname: string; url: string}>()
    expect(doc).toMatchObject({ok: true, name: 'nova', hostname: 'openclaw-nova', url: 'http://100.101.102.103:18789'})
    expect(decodeInvite(doc.invite).hooksToken).toBe(HOOKS)
    const {invite: _secret, ...rest} = doc
    expect(JSON.stringify(rest)).not.toContain(HOOKS)
  })

  it.each<[string, Partial<State>, Record<string, string>, string | undefined, RegExp]>([
    ['no identity', {gateway: {expose: 'tailnet'}}, {'hooks-token': HOOKS}, undefined, /no claw-mesh identity/],
    ['no gateway exposure', {identity: 'nova'}, {'hooks-token': HOOKS}, undefined, /not opened to the tailnet/],
    ['no hooks token', bootstrapped, {}, undefined, /No hooks token/],
    ['Tailscale logged out', bootstrapped, {'hooks-token': HOOKS}, 'NeedsLogin', /not connected.*NeedsLogin/],
  ])('asks for bootstrap when there is %s (exit 3)', async (_title, state, secrets, backendState, message) => {
    const runner = scriptedRunner(statusCalls(backendState))
    const run = await runCommand(Invite, [], {runner, store: createMemoryStateStore(state), secrets: createMemorySecretStore(secrets), env: {CLAW_MESH_TAILSCALE: TS}, platform: 'linux'})
    expect(run.exitCode).toBe(3)
    expect(run.stderr).toMatch(message)
    expect(run.stderr).toMatch(/bootstrap/)
    expect(run.stdout).toBe('')
  })
})
