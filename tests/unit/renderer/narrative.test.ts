import { describe, expect, it } from 'vitest'
import {
  describeCommand,
  describeLabEvent,
  pushLine,
  type NarrativeLine,
} from '../../../renderer/src/model/narrative'
import { Ring } from '../../../renderer/src/model/ring'
import { DEFAULT_WORKLOAD } from '../../../shared/lab/workload'
import { Stream } from './events'

const s = new Stream()
const text = (e: Parameters<typeof describeLabEvent>[0], preVote = false) =>
  describeLabEvent(e, { preVote })?.text

describe('the narrative', () => {
  it('tells a recovery from a snapshot', () => {
    const ev = {
      type: 'node.recovered',
      node: 1,
      entries: 7,
      lastIndex: 107,
      term: 2,
      truncatedTailBytes: 0,
      durationMs: 3,
    } as const
    expect(text(s.at(1, { ...ev, snapshotIndex: 100 }))).toMatch(
      /^n1 recovered 7 entries after its snapshot at index 100 from disk \(last index 107/,
    )
    expect(text(s.at(1, ev))).toMatch(/^n1 recovered 7 entries from disk/)
  })

  it('tells elections in plain words', () => {
    expect(
      text(
        s.at(1, {
          type: 'node.raft',
          node: 3,
          event: { kind: 'electionStarted', term: 5, preVote: false, transfer: false },
        }),
      ),
    ).toBe('n3 timed out in term 4 and started an election for term 5')
    expect(
      text(
        s.at(1, {
          type: 'node.raft',
          node: 3,
          event: { kind: 'electionStarted', term: 5, preVote: false, transfer: false },
        }),
        true,
      ),
    ).toBe('n3 started an election for term 5')
    expect(
      text(
        s.at(1, {
          type: 'node.raft',
          node: 3,
          event: { kind: 'electionStarted', term: 5, preVote: true, transfer: false },
        }),
        true,
      ),
    ).toBe('n3 timed out in term 4 and asked for pre-votes for term 5')
    expect(
      text(
        s.at(2, {
          type: 'node.raft',
          node: 1,
          event: { kind: 'electionWon', term: 5, preVote: false, votes: [1, 2, 4] },
        }),
      ),
    ).toBe('n1 won term 5 with votes from n1, n2, n4')
    expect(
      text(
        s.at(2, {
          type: 'node.raft',
          node: 2,
          event: { kind: 'steppedDown', term: 6, reason: 'check-quorum' },
        }),
      ),
    ).toMatch(/CheckQuorum/)
  })

  it('tells faults, crashes with their reason, and failed commands', () => {
    expect(text(s.at(3, { type: 'fault', action: 'applied', description: 'link n1→n2 cut' }))).toBe(
      'link n1→n2 cut',
    )
    expect(
      text(
        s.at(4, {
          type: 'node.process',
          node: 2,
          state: 'crashed',
          pid: null,
          detail: 'exited with code 3: EADDRINUSE',
        }),
      ),
    ).toBe('n2 crashed: exited with code 3: EADDRINUSE')
    expect(
      text(
        s.at(4, {
          type: 'node.process',
          node: 3,
          state: 'crashed',
          pid: null,
          detail: 'exited with code 3: cannot open its storage: the WAL is damaged',
          isStartFailure: true,
        }),
      ),
    ).toBe('n3 could not start: exited with code 3: cannot open its storage: the WAL is damaged')
    const failed = describeLabEvent(
      s.at(5, {
        type: 'command',
        id: 1,
        phase: 'failed',
        command: { type: 'node.resume', node: 2 },
        error: 'n2 is not paused',
      }),
    )
    expect(failed).toMatchObject({ kind: 'command', text: '✗ resume n2 failed: n2 is not paused' })
  })

  it('leaves data events out', () => {
    expect(
      describeLabEvent(
        s.at(6, { type: 'node.log', node: 1, op: 'append', fromIndex: 1, toIndex: 1, terms: [1] }),
      ),
    ).toBeNull()
    expect(
      describeLabEvent(
        s.at(6, { type: 'command', id: 2, phase: 'started', command: { type: 'heal.all' } }),
      ),
    ).toBeNull()
  })

  it('folds a line repeated within a short while into a count', () => {
    const r = new Ring<NarrativeLine>(10)
    const line = (
      id: string,
      timeMs: number,
      t = 'n1 timed out in term 1 and asked for pre-votes for term 2',
    ) => ({ id, timeMs, kind: 'election', text: t, nodes: [1] }) as NarrativeLine
    pushLine(r, line('1', 0))
    pushLine(r, line('2', 100, 'something else'))
    pushLine(r, line('3', 300))
    pushLine(r, line('4', 600))
    expect(r.length).toBe(2)
    expect(r.at(0)).toMatchObject({ repeat: 3, lastTimeMs: 600 })
    pushLine(r, line('5', 60_000))
    expect(r.length).toBe(3)
  })

  it('tells a vote after the request for it, whichever report arrived first', () => {
    // n2's report of its pre-vote arrived 2 ms before n1's report of asking for it; each node
    // stamps its events (atMs) before it sends the messages they cause.
    const st = new Stream()
    const r = new Ring<NarrativeLine>(10)
    const grant = st.at(16_211, {
      type: 'node.raft',
      node: 2,
      event: { kind: 'voteCast', term: 5, candidate: 1, granted: true, preVote: true },
      atMs: 16_209.4,
    })
    const ask = st.at(16_213, {
      type: 'node.raft',
      node: 1,
      event: { kind: 'electionStarted', term: 5, preVote: true, transfer: false },
      atMs: 16_208.9,
    })
    for (const ev of [grant, ask]) pushLine(r, describeLabEvent(ev) as NarrativeLine)
    expect(r.toArray().map((l) => [l.timeMs, l.text])).toEqual([
      [16_208.9, 'n1 timed out in term 4 and asked for pre-votes for term 5'],
      [16_209.4, 'n2 granted n1 a pre-vote for term 5'],
    ])
    // An event without a node's stamp (an older recording) stays at its arrival time.
    const old = describeLabEvent(
      st.at(20_000, {
        type: 'node.raft',
        node: 1,
        event: { kind: 'electionWon', term: 5, preVote: true, votes: [1, 2] },
      }),
    )
    expect(old?.timeMs).toBe(20_000)
  })

  it('names every command', () => {
    expect(describeCommand({ type: 'link.cut', from: 1, to: 2, both: false })).toBe(
      'cut link n1→n2',
    )
    expect(describeCommand({ type: 'cluster.start', config: { nodes: 5 } })).toBe(
      'start a 5-node cluster',
    )
    expect(describeCommand({ type: 'partition.split', minority: [1, 2] })).toBe('split off n1, n2')
  })

  it('says how many operations of a stopped workload failed, and why, as a warning', () => {
    const counts = (ok: number, fail: number, info: number) => ({ ok, fail, info })
    const line = describeLabEvent(
      s.at(1, {
        type: 'workload.stopped',
        result: {
          spec: DEFAULT_WORKLOAD,
          measuredMs: 5000,
          opsPerSec: 0,
          writesPerSec: 0,
          counts: { put: counts(0, 1200, 3), get: counts(0, 0, 0), cas: counts(0, 0, 0) },
          writeLatency: { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 },
          readLatency: { count: 0, mean: 0, p50: 0, p90: 0, p99: 0, p999: 0, max: 0 },
          writeHistogram: '',
          readHistogram: '',
          attribution: null,
          errors: [{ message: 'stale session', count: 1200 }],
        },
      }),
      { preVote: false },
    )
    expect(line?.kind).toBe('warning')
    expect(line?.text).toBe(
      'workload stopped: 0 writes/s; 1,200 failed, 3 unknown (commonest: stale session)',
    )
  })
})
