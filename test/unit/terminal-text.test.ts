import {describe, expect, it} from 'vitest'
import {stripControl, stripControlKeepColor, stripControlValue} from '../../src/core/common/terminal-text.js'

describe('stripControl: nothing from outside drives the terminal', () => {
  it.each([
    ['\u001b]0;pwned\u0007\u001b[32mAll peers ok', 'All peers ok'],
    ['title \u001b]2;x\u001b\\ done', 'title  done'],
    ['unterminated \u001b]0;pwned', 'unterminated '],
    ['\u001b[2J\u001b[Hclear', 'clear'],
    ['\u001b[1A\u001b[2Kup', 'up'],
    ['dcs \u001bP+q544e\u001b\\ end', 'dcs  end'],
    ['apc \u001b_hidden\u001b\\ end', 'apc  end'],
    ['two-char \u001bc reset', 'two-char  reset'],
    ['bell\u0007 back\bspace\rcarriage', 'bell backspacecarriage'],
    ['c1 csi \u009b31m red', 'c1 csi 31m red'],
    ['del\u007f nul\u0000', 'del nul'],
    ['bidi \u202eevil\u202c \u2066iso\u2069 \u200fmark', 'bidi evil iso mark'],
    ['keeps\nnewlines\tand tabs', 'keeps\nnewlines\tand tabs'],
    ['unicode ok: é ü 中 ✓', 'unicode ok: é ü 中 ✓'],
    ['lone escape at end \u001b', 'lone escape at end '],
  ])('%j → %j', (input, expected) => {
    expect(stripControl(input)).toBe(expected)
  })

  it('keeps only colour when it is the output streams’ net', () => {
    expect(stripControlKeepColor('\u001b[32mok\u001b[39m \u001b]0;pwned\u0007 \u001b[2J')).toBe(
      '\u001b[32mok\u001b[39m  ',
    )
  })

  it('cleans every string of a JSON value, keys included, and leaves other values alone', () => {
    const at = new Date(0)
    expect(stripControlValue({'\u001b[31mk': ['\u001b]0;t\u0007v'], n: 3, at, nested: {s: 'a\u0007b'}})).toEqual({
      k: ['v'],
      n: 3,
      at,
      nested: {s: 'ab'},
    })
  })
})

describe('the output streams: the net under every render path', () => {
  it('strip everything but colour from what is written, and redact what is left', async () => {
    const {createTestIOStreams} = await import('../../src/infra/io.js')
    const t = createTestIOStreams()
    t.io.redactor.add('s3cret-token-value')
    t.io.err('\u001b]0;pwned\u0007\u001b[32mok\u001b[39m s3cret-\u0007token-value\n')
    t.io.out('\u001b[2J\u009b31mdata\n')
    expect(t.stderr()).toBe('\u001b[32mok\u001b[39m [REDACTED]\n')
    expect(t.stdout()).toBe('31mdata\n')
  })
})
