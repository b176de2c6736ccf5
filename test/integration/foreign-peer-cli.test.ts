import {readFileSync, rmSync, statSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {afterEach, describe, expect, it} from 'vitest'
import {runCli} from '../helpers/built-cli.js'
import {startSdkPeer, type SdkPeer} from '../helpers/sdk-peer.js'
import {tempDir} from '../helpers/fakes/index.js'

/**
 * The built CLI, with its real file secret store and state file, against the A2A reference server (@a2a-js/sdk,
 * version validation on) on loopback: a foreign agent added, asked, sent to, checked and removed as a user would.
 */
const TOKEN = 'sdk-agent-bearer-token-0123456789abcdefXYZ'
let peer: SdkPeer | undefined
const homes: string[] = []
afterEach(async () => {
  await peer?.close()
  peer = undefined
  for (const h of homes.splice(0)) rmSync(h, {recursive: true, force: true})
})

function home(): {dir: string; env: Record<string, string>} {
  const dir = tempDir('foreign-peer').path
  homes.push(dir)
  return {
    dir,
    env: {
      HOME: dir,
      CLAW_MESH_HOME: dir,
      CLAW_MESH_SECRET_STORE: 'file',
      CLAW_MESH_TAILSCALE: '/nonexistent/tailscale',
    },
  }
}

describe('the built CLI with a foreign A2A agent (the @a2a-js/sdk reference server)', () => {
  it('adds it from a token file, asks, sends, fetches the task, checks and removes it; the token stays in the store', async () => {
    peer = await startSdkPeer({token: TOKEN, name: 'sdk-agent'})
    const {dir, env} = home()
    const tokenFile = path.join(dir, 'agent.token')
    writeFileSync(tokenFile, `${TOKEN}\n`, {mode: 0o600})
    const outputs: string[] = []
    const cli = async (args: string[], input?: string) => {
      const run = await runCli(args, {env, input})
      outputs.push(run.stdout, run.stderr)
      return run
    }
    const add = await cli([
      'peer',
      'add',
      peer.url,
      '--name',
      'agent',
      '--a2a-token',
      `file:${tokenFile}`,
      '--allow-insecure-url',
      '--json',
    ])
    expect(add.exitCode, add.stderr).toBe(0)
    expect(add.json()).toMatchObject({ok: true, name: 'agent', kind: 'foreign', endpoint: peer.endpoint})
    const secrets = path.join(dir, 'secrets.json')
    expect(JSON.parse(readFileSync(secrets, 'utf8'))['a2a/agent/out']).toBe(TOKEN)
    expect(statSync(secrets).mode & 0o077).toBe(0)

    const ask = await cli(['ask', 'agent', 'status:all green'])
    expect(ask.exitCode, ask.stderr).toBe(0)
    expect(ask.stdout).toBe('all green\n')

    const sent = await cli(['send', 'agent', 'slow:200'])
    expect(sent.exitCode, sent.stderr).toBe(0)
    const fetched = await cli(['task', 'agent', sent.stdout.trim(), '--wait', '10s'])
    expect(fetched.exitCode, fetched.stderr).toBe(0)
    expect(fetched.stdout).toBe('done after 200 ms\n')

    const question = await cli(['ask', 'agent', 'input:Which environment?', '--json'])
    expect(question.exitCode).toBe(8)
    const answered = await cli(['ask', 'agent', 'staging', '--task', question.json<{taskId: string}>().taskId])
    expect(answered.exitCode, answered.stderr).toBe(0)
    expect(answered.stdout).toBe('answered: staging\n')

    const list = await cli(['peer', 'list'])
    expect(list.stdout).toMatch(/agent\s+-\s+http:\/\/127\.0\.0\.1:\d+\s+a2a \(foreign\)/)
    const check = await cli(['peer', 'check', 'agent'])
    expect(check.exitCode, check.stdout + check.stderr).toBe(0)

    // Every request the agent saw named A2A 1.0; the token never left the secret store.
    expect(peer.requests.length).toBeGreaterThan(5)
    expect(peer.requests.filter((r) => r.version !== '1.0')).toEqual([])
    expect(outputs.join('\n')).not.toContain(TOKEN)
    expect(readFileSync(path.join(dir, 'state.json'), 'utf8')).not.toContain(TOKEN)

    const removed = await cli(['peer', 'remove', 'agent'])
    expect(removed.exitCode, removed.stderr).toBe(0)
    expect(JSON.parse(readFileSync(secrets, 'utf8'))['a2a/agent/out']).toBeUndefined()
  })
})
