import {describe, expect, it} from 'vitest'
import {UsageError} from '../../src/core/common/errors.js'
import {answerExecSecretRequest, parseExecSecretRequest} from '../../src/core/secrets/secret-exec-protocol.js'
import {createMemorySecretStore} from '../../src/infra/secrets/types.js'
import {resolveSecretRequest} from '../../src/services/gateway/secret-resolve.js'

const req = (ids: string[]) => JSON.stringify({protocolVersion: 1, provider: 'clawmesh', ids})

describe('exec secret protocol v1', () => {
  it('answers the gateway token and NOT_FOUND when it is missing', async () => {
    expect(
      await resolveSecretRequest(createMemorySecretStore({'gateway-token': 'gw-value-123456'}), req(['gateway-token'])),
    ).toEqual({protocolVersion: 1, values: {'gateway-token': 'gw-value-123456'}})
    expect(await resolveSecretRequest(createMemorySecretStore(), req(['gateway-token']))).toEqual({
      protocolVersion: 1,
      values: {},
      errors: {'gateway-token': {code: 'NOT_FOUND'}},
    })
  })

  it('hands out only what OpenClaw is configured to ask for: the hooks token, mesh secret and peer tokens are refused', async () => {
    // The attack: anything that can run the resolver (the agent, through OpenClaw) asks for every id it knows.
    const store = createMemorySecretStore({
      'gateway-token': 'gw-value-123456',
      'hooks-token': 'hk-value-123456',
      'mesh-secret': 'mesh-value-123456',
      'peer/nova': 'peer-value-123456',
    })
    expect(
      await resolveSecretRequest(
        store,
        req(['gateway-token', 'hooks-token', 'mesh-secret', 'peer/nova', 'gateway-token']),
      ),
    ).toEqual({
      protocolVersion: 1,
      values: {'gateway-token': 'gw-value-123456'},
      errors: {
        'hooks-token': {code: 'NOT_ALLOWED'},
        'mesh-secret': {code: 'NOT_ALLOWED'},
        'peer/nova': {code: 'NOT_ALLOWED'},
      },
    })
  })

  it('refuses ids outside the gateway secrets without looking them up', async () => {
    const looked: string[] = []
    const out = await answerExecSecretRequest(
      {protocolVersion: 1, provider: 'clawmesh', ids: ['peer/nova', 'mesh-secret', '../x', 'gateway-token']},
      new Set(['gateway-token']),
      async (id) => {
        looked.push(id)
        return 'v'
      },
    )
    expect(looked).toEqual(['gateway-token'])
    expect(out.errors).toEqual({
      'peer/nova': {code: 'NOT_ALLOWED'},
      'mesh-secret': {code: 'NOT_ALLOWED'},
      '../x': {code: 'NOT_ALLOWED'},
    })
  })

  it.each([
    ['not json', /not JSON/],
    ['{"protocolVersion":2,"ids":[]}', /protocolVersion must be 1/],
    ['{"protocolVersion":1}', /no "ids" list/],
    ['{"protocolVersion":1,"ids":[1]}', /no "ids" list/],
    ['null', /protocolVersion must be 1/],
  ])('a malformed request (%s) is a UsageError', (text, message) => {
    expect(() => parseExecSecretRequest(text)).toThrowError(message)
    expect(() => parseExecSecretRequest(text)).toThrowError(UsageError)
  })
})
