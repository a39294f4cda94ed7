// Workloads: what a load generator does to a cluster, and what it measured. Plain data, shared by
// the CLI, the engine and (later) the app's benchmark view.
import type { ReadMode } from '../protocol/client'

/** WorkloadSpec describes a load. Closed loop: `concurrency` clients, each sending its next
 * request when the last one is answered. Open loop: requests arrive at `rate` per second whatever
 * the answers (latency counts from the scheduled moment, so queueing is not hidden — no
 * coordinated omission), with at most `concurrency` in flight. */
export interface WorkloadSpec {
  mode: 'closed' | 'open'
  concurrency: number
  rate: number
  /** durationMs is the measured period, after warmupMs; `ops` (if > 0) ends it after that many
   * measured operations instead. */
  durationMs: number
  warmupMs: number
  ops: number
  /** mix gives relative weights of the operations. */
  mix: { put: number; get: number; cas: number }
  keys: number
  distribution: 'uniform' | 'zipf'
  zipfExponent: number
  valueSizeBytes: number
  readMode: ReadMode
  /** timingSampleEvery: every Nth write asks the leader where its time went (0: never). */
  timingSampleEvery: number
  /** historyFile: write every operation as JSON Lines (Jepsen-style) here; null: no history. */
  historyFile: string | null
  /** timeoutMs bounds one request (retries included); a timed-out write is 'info'. */
  timeoutMs: number
  /** abandonPercent (0–100, default 0): the share of requests a client abandons when an attempt
   * gets no answer (it timed out, or the connection was lost) instead of retrying it: it records
   * 'info' for a write — which may still take effect after the client has moved on — and goes on
   * to its next operation, as a client that crashed and came back would. Retries otherwise
   * resolve most timeouts, so this is how histories come to hold 'info' operations to check. */
  abandonPercent?: number
  seed: number
}

/** DEFAULT_WORKLOAD is a closed loop of 16 clients writing 64-byte values for 10 s. */
export const DEFAULT_WORKLOAD: WorkloadSpec = {
  mode: 'closed',
  concurrency: 16,
  rate: 1000,
  durationMs: 10_000,
  warmupMs: 2000,
  ops: 0,
  mix: { put: 1, get: 0, cas: 0 },
  keys: 1000,
  distribution: 'uniform',
  zipfExponent: 0.99,
  valueSizeBytes: 64,
  readMode: 'linearizable',
  timingSampleEvery: 0,
  historyFile: null,
  timeoutMs: 5000,
  abandonPercent: 0,
  seed: 1,
}

/** LatencySummary summarizes a latency histogram, in milliseconds. */
export interface LatencySummary {
  count: number
  mean: number
  p50: number
  p90: number
  p99: number
  p999: number
  max: number
}

/** AttributionSummary says where sampled writes spent their time, in milliseconds (medians over
 * the samples, and means): queueing at the leader before it proposed, the leader's disk write, the
 * replication round trip to the follower whose acknowledgement completed the quorum (excluding
 * that follower's disk write), the follower's disk write, commit-to-apply on the leader, and the
 * rest — the client's network round trip and the reply. */
export interface AttributionSummary {
  samples: number
  stages: { stage: AttributionStage; medianMs: number; meanMs: number }[]
  totalMedianMs: number
}

/** AttributionStage names a part of a write's latency. */
export type AttributionStage =
  'leaderQueue' | 'leaderDisk' | 'replication' | 'followerDisk' | 'commitApply' | 'clientNetwork'

/** OpCounts counts operation outcomes in Jepsen's terms. */
export interface OpCounts {
  ok: number
  fail: number
  info: number
}

/** WorkloadResult is what a workload measured in its measured period. */
export interface WorkloadResult {
  spec: WorkloadSpec
  measuredMs: number
  /** throughput counts ok operations per second (all kinds), and ok writes per second. */
  opsPerSec: number
  writesPerSec: number
  counts: { put: OpCounts; get: OpCounts; cas: OpCounts }
  writeLatency: LatencySummary
  readLatency: LatencySummary
  /** histograms: HdrHistogram compressed-base64 encodings (microseconds), for merging. */
  writeHistogram: string
  readHistogram: string
  attribution: AttributionSummary | null
  /** errors: the most frequent error messages with their counts. */
  errors: { message: string; count: number }[]
  /** open: for an open loop, what it offered against what its clients could send. */
  open?: OpenLoopSummary
}

/** OpenLoopSummary compares an open loop's offered load with what was sent. Operations fall due
 * at `rate` per second; a due operation waits for a free client (at most `concurrency` in
 * flight), and its latency counts from when it fell due. `due` counts the operations that fell due
 * in the measured period, `unsent` those of them still waiting for a client when it ended: when
 * they are many, the clients could not keep up, and the latencies are mostly queueing. */
export interface OpenLoopSummary {
  offeredPerSec: number
  due: number
  unsent: number
}

/** resultNotes explains in words what a bare row of numbers cannot: an open loop whose clients
 * could not keep up with its rate, a period in which nothing completed, and failures that
 * outnumber successes (with the commonest error). Empty when there is nothing to say. */
export function resultNotes(r: WorkloadResult): string[] {
  const notes: string[] = []
  const total = (k: keyof OpCounts) => r.counts.put[k] + r.counts.get[k] + r.counts.cas[k]
  const ok = total('ok')
  const bad = total('fail') + total('info')
  const secs = r.measuredMs / 1000
  const top = r.errors[0]
  const why = top ? ` (commonest error: "${top.message}", ${top.count}×)` : ''
  if (ok === 0 && bad === 0)
    notes.push(`no operation completed in the ${secs.toFixed(1)} s measured period${why}`)
  else if (bad > ok) notes.push(`most operations failed: ${bad} of ${ok + bad}${why}`)
  const o = r.open
  if (o && o.due > 0 && o.unsent / o.due > 0.05) {
    const c = r.spec.concurrency
    notes.push(
      `the clients could not keep up: ${Math.round(o.offeredPerSec)}/s offered, ` +
        `${Math.round(r.opsPerSec)}/s completed by ${c} client${c === 1 ? '' : 's'}; ` +
        `${o.unsent} of ${o.due} operations due in the measured period were never sent, and ` +
        `latencies count from when each fell due, so they are mostly queueing — add clients or ` +
        `lower the rate`,
    )
  }
  return notes
}

/** WorkloadSample summarizes the operations that completed in one progress window (warm-up
 * included): counts, rates and write latency percentiles, plus a few raw latencies to plot. */
export interface WorkloadSample {
  windowMs: number
  writes: number
  reads: number
  fail: number
  info: number
  writesPerSec: number
  readsPerSec: number
  p50Ms: number
  p99Ms: number
  maxMs: number
  /** points: up to SAMPLE_POINTS write latencies (ms) drawn uniformly from the window. */
  points: number[]
  /** topError: the commonest error of the window's failed and unknown operations (events minor
   * 5; absent when none failed), so a front end can say why. */
  topError?: { message: string; count: number }
}

/** mostlyFailing says whether a window's failed and unknown operations outnumber its successes
 * (and there were enough operations to say so): the moment to warn that the figures are not a
 * measurement of the cluster's writes. */
export function mostlyFailing(s: WorkloadSample): boolean {
  const ok = s.writes + s.reads
  const bad = s.fail + s.info
  return bad >= 3 && bad > ok
}

/** SAMPLE_POINTS bounds the raw latencies a sample carries. */
export const SAMPLE_POINTS = 40

/** WorkloadProgress is reported about every half second. */
export interface WorkloadProgress {
  elapsedMs: number
  totalMs: number
  phase: 'warmup' | 'measure'
  ok: number
  fail: number
  info: number
  opsPerSec: number
  sample: WorkloadSample
}
