// Reconnection delays. Pure (the random source is passed in).

/** BackoffOptions bound the delays. */
export interface BackoffOptions {
  baseMs: number
  maxMs: number
  /** jitter: the delay varies by ± this fraction, so many tabs do not reconnect in lockstep. */
  jitter: number
}

/** DEFAULT_BACKOFF starts at a quarter second and stops growing at five seconds: the engine is
 * local, so it is usually back quickly and a person should not wait long once it is. */
export const DEFAULT_BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 5000, jitter: 0.2 }

/** backoffDelay is the wait before reconnection attempt `attempt` (0 for the first retry):
 * doubling from baseMs up to maxMs, with jitter. */
export function backoffDelay(
  attempt: number,
  opts: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const raw = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, Math.min(attempt, 30)))
  const spread = raw * opts.jitter * (random() * 2 - 1)
  return Math.max(0, Math.round(raw + spread))
}
