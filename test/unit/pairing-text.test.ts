import {describe, expect, it} from 'vitest'
import {findPairingLine, MAX_PAIRING_TEXT_BYTES} from '../../src/core/pairing/pairing-text.js'

const INV = 'claw-mesh-invite:v2:eyJhIjoxfQ'
const REP = 'claw-mesh-reply:v1:eyJiIjoyfQ'

describe('findPairingLine', () => {
  it.each([
    ['the line itself', INV, INV],
    [
      'the line wrapped over lines (returned as given)',
      'claw-mesh-invite:v2:eyJh\n  IjoxfQ\n',
      'claw-mesh-invite:v2:eyJh\n  IjoxfQ\n',
    ],
    ['inside chat text with quotes', `here you go: "${INV}" cheers`, INV],
    ['quoted twice (the same line)', `> ${REP}\nagain: \`${REP}\``, REP],
    ['no pairing line (left for the decoder to refuse)', 'hello there', 'hello there'],
    [
      'a damaged line (left for the decoder to refuse, as before)',
      'claw-mesh-invite:v1:%%%not-base64%%%',
      'claw-mesh-invite:v1:%%%not-base64%%%',
    ],
    ['the same line pasted twice', `${INV}\n${INV}\n`, INV],
  ])('%s', (_, text, expected) => expect(findPairingLine(text)).toBe(expected))

  it('refuses two different lines, naming both kinds, never quoting them', () => {
    expect(() => findPairingLine(`${INV}\n${REP}`)).toThrow(
      /2 different pairing lines \(an invite \(claw-mesh-invite:…\) and a pairing reply/,
    )
    expect(() => findPairingLine(`${INV}\n${INV}Zz`)).toThrow(/each an invite/)
    try {
      findPairingLine(`${INV} ${REP}`)
    } catch (error) {
      expect(String(error)).not.toContain('eyJ')
    }
  })

  it('caps the text', () => {
    expect(() => findPairingLine(`${INV} ${'x'.repeat(MAX_PAIRING_TEXT_BYTES)}`)).toThrow(/bytes long/)
  })
})
