// Commands into the lab engine: the same contract for the CLI, the Electron IPC bridge and the
// browser-mode WebSocket. Each command is plain data and gets exactly one CommandResult.
import type { NodeId } from '../raft/types'
import type { BenchSweep } from './bench'
import type { ClusterConfig } from './config'
import type { WorkloadSpec } from './workload'
import type { LinkRule, NodeStatus } from '../protocol/node'

/** NodeState is a node process's state as the supervisor sees it. */
export type NodeState = 'starting' | 'running' | 'paused' | 'crashed' | 'stopped'

/** LabCommand is a request to the lab engine. */
export type LabCommand =
  | { type: 'cluster.start'; config: Partial<ClusterConfig> }
  | { type: 'cluster.stop' }
  | { type: 'cluster.status' }
  | { type: 'node.pause'; node: NodeId }
  | { type: 'node.resume'; node: NodeId }
  | { type: 'node.crash'; node: NodeId }
  | { type: 'node.restart'; node: NodeId }
  | { type: 'node.stop'; node: NodeId }
  | { type: 'node.transfer'; to: NodeId }
  /** node.snapshot makes a running node snapshot its state machine and compact its log now,
   * whatever its snapshot policy says (refused for a node that is not running). */
  | { type: 'node.snapshot'; node: NodeId }
  | { type: 'link.cut'; from: NodeId; to: NodeId; both: boolean }
  | { type: 'link.heal'; from: NodeId; to: NodeId; both: boolean }
  | {
      type: 'link.set'
      from: NodeId
      to: NodeId
      both: boolean
      latencyMs?: number
      jitterMs?: number
      lossPercent?: number
    }
  | { type: 'partition.isolate'; node: NodeId }
  | { type: 'partition.split'; minority?: NodeId[] }
  | { type: 'partition.bridge' }
  | { type: 'heal.all' }
  | { type: 'kv.put'; key: string; value: string }
  | { type: 'kv.get'; key: string }
  | { type: 'kv.delete'; key: string }
  | { type: 'kv.cas'; key: string; expected: string | null; value: string }
  | { type: 'workload.start'; spec: Partial<WorkloadSpec> }
  | { type: 'workload.stop' }
  | { type: 'bench.start'; sweep: BenchSweep; workload: Partial<WorkloadSpec> }
  | { type: 'bench.cancel' }
  | {
      type: 'elect.start'
      /** ranges: election-timeout ranges as `MIN-MAX` in ms. */
      ranges: string[]
      trials: number
      nodes: number
      preVote: boolean
      checkQuorum: boolean
    }
  | { type: 'elect.cancel' }
  /** record.start records the session from now on, into the recordings folder as NAME.raftrec
   * (NAME: letters, digits, '.', '_', '-'; default: session-DATE-TIME). */
  | { type: 'record.start'; name?: string }
  | { type: 'record.stop' }
  /** record.list lists the recordings in the recordings folder, newest first (the result's
   * `recordings`, and the folder in `recordingsDir`). */
  | { type: 'record.list' }
  /** rerun.start plays a recording's experiment (see shared/session/rerun) on a fresh live
   * cluster, replacing any running one; `record` records the re-run too. */
  | { type: 'rerun.start'; plan: RerunPlan; record: boolean; name?: string }
  | { type: 'rerun.cancel' }

/** LabCommandType is the `type` of a LabCommand. */
export type LabCommandType = LabCommand['type']

/** NodeView is one node in a cluster status. */
export interface NodeView {
  id: NodeId
  pid: number | null
  state: NodeState
  status: NodeStatus | null
  /** detail is the `detail` of the node's last node.process event (why it crashed or could not
   * start); absent when that event had none. */
  detail?: string
  /** isStartFailure is set while the node is down because it could not start (see the
   * node.process event). */
  isStartFailure?: boolean
}

/** ClusterStatus is the cluster as the supervisor sees it now. */
export interface ClusterStatus {
  running: boolean
  clusterId: string | null
  config: ClusterConfig | null
  nodes: NodeView[]
  /** leader is the node that is leader of the highest term any running node reports, or null. */
  leader: NodeId | null
  term: number
  links: LinkRule[]
}

/** KvResult is a KV command's outcome as a client sees it. */
export interface KvCommandResult {
  /** value: the value read (get), the previous value (put, delete) or the current value (cas). */
  value: string | null
  /** swapped is set for cas. */
  swapped?: boolean
  index: number
  term: number
  node: NodeId
  latencyMs: number
}

/** RecordingInfo describes a recording the engine is writing or has written. */
export interface RecordingInfo {
  /** path is the file on the engine's machine; name is its file name in the recordings folder. */
  path: string
  name: string
  active: boolean
  events: number
  bytes: number
  /** droppedTraces/droppedOther: events left out because the disk fell behind. */
  droppedTraces: number
  droppedOther: number
}

/** RecordingListing is one file of the recordings folder, as record.list answers it. */
export interface RecordingListing {
  /** name is the file name in the recordings folder; path the file on the engine's machine. */
  name: string
  path: string
  bytes: number
  /** modifiedAt: when the file was last written, ISO 8601. */
  modifiedAt: string
  /** durationMs: from the recording's first moment to its last; null when none is readable. */
  durationMs: number | null
  /** active: the engine is writing it now. */
  active: boolean
}

/** CommandResult is a command's answer: data on success, a message (and a code for programs)
 * on failure. */
export type CommandResult =
  | {
      ok: true
      status?: ClusterStatus
      kv?: KvCommandResult
      recording?: RecordingInfo
      recordings?: RecordingListing[]
      recordingsDir?: string
    }
  | { ok: false; error: string; code: CommandErrorCode }

/** CommandErrorCode classifies failures: `invalid` (bad arguments), `state` (not possible now,
 * e.g. no cluster running or the node is not paused), `unavailable` (no leader, a timeout),
 * `internal` (a bug or an I/O failure). */
export type CommandErrorCode = 'invalid' | 'state' | 'unavailable' | 'internal'

// Re-run plans (built by shared/session/rerun.ts from a recording).

/** TimedCommand is a command at its offset from the cluster's start. */
export interface TimedCommand {
  atMs: number
  command: LabCommand
}

/** RerunPlan is what a re-run does: start a cluster with `config`, run `commands` on time, stop
 * after `durationMs`. */
export interface RerunPlan {
  config: ClusterConfig
  commands: TimedCommand[]
  durationMs: number
}

/** SCRIPTED lists the commands a re-run replays. Cluster start and stop frame the run itself;
 * status queries, benchmarks and Figure 16 runs are not part of an experiment. */
export const SCRIPTED: ReadonlySet<LabCommandType> = new Set<LabCommandType>([
  'node.pause',
  'node.resume',
  'node.crash',
  'node.restart',
  'node.stop',
  'node.transfer',
  'link.cut',
  'link.heal',
  'link.set',
  'partition.isolate',
  'partition.split',
  'partition.bridge',
  'heal.all',
  'kv.put',
  'kv.get',
  'kv.delete',
  'kv.cas',
  'workload.start',
  'workload.stop',
])

/** MAX_RERUN_MS bounds a plan's length (a day). */
export const MAX_RERUN_MS = 24 * 3_600_000

/** MAX_RERUN_COMMANDS bounds a plan's commands. */
export const MAX_RERUN_COMMANDS = 100_000
