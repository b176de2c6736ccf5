/**
 * Loop and budget guards for messages agents send each other. Pure: the caller supplies the lineage, the limits
 * for the pair and how many agent-initiated messages already went to that peer this hour.
 */
export interface PairLimits {
  /** Highest hop a message may have: 1 lets owners' runs ask peers but no peer-started run ask further. */
  hopLimit: number
  /** Messages to this peer per rolling hour that runs started by a peer (not an owner) may send. */
  hourlyBudget: number
}

export const DEFAULT_LIMITS: PairLimits = {hopLimit: 3, hourlyBudget: 30}

export interface LimitsConfig {
  hopLimit?: number
  hourlyBudget?: number
  peers?: Record<string, {hopLimit?: number; hourlyBudget?: number}>
}

export function limitsFor(config: LimitsConfig | undefined, peer: string): PairLimits {
  const pair = config?.peers?.[peer]
  return {
    hopLimit: pair?.hopLimit ?? config?.hopLimit ?? DEFAULT_LIMITS.hopLimit,
    hourlyBudget: pair?.hourlyBudget ?? config?.hourlyBudget ?? DEFAULT_LIMITS.hourlyBudget,
  }
}

export type GuardVerdict = {ok: true} | {ok: false; code: 'hop-limit' | 'budget'; message: string}

export const HOUR_MS = 3_600_000

/** Timestamps of sends still inside the rolling hour. */
export function withinHour(sentAt: readonly number[], now: number): number[] {
  return sentAt.filter((t) => now - t < HOUR_MS && t <= now)
}

/**
 * Whether a message with `hop` to `peer` may go. Owner-initiated messages (hop 1) are never budgeted: the budget
 * bounds what agents do on their own, not what their humans ask for.
 */
export function checkGuards(input: {
  peer: string
  hop: number
  limits: PairLimits
  recentAgentSends: number
}): GuardVerdict {
  const {peer, hop, limits} = input
  if (hop > limits.hopLimit) {
    return {
      ok: false,
      code: 'hop-limit',
      message: `Not sent: this would be hop ${hop} of a chain of agents messaging each other, and the limit for ${peer} is ${limits.hopLimit}. Answer the one who asked you instead of asking further.`,
    }
  }
  if (hop > 1 && input.recentAgentSends >= limits.hourlyBudget) {
    return {
      ok: false,
      code: 'budget',
      message: `Not sent: runs started by peers already sent ${input.recentAgentSends} messages to ${peer} in the last hour (budget ${limits.hourlyBudget}). Try again later or leave it to your owner.`,
    }
  }
  return {ok: true}
}
