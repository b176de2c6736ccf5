import {describe, expect, it} from 'vitest'
import {
  backoffDelay,
  DEFAULT_RETRY_POLICY,
  parseRetryAfter,
  retryDecision,
  type RetryPolicy,
} from '../../src/core/common/retry.js'

const policy: RetryPolicy = {maxAttempts: 5, baseDelayMs: 500, maxDelayMs: 4000, deadlineMs: 10_000}

describe('backoffDelay', () => {
  it.each<[number, number, number]>([
    // attempt, random, expected
    [1, 1, 500],
    [2, 1, 1000],
    [3, 1, 2000],
    [4, 1, 4000],
    [6, 1, 4000], // capped
    [3, 0.5, 1000], // full jitter: a fraction of the ceiling
    [3, 0, 0],
  ])('attempt %i with random %f waits %i ms', (attempt, random, expected) => {
    expect(backoffDelay(attempt, policy, () => random)).toBe(expected)
  })

  it('spreads concurrent senders with real randomness, never above the ceiling', () => {
    const delays = Array.from({length: 200}, () => backoffDelay(3, policy))
    expect(Math.max(...delays)).toBeLessThanOrEqual(2000)
    expect(new Set(delays).size).toBeGreaterThan(20)
  })
})

describe('parseRetryAfter', () => {
  const now = new Date('2026-09-01T12:00:00Z')
  it.each<[string | undefined, number | undefined]>([
    [undefined, undefined],
    ['', undefined],
    ['60', 60_000],
    ['1.5', 1500],
    ['Tue, 01 Sep 2026 12:00:30 GMT', 30_000],
    ['Tue, 01 Sep 2026 11:00:00 GMT', 0],
    ['soon', undefined],
  ])('%j → %j', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected)
  })
})

describe('retryDecision', () => {
  it('retries with the backoff while attempts and time remain', () => {
    expect(retryDecision({attempt: 1, elapsedMs: 0, policy, random: () => 1})).toEqual({retry: true, delayMs: 500})
  })
  it('stops after the last attempt', () => {
    expect(retryDecision({attempt: 5, elapsedMs: 0, policy})).toEqual({retry: false, reason: 'attempts'})
  })
  it('does not start a wait that would end past the deadline', () => {
    expect(retryDecision({attempt: 2, elapsedMs: 9500, policy, random: () => 1})).toEqual({
      retry: false,
      reason: 'deadline',
    })
  })
  it('honours Retry-After over the backoff', () => {
    expect(retryDecision({attempt: 1, elapsedMs: 0, retryAfterMs: 3000, policy, random: () => 1})).toEqual({
      retry: true,
      delayMs: 3000,
    })
  })
  it('gives up at once when Retry-After is longer than the time left', () => {
    expect(retryDecision({attempt: 1, elapsedMs: 0, retryAfterMs: 60_000, policy})).toEqual({
      retry: false,
      reason: 'retry-after-too-long',
    })
  })
  it('has bounded defaults', () => {
    expect(DEFAULT_RETRY_POLICY.maxAttempts).toBeLessThanOrEqual(5)
    expect(DEFAULT_RETRY_POLICY.deadlineMs).toBeLessThanOrEqual(60_000)
  })
})
