import {existsSync} from 'node:fs'
import {describe, expect, it} from 'vitest'
import {HttpFailure} from '../../src/infra/http.js'
import {fakeClock, httpStubs, scriptedRunner, tableRunner, tempDir, type TempDir} from '../helpers/fakes/index.js'

/** The fakes are what most tests stand on: a fake that stops failing makes every test that uses it a toy. */
describe('the strict runner', () => {
  it('answers the script in order and records argv, stdin and env keys', async () => {
    const runner = scriptedRunner([
      {command: 'tailscale', args: ['up'], result: {stdout: 'ok'}},
      {command: /openclaw$/},
    ])
    expect((await runner.run('tailscale', ['up'], {input: 'secret', env: {TS_AUTHKEY: 'k'}})).stdout).toBe('ok')
    await runner.run('/usr/bin/openclaw', ['--version'])
    expect(runner.calls).toEqual([
      {command: 'tailscale', args: ['up'], stdin: true, secretFd: false, envKeys: ['TS_AUTHKEY'], detached: false},
      {command: '/usr/bin/openclaw', args: ['--version'], stdin: false, secretFd: false, envKeys: [], detached: false},
    ])
    runner.assertDone()
  })

  it('fails an unexpected call naming its argv, even when the caller swallows the error', async () => {
    const runner = scriptedRunner([{command: 'tailscale', args: ['status', '--json']}])
    await expect(runner.run('tailscale', ['up', '--reset'])).rejects.toThrow(
      /unexpected call: tailscale up --reset\n\s+expected: tailscale status --json/,
    )
    expect(() => runner.assertDone()).toThrow(/unexpected call: tailscale up --reset/)
  })

  it('fails on an expected call that never came', async () => {
    const runner = scriptedRunner([
      {command: 'tailscale', args: ['status', '--json']},
      {command: 'tailscale', args: ['version']},
    ])
    await runner.run('tailscale', ['status', '--json'])
    expect(() => runner.assertDone()).toThrow(/expected calls never happened:\n\s+tailscale version/)
  })

  it("{order: 'any'} matches by command and args, whatever the order", async () => {
    const runner = scriptedRunner(
      [
        {command: 'a', args: ['1']},
        {command: 'b', args: ['2']},
      ],
      {order: 'any'},
    )
    await runner.run('b', ['2'])
    await runner.run('a', ['1'])
    await expect(runner.run('a', ['1'])).rejects.toThrow(/unexpected call: a 1 \(script exhausted\)/)
    expect(() => runner.assertDone()).toThrow(/unexpected call/)
  })

  it('assertNoSecret fails when a secret reached argv or a child env', async () => {
    const runner = scriptedRunner([{command: 'x'}, {command: 'y'}], {order: 'any'})
    await runner.run('x', [], {input: 'tskey-secret'})
    runner.assertNoSecret('tskey-secret')
    await runner.run('y', ['--key=tskey-secret'])
    expect(() => runner.assertNoSecret('tskey-secret')).toThrow(/reached the argv of y/)
    const env = tableRunner({z: {}})
    await env.run('z', [], {env: {KEY: 'tskey-secret'}})
    expect(() => env.assertNoSecret('tskey-secret')).toThrow(/environment/)
  })
})

describe('the table runner', () => {
  it('answers by the longest matching command-line prefix (basename, --socket= ignored) and counts calls', async () => {
    const runner = tableRunner({
      tailscale: {stdout: 'any'},
      'tailscale status --json': {stdout: '{}'},
      'node --version': (args) => ({stdout: args.join(',')}),
    })
    expect((await runner.run('/opt/ts/tailscale', ['--socket=/s', 'status', '--json'])).stdout).toBe('{}')
    expect((await runner.run('tailscale', ['version'])).stdout).toBe('any')
    expect((await runner.run('node', ['--version'])).stdout).toBe('--version')
    expect(runner.count('tailscale', '--socket=/s', 'status')).toBe(1)
    runner.assertDone()
  })

  it('fails a call the table does not know, and a detached spawn', async () => {
    const runner = tableRunner({'tailscale status': {}})
    await expect(runner.run('tailscale', ['statusx'])).rejects.toThrow(/not in the runner's table\): tailscale statusx/)
    expect(() => runner.assertDone()).toThrow(/tailscale statusx/)
    const spawner = tableRunner({})
    await expect(spawner.spawnDetached('openclaw', ['gateway'], {logFile: '/dev/null'})).rejects.toThrow(
      /unexpected detached spawn: openclaw gateway/,
    )
    expect(() => spawner.assertDone()).toThrow(/detached spawn/)
  })
})

describe('the HTTP stubs', () => {
  it('answers by method and URL, in order of use, and records requests', async () => {
    const http = httpStubs()
      .on('GET', 'http://100.64.0.2:18789/healthz', {body: {ok: true}})
      .on('POST', /\/hooks\/agent$/, (req) => ({status: 202, body: `got ${req.body}`}))
      .on('*', /\/slow$/, 'timeout', {times: 'any'})
    const health = await http.client.request({url: 'http://100.64.0.2:18789/healthz', timeoutMs: 1})
    expect([health.status, health.json()]).toEqual([200, {ok: true}])
    const hook = await http.client.request({method: 'POST', url: 'http://h/hooks/agent', body: 'hi', timeoutMs: 1})
    expect([hook.status, hook.body, hook.json()]).toEqual([202, 'got hi', undefined])
    await expect(http.client.request({url: 'http://h/slow', timeoutMs: 1})).rejects.toBeInstanceOf(HttpFailure)
    expect(http.urls()).toEqual(['http://100.64.0.2:18789/healthz', 'http://h/hooks/agent', 'http://h/slow'])
    http.assertDone()
  })

  it('fails an unexpected request naming the URL (also once a stub is used up)', async () => {
    const http = httpStubs().on('GET', 'http://h/a', {})
    await http.client.request({url: 'http://h/a', timeoutMs: 1})
    await expect(http.client.request({url: 'http://h/a', timeoutMs: 1})).rejects.toThrow(
      'unexpected HTTP request: GET http://h/a (its stubs are used up)',
    )
    await expect(http.client.request({method: 'POST', url: 'http://h/b', timeoutMs: 1})).rejects.toThrow(
      'unexpected HTTP request: POST http://h/b',
    )
    expect(() => http.assertDone()).toThrow(/GET http:\/\/h\/a/)
  })

  it('fails on a stub never used', () => {
    const http = httpStubs().on('GET', 'http://h/never', {}).on('GET', 'http://h/maybe', {}, {times: 'any'})
    expect(() => http.assertDone()).toThrow(/HTTP stubs never used:\n\s+GET http:\/\/h\/never \(0 of 1\)/)
  })
})

describe('the clock', () => {
  it('sleep resolves only when advance passes its deadline', async () => {
    const clock = fakeClock({start: '2026-12-01T00:00:00Z'})
    let woke = false
    const sleeping = clock.sleep(1000).then(() => (woke = true))
    await clock.advance(999)
    expect([woke, clock.pending()]).toEqual([false, 1])
    await clock.advance(1)
    await sleeping
    expect([woke, clock.now().toISOString(), clock.slept]).toEqual([true, '2026-12-01T00:00:01.000Z', [1000]])
  })

  it('an aborted sleep rejects; autoAdvance moves time itself', async () => {
    const clock = fakeClock()
    const abort = new AbortController()
    const sleeping = clock.sleep(1000, abort.signal)
    abort.abort(new Error('stop'))
    await expect(sleeping).rejects.toThrow('stop')
    const auto = fakeClock({autoAdvance: true})
    await auto.sleep(250)
    expect(auto.elapsed()).toBe(250)
  })
})

describe('the temp dir', () => {
  let kept: TempDir | undefined
  it('writes files with modes and is removed when the test ends', () => {
    kept = tempDir('fakes')
    const file = kept.write('a/b/secret', 'x', 0o600)
    expect([kept.read('a/b/secret'), kept.mode('a/b/secret'), existsSync(file)]).toEqual(['x', 0o600, true])
    expect(kept.homeEnv().HOME.startsWith(kept.path)).toBe(true)
  })
  it('(the previous test’s dir is gone)', () => {
    expect(existsSync(kept!.path)).toBe(false)
  })
})
