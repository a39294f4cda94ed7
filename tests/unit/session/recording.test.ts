// Recordings end to end without a cluster: a synthetic session written by the Recorder, read back
// by the reader; seeking, markers, dropping under back-pressure, several streams on one clock, and
// every kind of bad file the issue names (truncated, flipped bytes, empty, not a recording, a
// newer format).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inflateRawSync } from 'node:zlib'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import type { LabEvent } from '../../../shared/lab/events'
import {
  decodeHeader,
  encodeChunk,
  encodeHeader,
  RECORDING_VERSION,
  RecordingFormatError,
  type SessionMeta,
} from '../../../shared/session/format'
import { markerOf } from '../../../shared/session/markers'
import { RecordingReader } from '../../../shared/session/reader'
import { leadInMs, planRecordedPart, planRerun } from '../../../shared/session/rerun'
import { parseCommand } from '../../../shared/lab/validate'
import { DEFAULT_WORKLOAD } from '../../../shared/lab/workload'
import { applyEvent, emptyState } from '../../../shared/session/state'
import { crc32c } from '../../../shared/util/crc32c'
import { Recorder, type RecorderOptions } from '../../../electron/lab/recording/recorder'
import { fakeSession } from './fakeSession'

const dir = mkdtempSync(join(tmpdir(), 'raftlab-rec-test-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let n = 0

/** record writes `events` as a live recorder would see them: a batch per second of session. */
async function record(
  events: LabEvent[],
  opts: Partial<RecorderOptions> = {},
): Promise<{ path: string; bytes: Uint8Array; recorder: Recorder }> {
  const path = join(dir, `r${n++}.raftrec`)
  const recorder = Recorder.create(path, { source: 'cluster', ...opts })
  let batch: LabEvent[] = []
  let second = Math.floor((events[0]?.timeMs ?? 0) / 1000)
  for (const e of events) {
    if (Math.floor(e.timeMs / 1000) !== second) {
      recorder.record(batch)
      recorder.flush()
      batch = []
      second = Math.floor(e.timeMs / 1000)
    }
    batch.push(e)
  }
  recorder.record(batch)
  await recorder.close()
  return { path, bytes: new Uint8Array(readFileSync(path)), recorder }
}

const open = (b: Uint8Array) => RecordingReader.open(b, (x) => inflateRawSync(x))

function stateByReplay(events: LabEvent[], t: number) {
  const s = emptyState()
  for (const e of events) if (e.timeMs <= t) applyEvent(s, e)
  return s
}

describe('recording round trip', () => {
  const events = fakeSession(7, 30)

  it('reads back every event in order, with its metadata', async () => {
    const { bytes } = await record(events)
    const rec = open(bytes)
    expect(rec.problems).toEqual([])
    expect(rec.events).toBe(events.length)
    expect(rec.eventsBetween(-Infinity, Infinity)).toEqual(events)
    expect(rec.meta.formatVersion).toEqual(RECORDING_VERSION)
    expect(rec.meta.source).toBe('cluster')
    expect(rec.meta.machine.cpus).toBeGreaterThan(0)
    expect(rec.durationMs).toBe(events[events.length - 1]?.timeMs)
    // Several keyframes: a 30 s session with one every 5 s.
    expect(rec.chunks.filter((c) => c.header.kind === 'keyframe').length).toBeGreaterThanOrEqual(6)
  })

  it('rebuilds the state at any moment exactly as replaying from the start does', async () => {
    const { bytes } = await record(events)
    const rec = open(bytes)
    const end = rec.durationMs
    fc.assert(
      fc.property(fc.double({ min: -10, max: end + 10, noNaN: true }), (t) => {
        expect(rec.stateAt(t)).toEqual(stateByReplay(events, t))
      }),
      { numRuns: 60 },
    )
  })

  it('keeps the index markers equal to those a scan finds', async () => {
    const { bytes } = await record(events)
    const rec = open(bytes)
    const scanned = events.map(markerOf).filter((m) => m !== null)
    expect(scanned.length).toBeGreaterThan(3)
    expect(rec.markers()).toEqual(scanned)
  })

  it('steps from event to event both ways', async () => {
    const { bytes } = await record(events)
    const rec = open(bytes)
    const mid = events[Math.floor(events.length / 2)] as LabEvent
    const next = rec.nextEventAfter(mid.timeMs, mid.seq)
    expect(next?.seq).toBe(mid.seq + 1)
    const prev = rec.previousEventBefore(mid.timeMs, mid.seq)
    expect(prev?.seq).toBe(mid.seq - 1)
    const last = events[events.length - 1] as LabEvent
    expect(rec.nextEventAfter(last.timeMs, last.seq)).toBeNull()
    expect(rec.previousEventBefore(events[0]!.timeMs, events[0]!.seq)).toBeNull()
  })

  it('plans a re-run from the commands of the first cluster', () => {
    const withCommands: LabEvent[] = [
      ...events.slice(0, 3),
      {
        type: 'command',
        id: 1,
        phase: 'started',
        command: { type: 'node.pause', node: 2 },
        seq: 9001,
        timeMs: 1005,
      },
      {
        type: 'command',
        id: 2,
        phase: 'started',
        command: { type: 'cluster.status' },
        seq: 9002,
        timeMs: 1006,
      },
      {
        type: 'command',
        id: 3,
        phase: 'started',
        command: { type: 'heal.all' },
        seq: 9003,
        timeMs: 2505,
      },
      { type: 'cluster.stopped', reason: 'x', seq: 9004, timeMs: 3005 },
    ]
    const plan = planRerun(withCommands)
    expect(plan.config.nodes).toBe(3)
    expect(plan.commands).toEqual([
      { atMs: 1000, command: { type: 'node.pause', node: 2 } },
      { atMs: 2500, command: { type: 'heal.all' } },
    ])
    expect(plan.durationMs).toBe(3000)
    expect(() => planRerun(events.slice(3))).toThrow(/no cluster to re-run/)
    // Recorded mid-session: the cluster comes from the session as the recording began, and the
    // commands keep their offsets from that cluster's start.
    const initial = emptyState()
    for (const e of withCommands.slice(0, 4)) applyEvent(initial, e)
    const mid = planRerun(withCommands.slice(4), initial)
    expect(mid.config.nodes).toBe(3)
    expect(mid.commands).toEqual([{ atMs: 2500, command: { type: 'heal.all' } }])
    expect(mid.durationMs).toBe(3000)
    // An idle session when recording began: the first cluster in the stream is the one.
    expect(planRerun(withCommands, emptyState()).commands).toHaveLength(2)
  })

  it('plans a re-run of only the recorded part, from the state recording began in', () => {
    // The cluster started at 5 ms; by 20 s n3 was crashed, n2 paused, n1→n2 cut, n2→n1 slow and
    // a workload ran; recording began then, and holds a heal at 21.5 s and a put at 24 s.
    const initial = emptyState()
    for (const e of events.slice(0, 3)) applyEvent(initial, e)
    const at = (timeMs: number, seq: number, body: object): LabEvent =>
      ({ ...body, seq, timeMs }) as LabEvent
    const before = [
      at(19_000, 9000, { type: 'node.process', node: 3, state: 'crashed', pid: null }),
      at(19_001, 9001, { type: 'node.process', node: 2, state: 'paused', pid: 1002 }),
      at(19_002, 9002, {
        type: 'links.changed',
        rules: [
          { from: 1, to: 2, cut: true, latencyMs: 0, jitterMs: 0, lossPercent: 0 },
          { from: 2, to: 1, cut: false, latencyMs: 40, jitterMs: 5, lossPercent: 10 },
        ],
      }),
      at(19_003, 9003, {
        type: 'workload.started',
        spec: { ...DEFAULT_WORKLOAD, durationMs: 3_600_000, historyFile: null },
      }),
    ]
    for (const e of before) applyEvent(initial, e)
    const cmd = (timeMs: number, seq: number, command: object): LabEvent =>
      at(timeMs, seq, { type: 'command', id: seq, phase: 'started', command })
    const recorded = [
      cmd(21_500, 9010, { type: 'heal.all' }),
      cmd(22_000, 9011, { type: 'cluster.status' }),
      cmd(24_000, 9012, { type: 'kv.put', key: 'k', value: 'v' }),
      at(25_000, 9013, { type: 'node.messages', node: 1, sent: 1, received: 1, dropped: 0 }),
    ]
    const { plan, leadInMs: lead, setup } = planRecordedPart(recorded, initial, 20_000)
    expect(lead).toBe(leadInMs(plan.config))
    expect(lead).toBeGreaterThanOrEqual(2000)
    expect(setup).toBe(5)
    expect(plan.commands.slice(0, setup)).toEqual([
      { atMs: 0, command: { type: 'link.cut', from: 1, to: 2, both: false } },
      {
        atMs: 0,
        command: {
          type: 'link.set',
          from: 2,
          to: 1,
          both: false,
          latencyMs: 40,
          jitterMs: 5,
          lossPercent: 10,
        },
      },
      { atMs: 0, command: { type: 'node.pause', node: 2 } },
      { atMs: 0, command: { type: 'node.crash', node: 3 } },
      {
        atMs: 0,
        command: {
          type: 'workload.start',
          spec: { ...withoutHistory(DEFAULT_WORKLOAD), durationMs: 3_600_000 },
        },
      },
    ])
    expect(plan.commands.slice(setup)).toEqual([
      { atMs: lead + 1500, command: { type: 'heal.all' } },
      { atMs: lead + 4000, command: { type: 'kv.put', key: 'k', value: 'v' } },
    ])
    expect(plan.durationMs).toBe(lead + 5000)
    // The engine's validator accepts the plan as the app sends it.
    expect(() => parseCommand({ type: 'rerun.start', plan, record: true })).not.toThrow()
    // A session with no running cluster has no recorded part to re-run on its own.
    expect(() => planRecordedPart(recorded, emptyState())).toThrow(/re-run it whole/)
  })
})

describe('recording under back-pressure', () => {
  it('drops message traces first, never state, and marks the gap', async () => {
    const events = fakeSession(3, 4, 2000)
    const traces = events.filter((e) => e.type === 'node.trace').length
    const path = join(dir, 'pressure.raftrec')
    const recorder = Recorder.create(path, {
      source: 'app',
      softLimitEvents: 100,
      hardLimitEvents: 1e9,
    })
    recorder.record(events)
    await recorder.close()
    expect(recorder.stats.droppedTraces).toBeGreaterThan(traces / 2)
    expect(recorder.stats.droppedOther).toBe(0)
    const rec = open(new Uint8Array(readFileSync(path)))
    expect(rec.gaps.length).toBeGreaterThan(0)
    expect(rec.gaps[0]?.traces).toBe(recorder.stats.droppedTraces)
    const kept = rec.eventsBetween(-Infinity, Infinity)
    expect(kept.filter((e) => e.type !== 'node.trace')).toEqual(
      events.filter((e) => e.type !== 'node.trace'),
    )
    // The final state is still exact: traces do not change it.
    expect(rec.stateAt(Infinity)).toEqual(stateByReplay(events, Infinity))
  })
})

describe('recording several streams', () => {
  it('puts streams recorded in turn on one clock and one numbering', async () => {
    const path = join(dir, 'streams.raftrec')
    const recorder = Recorder.create(path, { source: 'bench' })
    const listeners: ((e: LabEvent[]) => void)[] = []
    const source = (clock: number) => ({
      nowMs: () => clock,
      subscribe: (l: (e: LabEvent[]) => void) => {
        listeners.push(l)
        return () => {}
      },
    })
    const a = fakeSession(1, 2)
    const b = fakeSession(2, 2)
    recorder.follow(source(0))
    listeners[0]?.(a)
    recorder.follow(source(0))
    listeners[1]?.(b)
    await recorder.close()
    const got = open(new Uint8Array(readFileSync(path))).eventsBetween(-Infinity, Infinity)
    expect(got).toHaveLength(a.length + b.length)
    for (let i = 1; i < got.length; i++) {
      expect(got[i]!.seq).toBe(got[i - 1]!.seq + 1)
      expect(got[i]!.timeMs).toBeGreaterThanOrEqual(got[i - 1]!.timeMs - 5000)
    }
  })

  it('starts from the session so far when recording begins mid-session', async () => {
    const events = fakeSession(5, 6)
    const half = Math.floor(events.length / 2)
    const initial = stateByReplay(events.slice(0, half), Infinity)
    const { bytes } = await record(events.slice(half), { initial, source: 'app' })
    const rec = open(bytes)
    expect(rec.stateAt(Infinity)).toEqual(stateByReplay(events, Infinity))
    expect(rec.stateAt(events[half]!.timeMs - 0.0001).config?.nodes).toBe(3)
  })
})

describe('bad recordings', () => {
  const events = fakeSession(11, 12)
  const meta: SessionMeta = {
    formatVersion: { major: 1, minor: 0 },
    eventVersion: { major: 1, minor: 3 },
    appVersion: 'test',
    createdAt: 'now',
    machine: { os: 'x', cpus: 1, cpuModel: 'y', node: 'v20', electron: null },
    source: 'cluster',
  }

  function expectFormatError(b: Uint8Array, code: RecordingFormatError['code'], message: RegExp) {
    let caught: unknown
    try {
      open(b)
    } catch (e) {
      caught = e
    }
    expect(caught).toBeInstanceOf(RecordingFormatError)
    expect((caught as RecordingFormatError).code).toBe(code)
    expect((caught as Error).message).toMatch(message)
  }

  it('an empty file', () => {
    expectFormatError(new Uint8Array(0), 'empty', /the file is empty/)
  })

  it('a file that is not a recording', () => {
    expectFormatError(
      new TextEncoder().encode('{"hello": "world"}\n'),
      'not-a-recording',
      /not a raftlab recording \(it starts with "\{"hello"/,
    )
    expectFormatError(
      new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0, 1]),
      'not-a-recording',
      /not a raftlab recording/,
    )
  })

  it('a recording from a newer major version', () => {
    const h = encodeHeader(meta)
    h[8] = RECORDING_VERSION.major + 1
    expectFormatError(
      h,
      'future-version',
      new RegExp(
        `newer raftlab \\(recording format ${RECORDING_VERSION.major + 1}\\.0\\).*upgrade`,
      ),
    )
  })

  it('reads a recording of a newer minor version, skipping chunk kinds it does not know', async () => {
    const { bytes } = await record(events)
    const { offset } = decodeHeader(bytes)
    // What a writer of format 1.7 would produce: its version in the header (under the header's
    // checksum), and a chunk of a kind added after 1.0 among the others.
    const h = bytes.slice(0, offset)
    h[9] = 7
    const v = new DataView(h.buffer)
    v.setUint32(offset - 4, crc32c(h.subarray(8, offset - 4)))
    const extra = encodeChunk(
      { kind: 'gap', compressed: false, startMs: 0, endMs: 0, count: 0 },
      new Uint8Array([1, 2, 3]),
    )
    extra[4] = 42
    // Re-seal the chunk's checksum over its changed kind byte.
    new DataView(extra.buffer).setUint32(
      32,
      crc32c(extra.subarray(36), crc32c(extra.subarray(0, 32))),
    )
    const b = new Uint8Array(bytes.length + extra.length)
    b.set(h)
    b.set(extra, offset)
    b.set(bytes.subarray(offset), offset + extra.length)
    const rec = open(b)
    expect(rec.problems).toEqual([])
    expect(rec.eventsBetween(-Infinity, Infinity)).toEqual(events)
  })

  it('a damaged header', async () => {
    const { bytes } = await record(events)
    const b = bytes.slice()
    b[20] = (b[20] as number) ^ 0xff
    expectFormatError(b, 'damaged-header', /header is damaged/)
  })

  it('a header cut short', async () => {
    const { bytes } = await record(events)
    expectFormatError(bytes.slice(0, 12), 'damaged-header', /cut short inside its header/)
    expectFormatError(bytes.slice(0, 40), 'damaged-header', /cut short inside its header/)
  })

  it('a recording truncated anywhere opens with its readable prefix', async () => {
    const { bytes } = await record(events)
    const { offset } = decodeHeader(bytes)
    const full = open(bytes)
    fc.assert(
      fc.property(fc.integer({ min: offset + 1, max: bytes.length - 1 }), (cut) => {
        let rec: RecordingReader
        try {
          rec = open(bytes.slice(0, cut))
        } catch (e) {
          // Only when not one chunk survives.
          expect(e).toBeInstanceOf(RecordingFormatError)
          expect(cut).toBeLessThan(full.chunks[1]!.offset)
          return
        }
        expect(rec.problems).toHaveLength(1)
        expect(rec.problems[0]?.kind).toBe('truncated')
        expect(rec.problems[0]?.message).toMatch(/cut short at byte \d+ of \d+/)
        const got = rec.eventsBetween(-Infinity, Infinity)
        expect(got).toEqual(events.slice(0, got.length))
        // Markers of a cut-short file come from a scan, and seeking still works.
        expect(rec.markers()).toEqual(got.map(markerOf).filter((m) => m !== null))
        expect(rec.stateAt(Infinity)).toEqual(stateByReplay(got, Infinity))
      }),
      { numRuns: 80 },
    )
  })

  it('flipped bytes lose only the chunks they hit', async () => {
    const { bytes } = await record(events)
    const { offset } = decodeHeader(bytes)
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: offset, max: bytes.length - 1 }), {
          minLength: 1,
          maxLength: 4,
        }),
        (positions) => {
          const b = bytes.slice()
          for (const p of positions) b[p] = (b[p] as number) ^ 0x5a
          let rec: RecordingReader
          try {
            rec = open(b)
          } catch (e) {
            expect(e).toBeInstanceOf(RecordingFormatError)
            return
          }
          expect(rec.problems.length).toBeGreaterThan(0)
          for (const p of rec.problems)
            expect(p.message).toMatch(/damaged bytes at byte \d+|cut short/)
          // Whatever survived is real: each event read is one of the session's, in order.
          const got = rec.eventsBetween(-Infinity, Infinity)
          const bySeq = new Map(events.map((e) => [e.seq, e]))
          for (const e of got) expect(e).toEqual(bySeq.get(e.seq))
          for (let i = 1; i < got.length; i++) expect(got[i]!.seq).toBeGreaterThan(got[i - 1]!.seq)
          expect(() => rec.stateAt(rec.durationMs / 2)).not.toThrow()
        },
      ),
      { numRuns: 40 },
    )
  })

  it('a file of random bytes after a valid header', () => {
    const h = encodeHeader(meta)
    const junk = new Uint8Array(5000).map((_, i) => (i * 7919) % 251)
    const b = new Uint8Array(h.length + junk.length)
    b.set(h)
    b.set(junk, h.length)
    expectFormatError(
      b,
      'damaged-header',
      /nothing in this recording is readable: 5000 damaged bytes/,
    )
  })

  it('a header with no chunks (recording started, nothing written yet) is an empty session', () => {
    const rec = open(encodeHeader(meta))
    expect(rec.events).toBe(0)
    expect(rec.problems).toEqual([])
    expect(rec.stateAt(Infinity)).toEqual(emptyState())
  })

  it('writes no file a reader would mistake: garbage after a writer crash mid-chunk is a truncation', async () => {
    const { bytes, path } = await record(events)
    writeFileSync(path, bytes.slice(0, bytes.length - 3))
    const rec = open(new Uint8Array(readFileSync(path)))
    expect(rec.problems.map((p) => p.kind)).toEqual(['truncated'])
  })
})

function withoutHistory<T extends { historyFile?: unknown }>(spec: T): Omit<T, 'historyFile'> {
  const { historyFile: _h, ...rest } = spec
  return rest
}
