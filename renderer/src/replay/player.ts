// Replay without the engine: a recording opened in the page (fflate inflates its chunks; the
// reader is the CLI's, from shared/session), and a player that moves a playhead through it —
// play and pause, 0.1×–10×, seek anywhere, step event by event. The player is pure (its clock is
// passed in); the session store turns what it returns into the same model a live session builds.
import { inflateSync } from 'fflate'
import type { ClusterStatus } from '../../../shared/lab/commands'
import type { LabEvent } from '../../../shared/lab/events'
import { RecordingReader } from '../../../shared/session/reader'
import { statusFromState } from '../../../shared/session/status'

/** openRecordingBytes checks and opens a recording file's bytes (RecordingFormatError says what
 * is wrong with a file that is not one). */
export function openRecordingBytes(bytes: Uint8Array): RecordingReader {
  return RecordingReader.open(bytes, (b) => inflateSync(b))
}

/** SPEEDS are the playback speeds offered (the 0.1×–10×). */
export const SPEEDS = [0.1, 0.25, 0.5, 1, 2, 5, 10] as const

/** PRELOAD_MS: a seek rebuilds the views from this much recording before the moment (the charts'
 * default span, with room to zoom out), starting from the keyframe state there. */
export const PRELOAD_MS = 120_000

/** PRELOAD_EVENTS bounds how many events a seek folds, however busy the recording: folding and
 * drawing them is most of a seek's time in the page (20,000 is about a minute of a 5-node
 * cluster at 500 writes/s, and a seek there takes a few hundred ms). */
export const PRELOAD_EVENTS = 20_000

/** Rebuild is what a seek hands the views: the cluster as it was at `fromMs`, then every event up
 * to the playhead. */
export interface Rebuild {
  fromMs: number
  status: ClusterStatus
  /** seq of the last event folded into `status`: events must follow it. */
  statusSeq: number
  events: LabEvent[]
}

/** Player moves a playhead through a recording. Times are session milliseconds. */
export class Player {
  playheadMs: number
  /** seq of the last event delivered (ties in time are broken by seq). */
  private lastSeq: number
  playing = false
  speed = 1
  private wallAt = 0

  constructor(readonly reader: RecordingReader) {
    this.playheadMs = reader.startMs
    this.lastSeq = 0
  }

  get startMs(): number {
    return this.reader.startMs
  }

  get endMs(): number {
    return this.reader.endMs
  }

  get atEnd(): boolean {
    return this.playheadMs >= this.endMs
  }

  /** seek moves the playhead to `timeMs` (clamped to the recording) and returns the rebuild. */
  seek(timeMs: number): Rebuild {
    const t = Math.min(this.endMs, Math.max(this.startMs, timeMs))
    this.playheadMs = t
    // A recording started mid-session opens with a keyframe (the session so far): rebuilds start
    // from it. One started with its cluster has none there: its first events are delivered, so
    // the narrative tells the start too.
    const opensWithKeyframe = this.reader.chunks[0]?.header.kind === 'keyframe'
    let fromMs = Math.max(this.startMs - (opensWithKeyframe ? 0 : 1), t - PRELOAD_MS)
    let events = this.reader.eventsBetween(fromMs, t)
    if (events.length > PRELOAD_EVENTS) {
      // Start just before the oldest event kept, and keep every event of that same moment
      // (those cut off by the slice would be neither in the state nor delivered).
      const all = events
      fromMs = (all[all.length - PRELOAD_EVENTS] as LabEvent).timeMs - 0.001
      events = all.filter((e) => e.timeMs > fromMs)
    }
    const state = this.reader.stateAt(fromMs)
    // Events at fromMs already folded into the state are not delivered twice.
    events = events.filter((e) => e.seq > state.seq)
    const last = events[events.length - 1]
    this.lastSeq = last ? last.seq : state.seq
    return { fromMs, status: statusFromState(state), statusSeq: state.seq, events }
  }

  /** play starts moving the playhead with the wall clock (`nowWallMs`: performance.now()). */
  play(nowWallMs: number): void {
    if (this.atEnd) return
    this.playing = true
    this.wallAt = nowWallMs
  }

  pause(): void {
    this.playing = false
  }

  /** setSpeed changes the speed (clamped to 0.1–10) without a jump. */
  setSpeed(speed: number, nowWallMs: number): void {
    if (this.playing) this.tick(nowWallMs)
    this.speed = Math.min(10, Math.max(0.1, speed))
  }

  /** tick advances a playing playhead to the wall clock and returns the events it passed; it
   * stops at the end. */
  tick(nowWallMs: number): LabEvent[] {
    if (!this.playing) return []
    const to = Math.min(this.endMs, this.playheadMs + (nowWallMs - this.wallAt) * this.speed)
    this.wallAt = nowWallMs
    const events = this.reader
      .eventsBetween(this.playheadMs - 0.001, to)
      .filter((e) => e.seq > this.lastSeq)
    this.playheadMs = to
    const last = events[events.length - 1]
    if (last) this.lastSeq = last.seq
    if (this.atEnd) this.playing = false
    return events
  }

  /** stepForward delivers exactly the next event and moves the playhead to it. */
  stepForward(): LabEvent[] {
    this.playing = false
    const next = this.reader.nextEventAfter(this.playheadMs, this.lastSeq)
    if (!next) {
      this.playheadMs = this.endMs
      return []
    }
    this.playheadMs = next.timeMs
    this.lastSeq = next.seq
    return [next]
  }

  /** stepBack moves to the event before the last one delivered (a rebuild, since views only
   * move forward). */
  stepBack(): Rebuild | null {
    this.playing = false
    const prev = this.reader.previousEventBefore(this.playheadMs, this.lastSeq)
    if (!prev) return null
    const r = this.seek(prev.timeMs)
    // Several events can share a time: keep only those up to prev.
    r.events = r.events.filter((e) => e.seq <= prev.seq)
    this.lastSeq = prev.seq
    return r
  }
}
