import {describe, expect, it} from 'vitest'
import {colorEnabled, createTestIOStreams} from '../../src/infra/io.js'

describe('prompting', () => {
  it.each([
    [true, {}, true],
    [true, {CI: 'true'}, false],
    [false, {}, false],
  ])('on a terminal: %s, env %j → may prompt: %s', (tty, env, expected) => {
    expect(createTestIOStreams({tty, env: {NO_COLOR: '1', ...env}}).io.canPrompt()).toBe(expected)
  })

  it('--json never prompts, even on a terminal', () => {
    const {io} = createTestIOStreams({tty: true})
    io.jsonMode = true
    expect(io.canPrompt()).toBe(false)
  })
})

describe('colour', () => {
  it.each([
    [{}, false, false],
    [{}, true, true],
    [{NO_COLOR: '1'}, true, false],
    [{TERM: 'dumb'}, true, false],
    [{FORCE_COLOR: '1'}, false, true],
    [{FORCE_COLOR: '0'}, true, false],
  ])('env %j on a terminal: %s → colour %s', (env, tty, expected) => {
    expect(colorEnabled(env, tty)).toBe(expected)
  })
})
