// The configuration of a lab cluster, shared by the supervisor, the node processes, the CLI and
// the renderer's "new cluster" form. Times are in milliseconds of real time before timeScale.
import type { NodeSettings } from '../protocol/node'
import type { RaftConfig } from '../raft/types'

export type { FsyncPolicy, NodeSettings } from '../protocol/node'

/** CpuShare: how much of a saturated machine the nodes get, on Linux with autogroups (see
 * electron/lab/cpuShare.ts). 'per-node': each node's session weighs as much as any other, the
 * kernel's default, as benchmarks run; 'cluster': the cluster as a whole weighs as much as one
 * session — the app's, say — so neither starves the other. Elsewhere both are the same. */
export type CpuShare = 'per-node' | 'cluster'

/** ClusterConfig configures a cluster of real node processes: what each node runs with
 * (NodeSettings, the nodes' side of the contract), its size, and how it shares the CPU. */
export interface ClusterConfig extends NodeSettings {
  /** nodes is the cluster size, 1–9; nodes are named n1…nN. */
  nodes: number
  /** cpuShare: how much of a saturated machine the nodes get; the app's form asks for 'cluster'. */
  cpuShare: CpuShare
}

/** DEFAULT_CLUSTER_CONFIG gives the paper's advice: 150–300 ms election timeouts, 50 ms
 * heartbeats, 10 ms ticks, fsync on every write, PreVote and CheckQuorum on; a snapshot every
 * 10,000 applied entries or 16 MiB of applied data, whichever comes first, keeps a node's memory
 * and disk flat under a long workload. */
export const DEFAULT_CLUSTER_CONFIG: ClusterConfig = {
  nodes: 3,
  electionTimeoutMinMs: 150,
  electionTimeoutMaxMs: 300,
  heartbeatMs: 50,
  tickIntervalMs: 10,
  timeScale: 1,
  fsync: 'always',
  preVote: true,
  checkQuorum: true,
  maxInflightMsgs: 64,
  maxEntriesPerMsg: 512,
  snapshotEveryEntries: 10_000,
  snapshotEveryMiB: 16,
  tracing: false,
  cpuShare: 'per-node',
}

/** MAX_SNAPSHOT_EVERY_ENTRIES bounds snapshotEveryEntries: a log longer than this between
 * snapshots is no longer "flat memory". */
export const MAX_SNAPSHOT_EVERY_ENTRIES = 100_000_000

/** MAX_SNAPSHOT_EVERY_MIB bounds snapshotEveryMiB (64 GiB of log between snapshots). */
export const MAX_SNAPSHOT_EVERY_MIB = 65_536

/** MAX_NODES is the largest cluster the lab runs. */
export const MAX_NODES = 9

/** ConfigError describes an invalid cluster configuration, naming the field. */
export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** resolveClusterConfig fills defaults and validates; it throws ConfigError with a clear message
 * naming the offending field. */
export function resolveClusterConfig(partial: Partial<ClusterConfig>): ClusterConfig {
  const c: ClusterConfig = { ...DEFAULT_CLUSTER_CONFIG, ...partial }
  const int = (name: keyof ClusterConfig, lo: number, hi: number): void => {
    const v = c[name]
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
      throw new ConfigError(`${name} must be an integer from ${lo} to ${hi}, got ${String(v)}`)
    }
  }
  int('nodes', 1, MAX_NODES)
  int('tickIntervalMs', 1, 1000)
  int('electionTimeoutMinMs', 1, 600_000)
  int('electionTimeoutMaxMs', 2, 600_000)
  int('heartbeatMs', 1, 600_000)
  int('maxInflightMsgs', 1, 4096)
  int('maxEntriesPerMsg', 1, 65_536)
  int('snapshotEveryEntries', 0, MAX_SNAPSHOT_EVERY_ENTRIES)
  int('snapshotEveryMiB', 0, MAX_SNAPSHOT_EVERY_MIB)
  if (c.snapshotKeepEntries !== undefined) int('snapshotKeepEntries', 0, MAX_SNAPSHOT_EVERY_ENTRIES)
  if (!(typeof c.timeScale === 'number' && c.timeScale >= 0.1 && c.timeScale <= 1000)) {
    throw new ConfigError(`timeScale must be from 0.1 to 1000, got ${String(c.timeScale)}`)
  }
  if (c.fsync !== 'always' && c.fsync !== 'never') {
    throw new ConfigError(`fsync must be 'always' or 'never', got ${String(c.fsync)}`)
  }
  if (c.cpuShare !== 'per-node' && c.cpuShare !== 'cluster') {
    throw new ConfigError(`cpuShare must be 'per-node' or 'cluster', got ${String(c.cpuShare)}`)
  }
  for (const b of ['preVote', 'checkQuorum', 'tracing'] as const) {
    if (typeof c[b] !== 'boolean') throw new ConfigError(`${b} must be true or false`)
  }
  if (c.electionTimeoutMaxMs < c.electionTimeoutMinMs) {
    throw new ConfigError(
      `the election timeout range ${c.electionTimeoutMinMs}-${c.electionTimeoutMaxMs} ms is empty`,
    )
  }
  const t = raftTicks(c)
  if (t.heartbeatTicks >= t.electionTimeoutMinTicks) {
    throw new ConfigError(
      `heartbeatMs (${c.heartbeatMs}) must be well under electionTimeoutMinMs (${c.electionTimeoutMinMs})`,
    )
  }
  return c
}

/** raftTicks converts a cluster's millisecond settings into the core's ticks. The millisecond
 * range is inclusive (150–300 ms may give 300 ms), the core's tick range is half-open. */
export function raftTicks(
  c: Pick<
    NodeSettings,
    'electionTimeoutMinMs' | 'electionTimeoutMaxMs' | 'heartbeatMs' | 'tickIntervalMs'
  >,
): Pick<RaftConfig, 'electionTimeoutMinTicks' | 'electionTimeoutMaxTicks' | 'heartbeatTicks'> {
  return {
    electionTimeoutMinTicks: Math.max(1, Math.round(c.electionTimeoutMinMs / c.tickIntervalMs)),
    electionTimeoutMaxTicks: Math.max(1, Math.round(c.electionTimeoutMaxMs / c.tickIntervalMs)) + 1,
    heartbeatTicks: Math.max(1, Math.round(c.heartbeatMs / c.tickIntervalMs)),
  }
}

/** nodeName is how people see node ids: n1, n2, … */
export function nodeName(id: number): string {
  return `n${id}`
}
