import {describe, expect, it} from 'vitest'
import {parseDuration} from '../../src/core/common/duration.js'
import {UsageError} from '../../src/core/common/errors.js'
import {assertHostname, assertIdentity, assertPort, dnsLabelProblem, parseTags} from '../../src/core/common/validate.js'

describe('dnsLabelProblem', () => {
  it.each([
    ['openclaw-nova', undefined],
    ['a', undefined],
    ['a'.repeat(63), undefined],
    ['', 'is empty'],
    ['a'.repeat(64), 'is 64 characters long (at most 63)'],
    ['Nova', 'has upper-case letters'],
    ['-nova', 'starts or ends with a hyphen'],
    ['nova-', 'starts or ends with a hyphen'],
    ['no_va', 'may only contain a-z, 0-9 and hyphens'],
    ['no.va', 'may only contain a-z, 0-9 and hyphens'],
    ['növa', 'may only contain a-z, 0-9 and hyphens'],
  ])('%j → %s', (value, problem) => {
    expect(dnsLabelProblem(value)).toBe(problem)
  })
})

describe('flag validation', () => {
  it('names the flag and suggests a fix for a bad hostname', () => {
    expect(() => assertHostname('My Host')).toThrowError(/--hostname "My Host" is not a valid DNS label/)
    try {
      assertHostname('My Host')
    } catch (error) {
      expect((error as UsageError).hint).toContain('my-host')
    }
  })
  it('leaves room for the openclaw- prefix in identities', () => {
    expect(assertIdentity('a'.repeat(54))).toHaveLength(54)
    expect(() => assertIdentity('a'.repeat(55))).toThrowError(/too long/)
  })
  it.each([0, -1, 65536, 1.5, Number.NaN])('rejects port %s', (port) => {
    expect(() => assertPort(port)).toThrowError(UsageError)
  })
  it('parses, dedupes and sorts tags', () => {
    expect(parseTags('tag:b, tag:a,tag:b')).toEqual(['tag:a', 'tag:b'])
    expect(parseTags(undefined)).toEqual([])
    expect(() => parseTags('claw-mesh')).toThrowError(/not a Tailscale tag/)
  })
})

describe('parseDuration', () => {
  it.each([
    ['30', 30_000],
    ['30s', 30_000],
    ['2m', 120_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['1.5s', 1500],
  ])('%s → %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms)
  })
  it.each(['', 'abc', '10x', '-5s', '0s', '5s garbage'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrowError(UsageError)
  })
})
