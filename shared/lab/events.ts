// The LabEvent stream: one ordered, typed, versioned stream of everything that happens in a lab
// session. The supervisor produces it; the CLI, the renderer, the recorder and the replayer all
// consume it, so a replayed session drives exactly the same views as a live one.
import type { NodeId, RaftEvent } from '../raft/types'
import type { LinkRule, MessageSummary, NodeStatus } from '../protocol/node'
import type { SnapshotTransferReport } from '../protocol/control'
import type { ClusterConfig } from './config'
import type { BenchConfig, BenchReport } from './bench'
import type { LabCommand, NodeState, RecordingInfo } from './commands'
import type { ElectRun } from './figure16'
import type { WorkloadResult, WorkloadSample, WorkloadSpec } from './workload'

/** LAB_EVENT_VERSION is the version of the event stream's shape. A consumer refuses a newer
 * major version; minor versions only add event types or optional fields. */
export const LAB_EVENT_VERSION = { major: 1, minor: 8 } as const

// The node-level types (a node's status, a link's fault rule, a traced message) belong to the
// protocol between the lab and its nodes; NodeState to the commands' views. Re-exported here.
export type { LinkRule, MessageSummary, NodeStatus } from '../protocol/node'
export type { NodeState } from './commands'

/** ClientOpResult is how a client operation ended, in Jepsen's terms: 'ok' (it happened),
 * 'fail' (it certainly did not), 'info' (unknown, e.g. a timeout). */
export type ClientOpResult = 'ok' | 'fail' | 'info'

/** FaultKind is what a fault event did: to a node (pause, resume, crash, restart, stop), to a
 * link (cut, heal, slow — latency, jitter or loss), to the network (isolate, split, bridge), or
 * heal every link. */
export type FaultKind =
  | 'pause'
  | 'resume'
  | 'crash'
  | 'restart'
  | 'stop'
  | 'link-cut'
  | 'link-heal'
  | 'link-slow'
  | 'isolate'
  | 'split'
  | 'bridge'
  | 'heal-all'

/** LINK_FAULT_KINDS are the fault kinds that set link rules (a link fault band takes their words). */
export const LINK_FAULT_KINDS: ReadonlySet<FaultKind> = new Set<FaultKind>([
  'link-cut',
  'link-slow',
  'isolate',
  'split',
  'bridge',
])

/** LabEventBody is the payload of each event type. */
export type LabEventBody =
  | {
      type: 'cluster.started'
      clusterId: string
      config: ClusterConfig
      runDir: string
      dataDir: string
    }
  | { type: 'cluster.stopped'; reason: string }
  | {
      type: 'node.process'
      node: NodeId
      state: NodeState
      pid: number | null
      /** detail explains a state change: an exit code or signal, a start failure. */
      detail?: string
      /** isStartFailure is set on the 'crashed' event of a process that exited before it was
       * running: the node could not start (it refused its data on disk, say), and `detail` says
       * why. It stays down until restarted. (Since minor 4.) */
      isStartFailure?: boolean
    }
  | {
      type: 'node.status'
      node: NodeId
      status: NodeStatus
      /** atMs: when the node sampled it, on the session clock (since minor 5). Nodes sample on a
       * shared grid, so the reports of one moment agree with each other. */
      atMs?: number
    }
  | {
      type: 'node.raft'
      node: NodeId
      event: RaftEvent
      /** atMs: when the node took the Ready that holds this event, on the session clock (since
       * minor 5; absent from older recordings). `timeMs` is when the engine received the report:
       * reports of different nodes arrive in any order, so a vote granted can arrive before the
       * request for it. Each node stamps its Ready before sending that Ready's messages, so
       * ordering by `atMs` puts every reaction after its cause. */
      atMs?: number
    }
  | {
      type: 'node.log'
      node: NodeId
      /** append: entries fromIndex..toIndex were persisted with these terms (a truncation of any
       * later entries comes first as its own event). truncate: entries from fromIndex dropped. */
      op: 'append' | 'truncate'
      fromIndex: number
      toIndex: number
      terms: number[]
    }
  | {
      type: 'node.recovered'
      node: NodeId
      entries: number
      lastIndex: number
      term: number
      truncatedTailBytes: number
      durationMs: number
      /** snapshotIndex (since minor 6): the snapshot the node restored its state machine from;
       * `entries` are the log's entries after it. Absent: no snapshot. */
      snapshotIndex?: number
    }
  | {
      /** node.snapshot (since minor 6): the node snapshotted its state machine at `index` and
       * compacted its log (`kind` 'taken': `bytes` is the snapshot file's size, `durationMs` the
       * time from capturing the state to the snapshot being durable and the log compacted — the
       * encoding is spread over several turns of the node's event loop, so the node went on
       * working meanwhile), or installed a snapshot its leader sent ('installed':
       * `bytes` is the state's size, `durationMs` the time to restore it; it was written durably
       * before). */
      type: 'node.snapshot'
      node: NodeId
      kind: 'taken' | 'installed'
      index: number
      term: number
      bytes: number
      durationMs: number
    }
  | ({
      /** node.snapshotTransfer (since minor 8): a snapshot travelling between two nodes, reported
       * by each end. The sender (`direction` 'send', `peer` the follower) reports 'started', then
       * 'progress' as chunks leave (at most a few times a second), then 'finished' once the last
       * chunk is written or 'failed' (the link was cut, the peer went away, the leader lost its
       * term). The receiver (`direction` 'receive', `peer` the leader) reports 'started' at the
       * first chunk, 'progress', then 'finished' when the last chunk checked out and the snapshot
       * went to the core, or 'rejected' (a chunk out of order, a bad checksum, a newer transfer
       * replaced it) with `reason`. `doneBytes` of `totalBytes` have moved so far; `durationMs`
       * (on 'finished', 'failed', 'rejected') is the time since 'started'. `index`/`term`: the
       * snapshot's last included entry. The fields are the node's own report. */
      type: 'node.snapshotTransfer'
      node: NodeId
    } & SnapshotTransferReport)
  | { type: 'node.messages'; node: NodeId; sent: number; received: number; dropped: number }
  | { type: 'node.trace'; node: NodeId; direction: 'send' | 'receive'; message: MessageSummary }
  | { type: 'node.warning'; node: NodeId; message: string }
  | {
      /** node.lag (since minor 5): the node's event loop ran its timers late in the last second
       * — `maxMs` at worst, `p99Ms` at the 99th percentile — reported each second while it is at
       * least 20 ms, and once more when it is back under. Timers that run late delay heartbeats
       * and elections: a cause of leader changes that no fault explains. `loadPerCpu` is the
       * machine's 1-minute load average per CPU (above 1: more runnable work than cores). */
      type: 'node.lag'
      node: NodeId
      maxMs: number
      p99Ms: number
      loadPerCpu: number
    }
  | {
      type: 'node.leader'
      node: NodeId
      /** leaderId is the leader `node` now knows of in `term` (0: none, e.g. while campaigning);
       * reported when either changes. */
      leaderId: NodeId
      term: number
      /** monoNs is the node's process.hrtime.bigint() when it learned this, as a decimal string
       * of nanoseconds. On Linux every process shares that clock (CLOCK_MONOTONIC), so it can be
       * compared across nodes and with the engine's own process.hrtime.bigint(); it is unrelated
       * to `timeMs`, which is stamped on arrival. */
      monoNs: string
      /** atMs: the same moment on the session clock (since minor 5). */
      atMs?: number
    }
  | { type: 'links.changed'; rules: LinkRule[] }
  | {
      type: 'fault'
      action: 'applied' | 'healed'
      description: string
      /** kind and nodes (since minor 7) say what the fault is without its words: what was done,
       * and to which nodes (a link's two ends, a partition's nodes; none for heal-all). */
      kind?: FaultKind
      nodes?: NodeId[]
    }
  | {
      type: 'command'
      id: number
      phase: 'started' | 'done' | 'failed'
      command: LabCommand
      error?: string
    }
  | {
      type: 'client.op'
      clientId: number
      op: 'put' | 'get' | 'delete' | 'cas'
      key: string
      result: ClientOpResult
      latencyMs: number
      node: NodeId
      index?: number
      term?: number
      error?: string
      /** value (since minor 5, when ok): what a get read (null: not found), what a put or delete
       * replaced, what a cas found; swapped: whether a cas swapped. */
      value?: string | null
      swapped?: boolean
    }

/** LabActivityEvent reports the engine's long-running work: a workload against the live
 * cluster, a benchmark sweep, a Figure 16 run. */
export type LabActivityEvent =
  | { type: 'workload.started'; spec: WorkloadSpec }
  | {
      type: 'workload.sample'
      elapsedMs: number
      totalMs: number
      phase: 'warmup' | 'measure'
      sample: WorkloadSample
    }
  | { type: 'workload.stopped'; result: WorkloadResult | null; error?: string }
  | {
      type: 'bench.progress'
      index: number
      total: number
      config: BenchConfig
      elapsedMs: number
      totalMs: number
      opsPerSec: number
    }
  | { type: 'bench.done'; report: BenchReport | null; cancelled: boolean; error?: string }
  | {
      type: 'elect.progress'
      range: string
      rangeIndex: number
      ranges: number
      trial: number
      trials: number
      failures: number
    }
  | { type: 'elect.done'; run: ElectRun | null; cancelled: boolean; error?: string }
  | { type: 'record.started'; recording: RecordingInfo }
  /** record.stopped: the recording is complete (error: it failed, e.g. the disk filled up). */
  | { type: 'record.stopped'; recording: RecordingInfo; error?: string }
  | {
      type: 'rerun.progress'
      atMs: number
      totalMs: number
      commandsDone: number
      commands: number
    }
  | {
      type: 'rerun.done'
      cancelled: boolean
      /** recording: the re-run's own recording, when asked for. */
      recording: RecordingInfo | null
      failedCommands: { atMs: number; type: string; error: string }[]
      error?: string
    }

/** LabEvent is one event of the stream: a body (LabEventBody or LabActivityEvent) with its sequence number (1, 2, 3… with no gaps
 * within a session) and a monotonic timestamp in milliseconds since the session started. */
export type LabEvent = (LabEventBody | LabActivityEvent) & { seq: number; timeMs: number }

/** LabEventType is the `type` of a LabEvent. */
export type LabEventType = LabEvent['type']
