import {chmodSync, readFileSync, writeFileSync} from 'node:fs'
import http from 'node:http'
import type {AddressInfo} from 'node:net'
import path from 'node:path'
import {afterAll, beforeAll, describe, expect, it} from 'vitest'
import {
  alertText,
  commandEnv,
  describeAlertTarget,
  parseAlertTarget,
  webhookPayload,
  type Alert,
} from '../../src/core/lifecycle/alert-target.js'
import {Redactor} from '../../src/core/secrets/redact.js'
import {createFetchHttpClient} from '../../src/infra/http.js'
import {createExecaRunner} from '../../src/infra/runner.js'
import {platformAdapter} from '../../src/platform/index.js'
import {sendAlert} from '../../src/services/alerts/send.js'
import {tempDir} from '../helpers/fakes/index.js'

const alert: Alert = {
  event: 'down',
  host: 'nova',
  healthUrl: 'http://127.0.0.1:18789/healthz',
  failures: 3,
  detail: 'connection refused',
  action: 'Restarted it: healthy again after 14 s.',
  at: '2026-09-01T12:00:00.000Z',
}

describe('parseAlertTarget', () => {
  it.each<[string, 'linux' | 'darwin' | 'win32', object]>([
    [
      'webhook:https://hooks.slack.com/services/T0/B0/XYZ',
      'linux',
      {kind: 'webhook', url: 'https://hooks.slack.com/services/T0/B0/XYZ'},
    ],
    ['webhook:http://127.0.0.1:9999/hook', 'linux', {kind: 'webhook', url: 'http://127.0.0.1:9999/hook'}],
    ['imessage:+1 (516) 633-4684', 'darwin', {kind: 'imessage', to: '+15166334684'}],
    ['imessage:nova-agent@icloud.com', 'darwin', {kind: 'imessage', to: 'nova-agent@icloud.com'}],
    ['command:/usr/local/bin/notify', 'linux', {kind: 'command', path: '/usr/local/bin/notify'}],
    ['command:C:\\tools\\notify.exe', 'win32', {kind: 'command', path: 'C:\\tools\\notify.exe'}],
  ])('%s on %s', (raw, platform, expected) => {
    expect(parseAlertTarget(raw, platform)).toEqual(expected)
  })

  it.each<[string, 'linux' | 'darwin' | 'win32', RegExp]>([
    ['webhook:http://hooks.example.com/x', 'linux', /must use https/],
    ['webhook:https://user:pw@example.com/x', 'linux', /user name or password/],
    ['webhook:not a url', 'linux', /does not parse/],
    ['imessage:+15551234567', 'linux', /iMessage alerts need macOS .* this is linux/],
    ['imessage:555', 'darwin', /international form/],
    ['command:notify.sh', 'linux', /absolute path/],
    ['+15551234567', 'darwin', /unknown alert target/],
  ])('refuses %s on %s', (raw, platform, message) => {
    expect(() => parseAlertTarget(raw, platform)).toThrow(message)
    try {
      parseAlertTarget(raw, platform)
    } catch (error) {
      expect((error as {exitCode: number}).exitCode).toBe(2)
    }
  })

  it('never shows a webhook URL whole (its path is the credential)', () => {
    expect(describeAlertTarget({kind: 'webhook', url: 'https://hooks.slack.com/services/T0/B0/SECRET'})).toBe(
      'webhook:https://hooks.slack.com/…',
    )
  })
})

describe('alert payloads', () => {
  it('webhook JSON carries both text (Slack) and content (Discord)', () => {
    const p = webhookPayload(alert)
    expect(p.text).toBe(p.content)
    expect(p.text).toBe(
      '[down] claw-mesh on nova: the OpenClaw gateway is down (3 failed health checks in a row: connection refused). Restarted it: healthy again after 14 s.',
    )
    expect(p).toMatchObject({event: 'down', host: 'nova', failures: 3})
  })
  it('a command gets the alert in its environment', () => {
    expect(commandEnv(alert)).toMatchObject({
      CLAW_MESH_ALERT_TEXT: alertText(alert),
      CLAW_MESH_ALERT_EVENT: 'down',
      CLAW_MESH_ALERT_HOST: 'nova',
      CLAW_MESH_ALERT_FAILURES: '3',
    })
  })
  it('recovery text says healthy again', () => {
    expect(alertText({...alert, event: 'recovered', action: undefined})).toBe(
      '[recovered] claw-mesh on nova: the OpenClaw gateway is healthy again.',
    )
  })
})

describe('sendAlert', () => {
  let server: http.Server
  let url = ''
  const received: Array<{headers: http.IncomingHttpHeaders; body: string}> = []
  let answer = 200
  let dir = ''
  beforeAll(async () => {
    dir = tempDir('alert').path
    server = http.createServer((req, res) => {
      let body = ''
      req.on('data', (c) => (body += c))
      req.on('end', () => {
        received.push({headers: req.headers, body})
        res.writeHead(answer).end(answer === 204 ? undefined : 'ok')
      })
    })
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/SECRETPATH`
  })
  afterAll(async () => {
    await new Promise((r) => server.close(r))
  })
  const deps = () => ({
    http: createFetchHttpClient(),
    runner: createExecaRunner(new Redactor()),
    env: {PATH: process.env.PATH},
    platform: platformAdapter('linux'),
  })

  it('POSTs JSON to a webhook (200 and 204 both count as delivered)', async () => {
    answer = 204
    const r = await sendAlert(deps(), {kind: 'webhook', url}, alert)
    expect(r).toEqual({
      ok: true,
      detail: 'HTTP 204',
      target: expect.stringMatching(/^webhook:http:\/\/127\.0\.0\.1:\d+\/…$/),
    })
    const last = received.at(-1)!
    expect(last.headers['content-type']).toBe('application/json')
    expect(JSON.parse(last.body)).toMatchObject({text: alertText(alert), content: alertText(alert)})
  })

  it('reports a refused webhook without throwing', async () => {
    answer = 404
    const r = await sendAlert(deps(), {kind: 'webhook', url}, alert)
    expect(r.ok).toBe(false)
    expect(r.detail).toMatch(/HTTP 404/)
    expect(r.target).not.toContain('SECRETPATH')
  })

  it('runs a command without a shell, the alert in its environment', async () => {
    const out = path.join(dir, 'alert.env')
    const script = path.join(dir, 'notify.sh')
    writeFileSync(
      script,
      `#!/bin/sh\nprintf '%s|%s|%s' "$CLAW_MESH_ALERT_EVENT" "$CLAW_MESH_ALERT_HOST" "$CLAW_MESH_ALERT_TEXT" > '${out}'\n`,
    )
    chmodSync(script, 0o700)
    const tricky = {...alert, host: 'nova; rm -rf / $(id)'}
    const r = await sendAlert(deps(), {kind: 'command', path: script}, tricky)
    expect(r).toMatchObject({ok: true, detail: 'command exited 0'})
    expect(readFileSync(out, 'utf8')).toBe(`down|nova; rm -rf / $(id)|${alertText(tricky)}`)
  })

  it('reports a command that is missing or fails', async () => {
    expect(await sendAlert(deps(), {kind: 'command', path: path.join(dir, 'nope')}, alert)).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/not an executable file \(ENOENT\)/),
    })
    const failing = path.join(dir, 'fail.sh')
    writeFileSync(failing, '#!/bin/sh\necho "no route to pager" >&2\nexit 3\n')
    chmodSync(failing, 0o700)
    expect(await sendAlert(deps(), {kind: 'command', path: failing}, alert)).toMatchObject({
      ok: false,
      detail: `${failing} exited 3: no route to pager`,
    })
  })

  it('says imsg is missing instead of failing silently', async () => {
    const r = await sendAlert(
      {...deps(), env: {PATH: '/nonexistent'}, platform: platformAdapter('darwin')},
      {kind: 'imessage', to: '+15551234567'},
      alert,
    )
    expect(r).toMatchObject({ok: false, detail: expect.stringMatching(/imsg is not installed/)})
  })
})
