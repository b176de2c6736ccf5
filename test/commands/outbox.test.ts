import {existsSync, writeFileSync} from 'node:fs'
import path from 'node:path'
import {describe, expect, it} from 'vitest'
import Outbox from '../../src/commands/outbox/list.js'
import OutboxCancel from '../../src/commands/outbox/cancel.js'
import OutboxRetry from '../../src/commands/outbox/retry.js'
import type {OutboxListItem, OutboxSummaryFile} from '../../src/core/mesh/mesh-audit.js'
import {createMemoryStateStore} from '../../src/infra/state-store.js'
import {runCommand} from '../helpers/run-command.js'
import {tempDir} from '../helpers/fakes/index.js'

const ID_Q = '11111111-1111-4111-8111-111111111111'
const ID_A = '22222222-2222-4222-8222-222222222222'
const item = (id: string, state: string, peer = 'nova'): OutboxListItem => ({
  id,
  peer,
  kind: 'send',
  state,
  createdAt: '2026-12-07T01:00:00.000Z',
  updatedAt: '2026-12-07T01:00:05.000Z',
  attempts: 3,
  thread: 'cm-h1-abcdef123456-x',
  reason: state === 'queued' ? 'ECONNREFUSED' : undefined,
})

function home(): string {
  const dir = tempDir('outbox').path
  const summary: OutboxSummaryFile = {
    updatedAt: '2026-12-07T01:00:06.000Z',
    queued: 1,
    awaitingReply: 0,
    dead: 0,
    backend: 'openclaw-state-store',
    items: [item(ID_Q, 'queued'), item(ID_A, 'answered', 'clawd')],
  }
  writeFileSync(path.join(dir, 'mesh-outbox.json'), JSON.stringify(summary))
  return dir
}
const opts = (dir: string) => ({store: createMemoryStateStore(), env: {CLAW_MESH_HOME: dir}})

describe('claw-mesh outbox', () => {
  it('lists what is still open, and everything with --all', async () => {
    const dir = home()
    const open = await runCommand(Outbox, [], opts(dir))
    expect(open.stdout).toContain('1 queued, 0 awaiting a reply, 0 undelivered')
    expect(open.stdout).toContain(`${ID_Q}  → nova  send  queued`)
    expect(open.stdout).not.toContain(ID_A)
    const all = await runCommand(Outbox, ['--all', '--json'], opts(dir))
    expect(all.json<{items: OutboxListItem[]}>().items.map((i) => i.id)).toEqual([ID_Q, ID_A])
  })

  it('leaves a cancel request for the plugin', async () => {
    const dir = home()
    const r = await runCommand(OutboxCancel, [ID_Q], opts(dir))
    expect(r.exitCode).toBe(0)
    expect(existsSync(path.join(dir, 'mesh-outbox-requests', `cancel-${ID_Q}`))).toBe(true)
  })

  it.each([
    [OutboxRetry, ID_A, /is answered: only queued or dead messages can be retried/],
    [OutboxCancel, '33333333-3333-4333-8333-333333333333', /No mesh message with id/],
  ])('refuses what cannot be done (exit 2, nothing written)', async (cmd, id, message) => {
    const dir = home()
    const r = await runCommand(cmd, [id], opts(dir))
    expect(r.exitCode).toBe(2)
    expect(r.stderr).toMatch(message)
    expect(existsSync(path.join(dir, 'mesh-outbox-requests'))).toBe(false)
  })
})
