import {describe, expect, it} from 'vitest'
import {byCodeUnit, byName} from '../../src/core/common/order.js'

describe('ordering peer names without the locale collator', () => {
  it('sorts [a-z0-9] names alphabetically, the same as localeCompare', () => {
    const names = ['nova', 'clawd', 'studio-2', 'studio', 'a1', 'a10', 'a2', 'zed']
    expect([...names].sort(byCodeUnit)).toEqual([...names].sort((a, b) => a.localeCompare(b)))
  })

  it('puts punctuation before letters and digits, whatever the locale (localeCompare ignores it)', () => {
    expect(['ab', 'a-c', 'a.b', 'a_b'].sort(byCodeUnit)).toEqual(['a-c', 'a.b', 'a_b', 'ab'])
    expect(byCodeUnit('x', 'x')).toBe(0)
  })

  it('orders records by name', () => {
    expect([{name: 'nova'}, {name: 'clawd'}].sort(byName)).toEqual([{name: 'clawd'}, {name: 'nova'}])
  })
})
