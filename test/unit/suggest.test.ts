import {describe, expect, it} from 'vitest'
import {closest, editDistance} from '../../src/core/common/suggest.js'

describe('suggestions for a typo', () => {
  it.each<[string, string, number]>([
    ['json', 'json', 0],
    ['jsno', 'json', 1],
    ['peer:lst', 'peer:list', 1],
    ['bootstap', 'bootstrap', 1],
    ['abc', 'xyz', 3],
  ])('editDistance(%s, %s) = %d', (a, b, d) => expect(editDistance(a, b)).toBe(d))

  const ids = ['ask', 'bootstrap', 'peer:list', 'peer:add', 'status', 'send']
  it.each<[string, string | undefined]>([
    ['peer:lst', 'peer:list'],
    ['bootstap', 'bootstrap'],
    ['stauts', 'status'],
    ['zzzzzz', undefined],
    ['x', undefined],
  ])('closest(%s) = %s', (typed, meant) => expect(closest(typed, ids)).toBe(meant))
})
