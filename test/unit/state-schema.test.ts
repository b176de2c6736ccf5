import {describe, expect, it} from 'vitest'
import {stateSchema, ONE_SHOT_PARSE} from '../../src/core/common/state-schema.js'
import {emptyWatchdogState, parseWatchdogState} from '../../src/core/lifecycle/watchdog-state.js'
import {createStateStore} from '../../src/infra/state-store.js'
import {tempDir} from '../helpers/fakes/index.js'

/**
 * state.json and watchdog.json as zod/mini reads them: the same defaults, kept and dropped keys and messages as the
 * classic API gave (zod/mini loads no locale of its own: without src/core/common/zod-messages.ts every issue would
 * read "Invalid input").
 */
describe('the state schema (zod/mini)', () => {
  it('a wrong field type names the field and says what was expected, in English', () => {
    const dir = tempDir('state-schema')
    dir.mkdir('cm', 0o700)
    dir.write(
      'cm/state.json',
      JSON.stringify({version: 1, peers: {clawd: {name: 'clawd', url: 5, addedAt: 'x'}}}),
      0o600,
    )
    expect(() => createStateStore(dir.join('cm')).read()).toThrow(
      /state\.json is not valid: peers\.clawd\.url: Invalid input: expected string, received number\./,
    )
  })

  it('fills the defaults, keeps unknown gateway keys (a newer claw-mesh wrote them) and drops unknown top-level ones', () => {
    const state = stateSchema.parse(
      {
        gateway: {port: 18789, futureKey: 'kept'},
        somethingElse: true,
        peers: {clawd: {name: 'clawd', url: 'http://100.64.0.2:18789', addedAt: '2026-12-01T00:00:00Z'}},
        mesh: {},
      },
      ONE_SHOT_PARSE,
    )
    expect(state).toEqual({
      version: 1,
      gateway: {port: 18789, futureKey: 'kept'},
      peers: {
        clawd: {
          name: 'clawd',
          url: 'http://100.64.0.2:18789',
          addedAt: '2026-12-01T00:00:00Z',
          source: 'url',
          messaging: false,
        },
      },
      mesh: {enabled: false, tag: 'tag:claw-mesh'},
      invites: {},
    })
    expect(stateSchema.safeParse({version: 2}, ONE_SHOT_PARSE).error?.issues[0]?.message).toBe(
      'Invalid input: expected 1',
    )
  })

  it('the watchdog state: defaults, and a negative or fractional count starts over', () => {
    expect(emptyWatchdogState()).toEqual({
      version: 1,
      failures: 0,
      down: false,
      alerted: false,
      pendingRecovery: false,
      restarts: 0,
    })
    expect(parseWatchdogState(JSON.stringify({failures: 3})).failures).toBe(3)
    expect(parseWatchdogState(JSON.stringify({failures: -1})).failures).toBe(0)
    expect(parseWatchdogState(JSON.stringify({failures: 1.5, restarts: 2})).restarts).toBe(0)
  })
})
