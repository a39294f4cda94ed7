// Reading a recording file in the engine and the CLI: the shared reader over the file's bytes,
// and a summary of the session (counts and merged write-latency percentiles).
import { readFileSync } from 'node:fs'
import { inflateRawSync } from 'node:zlib'
import * as hdr from 'hdr-histogram-js'
import type { SessionMeta } from '../../shared/session/format'
import { RecordingReader, type GapInfo, type Problem } from '../../shared/session/reader'

/** RecordingSummary is what `raftlab replay --summary` prints. */
export interface RecordingSummary {
  path: string
  meta: SessionMeta
  durationMs: number
  events: number
  nodes: number
  elections: number
  leaderChanges: number
  faults: number
  clientOps: number
  workloadOps: { ok: number; fail: number; info: number }
  writeLatency: {
    count: number
    p50: number
    p90: number
    p99: number
    p999: number
    max: number
  } | null
  gaps: GapInfo[]
  problems: Problem[]
}

/** openRecording reads and checks the recording at `path` (see RecordingReader.open). */
export function openRecording(path: string): RecordingReader {
  const file = readFileSync(path)
  return RecordingReader.open(new Uint8Array(file.buffer, file.byteOffset, file.length), (b) =>
    inflateRawSync(b),
  )
}

/** summarizeRecording counts what a session holds. Write latency merges the workloads' own
 * histograms; a recording with no finished workload (cut short, or single commands only) falls
 * back to the recorded client operations' latencies. */
export function summarizeRecording(rec: RecordingReader, path: string): RecordingSummary {
  const end = rec.stateAt(Infinity)
  const build = () =>
    hdr.build({
      lowestDiscernibleValue: 1,
      highestTrackableValue: 120_000_000,
      numberOfSignificantValueDigits: 3,
    })
  const fromWorkloads = build()
  const fromOps = build()
  const workloadOps = { ok: 0, fail: 0, info: 0 }
  rec.forEachEvent(-Infinity, Infinity, (e) => {
    if (e.type === 'client.op' && e.op !== 'get' && e.result === 'ok') {
      fromOps.recordValue(Math.max(1, Math.round(e.latencyMs * 1000)))
    }
    if (e.type !== 'workload.stopped' || !e.result) return
    for (const c of Object.values(e.result.counts)) {
      workloadOps.ok += c.ok
      workloadOps.fail += c.fail
      workloadOps.info += c.info
    }
    if (e.result.writeHistogram) {
      fromWorkloads.add(hdr.decodeFromCompressedBase64(e.result.writeHistogram))
    }
  })
  const hist = fromWorkloads.totalCount > 0 ? fromWorkloads : fromOps
  const ms = (p: number) => hist.getValueAtPercentile(p) / 1000
  const summary: RecordingSummary = {
    path,
    meta: rec.meta,
    durationMs: rec.durationMs,
    events: rec.events,
    nodes: end.config?.nodes ?? end.nodes.length,
    elections: end.counters.elections,
    leaderChanges: end.counters.leaderChanges,
    faults: end.counters.faults,
    clientOps: end.counters.clientOps,
    workloadOps,
    writeLatency:
      hist.totalCount === 0
        ? null
        : {
            count: hist.totalCount,
            p50: ms(50),
            p90: ms(90),
            p99: ms(99),
            p999: ms(99.9),
            max: hist.maxValue / 1000,
          },
    gaps: rec.gaps,
    problems: rec.problems,
  }
  fromWorkloads.destroy()
  fromOps.destroy()
  return summary
}
