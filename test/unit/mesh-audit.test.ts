import {describe, expect, it} from 'vitest'
import {
  auditLine,
  filterAudit,
  formatAuditRecord,
  needsRotation,
  parseAuditLines,
  rotationSteps,
  type AuditRecord,
} from '../../src/core/mesh/mesh-audit.js'

const rec: AuditRecord = {
  at: '2026-12-07T00:00:00.000Z',
  id: 'm1',
  peer: 'b',
  direction: 'out',
  kind: 'ask',
  event: 'answered',
  hop: 1,
  bytesOut: 5,
  latencyMs: 80,
  body: 'hello',
  reply: 'hi',
}

describe('audit log', () => {
  it.each([
    [0, 100, 50, false],
    [40, 10, 50, false],
    [41, 10, 50, true],
  ])('a %i-byte file and a %i-byte line with a %i-byte cap rotate: %s', (size, line, max, expected) => {
    expect(needsRotation(size, line, max)).toBe(expected)
  })

  it('rotates oldest first and keeps three generations', () => {
    expect(rotationSteps('/s/log', 3)).toEqual([
      {from: '/s/log.2', to: '/s/log.3'},
      {from: '/s/log.1', to: '/s/log.2'},
      {from: '/s/log', to: '/s/log.1'},
    ])
  })

  it('leaves bodies out unless asked', () => {
    expect(JSON.parse(auditLine(rec, false))).not.toHaveProperty('body')
    expect(JSON.parse(auditLine(rec, false))).not.toHaveProperty('reply')
    expect(JSON.parse(auditLine(rec, true))).toMatchObject({body: 'hello', reply: 'hi'})
  })

  it('reads back records, skipping torn lines, and filters by peer', () => {
    const text = `${auditLine(rec, false)}{"torn\n${auditLine({...rec, id: 'm2', peer: 'c'}, false)}not json\n`
    const records = parseAuditLines(text)
    expect(records.map((r) => r.id)).toEqual(['m1', 'm2'])
    expect(filterAudit(records, {peer: 'c'}).map((r) => r.id)).toEqual(['m2'])
  })

  it('prints a line with peer text stripped of controls', () => {
    expect(formatAuditRecord({...rec, peer: 'b\u001b[31m', reason: 'x\u0007y'})).toBe(
      '2026-12-07T00:00:00.000Z  → b  ask  answered  m1  hop 1  5 B out  80 ms  (xy)',
    )
  })
})
