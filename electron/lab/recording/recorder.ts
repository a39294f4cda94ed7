// The recorder: a subscriber of the event stream that writes a recording (shared/session/format)
// incrementally — a compressed chunk of events about every second, a keyframe of the whole
// session state every few seconds, an index at a clean close. It never blocks the engine: writes
// are queued, and if the disk falls behind, message traces are dropped first (never state
// events) and the gap is marked in the file.
import { closeSync, fdatasync, fsyncSync, openSync, writeSync } from 'node:fs'
import { cpus, platform, release } from 'node:os'
import { promisify } from 'node:util'
import { deflateRaw } from 'node:zlib'
import type { LabEvent } from '../../../shared/lab/events'
import { LAB_EVENT_VERSION } from '../../../shared/lab/events'
import {
  encodeChunk,
  encodeHeader,
  RECORDING_VERSION,
  type SessionMeta,
} from '../../../shared/session/format'
import { markerOf, type Marker } from '../../../shared/session/markers'
import {
  applyEvent,
  cloneState,
  emptyState,
  type SessionState,
} from '../../../shared/session/state'
import { utf8Encode } from '../../../shared/util/binary'
import { APP_VERSION } from '../version'

const deflate = promisify(deflateRaw)
const datasync = promisify(fdatasync)

/** RecorderOptions tunes a recorder; the defaults suit live sessions. */
export interface RecorderOptions {
  source: SessionMeta['source']
  rerunOf?: string
  /** flushEveryMs: how often queued events become a chunk. */
  flushEveryMs?: number
  /** keyframeEveryMs: the least session time between keyframes. A keyframe is also held back
   * until the events written since the last one take as many bytes as it did, so keyframes never
   * take more than about half the file, and a seek replays at most that many bytes of events. */
  keyframeEveryMs?: number
  /** softLimitEvents: queued events beyond which message traces are dropped. */
  softLimitEvents?: number
  /** hardLimitEvents: queued events beyond which everything new is dropped (state survives in
   * the next keyframe, which is computed from every event). */
  hardLimitEvents?: number
  /** fsyncEveryMs: how often written chunks are made durable (power loss keeps the rest). */
  fsyncEveryMs?: number
  /** initial is the session so far when recording starts mid-session (the app's record button);
   * it becomes the recording's first keyframe. */
  initial?: SessionState
  /** onError hears, once, that writing failed (the disk is full, the file was removed …); the
   * recorder keeps the session state but writes nothing more. */
  onError?: (e: Error) => void
}

/** EventSource is a stream a recorder can follow: a Lab's event bus. */
export interface EventSource {
  /** nowMs is the stream's clock now. */
  nowMs(): number
  subscribe(listener: (events: LabEvent[]) => void): () => void
}

/** RecorderStats counts what a recorder wrote and dropped. */
export interface RecorderStats {
  events: number
  chunks: number
  keyframes: number
  bytes: number
  droppedTraces: number
  droppedOther: number
  gaps: number
}

interface IndexEntry {
  offset: number
  kind: 'events' | 'keyframe' | 'gap'
  startMs: number
  endMs: number
  seq: number
}

/** Recorder writes one recording file. */
export class Recorder {
  readonly stats: RecorderStats = {
    events: 0,
    chunks: 0,
    keyframes: 0,
    bytes: 0,
    droppedTraces: 0,
    droppedOther: 0,
    gaps: 0,
  }
  private readonly state: SessionState
  /** lastSeq is the last sequence number seen (recorded or dropped). */
  private lastSeq = 0
  /** clockOrigin is performance.now() at the recording clock's zero: the first followed
   * stream's own zero, so a one-cluster recording keeps the live session's numbering. */
  private clockOrigin: number | null = null
  private queue: LabEvent[] = []
  private writing: Promise<void> = Promise.resolve()
  private inFlight = 0
  private offset: number
  private lastKeyframeMs = -Infinity
  /** JSON bytes of the last keyframe, and of the events queued for writing since it */
  private lastKeyframeBytes = 0
  private eventBytesSinceKeyframe = 0
  private lastSyncMs = performance.now()
  private gap: {
    fromSeq: number
    toSeq: number
    traces: number
    other: number
    timeMs: number
  } | null = null
  private readonly index: IndexEntry[] = []
  private readonly markers: Marker[] = []
  private readonly timer: NodeJS.Timeout
  private closed = false
  private failure: Error | null = null
  private readonly opts: Required<
    Omit<RecorderOptions, 'source' | 'rerunOf' | 'initial' | 'onError'>
  >
  private readonly onError: (e: Error) => void

  private constructor(
    readonly path: string,
    private readonly fd: number,
    headerBytes: number,
    opts: RecorderOptions,
  ) {
    const { rerunOf: _r, initial, onError, ...tuning } = opts
    this.onError = onError ?? (() => {})
    this.opts = {
      flushEveryMs: 1000,
      keyframeEveryMs: 5000,
      softLimitEvents: 100_000,
      hardLimitEvents: 400_000,
      fsyncEveryMs: 5000,
      ...tuning,
    }
    this.state = initial ? cloneState(initial) : emptyState()
    this.lastSeq = this.state.seq
    // A recording started mid-session opens with the session so far.
    if (initial) this.flush()
    this.offset = headerBytes
    this.timer = setInterval(() => this.flush(), this.opts.flushEveryMs)
    this.timer.unref?.()
  }

  /** create starts a recording at `path` (overwriting it), writing its header at once. */
  static create(
    path: string,
    opts: RecorderOptions,
    electronVersion: string | null = null,
  ): Recorder {
    const c = cpus()
    const meta: SessionMeta = {
      formatVersion: { ...RECORDING_VERSION },
      eventVersion: { ...LAB_EVENT_VERSION },
      appVersion: APP_VERSION,
      createdAt: new Date().toISOString(),
      machine: {
        os: `${platform()} ${release()}`,
        cpus: c.length,
        cpuModel: c[0]?.model.trim() ?? 'unknown',
        node: process.version,
        electron: electronVersion,
      },
      source: opts.source,
      ...(opts.rerunOf ? { rerunOf: opts.rerunOf } : {}),
    }
    const header = encodeHeader(meta)
    const fd = openSync(path, 'w')
    writeSync(fd, header)
    fsyncSync(fd)
    return new Recorder(path, fd, header.length, opts)
  }

  /** follow records `source`'s events until the returned function is called. Streams followed in
   * turn (a benchmark runs one cluster after another, each with its own clock and numbering) are
   * put on one clock and one numbering: the first stream's. */
  follow(source: EventSource): () => void {
    const now = performance.now()
    const sourceOrigin = now - source.nowMs()
    if (this.clockOrigin === null) {
      // The first stream keeps its own clock and numbering (a recording started mid-session
      // continues the session's).
      this.clockOrigin = sourceOrigin
      return source.subscribe((events) => this.record(events))
    }
    const timeBase = sourceOrigin - this.clockOrigin
    const seqBase = this.lastSeq
    return source.subscribe((events) =>
      this.record(
        events.map((e) => ({
          ...e,
          seq: e.seq + seqBase,
          timeMs: Math.round((e.timeMs + timeBase) * 1000) / 1000,
        })),
      ),
    )
  }

  /** record takes a batch of events of one stream, in order. */
  record(events: LabEvent[]): void {
    if (this.closed) return
    for (const e of events) {
      this.lastSeq = e.seq
      applyEvent(this.state, e)
      const m = markerOf(e)
      if (m) this.markers.push(m)
      const backlog = this.queue.length + this.inFlight
      const isTrace = e.type === 'node.trace'
      if (
        (isTrace && backlog >= this.opts.softLimitEvents) ||
        backlog >= this.opts.hardLimitEvents
      ) {
        this.noteDrop(e, isTrace)
        continue
      }
      this.queue.push(e)
    }
  }

  /** settled resolves once every chunk flushed so far is written (tools that feed a recorder
   * faster than real time wait on it, as a live session's pace would). */
  settled(): Promise<void> {
    return this.writing
  }

  /** close writes what is queued, a final keyframe and the index, syncs and closes the file. */
  async close(): Promise<RecorderStats> {
    if (this.closed) return this.stats
    this.flush(true)
    this.closed = true
    clearInterval(this.timer)
    this.enqueue(async () => {
      const index = utf8Encode(
        JSON.stringify({
          chunks: this.index,
          markers: this.markers,
          durationMs: this.state.timeMs,
        }),
      )
      const payload = await deflate(index)
      this.write(
        encodeChunk(
          {
            kind: 'index',
            compressed: true,
            startMs: 0,
            endMs: this.state.timeMs,
            count: this.index.length,
          },
          payload,
        ),
      )
    })
    await this.writing
    try {
      if (!this.failure) fsyncSync(this.fd)
    } finally {
      closeSync(this.fd)
    }
    if (this.failure) throw this.failure
    return this.stats
  }

  private noteDrop(e: LabEvent, isTrace: boolean): void {
    this.gap ??= { fromSeq: e.seq, toSeq: e.seq, traces: 0, other: 0, timeMs: e.timeMs }
    this.gap.toSeq = e.seq
    if (isTrace) {
      this.gap.traces++
      this.stats.droppedTraces++
    } else {
      this.gap.other++
      this.stats.droppedOther++
    }
  }

  /** flush turns what is queued into a chunk now (and a keyframe when one is due); the recorder
   * also does this every flushEveryMs. */
  flush(final = false): void {
    if (this.closed) return
    const batch = this.queue
    this.queue = []
    const gap = this.gap
    this.gap = null
    // Serialized now, so the chunk holds the events and state as they are at this moment.
    const eventsJson = batch.length > 0 ? JSON.stringify(batch) : ''
    this.eventBytesSinceKeyframe += eventsJson.length
    const due =
      this.state.timeMs - this.lastKeyframeMs >= this.opts.keyframeEveryMs &&
      this.eventBytesSinceKeyframe >= this.lastKeyframeBytes
    const keyframe =
      final || due
        ? { json: JSON.stringify(this.state), timeMs: this.state.timeMs, seq: this.state.seq }
        : null
    if (keyframe) {
      this.lastKeyframeMs = keyframe.timeMs
      this.lastKeyframeBytes = keyframe.json.length
      this.eventBytesSinceKeyframe = 0
    }
    if (batch.length === 0 && !gap && !keyframe) return
    this.inFlight += batch.length
    this.enqueue(async () => {
      if (gap) {
        const payload = utf8Encode(JSON.stringify(gap))
        this.stats.gaps++
        this.addIndex('gap', gap.timeMs, gap.timeMs, gap.fromSeq)
        this.write(
          encodeChunk(
            {
              kind: 'gap',
              compressed: false,
              startMs: gap.timeMs,
              endMs: gap.timeMs,
              count: gap.traces + gap.other,
            },
            payload,
          ),
        )
      }
      if (batch.length > 0) {
        const first = batch[0] as LabEvent
        const last = batch[batch.length - 1] as LabEvent
        const payload = await deflate(utf8Encode(eventsJson))
        this.addIndex('events', first.timeMs, last.timeMs, first.seq)
        this.write(
          encodeChunk(
            {
              kind: 'events',
              compressed: true,
              startMs: first.timeMs,
              endMs: last.timeMs,
              count: batch.length,
            },
            payload,
          ),
        )
        this.stats.events += batch.length
        this.inFlight -= batch.length
      }
      if (keyframe) {
        const payload = await deflate(utf8Encode(keyframe.json))
        this.addIndex('keyframe', keyframe.timeMs, keyframe.timeMs, keyframe.seq)
        this.write(
          encodeChunk(
            {
              kind: 'keyframe',
              compressed: true,
              startMs: keyframe.timeMs,
              endMs: keyframe.timeMs,
              count: 1,
            },
            payload,
          ),
        )
        this.stats.keyframes++
      }
      if (performance.now() - this.lastSyncMs >= this.opts.fsyncEveryMs) {
        this.lastSyncMs = performance.now()
        await datasync(this.fd)
      }
    })
  }

  private addIndex(kind: IndexEntry['kind'], startMs: number, endMs: number, seq: number): void {
    this.index.push({ offset: this.offset, kind, startMs, endMs, seq })
  }

  /** write appends one chunk; chunks are written strictly in order. */
  private write(chunk: Uint8Array): void {
    writeSync(this.fd, chunk, 0, chunk.length, this.offset)
    this.offset += chunk.length
    this.stats.bytes = this.offset
    this.stats.chunks++
  }

  private enqueue(job: () => Promise<void>): void {
    this.writing = this.writing
      .then(() => (this.failure ? undefined : job()))
      .catch((e: Error) => {
        if (this.failure) return
        this.failure = e
        this.onError(e)
      })
  }
}
