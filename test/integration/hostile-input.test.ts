import {createHash} from 'node:crypto'
import {
  chmodSync,
  chownSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs'
import JSON5 from 'json5'
import path from 'node:path'
import {afterAll, describe, expect, it} from 'vitest'
import Bootstrap from '../../src/commands/bootstrap.js'
import GatewayConfigure from '../../src/commands/gateway/configure.js'
import PeerAdd from '../../src/commands/peer/add.js'
import TailscaleJoin from '../../src/commands/tailscale/join.js'
import WatchdogInstall from '../../src/commands/watchdog/install.js'
import {decodeInvite} from '../../src/core/pairing/hooks-invite.js'
import {dnsLabelProblem} from '../../src/core/common/validate.js'
import {runCli} from '../helpers/built-cli.js'
import {runCommand, type CommandClass} from '../helpers/run-command.js'
import {tempDir} from '../helpers/fakes/index.js'

/** A small seeded PRNG (mulberry32): the corpus is the same on every run. */
function prng(seed: number) {
  let a = seed >>> 0
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (n: number) => Math.floor(next() * n)
  const pick = <T>(xs: readonly T[]) => xs[int(xs.length)]
  const str = (alphabet: string, min: number, max: number) =>
    Array.from({length: min + int(max - min + 1)}, () => alphabet[int(alphabet.length)]).join('')
  return {next, int, pick, str}
}

const SEED = 20261121
const r = prng(SEED)
const NASTY = 'abcXYZ019-_.:/ @!$%^&*()[]{}<>|\\"\'`~\u00e9\u00fc\u4e2d\u200b\n\t'
const VALID_CONFIG =
  '{\n  // agents and channels the user already has\n  agents: {defaults: {model: "anthropic/claude"}},\n  gateway: {port: 18789, mode: "local"},\n}\n'

interface Case {
  kind: string
  cmd: CommandClass
  argv: string[]
  stdin?: string
  /** A file to put in place before the run (malformed openclaw.json). */
  config?: string
  /** A file whose content is given as file:PATH (written to <home>/input), never to be echoed. */
  file?: string
  /** A value that must never appear in the output (a secret inside the input). */
  secret?: string
}

function invalidLabel(): string {
  for (;;) {
    const v = r.pick([
      () => r.str(NASTY, 0, 80),
      () => `-${r.str('abc', 1, 5)}`,
      () => 'a'.repeat(55 + r.int(40)),
      () => r.str('ABCDEF', 1, 8),
      () => `${r.str('abc', 1, 4)}_${r.str('abc', 1, 4)}`,
    ])()
    if (dnsLabelProblem(v) !== undefined && !v.startsWith('-')) return v
    if (v.startsWith('-')) return v
  }
}

function badUrl(): string {
  return r.pick([
    () => `http://${r.int(223) + 1}.${r.int(255)}.${r.int(255)}.${r.int(255)}:18789`, // public http
    () => `http://192.168.${r.int(255)}.${r.int(255)}:18789`,
    () => `ftp://100.64.0.${r.int(255)}/`,
    () => `http://user:pass@100.64.0.1:18789`,
    () => `http://100.64.0.1:18789/?token=${r.str('abc', 5, 10)}`,
    () => `http://100.64.0.1:${70000 + r.int(1000)}`,
    () => r.str(NASTY, 1, 60),
    () => `http://example.${r.pick(['com', 'org', 'net'])}:18789`,
    () => `javascript:alert(${r.int(9)})`,
    () => `http://${'a'.repeat(300)}.ts.net`,
  ])()
}

function badInvite(): string {
  const body = Buffer.from(
    JSON.stringify({
      name: 'clawd',
      hostname: 'openclaw-clawd',
      url: 'http://100.88.12.7:18789',
      hooksToken: 'h'.repeat(43),
      createdAt: '2026-11-21T00:00:00Z',
      check: r.str('0123456789abcdef', 16, 16),
    }),
  ).toString('base64url')
  return r.pick([
    () => `claw-mesh-invite:v1:${body}`, // tampered: the checksum does not match
    () => `claw-mesh-invite:v1:${body.slice(0, r.int(body.length))}`, // truncated
    () => `claw-mesh-invite:v${2 + r.int(7)}:${body}`, // newer version
    () => `claw-mesh-invite:v1:${r.str(NASTY, 0, 100)}`,
    () => `claw-mesh-invite:v1:${'A'.repeat(5000 + r.int(5000))}`, // oversized
    () => `claw-mesh-invite:${body}`,
    () => r.str(NASTY, 0, 200),
    () => `claw-mesh-invite:v1:${Buffer.from('{"name":1}').toString('base64url')}`,
  ])()
}

/** Peer URLs that point back at this machine, at a metadata service, or outside the tailnet from an invite (#16). */
function localUrl(): string {
  return r.pick([
    () => `http://127.${r.int(255)}.${r.int(255)}.${1 + r.int(254)}:${1 + r.int(65535)}`,
    () => `https://127.0.0.1:${1 + r.int(65535)}`,
    () => `http://localhost:${1 + r.int(65535)}`,
    () => `http://[::1]:${1 + r.int(65535)}`,
    () => `http://[::ffff:127.0.0.${1 + r.int(254)}]:18789`,
    () => `http://169.254.${r.int(255)}.${r.int(255)}/latest/meta-data`,
    () => `https://[fe80::${r.int(65535).toString(16)}]:18789`,
    () => `http://${r.str('abc', 3, 8)}.localhost:18789`,
  ])()
}

/** A well-formed, correctly checksummed invite whose URL is loopback, link-local or an https host outside the tailnet. */
function invitePointingAway(token: string): string {
  const fields = {
    name: 'clawd',
    hostname: 'openclaw-clawd',
    url: r.pick([localUrl, () => `https://${r.str('abcdefgh', 3, 10)}.example.com`])(),
    hooksToken: token,
    createdAt: '2026-11-21T00:00:00Z',
  }
  // Signed the way claw-mesh signs (sha256 over the sorted fields): only the URL is wrong.
  const check = createHash('sha256')
    .update(JSON.stringify(Object.fromEntries(Object.entries(fields).sort(([a], [b]) => a.localeCompare(b)))))
    .digest('hex')
    .slice(0, 16)
  return `claw-mesh-invite:v1:${Buffer.from(JSON.stringify({...fields, check})).toString('base64url')}`
}

/** A webhook alert target with a credential in it (path, query or user:password) that is invalid in some other way (#12). */
function badWebhook(secret: string): string {
  return r.pick([
    () => `webhook:http://hooks.${r.str('abc', 3, 8)}.com/services/T0/B0/${secret}`,
    () => `webhook:https://user:${secret}@hooks.example.com/x`,
    () => `webhook:ftp://hooks.example.com/${secret}`,
    () => `webhook:https://hooks example.com/${secret}`,
  ])()
}

function badKey(): string {
  return r.pick([
    () => r.str(NASTY, 1, 60),
    () => `tskey-auth-${r.str('abc', 3, 8)} ${r.str('abc', 3, 8)}`,
    () => `key-${r.str('abcdef0123', 10, 30)}`,
    () => 'tskey-',
    () => `tskey-client-k${r.str('abc', 5, 9)}CNTRL-${r.str('abc', 10, 20)}`,
  ])()
}

function badPort(): string {
  return r.pick([
    () => String(65536 + r.int(100000)),
    () => String(-r.int(1000)),
    () => '0',
    () => r.str('abcxyz.', 1, 6),
    () => `${r.int(9)}.${r.int(9)}`,
  ])()
}

/** A corruption of a valid openclaw.json that is no longer a JSON5 object (some edits land in a comment: retried). */
function badConfig(): string {
  for (;;) {
    const text = corruptConfig()
    try {
      const parsed: unknown = JSON5.parse(text)
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return text
    } catch {
      return text
    }
  }
}

function corruptConfig(): string {
  return r.pick([
    () => VALID_CONFIG.slice(0, 5 + r.int(VALID_CONFIG.length - 10)), // truncated
    () => {
      const at = r.int(VALID_CONFIG.length)
      return VALID_CONFIG.slice(0, at) + r.pick(['{', '"', ']', ':', ',,', '@', '}}']) + VALID_CONFIG.slice(at)
    },
    () => `[${VALID_CONFIG}]`, // valid JSON5 but not an object
    () => r.str(NASTY, 1, 200),
  ])()
}

function corpus(): Case[] {
  const cases: Case[] = []
  for (let i = 0; i < 110; i++)
    cases.push({kind: 'identity', cmd: Bootstrap, argv: ['bootstrap', '--identity', invalidLabel(), '--dry-run']})
  for (let i = 0; i < 90; i++)
    cases.push({kind: 'hostname', cmd: TailscaleJoin, argv: ['tailscale', 'join', '--hostname', invalidLabel()]})
  for (let i = 0; i < 100; i++)
    cases.push({kind: 'peer-url', cmd: PeerAdd, argv: ['peer', 'add', badUrl(), '--name', 'clawd']})
  for (let i = 0; i < 100; i++)
    cases.push({kind: 'invite', cmd: PeerAdd, argv: ['peer', 'add', '--invite', '-'], stdin: badInvite()})
  for (let i = 0; i < 50; i++)
    cases.push({
      kind: 'tailscale-key',
      cmd: TailscaleJoin,
      argv: ['tailscale', 'join', '--hostname', 'openclaw-nova', '--tailscale-key', '-'],
      stdin: badKey(),
    })
  for (let i = 0; i < 40; i++)
    cases.push({kind: 'port', cmd: GatewayConfigure, argv: ['gateway', 'configure', '--port', badPort(), '--dry-run']})
  for (let i = 0; i < 60; i++)
    cases.push({
      kind: 'openclaw.json',
      cmd: GatewayConfigure,
      argv: ['gateway', 'configure', '--dry-run'],
      config: badConfig(),
    })
  for (let i = 0; i < 50; i++)
    cases.push({kind: 'local-url', cmd: PeerAdd, argv: ['peer', 'add', localUrl(), '--name', 'clawd']})
  for (let i = 0; i < 40; i++) {
    const token = `h${r.str('abcdefghijklmnopqrstuvwxyz0123456789', 40, 48)}`
    cases.push({
      kind: 'invite-away',
      cmd: PeerAdd,
      argv: ['peer', 'add', '--invite', '-'],
      stdin: invitePointingAway(token),
      secret: token,
    })
  }
  for (let i = 0; i < 40; i++) {
    const secret = `S${r.str('ABCDEFGHJKLMNPQRSTUVWXYZ0123456789', 24, 32)}`
    cases.push({
      kind: 'alert-webhook',
      cmd: WatchdogInstall,
      argv: ['watchdog', 'install', '--alert', badWebhook(secret), '--print'],
      secret,
    })
  }
  for (let i = 0; i < 30; i++) {
    // A mesh secret or hooks token saved in the wrong file: no shape the redactor knows, so only not quoting it protects it.
    const secret = r.str('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-', 40, 48)
    cases.push({
      kind: 'peer-file-secret',
      cmd: Bootstrap,
      argv: ['bootstrap', '--identity', 'nova', '--dry-run', '--peer', 'file:INPUT'],
      file: r.pick([secret, `${secret}\n`, `key=${secret}`, `${r.str(NASTY, 0, 20)}${secret}`]),
      secret,
    })
  }
  return cases
}

function snapshot(dir: string): string {
  const h = createHash('sha256')
  for (const f of readdirSync(dir, {recursive: true}).map(String).sort()) {
    const p = path.join(dir, f)
    const st = statSync(p)
    h.update(`${f}:${st.mode}:${st.isFile() ? readFileSync(p).toString('base64') : 'dir'}\n`)
  }
  return h.digest('hex')
}

const counts: Record<string, number> = {}
afterAll(() =>
  console.info(
    `hostile input (seed ${SEED}): ${Object.values(counts).reduce((a, b) => a + b, 0)} cases — ${JSON.stringify(counts)}`,
  ),
)

describe(`hostile input: a generated corpus (seed ${SEED}) through the CLI`, () => {
  const cases = corpus()

  it('has at least 650 cases across every kind of input', () => {
    expect(cases.length).toBeGreaterThanOrEqual(650)
    // The invites pointing away are well-formed: accepted once the URL rule is lifted, so the URL is what is refused.
    for (const c of cases.filter((x) => x.kind === 'invite-away'))
      expect(decodeInvite(c.stdin!, {allowInsecureUrl: true}).hooksToken).toBe(c.secret)
  })

  it('every case is a clear usage error (exit 2), no stack trace, no secret echoed, nothing written', async () => {
    const failures: string[] = []
    for (const [i, c] of cases.entries()) {
      const home = tempDir('hostile').path
      const configPath = path.join(home, '.openclaw', 'openclaw.json')
      if (c.config !== undefined) {
        mkdirSync(path.dirname(configPath), {recursive: true})
        writeFileSync(configPath, c.config, {mode: 0o600})
      }
      const input = path.join(home, 'input')
      if (c.file !== undefined) writeFileSync(input, c.file, {mode: 0o600})
      const argv = c.argv.map((a) => a.replace('file:INPUT', `file:${input}`))
      const before = snapshot(home)
      const run = await runCommand(c.cmd, argv.slice(c.argv[0] === 'bootstrap' || c.argv[0] === 'invite' ? 1 : 2), {
        env: {
          HOME: home,
          CLAW_MESH_HOME: path.join(home, 'cm'),
          CLAW_MESH_SECRET_STORE: 'file',
          CLAW_MESH_TAILSCALE: '/nonexistent/tailscale',
          PATH: '/nonexistent',
        },
        stdin: c.stdin,
        platform: 'linux',
      })
      const problems: string[] = []
      if (run.exitCode !== 2) problems.push(`exit ${run.exitCode}`)
      if (!/^Error: .+/m.test(run.stderr)) problems.push('no "Error:" line')
      if (!/→ /.test(run.stderr) && c.kind !== 'port') problems.push('no hint')
      if (/\n\s+at .+:\d+:\d+\)?\n/.test(run.stderr)) problems.push('stack trace')
      if (snapshot(home) !== before) problems.push('wrote to disk')
      if (c.stdin && c.stdin.length >= 20 && run.stderr.includes(c.stdin.trim()))
        problems.push('echoed the secret input')
      if (c.secret && (run.stdout + run.stderr).includes(c.secret.slice(-16)))
        problems.push('echoed a secret inside the input')
      if (problems.length > 0)
        failures.push(
          `#${i} ${c.kind} ${JSON.stringify(c.argv).slice(0, 120)}: ${problems.join(', ')}\n   ${run.stderr.split('\n').slice(0, 3).join('\n   ')}`,
        )
      counts[c.kind] = (counts[c.kind] ?? 0) + 1
    }
    expect(failures.slice(0, 15).join('\n')).toBe('')
  }, 240_000)

  it('a sample through the built binary behaves the same (exit 2, one JSON error document)', async () => {
    const sample = cases.filter((_, i) => i % 50 === 0 && cases[i].config === undefined && cases[i].file === undefined)
    for (const c of sample) {
      const home = tempDir('hostile-bin').path
      const run = await runCli([...c.argv, '--json'], {
        env: {
          HOME: home,
          CLAW_MESH_HOME: path.join(home, 'cm'),
          CLAW_MESH_SECRET_STORE: 'file',
          CLAW_MESH_TAILSCALE: '/nonexistent/tailscale',
        },
        input: c.stdin,
      })
      expect(run.exitCode, `${c.kind}: ${run.stderr}`).toBe(2)
      expect(run.json()).toMatchObject({ok: false, error: {exitCode: 2}})
    }
  }, 120_000)
})

/**
 * Hostile host state (issue 11): a state directory or file someone else could have written is refused before it is
 * read, with exit 3 and `insecure-state`, whatever the command. The deeper attacks (planted alert, squatter,
 * signals) are in host-attacks.test.ts and port-squat.test.ts.
 */
describe('hostile input: planted claw-mesh state', () => {
  const planted: [string, (dir: string) => void][] = [
    ['a state dir writable by everyone', (dir) => chmodSync(dir, 0o777)],
    ['a state dir writable by its group', (dir) => chmodSync(dir, 0o770)],
    ['a state.json writable by others', (dir) => chmodSync(path.join(dir, 'state.json'), 0o666)],
    [
      'a state.json that is a symlink',
      (dir) => {
        renameSync(path.join(dir, 'state.json'), path.join(dir, 'real.json'))
        symlinkSync(path.join(dir, 'real.json'), path.join(dir, 'state.json'))
      },
    ],
    ...(process.getuid?.() === 0
      ? ([
          [
            'a state.json owned by another user',
            (dir: string) => chownSync(path.join(dir, 'state.json'), 65534, 65534),
          ],
        ] as [string, (dir: string) => void][])
      : []),
  ]
  // status and doctor report an unreadable state as a finding and use none of it; these act on it, so they refuse.
  const commands = [
    ['peer', 'list'],
    ['watchdog', 'run'],
    ['leave', '--yes'],
    ['gateway', 'start'],
  ]

  it.each(planted)(
    '%s: every command refuses it (exit 3, insecure-state) and changes nothing',
    async (_name, plant) => {
      for (const argv of commands) {
        const home = tempDir('hostile-state').path
        const dir = path.join(home, 'cm')
        mkdirSync(dir, {mode: 0o700})
        writeFileSync(
          path.join(dir, 'state.json'),
          JSON.stringify({peers: {}, alert: `command:${path.join(home, 'evil')}`}),
          {mode: 0o600},
        )
        plant(dir)
        const before = readdirSync(dir).sort()
        const run = await runCli([...argv, '--json'], {
          env: {
            HOME: home,
            CLAW_MESH_HOME: dir,
            CLAW_MESH_SECRET_STORE: 'file',
            CLAW_MESH_TAILSCALE: '/nonexistent/tailscale',
          },
        })
        expect(run.exitCode, `${argv.join(' ')}: ${run.stderr}`).toBe(3)
        expect(run.json()).toMatchObject({ok: false, error: {code: 'insecure-state', hint: expect.any(String)}})
        expect(run.stderr).not.toMatch(/\n\s+at /)
        expect(readdirSync(dir).sort()).toEqual(before)
      }
    },
    120_000,
  )
})
