import {describe, expect, it} from 'vitest'
import {checkOutgoingBody, incomingText, wakeText} from '../../src/core/mesh/mesh-body.js'

describe('outgoing mesh bodies', () => {
  const secrets = ['tok_abcdefghijklmnop', 'short']
  it.each<[string, string, string | true]>([
    ['plain text', 'run the tests please', true],
    ['empty after stripping', '\u001b[2J  ', 'empty'],
    ['a slash command', '/reset', 'slash'],
    ['a gateway token inside', 'here: tok_abcdefghijklmnop ok', 'secret'],
    ['a short secret is not matched in ordinary words', 'a short note', true],
    ['too large', 'x'.repeat(33 * 1024), 'too-large'],
  ])('%s', (_name, body, expected) => {
    const v = checkOutgoingBody(body, secrets)
    if (expected === true) expect(v.ok).toBe(true)
    else expect(v).toMatchObject({ok: false, code: expected})
  })

  it('strips terminal controls and bidi overrides on the way in', () => {
    expect(checkOutgoingBody('hi\u001b]0;title\u0007 there\u202e', [])).toEqual({ok: true, text: 'hi there'})
  })
})

describe('incoming replies and wake-up text', () => {
  it('caps a long reply and says so', () => {
    const text = incomingText('é'.repeat(100), 11)
    expect(text).toBe(`${'é'.repeat(5)}\n[… cut at 11 bytes]`)
  })
  it('names the peer and the task, and cuts the preview', () => {
    expect(wakeText('nova', 'id1', 'all green', 'answered')).toBe('nova answered (mesh task id1): all green')
    expect(wakeText('nova', 'id1', 'y'.repeat(700), 'answered')).toMatch(
      /^nova answered \(mesh task id1\): y{600}… — read it all with mesh_task\.$/,
    )
    expect(wakeText('nova', 'id1', undefined, 'dead')).toContain('dead letter')
  })
})
