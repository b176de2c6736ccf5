import {describe, expect, it} from 'vitest'
import {
  afterAttempt,
  afterPoll,
  backoffMs,
  cancel,
  deliveryId,
  dueAction,
  expire,
  peerBudget,
  queueSummary,
  retryNow,
  type OutboxItem,
} from '../../src/core/mesh/mesh-outbox.js'

const item = (over: Partial<OutboxItem> = {}): OutboxItem => ({
  id: 'm1',
  peer: 'b',
  kind: 'send',
  text: 'hello',
  contextId: 'cm-h1-aaaaaaaaaaaa-x',
  hop: 1,
  origin: 'aaaaaaaaaaaa',
  state: 'queued',
  createdAt: 0,
  updatedAt: 0,
  expiresAt: 100_000,
  attempts: 0,
  nextAt: 0,
  ...over,
})

describe('outbox backoff', () => {
  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [4, 4000],
    [40, 4000],
  ])('attempt %i waits %i ms before the next', (attempts, ms) => {
    expect(backoffMs(attempts)).toBe(ms)
  })
  it('honours a longer cap', () => {
    expect(backoffMs(5, {baseMs: 1000, maxMs: 60_000})).toBe(16_000)
  })
})

describe('outbox transitions after a delivery attempt', () => {
  it.each<[string, Parameters<typeof afterAttempt>[1], Partial<OutboxItem>]>([
    [
      'accepted and answered in the same round trip',
      {kind: 'accepted', taskId: 't1', taskState: 'TASK_STATE_COMPLETED', reply: 'done'},
      {state: 'answered', reply: 'done', taskId: 't1', attempts: 1, deliveredAt: 10, answeredAt: 10},
    ],
    [
      'accepted, still working: polled 4 s later',
      {kind: 'accepted', taskId: 't1', taskState: 'TASK_STATE_WORKING'},
      {state: 'sent', taskId: 't1', nextAt: 4010},
    ],
    [
      'accepted, then the task failed',
      {kind: 'accepted', taskId: 't1', taskState: 'TASK_STATE_FAILED', reason: 'boom'},
      {state: 'failed', reason: 'boom'},
    ],
    ['refused (broken pair)', {kind: 'refused', detail: '401'}, {state: 'failed', reason: '401', attempts: 1}],
    [
      'unreachable: retried after the backoff',
      {kind: 'retryable', detail: 'ECONNREFUSED'},
      {state: 'queued', nextAt: 1010, attempts: 1, reason: 'ECONNREFUSED'},
    ],
  ])('%s', (_name, outcome, expected) => {
    expect(afterAttempt(item(), outcome, 10)).toMatchObject(expected)
  })

  it('a retry that would fall after the time to live makes a dead letter', () => {
    expect(afterAttempt(item({expiresAt: 500}), {kind: 'retryable', detail: 'timeout'}, 10)).toMatchObject({
      state: 'dead',
      reason: 'not delivered before it expired (last: timeout)',
    })
  })

  it('a run the peer failed while starting goes again under a new message id', () => {
    const next = afterAttempt(
      item(),
      {
        kind: 'accepted',
        taskId: 't1',
        taskState: 'TASK_STATE_FAILED',
        reason: 'another OpenClaw process owns state-lifecycle',
      },
      10,
    )
    expect(next).toMatchObject({state: 'queued', generation: 1, nextAt: 5010})
    expect(next.taskId).toBeUndefined()
    expect(deliveryId(next)).toBe('m1.1')
    expect(deliveryId(item())).toBe('m1')
  })

  it('ignores an attempt on a record that is no longer queued', () => {
    const sent = item({state: 'sent'})
    expect(afterAttempt(sent, {kind: 'refused', detail: 'x'}, 10)).toBe(sent)
  })
})

describe('outbox transitions after a poll', () => {
  const sent = item({state: 'sent', taskId: 't1', deliveredAt: 0})
  it.each<[string, Parameters<typeof afterPoll>[1], number, Partial<OutboxItem>]>([
    [
      'the answer came',
      {kind: 'task', taskState: 'TASK_STATE_COMPLETED', reply: 'yes'},
      5,
      {state: 'answered', reply: 'yes'},
    ],
    [
      'still working in the first minute: 4 s',
      {kind: 'task', taskState: 'TASK_STATE_WORKING'},
      5,
      {state: 'sent', nextAt: 4005},
    ],
    [
      'still working later: 15 s',
      {kind: 'task', taskState: 'TASK_STATE_WORKING'},
      70_000,
      {state: 'sent', nextAt: 85_000},
    ],
    ['the peer forgot the task (restarted)', {kind: 'unknown-task'}, 5, {state: 'lost'}],
    ['the peer is away: keep polling', {kind: 'retryable', detail: 'ECONNREFUSED'}, 5, {state: 'sent', nextAt: 15_005}],
    ['away past the time to live', {kind: 'retryable', detail: 'ECONNREFUSED'}, 100_000, {state: 'lost'}],
  ])('%s', (_name, outcome, now, expected) => {
    expect(afterPoll(sent, outcome, now)).toMatchObject(expected)
  })
})

describe('what the service does with a record', () => {
  it.each<[string, Partial<OutboxItem>, number, string]>([
    ['queued and due', {}, 0, 'deliver'],
    ['queued, backing off', {nextAt: 50}, 10, 'none'],
    ['queued past its time to live', {}, 100_000, 'expire'],
    ['sent, poll due', {state: 'sent', nextAt: 5}, 10, 'poll'],
    ['answered, nobody told yet', {state: 'answered'}, 10, 'notify'],
    ['answered and already read in the turn', {state: 'answered', read: true}, 10, 'none'],
    ['dead letter, not yet reported', {state: 'dead'}, 10, 'notify'],
    ['cancelled', {state: 'cancelled'}, 10, 'none'],
  ])('%s → %s', (_name, over, now, action) => {
    expect(dueAction(item(over), now)).toBe(action)
  })
})

describe('owner actions', () => {
  it('expire, cancel and retry change only what they name', () => {
    expect(expire(item(), 5)).toMatchObject({state: 'dead'})
    expect(expire(item({state: 'sent'}), 5).state).toBe('sent')
    expect(cancel(item(), 5)).toMatchObject({state: 'cancelled', notified: true})
    expect(cancel(item({state: 'answered'}), 5).state).toBe('answered')
    expect(retryNow(item({state: 'dead', expiresAt: 10}), 50, 1000)).toMatchObject({
      state: 'queued',
      nextAt: 50,
      expiresAt: 1050,
      notified: false,
    })
    expect(retryNow(item({state: 'answered'}), 50).state).toBe('answered')
  })

  it('summarises queue depth and the oldest undelivered message', () => {
    const items = [
      item({createdAt: 30}),
      item({id: 'm2', createdAt: 10}),
      item({id: 'm3', state: 'sent'}),
      item({id: 'm4', state: 'dead'}),
    ]
    expect(queueSummary(items, 100)).toEqual({queued: 2, awaitingReply: 1, oldestQueuedMs: 90, dead: 1})
    expect(queueSummary([], 100)).toEqual({queued: 0, awaitingReply: 0, oldestQueuedMs: undefined, dead: 0})
  })
})

describe("the loop's per-peer budget", () => {
  it.each<[string, number[], number, boolean, number]>([
    ['nothing sent yet', [], 100_000, true, 0],
    ['19 in the last minute: one more may go', Array.from({length: 19}, (_, i) => 50_000 + i), 100_000, true, 19],
    ['20 in the last minute: wait', Array.from({length: 20}, (_, i) => 50_000 + i), 100_000, false, 20],
    ['20, but older than a minute: they fall out', Array.from({length: 20}, (_, i) => 10_000 + i), 100_000, true, 0],
    ['a time in the future (the clock went back) is not counted', [200_000], 100_000, true, 0],
  ])('%s', (_name, times, now, ok, recent) => {
    const b = peerBudget(times, now)
    expect(b.ok).toBe(ok)
    expect(b.recent).toHaveLength(recent)
  })
})
