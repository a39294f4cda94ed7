// Assertions for programming errors only. Expected refusals (not the leader, a dropped proposal)
// are return values, never exceptions.

/** AssertionError marks a broken invariant inside raftlab: a bug, never bad user input. */
export class AssertionError extends Error {
  override name = 'AssertionError'
}

/** assert throws an AssertionError with `message` when `condition` is false. */
export function assert(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new AssertionError(typeof message === 'string' ? message : message())
}
