import {describe, expect, it} from 'vitest'
import {mapBounded} from '../../src/core/common/bounded.js'

describe('mapBounded', () => {
  it('keeps the items’ order and never runs more than the limit at once', async () => {
    let running = 0
    let most = 0
    const out = await mapBounded([50, 10, 30, 0, 20, 40], 2, async (ms) => {
      running++
      most = Math.max(most, running)
      await new Promise((r) => setTimeout(r, ms))
      running--
      return ms * 2
    })
    expect(out).toEqual([100, 20, 60, 0, 40, 80])
    expect(most).toBe(2)
  })

  it('an empty list makes no call; a limit under 1 still makes progress', async () => {
    expect(await mapBounded([], 8, async () => 1)).toEqual([])
    expect(await mapBounded([1, 2], 0, async (n) => n + 1)).toEqual([2, 3])
  })
})
