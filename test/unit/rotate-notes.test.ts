import {describe, expect, it} from 'vitest'
import {hooksRotationNotes} from '../../src/core/secrets/rotate-notes.js'

const a2a = {url: 'http://100.64.0.2:18789/a2a', pairedBy: 'invite' as const, pairedAt: '2026-12-01T00:00:00Z'}
const peer = (name: string, messaging: boolean, paired: boolean) => ({
  name,
  url: `http://${name}:18789`,
  messaging,
  ...(paired ? {a2a} : {}),
})

describe('hooksRotationNotes', () => {
  it.each([
    {peers: [], expected: [/^No peer uses the hooks token/]},
    {
      peers: [peer('clawd', false, true), peer('mini', true, true)],
      expected: [/^A2A peers need nothing .*: clawd, mini\.$/],
    },
    {
      peers: [peer('old', true, false)],
      expected: [
        /^Hooks-only peers need the new hooks token .*: old\. On each, run: claw-mesh peer add .* --hooks-token file:PATH$/,
      ],
    },
    {
      peers: [peer('clawd', false, true), peer('old', true, false), peer('health', false, false)],
      expected: [/A2A peers need nothing.*: clawd\./, /Hooks-only peers .*: old\./],
    },
  ])('$peers.length peers', ({peers, expected}) => {
    const notes = hooksRotationNotes(peers)
    expect(notes).toHaveLength(expected.length)
    expected.forEach((re, i) => expect(notes[i]).toMatch(re))
    expect(notes.join(' ')).not.toMatch(/invite \(|needs the new invite/)
  })
})
