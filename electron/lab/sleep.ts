// The lab's one way to wait: a sleep that an AbortSignal cuts short, including one that was
// aborted before the sleep began, and that honours delays beyond what a Node timer can hold.

/** MAX_TIMER_MS is the longest delay one Node timer holds; longer ones fire after 1 ms (with a
 * TimeoutOverflowWarning), so sleep re-arms in steps of at most this. */
export const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * sleep resolves after `ms` milliseconds, or as soon as `signal` aborts — at once if it already
 * has, or if `ms` is not positive. It never rejects: callers look at `signal.aborted` to tell the
 * two endings apart.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || !(ms > 0)) return resolve()
    const endMs = performance.now() + ms
    let timer: NodeJS.Timeout
    const done = (): void => {
      clearTimeout(timer)
      signal?.removeEventListener('abort', done)
      resolve()
    }
    const arm = (): void => {
      const leftMs = endMs - performance.now()
      if (leftMs <= 0) return done()
      timer = setTimeout(arm, Math.min(leftMs, MAX_TIMER_MS))
    }
    signal?.addEventListener('abort', done)
    arm()
  })
}
