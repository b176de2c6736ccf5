import {describe, expect, it} from 'vitest'
import PeerAdd from '../../src/commands/peer/add.js'
import PeerCheck from '../../src/commands/peer/check.js'
import Send from '../../src/commands/send.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {runCommand} from '../helpers/run-command.js'
import {httpStubs} from '../helpers/fakes/index.js'

const TOKEN = 'nova-hooks-token-0123456789abcdefghij'
const NAME_URL = 'http://openclaw-nova.tail4f3a2.ts.net:18789'

/** Records every request that leaves claw-mesh and answers as a gateway would (hooks accepted, healthz live). */
function recordingGateway() {
  const stubs = httpStubs()
    .on('POST', /\/hooks\/agent$/, {body: {ok: true, runId: '0b7e6c1e-9d1a-4a43-9a43-5b8c8e2f1a10'}}, {times: 'any'})
    .on('POST', /\/hooks\/wake$/, {status: 400, body: {ok: false, error: 'text required'}}, {times: 'any'})
    .on('GET', /\/(healthz|readyz)$/, {body: {ok: true, status: 'live'}}, {times: 'any'})
  return {http: stubs.client, sent: stubs.requests}
}

/** The review's D8: a MagicDNS name checked at `peer add`, then re-pointed by whoever answers for it. */
describe('a peer URL with a MagicDNS name is pinned to the tailnet address it resolved to when added', () => {
  const setup = () => {
    const store = createMemoryStateStore({identity: 'me'})
    const secrets = createMemorySecretStore()
    const gateway = recordingGateway()
    let answer = ['100.64.0.3']
    const deps = {
      store,
      secrets,
      http: gateway.http,
      resolveHost: async () => answer,
      env: {PATH: '/nonexistent'},
      platform: 'linux' as const,
    }
    return {store, secrets, sent: gateway.sent, deps, repoint: (to: string[]) => (answer = to)}
  }

  it('records the address, connects to it while the name still resolves there, and sends nothing once it does not', async () => {
    const h = setup()
    const added = await runCommand(PeerAdd, [NAME_URL, '--name', 'nova', '--hooks-token', '-'], {
      ...h.deps,
      stdin: TOKEN,
    })
    expect(added.exitCode, added.stderr).toBe(0)
    expect(h.store.raw().peers.nova.addresses).toEqual(['100.64.0.3'])

    const ok = await runCommand(Send, ['nova', 'hello'], h.deps)
    expect(ok.exitCode, ok.stderr).toBe(0)
    expect(h.sent.map((r) => r.url)).toEqual(['http://100.64.0.3:18789/hooks/agent'])

    h.repoint(['127.0.0.1'])
    h.sent.length = 0
    const refused = await runCommand(Send, ['nova', 'hello', '--json'], h.deps)
    expect(refused.exitCode).toBe(3)
    expect(refused.json()).toMatchObject({
      ok: false,
      error: {code: 'peer-address-moved', hint: expect.stringContaining('--replace nova')},
    })
    const check = await runCommand(PeerCheck, ['nova', '--json'], h.deps)
    expect(check.exitCode).not.toBe(0)
    expect(check.stdout).toMatch(/no longer resolves to the tailnet address/)
    expect(h.sent).toEqual([])
  })

  it('adding it again after the name moved is refused without --replace, and re-pins with it', async () => {
    const h = setup()
    await runCommand(PeerAdd, [NAME_URL, '--name', 'nova', '--hooks-token', '-'], {...h.deps, stdin: TOKEN})
    h.repoint(['100.64.0.66'])
    const again = await runCommand(PeerAdd, [NAME_URL, '--name', 'nova', '--hooks-token', '-', '--json'], {
      ...h.deps,
      stdin: TOKEN,
    })
    expect(again.exitCode).toBe(2)
    expect(again.json()).toMatchObject({ok: false, error: {code: 'peer-address-moved'}})
    expect(h.store.raw().peers.nova.addresses).toEqual(['100.64.0.3'])
    const replaced = await runCommand(
      PeerAdd,
      [NAME_URL, '--name', 'nova', '--hooks-token', '-', '--replace', 'nova'],
      {...h.deps, stdin: TOKEN},
    )
    expect(replaced.exitCode, replaced.stderr).toBe(0)
    expect(h.store.raw().peers.nova.addresses).toEqual(['100.64.0.66'])
  })
})
