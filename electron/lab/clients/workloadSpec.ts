// Checking a workload's numbers before a workload process is started with them: they may come
// from a form in the app or a command line.
import type { WorkloadSpec } from '../../../shared/lab/workload'
import { InvalidArgument, within } from '../errors'

/** checkWorkload returns `spec` when its numbers are in range; otherwise it throws
 * InvalidArgument naming the first one that is not. */
export function checkWorkload(spec: WorkloadSpec): WorkloadSpec {
  within(spec.concurrency, 'concurrency', 1, 4096)
  within(spec.rate, 'rate', 1, 1_000_000)
  within(spec.durationMs, 'durationMs', 100, 24 * 3_600_000)
  within(spec.warmupMs, 'warmupMs', 0, 3_600_000)
  within(spec.keys, 'keys', 1, 100_000_000)
  within(spec.valueSizeBytes, 'valueSizeBytes', 0, 1 << 20)
  within(spec.timeoutMs, 'timeoutMs', 10, 600_000)
  if (spec.abandonPercent !== undefined) within(spec.abandonPercent, 'abandonPercent', 0, 100)
  if (spec.mode !== 'closed' && spec.mode !== 'open')
    throw new InvalidArgument('mode must be closed or open')
  const { put, get, cas } = spec.mix
  if (![put, get, cas].every((w) => typeof w === 'number' && w >= 0) || put + get + cas <= 0) {
    throw new InvalidArgument('mix needs non-negative weights, at least one positive')
  }
  return spec
}
