import {execFileSync, spawnSync} from 'node:child_process'
import {writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import {
  escapeTemplateValues,
  renderArgv,
  systemdQuote,
  windowsQuote,
  xmlEscape,
} from '../../src/core/lifecycle/template-escape.js'
import {encodeFile} from '../../src/core/os/windows-file-encoding.js'
import {createDeps} from '../../src/deps.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {platformAdapter} from '../../src/platform/index.js'
import {cliEntryPath} from '../../src/services/gateway/secret-wiring.js'
import {renderSkill} from '../../src/services/skill/install.js'
import {renderWatchdogFiles} from '../../src/services/watchdog/units.js'
import {requireTool} from '../helpers/tools.js'
import {tempDir} from '../helpers/fakes/index.js'

const dir = tempDir('templates').path

describe('escaping', () => {
  it.each<[string, string]>([
    ['plain', '"plain"'],
    ['a b', '"a b"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['C:\\dir', '"C:\\\\dir"'],
    ['100%', '"100%%"'],
  ])('systemd %j → %s', (value, expected) => {
    expect(systemdQuote(value)).toBe(expected)
  })
  it('doubles $ in systemd command lines only', () => {
    expect(systemdQuote('$HOME', {command: true})).toBe('"$$HOME"')
    expect(systemdQuote('$HOME')).toBe('"$HOME"')
  })
  it('refuses a newline, which would start a new unit directive', () => {
    expect(() => systemdQuote('a\nExecStartPre=/bin/evil')).toThrow(/control character/)
  })
  it.each<[string, string]>([
    ['plain', 'plain'],
    ['a b', '"a b"'],
    ['say "hi"', '"say \\"hi\\""'],
    ['C:\\Program Files\\', '"C:\\Program Files\\\\"'],
    ['', '""'],
  ])('windows %j → %s', (value, expected) => {
    expect(windowsQuote(value)).toBe(expected)
  })
  it('escapes XML', () => {
    expect(xmlEscape(`a&b<c>"d'`)).toBe('a&amp;b&lt;c&gt;&quot;d&apos;')
  })
  it('escapes every leaf and wraps lists of strings', () => {
    expect(
      escapeTemplateValues(
        {a: 'x&y', n: 3, list: ['<', '>'], obj: {k: '"'}, cmd: {argv: ['a b', 'c'], style: 'windows'}},
        'xml',
      ),
    ).toEqual({
      a: 'x&amp;y',
      n: 3,
      list: [{value: '&lt;'}, {value: '&gt;'}],
      obj: {k: '&quot;'},
      cmd: '&quot;a b&quot; c',
    })
    expect(renderArgv({argv: ['/usr/bin/node', '/x y/run.js'], style: 'systemd'})).toBe('"/usr/bin/node" "/x y/run.js"')
  })
})

// A state dir with a space, a quote, a percent sign and an ampersand: every format must carry it intact.
const nastyState = path.join(dir, 'state "x" 100% & co')
const schedule = {intervalSec: 120, failures: 3, cooldownSec: 1800}

function rendered(platform: 'linux' | 'darwin' | 'win32', stateDir = nastyState) {
  const deps = createDeps({
    env: {PATH: '/usr/bin:/bin', HOME: dir, CLAW_MESH_HOME: stateDir, OPENCLAW_STATE_DIR: '/srv/openclaw'},
    platform,
    store: createMemoryStateStore(),
  })
  // createDeps resolves CLAW_MESH_HOME with this host's path rules; a simulated Windows state dir is set as is.
  return renderWatchdogFiles({...deps, stateDir, home: platform === 'win32' ? 'C:\\Users\\a b' : dir}, schedule)
}

describe('watchdog unit files', () => {
  it('systemd: a oneshot service with absolute node and bin/run.js paths, CLAW_MESH_HOME, and a timer', () => {
    const {files} = rendered('linux')
    expect(files.map((f) => path.basename(f.path))).toEqual(['claw-mesh-watchdog.service', 'claw-mesh-watchdog.timer'])
    const [service, timer] = files
    expect(service.path).toBe(path.join(dir, '.config/systemd/user/claw-mesh-watchdog.service'))
    expect(service.content).toContain(
      `ExecStart="${process.execPath}" "${cliEntryPath()}" "watchdog" "run" "--failures" "3" "--cooldown" "1800s"`,
    )
    expect(service.content).toContain(
      `Environment="CLAW_MESH_HOME=${nastyState.replace(/"/g, '\\"').replace('%', '%%')}"`,
    )
    expect(service.content).toContain('Environment="OPENCLAW_STATE_DIR=/srv/openclaw"')
    expect(service.content).toMatch(new RegExp(`Environment="PATH=${path.dirname(process.execPath)}:/usr/bin:/bin"`))
    expect(timer.content).toMatch(/OnUnitActiveSec=120\n/)
    expect(timer.content).toMatch(/WantedBy=timers.target/)
  })

  it('passes systemd-analyze verify', () => {
    const analyze = requireTool('systemd-analyze', 'systemd')
    if (!analyze) return
    const unitDir = path.join(dir, 'units')
    execFileSync('mkdir', ['-p', unitDir])
    const {files} = rendered('linux')
    for (const f of files) writeFileSync(path.join(unitDir, path.basename(f.path)), f.content)
    const r = spawnSync(analyze, ['verify', ...files.map((f) => path.join(unitDir, path.basename(f.path)))], {
      encoding: 'utf8',
    })
    expect(r.stderr.split('\n').filter((l) => l.includes('claw-mesh-watchdog'))).toEqual([])
    expect(r.status).toBe(0)
  })

  it('launchd: a LaunchAgent plist that xmllint accepts', () => {
    const {files} = rendered('darwin')
    expect(files).toHaveLength(1)
    const plist = files[0]
    expect(plist.path).toBe(path.join(dir, 'Library/LaunchAgents/ai.claw-mesh.watchdog.plist'))
    expect(plist.content).toContain(
      `<string>${process.execPath}</string>\n    <string>${cliEntryPath()}</string>\n    <string>watchdog</string>`,
    )
    expect(plist.content).toContain(
      `<key>CLAW_MESH_HOME</key>\n    <string>${nastyState.replace('&', '&amp;').replace(/"/g, '&quot;')}</string>`,
    )
    expect(plist.content).toMatch(/<key>StartInterval<\/key>\n {2}<integer>120<\/integer>/)
    const xmllint = requireTool('xmllint', 'libxml2-utils')
    if (!xmllint) return
    const file = path.join(dir, 'watchdog.plist')
    writeFileSync(file, plist.content)
    const r = spawnSync(xmllint, ['--noout', '--nonet', file], {encoding: 'utf8'})
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    // The parsed value is the original string: the escaping round-trips.
    const v = spawnSync(
      xmllint,
      ['--nonet', '--xpath', 'string(//key[.="CLAW_MESH_HOME"]/following-sibling::string[1])', file],
      {encoding: 'utf8'},
    )
    expect(v.stdout.replace(/\n$/, '')).toBe(nastyState)
  })

  it('Windows: Task Scheduler XML that xmllint accepts, starting the hidden launcher that runs node with an env file', () => {
    const winState = 'C:\\Users\\a b\\AppData\\Local\\claw-mesh & co'
    const {files} = rendered('win32', winState)
    expect(files.map((f) => f.path)).toEqual([
      `${winState}\\claw-mesh-watchdog.xml`,
      `${winState}\\claw-mesh-watchdog.vbs`,
      `${winState}\\watchdog.env`,
    ])
    const [task, launcher, env] = files
    expect(task.content).toContain('<Interval>PT2M</Interval>')
    expect(task.content).toContain(
      `<Arguments>//B //NoLogo &quot;C:\\Users\\a b\\AppData\\Local\\claw-mesh &amp; co\\claw-mesh-watchdog.vbs&quot;</Arguments>`,
    )
    expect(launcher.content).toContain(
      `${process.execPath} ""--env-file=C:\\Users\\a b\\AppData\\Local\\claw-mesh & co\\watchdog.env"" ${cliEntryPath()} watchdog run --failures 3 --cooldown 1800s", 0, True)`,
    )
    expect(env.content).toContain(`CLAW_MESH_HOME='${winState}'\n`)
    expect(env.mode).toBe(0o600)
    const xmllint = requireTool('xmllint', 'libxml2-utils')
    if (!xmllint) return
    const file = path.join(dir, 'task.xml')
    writeFileSync(file, encodeFile(task.content, task.encoding))
    const r = spawnSync(xmllint, ['--noout', '--nonet', file], {encoding: 'utf8'})
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
  })

  it('renders the same bytes twice (install can tell nothing changed)', () => {
    expect(rendered('linux')).toEqual(rendered('linux'))
    expect(rendered('win32')).toEqual(rendered('win32'))
  })
})

describe('the skill', () => {
  it('has OpenClaw skill frontmatter, teaches the mesh tools first and a fallback that never puts a message on argv', () => {
    const deps = createDeps({
      env: {PATH: '/nonexistent', CLAW_MESH_HOME: '/srv/claw mesh'},
      platform: 'linux',
      store: createMemoryStateStore({identity: 'nova'}),
    })
    const text = renderSkill(deps)
    const front = /^---\nname: claw-mesh\ndescription: ([^\n]+)\n---\n/.exec(text)
    expect(front).not.toBeNull()
    expect(front![1].length).toBeLessThan(160)
    for (const tool of [
      '**`mesh_peers`**',
      '**`mesh_ask`** `{peer, message, thread?}`',
      '**`mesh_send`** `{peer, message, thread?}`',
      '**`mesh_task`**',
    ])
      expect(text).toContain(tool)
    expect(text.indexOf('mesh_ask')).toBeLessThan(text.indexOf('Only without the mesh tools'))
    const cli = `CLAW_MESH_HOME='/srv/claw mesh' '${process.execPath}' '${cliEntryPath()}'`
    expect(text).toMatch(
      new RegExp(
        `${cli.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} ask --timeout 110s -- PEER - <<'CLAW_MESH_END_[0-9A-F]{16}'\n`,
      ),
    )
    for (const cmd of ['send -- PEER - <<', 'task PEER TASK_ID', 'peer list --json', 'file send PEER', 'file get'])
      expect(text).toContain(`${cli} ${cmd}`)
    // No claw-mesh command takes its message as an argument any more, and none runs a bare claw-mesh.
    expect(text).not.toMatch(/ (ask|send|broadcast) (PEER|NAME)? ?"/)
    expect(text).not.toMatch(/^claw-mesh /m)
    expect(text).toContain('you ({{identity}})'.replace('{{identity}}', 'nova'))
    expect(text).toMatch(/Your answer in this turn \*\*is\*\* the reply/)
    expect(text).toMatch(/Morning hand-off/)
    expect(text).not.toMatch(/\{\{/)
    expect(text).not.toMatch(/Bearer|hooks\.token/)
  })

  it('keeps its heredoc delimiter across re-renders when asked to, and picks a new random one otherwise', () => {
    const deps = createDeps({env: {PATH: '/x'}, platform: 'linux', store: createMemoryStateStore({identity: 'nova'})})
    const first = renderSkill(deps)
    const delimiter = /CLAW_MESH_END_[0-9A-F]{16}/.exec(first)![0]
    expect(renderSkill(deps, {delimiter})).toBe(first)
    expect(renderSkill(deps)).not.toBe(first)
  })
})

// Kept apart so a missing platform module is reported clearly.
it('every platform has a watchdog mechanism', () => {
  expect(['linux', 'darwin', 'win32'].map((p) => platformAdapter(p).watchdog.mechanism)).toEqual([
    'systemd user timer',
    'launchd LaunchAgent',
    'Scheduled Task',
  ])
})
