// Reading a recording file in the engine and the CLI: the shared reader over the file's bytes,
// a summary of the session (counts and merged write-latency percentiles), and the list of the
// recordings folder (record.list).
import {
  closeSync,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
} from 'node:fs'
import { join } from 'node:path'
import { inflateRawSync } from 'node:zlib'
import * as hdr from 'hdr-histogram-js'
import type { RecordingListing } from '../../../shared/lab/commands'
import { FILE_NAME } from '../../../shared/lab/validate'
import {
  CHUNK_HEADER_BYTES,
  CHUNK_MAGIC,
  MAX_CHUNK_BYTES,
  RECORDING_MAGIC,
  type SessionMeta,
} from '../../../shared/session/format'
import { RecordingReader, type GapInfo, type Problem } from '../../../shared/session/reader'

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

/** MAX_LISTED_RECORDINGS bounds record.list's answer (the newest are listed). */
export const MAX_LISTED_RECORDINGS = 500

/** isRecordingName tells whether `name` may be a recording of the recordings folder: a plain file
 * name (no folders, not hidden) ending in .raftrec. Nothing else there is listed or served. */
export function isRecordingName(name: string): boolean {
  return FILE_NAME.test(name) && name.endsWith('.raftrec')
}

/** listRecordings lists the recordings in `dir`, newest first: regular files only (a symbolic
 * link could lead out of the folder), at most MAX_LISTED_RECORDINGS. `activePath` is the one
 * being written now. A missing folder has none. */
export function listRecordings(dir: string, activePath: string | null = null): RecordingListing[] {
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  const files: { name: string; path: string; bytes: number; mtimeMs: number }[] = []
  for (const name of names) {
    if (!isRecordingName(name)) continue
    const path = join(dir, name)
    try {
      const st = lstatSync(path)
      if (st.isFile()) files.push({ name, path, bytes: st.size, mtimeMs: st.mtimeMs })
    } catch {
      // Gone meanwhile: not listed.
    }
  }
  files.sort((a, b) => b.mtimeMs - a.mtimeMs || a.name.localeCompare(b.name))
  return files.slice(0, MAX_LISTED_RECORDINGS).map((f) => ({
    name: f.name,
    path: f.path,
    bytes: f.bytes,
    modifiedAt: new Date(f.mtimeMs).toISOString(),
    durationMs: recordingSpanMs(f.path),
    active: f.path === activePath,
  }))
}

/** recordingSpanMs reads how long a recording is, from its chunk headers alone (36 bytes each,
 * no payload read), so listing a folder of hour-long recordings stays quick: from the first
 * moment of its first events or keyframe chunk to the last moment of its last. It stops at the
 * first chunk that is cut short or does not look like one (damage is the reader's to report), and
 * returns null when no chunk is readable or the file is not a recording. */
export function recordingSpanMs(path: string): number | null {
  let fd: number
  try {
    fd = openSync(path, 'r')
  } catch {
    return null
  }
  try {
    const size = fstatSync(fd).size
    const head = Buffer.alloc(16)
    if (readSync(fd, head, 0, 16, 0) < 16) return null
    if (head.subarray(0, 8).toString('latin1') !== RECORDING_MAGIC) return null
    let at = 16 + head.readUInt32BE(12) + 4
    const chunk = Buffer.alloc(CHUNK_HEADER_BYTES)
    let start = Infinity
    let end = -Infinity
    while (at + CHUNK_HEADER_BYTES <= size) {
      if (readSync(fd, chunk, 0, CHUNK_HEADER_BYTES, at) < CHUNK_HEADER_BYTES) break
      if (chunk.subarray(0, 4).toString('latin1') !== CHUNK_MAGIC) break
      const length = chunk.readUInt32BE(28)
      if (length > MAX_CHUNK_BYTES || at + CHUNK_HEADER_BYTES + length > size) break
      const kind = chunk[4]
      // 1: events, 2: keyframe (shared/session/format.ts).
      if (kind === 1 || kind === 2) {
        start = Math.min(start, chunk.readDoubleBE(8))
        end = Math.max(end, chunk.readDoubleBE(16))
      }
      at += CHUNK_HEADER_BYTES + length
    }
    return Number.isFinite(start) && end >= start ? end - start : null
  } catch {
    return null
  } finally {
    closeSync(fd)
  }
}
