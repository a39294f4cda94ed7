// The lab engine's expected refusals, which any of its folders may throw and the Lab turns into a
// command result's error code: a leaf module, importing nothing.

/** LabStateError is a command that is not possible in the cluster's current state. */
export class LabStateError extends Error {
  override name = 'LabStateError'
}

/** InvalidArgument is a command whose arguments are out of range. */
export class InvalidArgument extends Error {
  override name = 'InvalidArgument'
}

/** within returns `v` when it is a finite number in [lo, hi]; otherwise it throws
 * InvalidArgument naming the argument. */
export function within(v: number, name: string, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) {
    throw new InvalidArgument(`${name} must be from ${lo} to ${hi}, got ${String(v)}`)
  }
  return v
}
