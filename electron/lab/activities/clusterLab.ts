// What an activity (a benchmark, a Figure 16 run, a Jepsen-style test, a re-run) needs of a lab:
// the seam between the activities and the Lab that owns them. The Lab implements ClusterLab and
// hands activities a LabFactory, so they build the clusters they run without importing the Lab —
// dependencies run one way: lab → activities → this interface.
import type {
  ClusterStatus,
  CommandResult,
  LabCommand,
  RecordingInfo,
} from '../../../shared/lab/commands'
import type { LabEvent } from '../../../shared/lab/events'
import type { WorkloadProgress, WorkloadResult, WorkloadSpec } from '../../../shared/lab/workload'
import type { SessionMeta } from '../../../shared/session/format'
import type { EventBus } from '../events/eventBus'

/** ClusterLab is a lab an activity drives: one cluster at a time, its commands and its events. */
export interface ClusterLab {
  /** bus is the lab's event stream (a recorder follows it; flush delivers what is pending). */
  readonly bus: EventBus
  /** command runs a lab command; failures are results, not exceptions. */
  command(cmd: LabCommand): Promise<CommandResult>
  /** status is a synchronous snapshot of the cluster. */
  status(): ClusterStatus
  /** subscribe delivers later event batches until the returned function is called. */
  subscribe(listener: (events: LabEvent[]) => void): () => void
  /** waitFor resolves true once predicate(status) holds, false after timeoutMs. */
  waitFor(predicate: (s: ClusterStatus) => boolean, timeoutMs: number): Promise<boolean>
  /** runWorkload runs a workload against the live cluster and resolves with its result. */
  runWorkload(
    partial: Partial<WorkloadSpec>,
    onProgress?: (p: WorkloadProgress) => void,
    signal?: AbortSignal,
  ): Promise<WorkloadResult>
  /** startRecording records the session from now on into `path`. */
  startRecording(path: string, source?: SessionMeta['source'], rerunOf?: string): RecordingInfo
  /** stopRecording finishes the recording. */
  stopRecording(): Promise<RecordingInfo>
  /** processIds lists the pids of every process the lab runs now. */
  processIds(): number[]
  /** close stops the cluster and removes temporary directories; idempotent. */
  close(): Promise<void>
}

/** ActivityLabOptions are the options an activity may set on a lab it builds. */
export interface ActivityLabOptions {
  /** dataDir: where node data directories go; default: a temporary directory. */
  dataDir?: string
  /** seed makes the nodes' election timeouts reproducible (0 = random). */
  seed?: number
}

/** LabFactory builds a fresh lab for an activity; the caller owns it and closes it. */
export type LabFactory = (options?: ActivityLabOptions) => ClusterLab
