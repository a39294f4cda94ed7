import { describe, expect, it } from 'vitest'
import { appendLog } from '../../../shared/session/logRuns'
import {
  createLogsModel,
  emptyNodeLog,
  logWindow,
  MAX_RUNS,
  reduceLogs,
  UNKNOWN_TERM,
  type NodeLog,
} from '../../../renderer/src/model/logs'
import { status, Stream } from './events'

const blank = emptyNodeLog

describe('logs as term runs', () => {
  it('folds appends into one run per term change', () => {
    const l = blank()
    appendLog(l, 1, [1, 1, 1, 2])
    appendLog(l, 5, [2, 2, 3])
    expect(l.runs).toEqual([
      { start: 1, term: 1 },
      { start: 4, term: 2 },
      { start: 7, term: 3 },
    ])
    expect(l.lastIndex).toBe(7)
  })

  it('drops a conflicting suffix on truncate and remembers it was dropped', () => {
    const m = createLogsModel()
    const s = new Stream()
    reduceLogs(
      m,
      s.at(0, {
        type: 'node.log',
        node: 2,
        op: 'append',
        fromIndex: 1,
        toIndex: 6,
        terms: [1, 1, 2, 2, 2, 2],
      }),
    )
    reduceLogs(
      m,
      s.at(50, { type: 'node.log', node: 2, op: 'truncate', fromIndex: 4, toIndex: 4, terms: [] }),
    )
    reduceLogs(
      m,
      s.at(50, {
        type: 'node.log',
        node: 2,
        op: 'append',
        fromIndex: 4,
        toIndex: 5,
        terms: [3, 3],
      }),
    )
    const l = m.get(2) as NodeLog
    expect(l.runs).toEqual([
      { start: 1, term: 1 },
      { start: 3, term: 2 },
      { start: 4, term: 3 },
    ])
    expect(l.lastIndex).toBe(5)
    expect(l.lastTruncation).toEqual({ fromIndex: 4, toIndex: 6, timeMs: 50 })
  })

  it('marks entries it never saw as unknown (a late join), without calling that a conflict', () => {
    const m = createLogsModel()
    const s = new Stream()
    reduceLogs(
      m,
      s.at(0, { type: 'node.status', node: 1, status: status({ lastIndex: 10, commit: 8 }) }),
    )
    expect(m.get(1)?.runs).toEqual([{ start: 1, term: UNKNOWN_TERM }])
    reduceLogs(
      m,
      s.at(1, {
        type: 'node.log',
        node: 1,
        op: 'append',
        fromIndex: 9,
        toIndex: 11,
        terms: [4, 4, 4],
      }),
    )
    const l = m.get(1) as NodeLog
    expect(l.runs).toEqual([
      { start: 1, term: UNKNOWN_TERM },
      { start: 9, term: 4 },
    ])
    expect(l.lastTruncation).toBeNull()
  })

  it('after a restart keeps what survived on disk (an unsynced tail is gone)', () => {
    const m = createLogsModel()
    const s = new Stream()
    reduceLogs(
      m,
      s.at(0, {
        type: 'node.log',
        node: 1,
        op: 'append',
        fromIndex: 1,
        toIndex: 5,
        terms: [1, 1, 1, 1, 1],
      }),
    )
    reduceLogs(
      m,
      s.at(9, {
        type: 'node.recovered',
        node: 1,
        entries: 3,
        lastIndex: 3,
        term: 1,
        truncatedTailBytes: 0,
        durationMs: 1,
      }),
    )
    expect(m.get(1)?.lastIndex).toBe(3)
  })

  it('bounds the runs it keeps', () => {
    const l = blank()
    for (let t = 1; t <= MAX_RUNS + 10; t++) appendLog(l, t, [t])
    expect(l.runs.length).toBe(MAX_RUNS)
    expect(l.lastIndex).toBe(MAX_RUNS + 10)
  })
})

describe('the log window', () => {
  it('aligns every node on the longest log and splits runs at the commit index', () => {
    const m = createLogsModel()
    const s = new Stream()
    reduceLogs(
      m,
      s.at(0, {
        type: 'node.log',
        node: 1,
        op: 'append',
        fromIndex: 1,
        toIndex: 10,
        terms: [1, 1, 1, 1, 2, 2, 2, 2, 2, 2],
      }),
    )
    reduceLogs(
      m,
      s.at(0, { type: 'node.status', node: 1, status: status({ commit: 7, lastIndex: 10 }) }),
    )
    reduceLogs(
      m,
      s.at(0, {
        type: 'node.log',
        node: 2,
        op: 'append',
        fromIndex: 1,
        toIndex: 3,
        terms: [1, 1, 1],
      }),
    )
    const w = logWindow(m, [1, 2], 6)
    expect([w.from, w.to, w.hidden]).toEqual([5, 10, 4])
    expect(w.rows[0]?.segments).toEqual([
      { from: 5, to: 7, term: 2, committed: true },
      { from: 8, to: 10, term: 2, committed: false },
    ])
    // The stale follower has nothing in view, and says how far behind it is.
    expect(w.rows[1]?.segments).toEqual([])
    expect(w.rows[1]?.behind).toBe(7)
  })

  it('is empty when there are no logs', () => {
    const w = logWindow(createLogsModel(), [1, 2, 3], 10)
    expect(w.to).toBe(0)
    expect(w.rows.every((r) => r.segments.length === 0)).toBe(true)
  })
})
