import {describe, expect, it} from 'vitest'
import Log from '../../src/commands/log.js'
import {auditLine, type AuditRecord} from '../../src/core/mesh/mesh-audit.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {runCommand} from '../helpers/run-command.js'
import {tempDir} from '../helpers/fakes/index.js'

const rec = (over: Partial<AuditRecord>): AuditRecord => ({
  at: '2026-12-07T01:00:00.000Z',
  id: 'm1',
  peer: 'nova',
  direction: 'out',
  kind: 'ask',
  event: 'answered',
  hop: 1,
  bytesOut: 12,
  latencyMs: 900,
  ...over,
})

function home(lines: string, older = ''): string {
  const dir = tempDir('log')
  dir.write('mesh-audit.jsonl', lines)
  if (older) dir.write('mesh-audit.jsonl.1', older)
  return dir.path
}

const run = (dir: string, argv: string[]) =>
  runCommand(Log, argv, {store: createMemoryStateStore(), env: {CLAW_MESH_HOME: dir}})

describe('claw-mesh log', () => {
  it('prints one line per message, oldest first, across a rotation', async () => {
    const dir = home(
      auditLine(rec({id: 'm2', peer: 'clawd', event: 'queued', kind: 'send'}), false),
      auditLine(rec({}), false),
    )
    const r = await run(dir, [])
    expect(r.exitCode).toBe(0)
    expect(r.stdout.trim().split('\n')).toEqual([
      '2026-12-07T01:00:00.000Z  → nova  ask  answered  m1  hop 1  12 B out  900 ms',
      '2026-12-07T01:00:00.000Z  → clawd  send  queued  m2  hop 1  12 B out  900 ms',
    ])
  })

  it('filters by peer and prints one JSON document', async () => {
    const dir = home(auditLine(rec({}), false) + auditLine(rec({id: 'm2', peer: 'clawd'}), false))
    const r = await run(dir, ['--peer', 'clawd', '--json'])
    const doc = r.json<{ok: boolean; records: AuditRecord[]}>()
    expect(doc.records.map((x) => x.id)).toEqual(['m2'])
  })

  it('strips terminal controls a peer put in its name', async () => {
    const dir = home(auditLine(rec({peer: 'evil\u001b]0;pwned\u0007'}), false))
    const r = await run(dir, [])
    expect(r.stdout).toContain('→ evil  ask')
    expect(r.stdout).not.toContain('\u001b')
  })

  it('refuses --follow with --json (exit 2)', async () => {
    const r = await run(home(''), ['--follow', '--json'])
    expect(r.exitCode).toBe(2)
  })

  it('says when nothing was logged yet', async () => {
    const r = await run(home(''), [])
    expect(r.exitCode).toBe(0)
    expect(r.stderr).toMatch(/No mesh messages logged yet/)
  })
})
