import {readFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {
  evalPeerHealth,
  evalPeerHooks,
  evalPeerOnline,
  evalPeerPath,
  evalStalePeers,
  findPeerNode,
  findStalePeers,
  isTailnetRecord,
} from '../../src/core/checks/peers.js'
import {evalSecretBackend, evalSecretFile, evalSecretsPresent} from '../../src/core/checks/secrets.js'
import type {PeerRecord} from '../../src/core/common/state-schema.js'
import {parseStatusJson, summarizeStatus} from '../../src/core/tailscale/tailscale-status.js'
import {parsePing} from '../../src/services/tailscale/cli.js'

const FIXTURES = path.resolve(__dirname, '../fixtures/doctor')
const summary = summarizeStatus(parseStatusJson(readFileSync(path.join(FIXTURES, 'status-running.json'), 'utf8')))
const record = (name: string, url: string, extra: Partial<PeerRecord> = {}): PeerRecord => ({
  name,
  url,
  addedAt: '2026-11-01T00:00:00Z',
  source: 'invite',
  messaging: true,
  ...extra,
})

describe('secrets-store', () => {
  it.each([
    [
      {ok: true, backend: 'keychain', location: 'Secret Service (service "claw-mesh")', recorded: 'keychain'},
      'pass',
      /keychain: Secret Service/,
    ],
    [
      {ok: true, backend: 'file', location: '/s/secrets.json', recorded: 'keychain'},
      'warn',
      /recorded in the keychain store, but the file store opened/,
    ],
    [
      {ok: false, error: 'The keychain did not answer within 5000 ms (writing probe).', recorded: 'keychain'},
      'fail',
      /did not answer/,
    ],
  ] as const)('%j → %s', (probe, status, detail) => {
    const r = evalSecretBackend(probe)
    expect(r.status).toBe(status)
    expect(r.detail).toMatch(detail)
  })
})

describe('secrets-present', () => {
  it('passes when every recorded secret is there, skips with none recorded or no store', () => {
    expect(
      evalSecretsPresent(true, [
        {name: 'gateway-token', present: true},
        {name: 'hooks-token', present: true},
      ]),
    ).toMatchObject({status: 'pass', detail: '2 secrets present'})
    expect(evalSecretsPresent(true, []).status).toBe('skip')
    expect(evalSecretsPresent(false, [{name: 'gateway-token', present: false}]).status).toBe('skip')
  })

  it('restores a missing token that openclaw.json still holds', () => {
    const r = evalSecretsPresent(true, [
      {name: 'gateway-token', present: true},
      {name: 'hooks-token', present: false, restoreFrom: 'hooks.token'},
    ])
    expect(r).toMatchObject({
      status: 'fail',
      detail: 'Missing from the secret store: hooks-token.',
      fix: {kind: 'restore-secret', name: 'hooks-token', from: 'hooks.token'},
    })
  })

  it('fails, not crashes, when the store refuses to be read (an insecure secret file)', () => {
    const r = evalSecretsPresent(true, [], 'The secret file /s/secrets.json has mode 0644 (must be 0600).')
    expect(r).toMatchObject({status: 'fail', detail: expect.stringMatching(/could not be read: The secret file/)})
  })

  it('sends missing peer tokens to a new invite, with nothing to apply', () => {
    const r = evalSecretsPresent(true, [{name: 'peer/nova', present: false}])
    expect(r.fix).toBeUndefined()
    expect(r.remedy).toMatch(/claw-mesh peer add --invite -/)
  })
})

describe('secrets-file', () => {
  const base = {backend: 'file', file: '/s/secrets.json', exists: true, platform: 'linux'}
  it.each([
    [[], 'pass', undefined],
    [['has mode 0644 (must be 0600)'], 'fail', {kind: 'chmod-600', path: '/s/secrets.json'}],
    [['has mode 0644 (must be 0600)', 'has 2 hard links (must be 1)'], 'fail', undefined],
    [['is a symlink'], 'fail', undefined],
  ])('%j → %s', (problems, status, fix) => {
    const r = evalSecretFile({...base, problems})
    expect(r.status).toBe(status)
    expect(r.fix).toEqual(fix)
  })

  it('skips without a file and on Windows', () => {
    expect(evalSecretFile({...base, exists: false, problems: []}).status).toBe('skip')
    expect(evalSecretFile({...base, platform: 'win32', problems: ['has mode 0666 (must be 0600)']}).status).toBe('skip')
  })
})

describe('finding a peer in the tailnet', () => {
  it.each([
    ['by IPv4 in the URL', record('clawd', 'http://100.88.12.7:18789'), 'openclaw-clawd'],
    [
      'by recorded hostname',
      record('clawd', 'http://100.99.99.99:18789', {hostname: 'openclaw-clawd'}),
      'openclaw-clawd',
    ],
    ['by MagicDNS name', record('clawd', 'https://openclaw-clawd.tail4f3a2.ts.net'), 'openclaw-clawd'],
    ['gone', record('ghost', 'http://100.77.0.1:18789'), undefined],
  ])('%s', (_name, r, hostname) => {
    expect(findPeerNode(summary, r)?.hostname).toBe(hostname)
  })

  it('treats loopback URLs as not tailnet peers (never stale)', () => {
    expect(isTailnetRecord(record('local', 'http://127.0.0.1:18789'))).toBe(false)
    expect(isTailnetRecord(record('lan', 'https://gw.example.com', {hostname: 'openclaw-x'}))).toBe(true)
  })
})

describe('peer-online', () => {
  it.each([
    ['online', record('clawd', 'http://100.88.12.7:18789'), 'pass', /openclaw-clawd online/],
    [
      'offline',
      record('alice', 'http://100.70.3.44:18789'),
      'fail',
      /offline in the tailnet \(last seen 2026-08-21T22:41:09Z\)/,
    ],
    ['gone (stale)', record('ghost', 'http://100.77.0.1:18789'), 'skip', /see peer-stale/],
    ['loopback', record('local', 'http://127.0.0.1:1'), 'skip', /not a tailnet address/],
  ])('%s → %s', (_name, r, status, detail) => {
    const out = evalPeerOnline(r, summary)
    expect(out.status).toBe(status)
    expect(out.detail).toMatch(detail)
  })

  it('skips without a readable tailnet', () => {
    expect(
      evalPeerOnline(record('clawd', 'http://100.88.12.7:1'), undefined, 'tailscale status unavailable').status,
    ).toBe('skip')
  })
})

describe('peer-stale', () => {
  it('lists records gone from the tailnet and removes them after confirmation', () => {
    const records = [
      record('clawd', 'http://100.88.12.7:18789'),
      record('ghost', 'http://100.77.0.1:18789'),
      record('local', 'http://127.0.0.1:1'),
    ]
    expect(findStalePeers(records, summary)).toEqual([{name: 'ghost', url: 'http://100.77.0.1:18789'}])
    const r = evalStalePeers(records, summary)
    expect(r).toMatchObject({
      status: 'warn',
      remedy: 'claw-mesh peer remove ghost',
      fix: {kind: 'remove-stale-peers', names: ['ghost']},
    })
  })

  it('passes when every record is in the tailnet; skips without peers or tailnet', () => {
    expect(evalStalePeers([record('clawd', 'http://100.88.12.7:18789')], summary).status).toBe('pass')
    expect(evalStalePeers([], summary).status).toBe('skip')
    expect(evalStalePeers([record('clawd', 'http://100.88.12.7:18789')], undefined).status).toBe('skip')
  })
})

describe('peer-path (tailscale ping)', () => {
  it.each([
    [
      'direct',
      'pong from openclaw-clawd (100.88.12.7) via 198.51.100.7:41641 in 4ms\n',
      'pass',
      'direct via 198.51.100.7:41641, 4 ms',
    ],
    [
      'relayed',
      'pong from openclaw-clawd (100.88.12.7) via DERP(ams) in 38ms\n',
      'warn',
      /relayed through DERP\(ams\), 38 ms/,
    ],
    ['no reply', 'ping "100.88.12.7" timed out\nno reply\n', 'fail', /no reply/],
  ])('%s → %s', (_name, stdout, status, detail) => {
    const r = evalPeerPath(parsePing(stdout))
    expect(r.status).toBe(status)
    expect(r.detail).toMatch(detail)
    if (status === 'warn') expect(r.remedy).toMatch(/UDP 41641/)
  })

  it('skips a peer that was not pinged, with the reason', () => {
    expect(evalPeerPath(undefined, 'offline')).toMatchObject({status: 'skip', detail: 'offline'})
  })
})

describe('peer-health and peer-hooks (from the peer service probes)', () => {
  const ok = {status: 'ok' as const, detail: 'live', httpStatus: 200, latencyMs: 12}
  it.each([
    ['live and ready', ok, ok, 'pass'],
    [
      'down',
      {status: 'fail' as const, detail: 'connection refused (nothing listening on that address and port)'},
      {status: 'fail' as const, detail: 'x'},
      'fail',
    ],
    ['live, not ready', ok, {status: 'fail' as const, detail: 'not ready (503)', httpStatus: 503}, 'warn'],
  ])('%s → %s', (_name, healthz, readyz, status) => {
    expect(evalPeerHealth('http://100.88.12.7:18789', healthz, readyz, 'Nothing listens at …').status).toBe(status)
  })

  it.each([
    [true, {status: 'ok' as const, detail: 'token accepted', httpStatus: 400}, 'pass'],
    [true, {status: 'fail' as const, detail: 'token refused (401)', httpStatus: 401}, 'fail'],
    [true, {status: 'warn' as const, detail: 'rate-limited (429)', httpStatus: 429}, 'warn'],
    [false, {status: 'skip' as const, detail: 'messaging off'}, 'skip'],
  ])('messaging %s, hooks %j → %s', (messaging, hooks, status) => {
    expect(evalPeerHooks(messaging, hooks).status).toBe(status)
  })
})
