import { describe, expect, it } from 'vitest'
import { parseClusterOptions } from '../../../electron/cli/cluster'
import { UsageError } from '../../../electron/cli/args'
import { DEFAULT_CLUSTER_CONFIG, resolveClusterConfig } from '../../../shared/lab/config'
import { parseCommand } from '../../../shared/lab/validate'

describe('the snapshot policy (snapshotEveryEntries)', () => {
  it('defaults to a snapshot every 10,000 applied entries', () => {
    expect(DEFAULT_CLUSTER_CONFIG.snapshotEveryEntries).toBe(10_000)
    expect(resolveClusterConfig({}).snapshotEveryEntries).toBe(10_000)
  })

  it('accepts 0 (never) and refuses negative or fractional values, naming the field', () => {
    expect(resolveClusterConfig({ snapshotEveryEntries: 0 }).snapshotEveryEntries).toBe(0)
    expect(() => resolveClusterConfig({ snapshotEveryEntries: -1 })).toThrow(/snapshotEveryEntries/)
    expect(() => resolveClusterConfig({ snapshotEveryEntries: 1.5 })).toThrow(
      /snapshotEveryEntries/,
    )
  })

  it('is part of the command schema', () => {
    const ok = parseCommand({ type: 'cluster.start', config: { snapshotEveryEntries: 50 } })
    expect(ok).toEqual({ type: 'cluster.start', config: { snapshotEveryEntries: 50 } })
    expect(() =>
      parseCommand({ type: 'cluster.start', config: { snapshotEveryEntries: -5 } }),
    ).toThrow(/config.snapshotEveryEntries/)
  })

  it('is set by raftlab cluster --snapshot-every', () => {
    expect(parseClusterOptions(['--snapshot-every', '50']).config.snapshotEveryEntries).toBe(50)
    expect(parseClusterOptions(['--snapshot-every', '0']).config.snapshotEveryEntries).toBe(0)
    expect(parseClusterOptions([]).config.snapshotEveryEntries).toBe(10_000)
    expect(() => parseClusterOptions(['--snapshot-every', 'x'])).toThrow(UsageError)
  })
})
