// Small helpers for the CLI's argument parsing (node:util parseArgs) and errors.
import { parseArgs, type ParseArgsConfig } from 'node:util'

/** UsageError is a mistake in the command line: printed with the command's usage, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError'
}

/** CommandError is a failure while running a command: printed as is, exit 1. */
export class CommandError extends Error {
  override name = 'CommandError'
}

/** parse wraps parseArgs, turning its errors into UsageErrors with the same message. */
export function parse<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  options: T,
): ReturnType<
  typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>
> {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

/** intArg parses an integer option within [min, max], or returns the default. */
export function intArg(
  value: string | undefined,
  name: string,
  dflt: number,
  min: number,
  max: number,
): number {
  if (value === undefined) return dflt
  const n = Number(value.replaceAll('_', ''))
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got '${value}'`)
  }
  return n
}

/** fmt formats an integer with thousands separators. */
export function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US')
}
