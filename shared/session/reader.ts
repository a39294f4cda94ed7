// Reading a recording from its bytes: check it (damage and truncation are reported, never fatal
// when a readable prefix exists), read events by time, rebuild the session state at any moment
// from the nearest keyframe. Pure: the caller supplies the bytes and a raw-DEFLATE inflater (Node's
// zlib in the CLI, fflate in the renderer), so the CLI and the app read files the same way.
import type { LabEvent } from '../lab/events'
import { utf8Decode } from '../util/binary'
import {
  decodeHeader,
  findNextChunk,
  readChunk,
  RecordingFormatError,
  type ChunkHeader,
  type SessionMeta,
} from './format'
import { markerOf, type Marker } from './markers'
import { applyEvent, cloneState, emptyState, SERIES_LIMIT, type SessionState } from './state'
import { createFaultBands } from './faults'
import type { LogRuns } from './logRuns'

/** Inflate undoes raw DEFLATE (RFC 1951). */
export type Inflate = (compressed: Uint8Array) => Uint8Array

/** ChunkInfo locates one events or keyframe chunk of a recording. */
export interface ChunkInfo {
  offset: number
  header: ChunkHeader
  payload: Uint8Array
}

/** GapInfo is a stretch of events the recorder dropped because the disk fell behind; `timeMs` is
 * where on the session clock the gap was noticed. */
export interface GapInfo {
  fromSeq: number
  toSeq: number
  traces: number
  other: number
  timeMs: number
}

/** Problem is damage found while opening: what was lost, where, in words. */
export interface Problem {
  kind: 'truncated' | 'damaged'
  offset: number
  message: string
}

/** DECODED_CACHE bounds how many decoded chunks a reader keeps (scrubbing revisits neighbours). */
const DECODED_CACHE = 64

/** RecordingReader is an opened recording. */
export class RecordingReader {
  /** events counts the recorded events. */
  readonly events: number
  /** startMs and endMs span the recording on the session clock. */
  readonly startMs: number
  readonly endMs: number
  private readonly cache = new Map<number, unknown>()
  private markerList: Marker[] | null

  private constructor(
    readonly meta: SessionMeta,
    readonly chunks: ChunkInfo[],
    readonly gaps: GapInfo[],
    readonly problems: Problem[],
    markers: Marker[] | null,
    private readonly inflate: Inflate,
  ) {
    let events = 0
    let start = Infinity
    let end = 0
    for (const c of chunks) {
      if (c.header.kind === 'events') events += c.header.count
      start = Math.min(start, c.header.startMs)
      end = Math.max(end, c.header.endMs)
    }
    this.events = events
    this.startMs = Number.isFinite(start) ? start : 0
    this.endMs = end
    this.markerList = markers
  }

  /** durationMs is the session clock at the last recorded moment. */
  get durationMs(): number {
    return this.endMs
  }

  /** open reads and checks a recording. It throws RecordingFormatError (with a message for people)
   * when nothing is readable; a damaged or truncated part only adds a Problem. */
  static open(b: Uint8Array, inflate: Inflate): RecordingReader {
    const { meta, offset } = decodeHeader(b)
    const chunks: ChunkInfo[] = []
    const gaps: GapInfo[] = []
    const problems: Problem[] = []
    let markers: Marker[] | null = null
    let at = offset
    for (;;) {
      const c = readChunk(b, at)
      if (c === 'end') break
      if (c === 'truncated') {
        problems.push({
          kind: 'truncated',
          offset: at,
          message: `the recording is cut short at byte ${at} of ${b.length} (a crash, or a copy that did not finish); everything before it is readable`,
        })
        break
      }
      if (c === 'damaged') {
        const next = findNextChunk(b, at + 1)
        const lost = (next < 0 ? b.length : next) - at
        problems.push({
          kind: 'damaged',
          offset: at,
          message: `${lost} damaged bytes at byte ${at}${next < 0 ? ' (to the end)' : ''}: the events stored there are lost`,
        })
        if (next < 0) break
        at = next
        continue
      }
      if ('unknown' in c) {
        at = c.unknown
        continue
      }
      try {
        if (c.header.kind === 'gap') {
          gaps.push({ ...(JSON.parse(utf8Decode(c.payload)) as GapInfo), timeMs: c.header.startMs })
        } else if (c.header.kind === 'index') {
          const payload = c.header.compressed ? inflate(c.payload) : c.payload
          markers = (JSON.parse(utf8Decode(payload)) as { markers: Marker[] }).markers
        } else chunks.push({ offset: c.offset, header: c.header, payload: c.payload })
      } catch {
        // The checksum matched but the content does not decode: written by a broken writer.
        problems.push({
          kind: 'damaged',
          offset: at,
          message: `the ${c.header.kind} chunk at byte ${at} does not decode; it is skipped`,
        })
      }
      at = c.next
    }
    if (chunks.length === 0 && problems.length > 0) {
      throw new RecordingFormatError(
        'damaged-header',
        `nothing in this recording is readable: ${(problems[0] as Problem).message}`,
      )
    }
    // Markers come from the index of a cleanly closed recording; any other needs a scan.
    const clean = problems.length === 0 && markers !== null
    return new RecordingReader(meta, chunks, gaps, problems, clean ? markers : null, inflate)
  }

  /** markers lists the notable moments (computed once when the recording has no index). */
  markers(): Marker[] {
    if (this.markerList === null) {
      const out: Marker[] = []
      this.forEachEvent(-Infinity, Infinity, (e) => {
        const m = markerOf(e)
        if (m) out.push(m)
      })
      this.markerList = out
    }
    return this.markerList
  }

  /** eventsBetween returns the events with fromMs < timeMs ≤ toMs, in order. */
  eventsBetween(fromMs: number, toMs: number): LabEvent[] {
    const out: LabEvent[] = []
    this.forEachEvent(fromMs, toMs, (e) => out.push(e))
    return out
  }

  /** forEachEvent calls `f` for each event with fromMs < timeMs ≤ toMs, in order, without
   * gathering them (a whole recording can hold millions). */
  forEachEvent(fromMs: number, toMs: number, f: (e: LabEvent) => void): void {
    for (const batch of this.batches(fromMs, toMs)) for (const e of batch) f(e)
  }

  /** iterate yields the events with fromMs < timeMs ≤ toMs, in order. */
  *iterate(fromMs = -Infinity, toMs = Infinity): Generator<LabEvent> {
    for (const batch of this.batches(fromMs, toMs)) yield* batch
  }

  /** batches yields the events with fromMs < timeMs ≤ toMs a chunk at a time, so a consumer can
   * pause between chunks (to let output drain). */
  *batches(fromMs: number, toMs: number): Generator<LabEvent[]> {
    const first = this.firstChunkEndingAfter(fromMs)
    for (let i = first; i < this.chunks.length; i++) {
      const c = this.chunks[i] as ChunkInfo
      if (c.header.startMs > toMs) break
      if (c.header.kind !== 'events' || c.header.endMs <= fromMs) continue
      const all = this.decode(i) as LabEvent[]
      const inside = c.header.startMs > fromMs && c.header.endMs <= toMs
      yield inside ? all : all.filter((e) => e.timeMs > fromMs && e.timeMs <= toMs)
    }
  }

  /** nextEventAfter is the first event strictly after (timeMs, seq), or null at the end. */
  nextEventAfter(timeMs: number, seq: number): LabEvent | null {
    for (let i = this.firstChunkEndingAfter(timeMs - 1); i < this.chunks.length; i++) {
      const c = this.chunks[i] as ChunkInfo
      if (c.header.kind !== 'events' || c.header.endMs < timeMs) continue
      for (const e of this.decode(i) as LabEvent[]) if (e.seq > seq && e.timeMs >= timeMs) return e
    }
    return null
  }

  /** previousEventBefore is the last event strictly before (timeMs, seq), or null. */
  previousEventBefore(timeMs: number, seq: number): LabEvent | null {
    for (let i = this.chunks.length - 1; i >= 0; i--) {
      const c = this.chunks[i] as ChunkInfo
      if (c.header.kind !== 'events' || c.header.startMs > timeMs) continue
      const evs = this.decode(i) as LabEvent[]
      for (let j = evs.length - 1; j >= 0; j--) {
        const e = evs[j] as LabEvent
        if (e.seq < seq && e.timeMs <= timeMs) return e
      }
    }
    return null
  }

  /** stateAt rebuilds the session state at `timeMs`: the last keyframe at or before it, plus the
   * events since. The result is the caller's to change. */
  stateAt(timeMs: number): SessionState {
    let key = -1
    for (let i = 0; i < this.chunks.length; i++) {
      const c = this.chunks[i] as ChunkInfo
      if (c.header.startMs > timeMs) break
      if (c.header.kind === 'keyframe') key = i
    }
    let base: SessionState
    let fromMs = -Infinity
    if (key >= 0) {
      base = cloneState(this.decode(key) as SessionState)
      // Keyframes written before the fault bands were structured hold a list of worded bands
      // (nothing read them): start those afresh.
      if (Array.isArray(base.faults)) base.faults = createFaultBands(SERIES_LIMIT)
      // …and kept a node's log as [{term, from, to}] runs: the same runs, differently spelled.
      for (const n of base.nodes) n.log = upgradeLog(n.log as unknown)
      fromMs = base.timeMs - 1
    } else base = emptyState()
    const fromSeq = base.seq
    this.forEachEvent(fromMs, timeMs, (e) => {
      if (e.seq > fromSeq) applyEvent(base, e)
    })
    return base
  }

  /** firstChunkEndingAfter is the index of the first chunk whose endMs is above `ms` (chunks are
   * in time order; binary search keeps seeking in a long recording cheap). */
  private firstChunkEndingAfter(ms: number): number {
    let lo = 0
    let hi = this.chunks.length
    while (lo < hi) {
      const mid = (lo + hi) >>> 1
      if ((this.chunks[mid] as ChunkInfo).header.endMs <= ms) lo = mid + 1
      else hi = mid
    }
    return lo
  }

  private decode(i: number): unknown {
    const hit = this.cache.get(i)
    if (hit !== undefined) return hit
    const c = this.chunks[i] as ChunkInfo
    const bytes = c.header.compressed ? this.inflate(c.payload) : c.payload
    const value: unknown = JSON.parse(utf8Decode(bytes))
    if (this.cache.size >= DECODED_CACHE)
      this.cache.delete(this.cache.keys().next().value as number)
    this.cache.set(i, value)
    return value
  }
}

/** upgradeLog reads a keyframe node's log in either spelling: {runs, lastIndex} (today's) or a
 * list of {term, from, to} runs (keyframes written before the log fold was shared). */
function upgradeLog(log: unknown): LogRuns {
  if (!Array.isArray(log)) return log as LogRuns
  const runs = log as { term: number; from: number; to: number }[]
  return {
    runs: runs.map((r) => ({ start: r.from, term: r.term })),
    lastIndex: runs.length > 0 ? (runs[runs.length - 1] as { to: number }).to : 0,
  }
}
