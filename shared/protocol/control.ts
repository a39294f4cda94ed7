// The control protocol between the supervisor and each node process: commands and fault rules
// in, telemetry out. It is low-rate, so its frames carry JSON (easy to read in a capture), each
// validated on receipt. Byte layout: docs/formats/protocol.md, "Control frames".
import type { LinkRule, MessageSummary, NodeSettings, NodeStatus } from './node'
import type { NodeId, RaftEvent } from '../raft/types'
import { utf8Encode } from '../util/binary'
import { ProtocolError } from './errors'
import { decodeUtf8 } from './wire'

/** NodeLaunchConfig is everything a node process needs to start; the supervisor passes it as
 * JSON in the RAFTLAB_NODE_CONFIG environment variable. */
export interface NodeLaunchConfig {
  id: NodeId
  peers: NodeId[]
  clusterId: string
  /** runDir holds every node's listening socket, `<runDir>/n<id>.sock`, and the supervisor's
   * control socket, `<runDir>/control.sock`. */
  runDir: string
  /** dataDir is this node's own storage directory. */
  dataDir: string
  cluster: NodeSettings
  /** seed makes the node's randomized election timeouts reproducible; 0 draws a random one. */
  seed: number
}

/** ControlToNode is a supervisor command to one node. */
export type ControlToNode =
  | { type: 'rules'; rules: LinkRule[] }
  | { type: 'transfer'; to: NodeId }
  | { type: 'campaign' }
  | { type: 'tracing'; on: boolean }
  /** snapshot: snapshot the state machine and compact the log now, whatever the node's snapshot
   * policy (the lab's `node.snapshot`). The node answers with a 'snapshot' report, or a 'warning'
   * saying why it did not (nothing applied since its last snapshot). */
  | { type: 'snapshot' }
  | { type: 'shutdown' }

/** SnapshotTransferReport is one end's account of a snapshot travelling in chunks (the
 * node.snapshotTransfer LabEvent without `node`): `peer` is the other end; 'progress' comes at
 * most a few times a second; `durationMs` (since 'started') ends a transfer; `reason` says why
 * one 'failed' or was 'rejected'. */
export interface SnapshotTransferReport {
  peer: NodeId
  direction: 'send' | 'receive'
  state: 'started' | 'progress' | 'finished' | 'failed' | 'rejected'
  index: number
  term: number
  totalBytes: number
  doneBytes: number
  durationMs?: number
  reason?: string
}

/** Telemetry is what a node reports; a frame carries a batch of them (one event-loop turn). */
export type Telemetry =
  | { type: 'listening'; pid: number; socket: string }
  /** status: `monoNs` (as for 'leader') is when it was sampled. Nodes sample on a grid of
   * CLOCK_MONOTONIC shared by every process, so reports of one moment agree with each other. */
  | { type: 'status'; status: NodeStatus; monoNs?: string }
  /** raft: an event of the core. `monoNs` (as for 'leader') is when the Ready that shows it was
   * taken, before any of its messages went out: a peer's reaction to those messages is always
   * stamped later, so the supervisor can order events of different nodes by cause. */
  | { type: 'raft'; event: RaftEvent; monoNs?: string }
  | { type: 'log'; op: 'append' | 'truncate'; fromIndex: number; toIndex: number; terms: number[] }
  | {
      type: 'recovered'
      entries: number
      lastIndex: number
      term: number
      truncatedTailBytes: number
      durationMs: number
      /** snapshotIndex: the snapshot the log goes on from (absent or 0: none). */
      snapshotIndex?: number
    }
  | { type: 'messages'; sent: number; received: number; dropped: number }
  | { type: 'trace'; direction: 'send' | 'receive'; message: MessageSummary }
  | { type: 'warning'; message: string }
  | { type: 'fatal'; message: string }
  /** lag: how late this node's event loop ran its timers in the last second (the largest and
   * the 99th percentile delay, ms), reported while it is at least LAG_REPORT_MS and once more
   * when it is back under: timers that run late delay heartbeats and elections. */
  | { type: 'lag'; maxMs: number; p99Ms: number }
  /** leader: the leader this node knows of (0: none) changed, or its term did. `monoNs` is the
   * node's process.hrtime.bigint() at that moment as a decimal string (a bigint does not survive
   * JSON); on Linux that clock is CLOCK_MONOTONIC, shared by every process, so the supervisor can
   * compare it with its own (`raftlab elect` measures elections with it). */
  | { type: 'leader'; leaderId: NodeId; term: number; monoNs: string }
  /** snapshot: the node took a snapshot of its state machine and compacted its log ('taken'), or
   * installed one a leader sent ('installed'); `sizeBytes` is the snapshot file's size for
   * 'taken', the state's for 'installed'. */
  | {
      type: 'snapshot'
      kind: 'taken' | 'installed'
      index: number
      term: number
      sizeBytes: number
      durationMs: number
    }
  /** snapshotTransfer: a snapshot sent or received in chunks (protocol 1.3), from this end. */
  | ({ type: 'snapshotTransfer' } & SnapshotTransferReport)

const CONTROL_TYPES = new Set(['rules', 'transfer', 'campaign', 'tracing', 'snapshot', 'shutdown'])
const TELEMETRY_TYPES = new Set([
  'listening',
  'status',
  'raft',
  'log',
  'recovered',
  'messages',
  'trace',
  'warning',
  'fatal',
  'leader',
  'lag',
  'snapshot',
  'snapshotTransfer',
])

/** LAG_REPORT_MS: a node reports its event loop's lag once its timers ran this late. */
export const LAG_REPORT_MS = 20

/** encodeControl returns the body of a control frame. */
export function encodeControl(c: ControlToNode): Uint8Array {
  return utf8Encode(JSON.stringify(c))
}

/** decodeControl parses a control frame body; it throws ProtocolError('malformed') for anything
 * that is not a known command. */
export function decodeControl(body: Uint8Array): ControlToNode {
  const v = parseJson(body, 'control frame')
  if (!isRecord(v) || typeof v.type !== 'string' || !CONTROL_TYPES.has(v.type)) {
    throw new ProtocolError('malformed', 'control frame: not a known command')
  }
  if (v.type === 'rules' && !Array.isArray(v.rules)) {
    throw new ProtocolError('malformed', 'control frame: rules must be a list')
  }
  if (v.type === 'transfer' && !Number.isInteger(v.to)) {
    throw new ProtocolError('malformed', 'control frame: transfer needs a node id')
  }
  return v as ControlToNode
}

/** encodeTelemetry returns the body of a telemetry frame holding a batch of reports. */
export function encodeTelemetry(batch: readonly Telemetry[]): Uint8Array {
  return utf8Encode(JSON.stringify(batch))
}

/** decodeTelemetry parses a telemetry frame body; it throws ProtocolError('malformed'). */
export function decodeTelemetry(body: Uint8Array): Telemetry[] {
  const v = parseJson(body, 'telemetry frame')
  if (!Array.isArray(v)) throw new ProtocolError('malformed', 'telemetry frame: not a list')
  for (const t of v) {
    if (!isRecord(t) || typeof t.type !== 'string' || !TELEMETRY_TYPES.has(t.type)) {
      throw new ProtocolError('malformed', 'telemetry frame: unknown report')
    }
  }
  return v as Telemetry[]
}

function parseJson(body: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(decodeUtf8(body)) as unknown
  } catch (e) {
    throw new ProtocolError('malformed', `${what}: ${(e as Error).message}`)
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
