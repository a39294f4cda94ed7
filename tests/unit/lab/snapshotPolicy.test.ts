import { describe, expect, it } from 'vitest'
import { isSnapshotDue, snapshotMarginEntries } from '../../../electron/node/host/nodeHost'
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

  it('has a byte threshold too: 16 MiB by default, 0 for none, set by --snapshot-mib', () => {
    expect(resolveClusterConfig({}).snapshotEveryMiB).toBe(16)
    expect(resolveClusterConfig({ snapshotEveryMiB: 0 }).snapshotEveryMiB).toBe(0)
    expect(() => resolveClusterConfig({ snapshotEveryMiB: -1 })).toThrow(/snapshotEveryMiB/)
    expect(() =>
      parseCommand({ type: 'cluster.start', config: { snapshotEveryMiB: 0.5 } }),
    ).toThrow(/config.snapshotEveryMiB/)
    expect(parseClusterOptions(['--snapshot-mib', '4']).config.snapshotEveryMiB).toBe(4)
    expect(() => parseClusterOptions(['--snapshot-mib', 'lots'])).toThrow(UsageError)
  })

  it('keeps a margin of entries that can be set (--snapshot-keep) or left to the interval', () => {
    expect(resolveClusterConfig({}).snapshotKeepEntries).toBeUndefined()
    expect(resolveClusterConfig({ snapshotKeepEntries: 0 }).snapshotKeepEntries).toBe(0)
    expect(() => resolveClusterConfig({ snapshotKeepEntries: -2 })).toThrow(/snapshotKeepEntries/)
    expect(parseClusterOptions(['--snapshot-keep', '300']).config.snapshotKeepEntries).toBe(300)
    expect(parseCommand({ type: 'cluster.start', config: { snapshotKeepEntries: 5 } })).toEqual({
      type: 'cluster.start',
      config: { snapshotKeepEntries: 5 },
    })
  })

  it('is set by raftlab cluster --snapshot-every', () => {
    expect(parseClusterOptions(['--snapshot-every', '50']).config.snapshotEveryEntries).toBe(50)
    expect(parseClusterOptions(['--snapshot-every', '0']).config.snapshotEveryEntries).toBe(0)
    expect(parseClusterOptions([]).config.snapshotEveryEntries).toBe(10_000)
    expect(() => parseClusterOptions(['--snapshot-every', 'x'])).toThrow(UsageError)
  })
})

describe('when a node snapshots', () => {
  it('once it applied N entries past its last snapshot, never with N = 0', () => {
    const every50 = { everyEntries: 50 }
    expect(isSnapshotDue(every50, 49, 0)).toBe(false)
    expect(isSnapshotDue(every50, 50, 0)).toBe(true)
    expect(isSnapshotDue(every50, 149, 100)).toBe(false)
    expect(isSnapshotDue(every50, 150, 100)).toBe(true)
    expect(isSnapshotDue({ everyEntries: 0 }, 1_000_000, 0)).toBe(false)
  })

  it('or once the entries applied since hold the byte threshold, whichever comes first', () => {
    const policy = { everyEntries: 10_000, everyBytes: 1000 }
    expect(isSnapshotDue(policy, 20, 0, 999)).toBe(false)
    expect(isSnapshotDue(policy, 20, 0, 1000)).toBe(true)
    expect(isSnapshotDue(policy, 10_000, 0, 10)).toBe(true)
    expect(isSnapshotDue({ everyEntries: 0, everyBytes: 1000 }, 20, 0, 5000)).toBe(true)
    // Nothing applied since the last snapshot: nothing to snapshot, whatever the bytes say.
    expect(isSnapshotDue(policy, 20, 20, 5000)).toBe(false)
  })

  it('keeps min(N/2, 1000) entries before the snapshot for slow followers', () => {
    expect(snapshotMarginEntries(50)).toBe(25)
    expect(snapshotMarginEntries(1)).toBe(0)
    expect(snapshotMarginEntries(10_000)).toBe(1000)
  })
})
