// The replay player over a real recording file (written by the engine's Recorder, inflated by
// fflate as in the page): seeking rebuilds exactly the state at the moment, playing delivers
// every event once and in order at any speed, stepping moves one event at a time.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LabEvent } from '../../../shared/lab/events'
import { RecordingFormatError } from '../../../shared/session/format'
import type { RecordingReader } from '../../../shared/session/reader'
import { applyEvent, emptyState } from '../../../shared/session/state'
import { statusFromState } from '../../../shared/session/status'
import { Recorder } from '../../../electron/lab/recording/recorder'
import { openRecordingBytes, Player, PRELOAD_MS } from '../../../renderer/src/replay/player'
import { fakeSession } from '../session/fakeSession'

const dir = mkdtempSync(join(tmpdir(), 'raftlab-player-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
const events = fakeSession(21, 200, 100)
let reader: RecordingReader

beforeAll(async () => {
  const path = join(dir, 'p.raftrec')
  const r = Recorder.create(path, { source: 'app' })
  let second = -1
  for (const e of events) {
    if (Math.floor(e.timeMs / 1000) !== second && second >= 0) r.flush()
    second = Math.floor(e.timeMs / 1000)
    r.record([e])
  }
  await r.close()
  reader = openRecordingBytes(new Uint8Array(readFileSync(path)))
})

function stateAt(t: number) {
  const s = emptyState()
  for (const e of events) if (e.timeMs <= t) applyEvent(s, e)
  return s
}

describe('replay player', () => {
  it('opens what the engine wrote (fflate reads Node’s raw DEFLATE)', () => {
    expect(reader.events).toBe(events.length)
    expect(reader.problems).toEqual([])
    expect(() => openRecordingBytes(new TextEncoder().encode('nope'))).toThrow(RecordingFormatError)
  })

  it('seeks anywhere: the status at the preload start plus the events after it make the moment', () => {
    fc.assert(
      fc.property(fc.double({ min: reader.startMs, max: reader.endMs, noNaN: true }), (t) => {
        const p = new Player(reader)
        const r = p.seek(t)
        expect(r.fromMs).toBeGreaterThanOrEqual(t - PRELOAD_MS - 1)
        expect(r.status).toEqual(statusFromState(stateAt(r.fromMs)))
        const expected = events.filter((e) => e.timeMs > r.fromMs && e.timeMs <= t)
        expect(r.events).toEqual(expected)
        expect(p.playheadMs).toBe(t)
      }),
      // The example: a seek that folds the most events a seek may, starting inside a moment
      // shared by several events (once lost between the state and the delivery).
      { numRuns: 40, examples: [[103404.953]] },
    )
  })

  it('plays every event exactly once, in order, whatever the speed changes', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            wallMs: fc.integer({ min: 1, max: 4000 }),
            speed: fc.constantFrom(0.1, 0.5, 1, 2, 10),
          }),
          {
            minLength: 1,
            maxLength: 200,
          },
        ),
        (steps) => {
          const p = new Player(reader)
          const got: LabEvent[] = [...p.seek(reader.startMs).events]
          let wall = 0
          p.play(wall)
          for (const s of steps) {
            p.setSpeed(s.speed, wall)
            wall += s.wallMs
            got.push(...p.tick(wall))
          }
          p.setSpeed(10, wall)
          while (p.playing) {
            wall += 10_000
            got.push(...p.tick(wall))
          }
          expect(p.atEnd).toBe(true)
          expect(got.map((e) => e.seq)).toEqual(events.map((e) => e.seq))
        },
      ),
      { numRuns: 15 },
    )
  })

  it('steps forward one event at a time, and back', () => {
    const p = new Player(reader)
    const first = p.seek(reader.startMs).events
    const seen = [...first]
    for (let i = 0; i < 30; i++) seen.push(...p.stepForward())
    expect(seen.map((e) => e.seq)).toEqual(events.slice(0, seen.length).map((e) => e.seq))
    const back = p.stepBack()
    expect(back?.events[back.events.length - 1]?.seq).toBe(seen[seen.length - 2]?.seq)
    expect(p.stepForward()[0]?.seq).toBe(seen[seen.length - 1]?.seq)
  })

  it('clamps speed to 0.1×–10× and stops at the end', () => {
    const p = new Player(reader)
    p.setSpeed(100, 0)
    expect(p.speed).toBe(10)
    p.setSpeed(0, 0)
    expect(p.speed).toBe(0.1)
    p.seek(reader.endMs)
    p.play(0)
    expect(p.playing).toBe(false)
    expect(p.stepForward()).toEqual([])
  })
  it('opens a recording started mid-session at its first keyframe, cluster and all', async () => {
    // The app's record button: the session so far becomes the first keyframe.
    const cut = Math.floor(events.length / 2)
    const before = emptyState()
    for (const e of events.slice(0, cut)) applyEvent(before, e)
    const path = join(dir, 'mid.raftrec')
    const r = Recorder.create(path, { source: 'app', initial: before })
    r.record(events.slice(cut))
    await r.close()
    const mid = openRecordingBytes(new Uint8Array(readFileSync(path)))
    const p = new Player(mid)
    const start = p.seek(mid.startMs)
    // (Events in the same millisecond as the keyframe are folded in with it.)
    expect(start.status).toEqual(statusFromState(stateAt(mid.startMs)))
    expect(start.status.running).toBe(before.running)
    expect(start.status.nodes.length).toBe(before.nodes.length)
    expect(start.statusSeq).toBeGreaterThanOrEqual(before.seq)
    // Folding what the end's rebuild delivers onto its status start gives the last moment.
    const end = p.seek(mid.endMs)
    expect(end.status).toEqual(statusFromState(stateAt(end.fromMs)))
    expect(end.events.every((e) => e.seq > end.statusSeq)).toBe(true)
  })
})
